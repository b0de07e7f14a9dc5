import type { Command } from 'commander';

/** A top-level command: what `coffer --help` says of it, and the module that defines it, loaded only when it runs. */
export interface CommandEntry {
  name: string;
  aliases?: string[];
  summary: string;
  load: () => Promise<(program: Command) => void>;
}

/**
 * Every command of `coffer`. A command's module (and what it imports: the server, the
 * SQLite driver, the SDK's credential chain) is loaded only when that command runs, so
 * that `coffer --version`, `--help` and the everyday commands start quickly.
 */
export const COMMANDS: CommandEntry[] = [
  { name: 'server', summary: 'run the Coffer server', load: async () => (await import('./server-command.js')).registerServerCommand },
  { name: 'configure', aliases: ['login'], summary: 'write a profile (endpoint, region, key pair) that the other commands and the AWS CLI use', load: async () => (await import('./configure-command.js')).registerConfigureCommand },
  { name: 'secrets', summary: 'list, read, write, rotate and delete secrets', load: async () => (await import('./secrets-command.js')).registerSecretsCommand },
  { name: 'keys', summary: 'list the KMS keys that protect secrets', load: async () => (await import('./keys-command.js')).registerKeysCommand },
  { name: 'users', summary: 'manage IAM users, their access keys and what they may do', load: async () => (await import('./users-command.js')).registerUsersCommand },
  { name: 'run', summary: "run a command with secrets in its environment (or a 0600 dotenv file), restarted or signalled when they change", load: async () => (await import('./run-command.js')).registerRunCommand },
  { name: 'agent', summary: "serve AWS's Secrets Manager Agent protocol locally, kept fresh from Coffer's change feed", load: async () => (await import('./agent-command.js')).registerAgentCommand },
  { name: 'import', summary: 'create or update secrets from a dotenv or JSON file', load: async () => (await import('./import-command.js')).registerImportCommand },
  { name: 'operator', summary: 'seal, unseal and rotate the root key of a running Coffer server', load: async () => (await import('./operator-command.js')).registerOperatorCommand },
  { name: 'rotation-functions', summary: "register the functions that rotate secrets (a secret's RotationLambdaARN names one)", load: async () => (await import('./rotation-functions-command.js')).registerRotationFunctionsCommand },
  { name: 'audit', summary: "verify a data directory's audit log, or follow a running server's", load: async () => (await import('./audit-command.js')).registerAuditCommand },
  { name: 'backup', summary: "back up a running server's data directory, consistently and online; verify a backup", load: async () => (await import('./backup-command.js')).registerBackupCommand },
  { name: 'restore', summary: 'restore a backup into an empty data directory', load: async () => (await import('./backup-command.js')).registerRestoreCommand },
  { name: 'migrate', summary: 'copy the data of a stopped server from its data directory (SQLite) into an empty PostgreSQL database', load: async () => (await import('./migrate-command.js')).registerMigrateCommand },
  { name: 'completion', summary: 'print the shell completion script for bash or zsh', load: async () => (await import('./completion-command.js')).registerCompletionCommand },
];

export function commandNamed(name: string | undefined): CommandEntry | undefined {
  return COMMANDS.find((entry) => entry.name === name || entry.aliases?.includes(name ?? ''));
}
