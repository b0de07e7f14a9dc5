import type pg from 'pg';
import type { PgMigration } from './pg-migrations.js';

/**
 * Brings the schema up to date. The node that starts first migrates, under an advisory lock
 * held by its transaction; the others wait on the lock and then find nothing left to do. The
 * migrations run in that one transaction (PostgreSQL's DDL is transactional): all or none.
 * A schema newer than this build knows is refused: an older node must not write to it.
 */
export async function migratePostgres(pool: pg.Pool, schema: string, migrations: readonly PgMigration[]): Promise<void> {
  const known = Math.max(...migrations.map((m) => m.version));
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`coffer-migrations:${schema}`]);
    if (schema !== 'public') await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
    const applied = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
    const newest = Math.max(0, ...applied);
    if (newest > known) {
      throw new Error(
        `the PostgreSQL schema is at version ${newest}, newer than this Coffer knows (${known}): a newer Coffer has migrated this database; run that version or a later one`,
      );
    }
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [migration.version, Date.now()]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
