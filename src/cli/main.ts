import type { Command } from 'commander';

type Register = (program: Command) => void;

/**
 * Each command's module, loaded only when that command runs (all of them for help): `coffer
 * run` starts a program, and should not first load the server, the SDKs and the databases.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  server: async () => (await import('./server-command.js')).registerServerCommand,
  run: async () => (await import('./run-command.js')).registerRunCommand,
  agent: async () => (await import('./agent-command.js')).registerAgentCommand,
  import: async () => (await import('./import-command.js')).registerImportCommand,
  operator: async () => (await import('./operator-command.js')).registerOperatorCommand,
  'rotation-functions': async () => (await import('./rotation-functions-command.js')).registerRotationFunctionsCommand,
  audit: async () => (await import('./audit-command.js')).registerAuditCommand,
  migrate: async () => (await import('./migrate-command.js')).registerMigrateCommand,
};

async function main(named: string | undefined): Promise<void> {
  // A plain `coffer run` parses its own arguments: it starts commands, and loading commander would add to each start.
  if (named === 'run') {
    const [{ parseRunArgs }, { runCommand }] = await Promise.all([import('./run/run-args.js'), import('./run-command.js')]);
    const parsed = parseRunArgs(process.argv.slice(3));
    if (parsed) return runCommand(parsed.command, parsed.options);
  }
  const { Command } = await import('commander');
  const program = new Command('coffer').description('Coffer: a self-hosted secrets manager that speaks the AWS Secrets Manager API');
  const wanted = named !== undefined && Object.hasOwn(COMMANDS, named) ? [named] : Object.keys(COMMANDS);
  for (const register of await Promise.all(wanted.map((name) => COMMANDS[name]!()))) register(program);
  await program.parseAsync(process.argv);
}

await main(process.argv[2]);
