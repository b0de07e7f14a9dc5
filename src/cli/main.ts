import { Command } from 'commander';
import { COMMANDS, commandNamed } from './command-table.js';
import { cofferVersion } from '../config/version.js';

const program = new Command('coffer')
  .description('Coffer: a self-hosted secrets manager that speaks the AWS Secrets Manager API')
  .version(cofferVersion(), '-V, --version', 'print the version')
  .showSuggestionAfterError();

// Only the command that runs is loaded (`coffer help NAME` loads the one it explains); the others are listed by name.
const [first, second] = process.argv.slice(2);
const running = commandNamed(first === 'help' ? second : first);
for (const entry of COMMANDS) {
  if (entry === running) (await entry.load())(program);
  else program.command(entry.name).aliases(entry.aliases ?? []).description(entry.summary);
}
await program.parseAsync(process.argv);
