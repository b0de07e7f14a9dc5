import pg from 'pg';
import type { AuditRepository } from '../repositories.js';
import { PgAuditRepository } from './pg-audit-repository.js';
import type { Db } from '../sqlite/sqlite-database.js';
import { connectionConfig, type PostgresOptions } from './pg-connection.js';
import { migratePostgres } from './pg-migrate.js';
import { pgMigrations } from './pg-migrations.js';

/**
 * The tables of the store, parents before children. Leases are not copied: they are the
 * running servers' state, taken afresh. The audit log is copied by the caller (`alsoCopy`).
 */
const TABLES = [
  'settings',
  'kms_keys',
  'kms_key_materials',
  'kms_aliases',
  'access_keys',
  'secrets',
  'secret_versions',
  'version_stages',
  'rotation_functions',
  'iam_entities',
  'iam_policies',
  'iam_group_members',
  'iam_inline_policies',
  'iam_attachments',
] as const;
const EVERY_TABLE = [...TABLES, 'leases', 'audit_entries'];

interface Column {
  name: string;
  type: string;
  identity: boolean;
}

/**
 * Copies an SQLite store (a data directory's coffer.db, at this build's schema) into a
 * PostgreSQL database whose store is empty, in one transaction with whatever `alsoCopy` writes
 * through the audit repository it is given: all of it or nothing. Returns the rows copied per table.
 */
export async function copySqliteToPostgres(source: Db, target: PostgresOptions, alsoCopy: (audit: AuditRepository) => Promise<void>): Promise<Map<string, number>> {
  const { pool: config, schema } = connectionConfig(target);
  const pool = new pg.Pool({ ...config, max: 1, statement_timeout: undefined, query_timeout: undefined });
  pool.on('error', () => undefined);
  try {
    await migratePostgres(pool, schema, pgMigrations);
    const client = await pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
      await refuseNonEmpty(client);
      const copied = new Map<string, number>();
      // One read transaction on SQLite: every table as of one moment.
      source.prepare('BEGIN').run();
      try {
        for (const table of TABLES) copied.set(table, await copyTable(source, client, schema, table));
      } finally {
        source.prepare('ROLLBACK').run();
      }
      await alsoCopy(new PgAuditRepository(client));
      await client.query('COMMIT');
      return copied;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  } finally {
    await pool.end();
  }
}

async function refuseNonEmpty(client: pg.PoolClient): Promise<void> {
  for (const table of EVERY_TABLE) {
    const { rows } = await client.query(`SELECT 1 FROM ${table} LIMIT 1`);
    if (rows.length > 0) throw new Error(`the target database already holds Coffer data (table ${table} is not empty): migrate only into an empty one`);
  }
}

async function copyTable(source: Db, client: pg.PoolClient, schema: string, table: string): Promise<number> {
  const columns = (
    await client.query<{ name: string; type: string; identity: string }>(
      'SELECT column_name AS name, data_type AS type, is_identity AS identity FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
      [schema, table],
    )
  ).rows.map((c): Column => ({ name: c.name, type: c.type, identity: c.identity === 'YES' }));
  const sourceColumns = (source.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
  const missing = sourceColumns.filter((name) => !columns.some((c) => c.name === name));
  // A column PostgreSQL lacks would be data left behind.
  if (missing.length) throw new Error(`table ${table}: columns ${missing.join(', ')} have no place in the PostgreSQL schema (is this Coffer older than the data directory?)`);
  const copied = columns.filter((c) => sourceColumns.includes(c.name));
  const names = copied.map((c) => `"${c.name}"`).join(', ');
  const placeholders = copied.map((_c, i) => `$${i + 1}`).join(', ');
  const overriding = copied.some((c) => c.identity) ? ' OVERRIDING SYSTEM VALUE' : '';
  const insert = { name: `copy_${table}`, text: `INSERT INTO ${table} (${names})${overriding} VALUES (${placeholders})` };
  let count = 0;
  for (const row of source.prepare(`SELECT ${names} FROM ${table}`).iterate() as Iterable<Record<string, unknown>>) {
    await client.query({ ...insert, values: copied.map((c) => value(row[c.name], c.type)) });
    count++;
  }
  // Identities continue after the copied ids.
  for (const column of copied.filter((c) => c.identity)) {
    await client.query(`SELECT setval(pg_get_serial_sequence($1, $2), GREATEST((SELECT max("${column.name}") FROM ${table}), 1), (SELECT count(*) > 0 FROM ${table}))`, [table, column.name]);
  }
  return count;
}

/** SQLite keeps booleans as 0 and 1. */
function value(stored: unknown, type: string): unknown {
  if (type === 'boolean' && typeof stored === 'number') return stored !== 0;
  return stored ?? null;
}
