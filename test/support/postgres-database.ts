import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import pg from 'pg';
import { requiredInCi } from './coffer-server.js';

/** The PostgreSQL this machine (and CI, through .ci/run) runs, with trust authentication. */
const HOST = '127.0.0.1';
const PORT = 5432;
const USER = 'postgres';

export interface ThrowawayDatabase {
  name: string;
  /** A --storage URL for the database, optionally in its own schema. */
  url(schema?: string): string;
  /** Runs a statement as the superuser in this database. */
  query(text: string, values?: unknown[]): Promise<pg.QueryResult>;
  drop(): Promise<void>;
}

/**
 * A database made for one test run and dropped after it, or undefined (with a skipped test
 * saying why) when no PostgreSQL is reachable. Under CI=true an unreachable PostgreSQL is a
 * failed test instead.
 */
export async function throwawayDatabase(label: string): Promise<ThrowawayDatabase | undefined> {
  const name = `coffer_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ host: HOST, port: PORT, user: USER, database: 'postgres', connectionTimeoutMillis: 5000 });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (error) {
    await admin.end().catch(() => undefined);
    const problem = `PostgreSQL at ${HOST}:${PORT} unreachable: ${(error as Error).message}`;
    if (requiredInCi()) test(label, () => assert.fail(`${problem} (required when CI=true)`));
    else test(label, { skip: problem }, () => undefined);
    return undefined;
  }
  let inside: pg.Client | undefined;
  return {
    name,
    url: (schema) => `postgres://${USER}@${HOST}:${PORT}/${name}${schema ? `?schema=${schema}` : ''}`,
    async query(text, values = []) {
      if (!inside) {
        inside = new pg.Client({ host: HOST, port: PORT, user: USER, database: name });
        await inside.connect();
      }
      return inside.query(text, values);
    },
    async drop() {
      await inside?.end();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
