import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { failsInOneLine } from './coffer-client.js';

interface MigrateOptions {
  from: string;
  to: string;
  toCa?: string;
  toPasswordFile?: string;
}

/**
 * `coffer migrate --from DATA_DIR --to postgres://…`: copies a data directory's SQLite store
 * and its audit log into an empty PostgreSQL database; the server then starts with the same
 * data directory (its root key and credentials stay there) and `--storage` naming that database.
 */
export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('copy the data of a stopped server from its data directory (SQLite) into an empty PostgreSQL database')
    .requiredOption('--from <dir>', 'the data directory whose coffer.db is copied')
    .requiredOption('--to <url>', 'postgres://user@host:port/database[?sslmode=…&schema=…] (password as for server --storage)')
    .option('--to-ca <file>', 'PEM certificate authority the database server must chain to')
    .option('--to-password-file <file>', "file holding the database password, else the URL's or PGPASSWORD")
    .action(
      failsInOneLine(async (opts: MigrateOptions) => {
        // The drivers are loaded only to run the command.
        const [{ COFFER_DB_FILE }, { openSqlite }, { copySqliteToPostgres }, { isPostgresUrl, redactedUrl }, { copyAuditLog }] = await Promise.all([
          import('../storage/sqlite/sqlite-data-dir.js'),
          import('../storage/sqlite/sqlite-database.js'),
          import('../storage/postgres/pg-copy-from-sqlite.js'),
          import('../storage/postgres/pg-connection.js'),
          import('../audit/audit-log-copy.js'),
        ]);
        if (!isPostgresUrl(opts.to)) throw new Error('--to takes a postgres:// URL');
        const path = join(opts.from, COFFER_DB_FILE);
        if (!existsSync(path)) throw new Error(`${opts.from} holds no ${COFFER_DB_FILE}: nothing to migrate`);
        const source = openSqlite(path);
        try {
          let audit = { entries: 0, digests: 0 };
          const copied = await copySqliteToPostgres(source, { url: opts.to, caFile: opts.toCa, passwordFile: opts.toPasswordFile }, async (target) => {
            audit = await copyAuditLog(opts.from, target);
          });
          const total = [...copied.values()].reduce((a, b) => a + b, 0);
          console.log(`Copied ${total} rows from ${path} to ${redactedUrl(opts.to)}: ${[...copied].map(([table, n]) => `${table} ${n}`).join(', ')}.`);
          console.log(`Copied the audit log: ${audit.entries} entries and ${audit.digests} signed digests (check it with coffer audit verify --storage <the same URL>).`);
          console.log(`Start the server with --data-dir ${opts.from} --storage <the same URL>.`);
        } finally {
          source.close();
        }
      }),
    );
}
