import { Command } from 'commander';
import { registerAuditCommand } from './audit-command.js';
import { registerMigrateCommand } from './migrate-command.js';
import { registerOperatorCommand } from './operator-command.js';
import { registerRotationFunctionsCommand } from './rotation-functions-command.js';
import { registerServerCommand } from './server-command.js';

const program = new Command('coffer').description('Coffer: a self-hosted secrets manager that speaks the AWS Secrets Manager API');
registerServerCommand(program);
registerOperatorCommand(program);
registerRotationFunctionsCommand(program);
registerAuditCommand(program);
registerMigrateCommand(program);
await program.parseAsync(process.argv);
