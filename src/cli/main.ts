import { COMMANDS, commandNamed } from './command-table.js';

async function main(): Promise<void> {
  const [first, second] = process.argv.slice(2);
  // A plain `coffer run` parses its own arguments: it starts commands, and loading commander would add to each start.
  if (first === 'run') {
    const [{ parseRunArgs }, { runCommand }] = await Promise.all([import('./run/run-args.js'), import('./run-command.js')]);
    const parsed = parseRunArgs(process.argv.slice(3));
    if (parsed) return runCommand(parsed.command, parsed.options);
  }
  const [{ Command }, { cofferVersion }] = await Promise.all([import('commander'), import('../config/version.js')]);
  const program = new Command('coffer')
    .description('Coffer: a self-hosted secrets manager that speaks the AWS Secrets Manager API')
    .version(cofferVersion(), '-V, --version', 'print the version')
    .showSuggestionAfterError();
  // Only the command that runs is loaded (`coffer help NAME` loads the one it explains); the others are listed by name.
  const running = commandNamed(first === 'help' ? second : first);
  for (const entry of COMMANDS) {
    if (entry === running) (await entry.load())(program);
    else program.command(entry.name).aliases(entry.aliases ?? []).description(entry.summary);
  }
  await program.parseAsync(process.argv);
}

await main();
