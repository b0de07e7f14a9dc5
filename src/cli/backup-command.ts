import type { Command } from 'commander';
import { renameSync, rmSync, statSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { apiCommandGroup, CofferClient, failsInOneLine, type ClientOptions } from './coffer-client.js';

/**
 * `coffer backup --to FILE`: a running server's data (secrets, keys, IAM, rotation functions,
 * audit log) copied consistently while it serves; `coffer backup verify FILE` checks one.
 */
export function registerBackupCommand(program: Command): void {
  const backup = apiCommandGroup(program, 'backup', "back up a running server's data directory, consistently and online (root credentials)")
    .option('--to <file>', 'where to write the backup')
    .action(
      failsInOneLine(async (opts: ClientOptions & { to?: string }) => {
        if (!opts.to) throw new Error('say where the backup goes: coffer backup --to FILE (or coffer backup verify FILE)');
        const target = resolve(opts.to);
        const partial = `${target}.partial`;
        try {
          await new CofferClient('CofferOperator', opts).call('CreateBackup', {}, true, partial);
          renameSync(partial, target);
        } finally {
          rmSync(partial, { force: true });
        }
        const { ENCRYPTION_NOTE } = await import('../backup/backup-archive.js');
        console.log(`backup written to ${target} (${statSync(target).size} bytes)`);
        console.log(ENCRYPTION_NOTE);
        console.log(`Check it with \`coffer backup verify ${opts.to}\`; restore it with \`coffer restore --from ${opts.to} --data-dir DIR\`.`);
      }),
    );

  backup
    .command('verify <file>')
    .description("check a backup: every file's SHA-256, SQLite's integrity check of both databases, and the audit log's hash chain and signed digests")
    .action(
      failsInOneLine(async (file: string) => {
        const [{ restoreBackup, checkDatabases }, { verify }] = await Promise.all([import('../backup/restore.js'), import('./audit-command.js')]);
        const work = mkdtempSync(join(tmpdir(), 'coffer-verify-'));
        try {
          const dir = join(work, 'data');
          const manifest = restoreBackup(file, dir);
          console.log(`${file}: made ${manifest.createdAt} by Coffer ${manifest.cofferVersion} (root key provider: ${manifest.rootKeyProvider}); ${manifest.files.length} files, each matching its SHA-256`);
          const problems = checkDatabases(dir);
          if (problems.length) throw new Error(`the databases are damaged: ${problems.join('; ')}`);
          console.log('coffer.db and audit.db: SQLite integrity check ok');
          await verify({ dataDir: dir, digest: [], digestHash: [] });
        } finally {
          rmSync(work, { recursive: true, force: true });
        }
      }),
    );
}

/** `coffer restore --from FILE --data-dir DIR`: a backup made into a data directory a server can start on. */
export function registerRestoreCommand(program: Command): void {
  program
    .command('restore')
    .description('restore a backup into an empty data directory (the server then starts on it with the same root key)')
    .requiredOption('--from <file>', 'the backup file')
    .requiredOption('--data-dir <dir>', 'the data directory to make; it must be empty or not exist')
    .option('--root-key <file>', 'for the file provider: the root-key file to put beside the data (a backup never holds it)')
    .action(
      failsInOneLine(async (opts: { from: string; dataDir: string; rootKey?: string }) => {
        const { restoreBackup } = await import('../backup/restore.js');
        const manifest = restoreBackup(opts.from, opts.dataDir, opts.rootKey);
        console.log(`restored ${manifest.files.length} files of the backup made ${manifest.createdAt} into ${resolve(opts.dataDir)}`);
        const needs: Record<string, string> = {
          file: opts.rootKey ? 'its root-key file is in place' : `copy the data directory's root-key file into ${opts.dataDir} (or restore again with --root-key FILE)`,
          passphrase: 'give it the same passphrase (COFFER_ROOT_PASSPHRASE, or asked)',
          kms: 'it unwraps the root key with the same external KMS key (root-key.kms is restored)',
          shamir: 'unseal it with the same shares',
        };
        console.log(`Start it with \`coffer server --data-dir ${opts.dataDir} --root-key-provider ${manifest.rootKeyProvider}\`: ${needs[manifest.rootKeyProvider] ?? 'give it the same root key'}.`);
        console.log('The administrator credentials file is not in a backup: the key pair still works wherever it was configured.');
      }),
    );
}
