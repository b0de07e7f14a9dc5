// A data directory an earlier version wrote keeps its audit log in coffer.db:
// opening it moves the log into audit.db, whole, once, even after a crash
// halfway through the move.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { verifyChain } from '../../src/audit/chain-verifier.js';
import { AuditLogReader } from '../../src/audit/audit-log-reader.js';
import { AUDIT_DB_FILE, openAuditDatabase } from '../../src/storage/sqlite/audit-database.js';
import { moveAuditLogOut } from '../../src/storage/sqlite/legacy-audit-move.js';
import { migrations } from '../../src/storage/sqlite/migrations.js';
import { SqliteAuditRepository } from '../../src/storage/sqlite/sqlite-audit-repository.js';
import { migrate, openDurable } from '../../src/storage/sqlite/sqlite-durable.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import { buildChain, sampleRecord } from '../audit/chain-fixture.js';
import { appendEntries } from '../../src/audit/hash-chain.js';
import { toEntryRecord } from '../../src/audit/stored-entry.js';
import { insertOldEntries } from './old-audit-schema.js';

// Versions that kept the log in coffer.db signed unchained (version 1) digests.
const chain = buildChain(62, { digestEvery: 20, digestVersion: 1 });

/** A data directory as version 6 left it: the audit log in coffer.db. */
async function legacyDataDir(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-legacy-audit-'));
  const db = openDurable(join(dir, 'coffer.db'));
  migrate(db, migrations.filter((m) => m.version < 7));
  insertOldEntries(db, chain.entries.map(toEntryRecord));
  const insert = db.prepare('INSERT INTO audit_digests (sequence, hash, time, signature) VALUES (@sequence, @hash, @time, @signature)');
  for (const { sequence, hash, time, signature } of chain.digests) insert.run({ sequence, hash, time, signature });
  db.close();
  return dir;
}

function auditRows(dir: string): { entries: { sequence: number; hash: string }[]; digests: number } {
  const db = new Database(join(dir, AUDIT_DB_FILE), { readonly: true });
  try {
    return {
      entries: db.prepare('SELECT sequence, hash FROM audit_entries ORDER BY sequence').all() as { sequence: number; hash: string }[],
      digests: db.prepare('SELECT count(*) FROM audit_digests').pluck().get() as number,
    };
  } finally {
    db.close();
  }
}

function hasLegacyTables(dir: string): boolean {
  const db = new Database(join(dir, 'coffer.db'), { readonly: true });
  try {
    return db.prepare("SELECT count(*) FROM sqlite_master WHERE name IN ('audit_entries', 'audit_digests')").pluck().get() === 2;
  } finally {
    db.close();
  }
}

function verifyOffline(dir: string) {
  const log = AuditLogReader.open(dir);
  try {
    return verifyChain(log.entries(), log.digests(), chain.publicKey);
  } finally {
    log.close();
  }
}

const expected = chain.entries.map((e) => ({ sequence: e.sequence, hash: e.hash }));

test('before the move the offline verifier reads the log in coffer.db; opening the storage moves all of it to audit.db', async () => {
  const dir = await legacyDataDir();
  assert.deepEqual(verifyOffline(dir), { ok: true, count: 62, head: expected[61] });

  await (await SqliteStorage.open(join(dir, 'coffer.db'))).close();
  assert.equal(hasLegacyTables(dir), false, 'the old tables are dropped');
  assert.deepEqual(auditRows(dir), { entries: expected, digests: chain.digests.length });
  assert.deepEqual(verifyOffline(dir), { ok: true, count: 62, head: expected[61] });
});

test('a crash after the copy and before the drop: the next start copies again and doubles nothing', async () => {
  const dir = await legacyDataDir();
  // The copy alone, committed to audit.db, as if the process died before coffer.db's transaction committed.
  const db = openDurable(join(dir, 'coffer.db'));
  moveAuditLogOut(db);
  db.close();
  assert.equal(hasLegacyTables(dir), true);

  await (await SqliteStorage.open(join(dir, 'coffer.db'))).close();
  assert.equal(hasLegacyTables(dir), false);
  assert.deepEqual(auditRows(dir), { entries: expected, digests: chain.digests.length });
  assert.deepEqual(verifyOffline(dir), { ok: true, count: 62, head: expected[61] });
});

test('an audit.db holding a different entry at the same sequence stops the move and keeps the old log', async () => {
  const dir = await legacyDataDir();
  const audit = openAuditDatabase(join(dir, AUDIT_DB_FILE));
  await new SqliteAuditRepository(audit).append(appendEntries(chain.entries[9]!, [sampleRecord(999)]).map(toEntryRecord));
  audit.close();

  assert.throws(() => SqliteStorage.open(join(dir, 'coffer.db')), /already holds a different audit_entries row 11/);
  assert.equal(hasLegacyTables(dir), true, 'the old log stays where it was');
  assert.deepEqual(verifyOffline(dir), { ok: true, count: 62, head: expected[61] });
});
