// `coffer audit verify` on real database files, untouched and tampered with in
// raw SQL; `coffer audit tail` against a running server.
import { before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { pino } from 'pino';
import { toEntryRecord } from '../../src/audit/stored-entry.js';
import { AuditLog } from '../../src/audit/audit-log.js';
import { appendEntries, type Entry } from '../../src/audit/hash-chain.js';
import { AUDIT_DB_FILE, openAuditDatabase } from '../../src/storage/sqlite/audit-database.js';
import { SqliteAuditRepository } from '../../src/storage/sqlite/sqlite-audit-repository.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import { buildChain, sampleRecord, storeChain } from '../audit/chain-fixture.js';
import { cleanEnv, describeRun, run, serverEnv, type RunResult } from '../support/child-process.js';
import { BIN, clientConfig, startServer, tempDir } from '../support/coffer-server.js';

// 62 entries with digests at 20, 40 and 60: the last two are not yet covered by a digest.
const chain = buildChain(62, { digestEvery: 20 });
const publicKeyPem = chain.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const dataDir = join(tempDir('coffer-audit-verify-'), 'data');

before(async () => {
  mkdirSync(dataDir);
  const storage = SqliteStorage.open(join(dataDir, 'coffer.db'));
  await storage.settings.set('audit-public-key', publicKeyPem);
  await storage.close();
  const db = openAuditDatabase(join(dataDir, AUDIT_DB_FILE));
  await storeChain(new SqliteAuditRepository(db), chain);
  db.close();
  writeFileSync(join(dataDir, 'audit-public-key.pem'), publicKeyPem);
});

const entry = (sequence: number): Entry => chain.entries[sequence - 1]!;

/** A copy of the data directory, one of its databases (the audit log's unless named) changed by `tamper` with its own connection. */
function copyOfData(tamper?: (db: Database.Database) => void, file = AUDIT_DB_FILE): string {
  const dir = join(tempDir('coffer-audit-copy-'), 'data');
  cpSync(dataDir, dir, { recursive: true });
  if (tamper) {
    const db = new Database(join(dir, file));
    tamper(db);
    db.close();
  }
  return dir;
}

const verify = (dir: string, ...args: string[]): Promise<RunResult> =>
  run(process.execPath, [BIN, 'audit', 'verify', '--data-dir', dir, ...args], cleanEnv({}));

async function assertFailsAt(tamper: (db: Database.Database) => void, sequence: number, reason: RegExp): Promise<void> {
  const r = await verify(copyOfData(tamper));
  assert.equal(r.code, 1, describeRun('verify', r));
  assert.match(r.stdout, new RegExp(`^FAILED at entry ${sequence}: `, 'm'), describeRun('verify', r));
  assert.match(r.stdout, reason);
  assert.doesNotMatch(r.stdout, /^ok:/m);
}

/** Moves entries from `sequence` on one place up, making room for one more (the sequence is the primary key). */
function makeRoomAt(db: Database.Database, sequence: number): void {
  db.prepare('UPDATE audit_entries SET sequence = -sequence - 1 WHERE sequence >= ?').run(sequence);
  db.exec('UPDATE audit_entries SET sequence = -sequence WHERE sequence < 0');
}

/** A forged entry whose hash is right for its place after `previous`, inserted in raw SQL. */
function insertForged(db: Database.Database, previous: Entry): void {
  const [forged] = appendEntries(previous, [sampleRecord(999)]);
  const row = toEntryRecord(forged!);
  db.prepare('INSERT INTO audit_entries (sequence, record, previous_hash, hash) VALUES (?, ?, ?, ?)').run(row.sequence, row.recordJson, row.previousHash, row.hash);
}

test('the untouched log verifies, with the key beside the data or one given', async () => {
  const r = await verify(copyOfData());
  assert.equal(r.code, 0, describeRun('verify', r));
  assert.match(r.stdout, /^public key: .*audit-public-key\.pem \(kept with the data/m);
  assert.match(r.stdout, new RegExp(`^ok: 62 entries, head 62 ${entry(62).hash}, last signed digest at 60$`, 'm'));
  assert.equal(r.stderr, '');

  const keyFile = join(tempDir(), 'trusted.pem');
  writeFileSync(keyFile, publicKeyPem);
  const given = await verify(copyOfData((db) => db.exec("DELETE FROM settings WHERE name = 'audit-public-key'"), 'coffer.db'), '--public-key', keyFile);
  assert.equal(given.code, 0, describeRun('verify', given));
  assert.match(given.stdout, new RegExp(`^public key: ${keyFile} \\(--public-key\\)$`, 'm'));
  assert.match(given.stdout, /^ok: 62 entries/m);
});

test('one changed byte in a record names that entry', async () => {
  await assertFailsAt((db) => db.exec("UPDATE audit_entries SET record = replace(record, 'call-25', 'call-2X') WHERE sequence = 25"), 25, /hash does not match the contents/);
});

test('a record that is no longer JSON names that entry', async () => {
  await assertFailsAt((db) => db.exec('UPDATE audit_entries SET record = substr(record, 2) WHERE sequence = 26'), 26, /hash does not match the contents/);
});

test('a deleted row names the missing sequence', async () => {
  await assertFailsAt((db) => db.exec('DELETE FROM audit_entries WHERE sequence = 30'), 30, /expected sequence 30, found 31/);
});

test('an inserted forged row with a recomputed hash is caught at the entry after it, or by a digest covering it', async () => {
  // The forged row links correctly to its predecessor; the displaced original no longer links to it.
  const forgeAt = (sequence: number) => (db: Database.Database) => {
    makeRoomAt(db, sequence);
    insertForged(db, entry(sequence - 1));
  };
  await assertFailsAt(forgeAt(33), 34, /previousHash does not match the entry before/);
  await assertFailsAt(forgeAt(40), 40, /differs from the digest of sequence 40 .*after sequence 20/);
});

test("two rows' contents swapped name the first of them", async () => {
  await assertFailsAt(
    (db) => db.exec('UPDATE audit_entries SET sequence = -1 WHERE sequence = 10; UPDATE audit_entries SET sequence = 10 WHERE sequence = 11; UPDATE audit_entries SET sequence = 11 WHERE sequence = -1'),
    10,
    /previousHash does not match the entry before/,
  );
});

test('a log cut back to before the last signed digest names the first entry cut off', async () => {
  await assertFailsAt((db) => db.exec('DELETE FROM audit_entries WHERE sequence > 55'), 56, /log ends at sequence 55, before the digest of sequence 60/);
});

test('a forged digest is named by the sequence it claims', async () => {
  await assertFailsAt((db) => db.prepare('UPDATE audit_digests SET hash = ? WHERE sequence = 40').run(entry(41).hash), 40, /digest of sequence 40 .*invalid signature/);
});

test("another key fails at the first digest, and the database's own key is said to differ", async () => {
  const keyFile = join(tempDir(), 'other.pem');
  writeFileSync(keyFile, generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }));
  const r = await verify(copyOfData(), '--public-key', keyFile);
  assert.equal(r.code, 1, describeRun('verify', r));
  assert.match(r.stdout, /^FAILED at entry 20: digest of sequence 20 .*invalid signature/m);
  assert.match(r.stderr, /warning: the database's audit-public-key setting holds a different key/);
});

test('a missing public key or database is a clear one-line error; databases held by a running server are read as a snapshot', async () => {
  const noKey = copyOfData();
  rmSync(join(noKey, 'audit-public-key.pem'));
  const r = await verify(noKey);
  assert.equal(r.code, 1, describeRun('verify', r));
  assert.match(r.stderr, /^coffer: no public key file at .*audit-public-key\.pem \(give one with --public-key FILE\)\n$/);

  const noDb = await verify(join(tempDir(), 'nothing-here'), '--public-key', join(dataDir, 'audit-public-key.pem'));
  assert.equal(noDb.code, 1, describeRun('verify', noDb));
  assert.match(noDb.stderr, /^coffer: no database at .*coffer\.db\n$/);

  // A running server holds coffer.db exclusively (its settings are then not read) and shares audit.db: Coffer's own storage and audit writer, having written, do the same.
  const held = copyOfData();
  const storage = SqliteStorage.open(join(held, 'coffer.db'));
  await storage.settings.set('held', 'yes');
  const audit = await AuditLog.open({ path: join(held, AUDIT_DB_FILE), logger: pino({ level: 'silent' }) });
  try {
    await audit.record(sampleRecord(100));
    const running = await verify(held);
    assert.equal(running.code, 0, describeRun('verify', running));
    assert.match(running.stdout, /^coffer\.db is held by a running server: the log is read as a snapshot of audit\.db taken now$/m);
    assert.match(running.stdout, /^ok: 63 entries, head 63 /m);
  } finally {
    await audit.close();
    await storage.close();
  }
});

/** Whether the server serves LookupEvents; when it does not, the tail test is skipped. */
async function lookupEventsServed(t: TestContext, probe: RunResult): Promise<boolean> {
  if (/UnknownOperationException|not (yet )?implemented/i.test(probe.stderr)) {
    t.skip(`the server does not serve CloudTrail LookupEvents yet (${probe.stderr.trim()})`);
    return false;
  }
  assert.equal(probe.code, 0, describeRun('audit tail', probe));
  return true;
}

/** Resolves once `predicate` holds for the output so far, failing after `ms`. */
function waitFor(output: () => string, predicate: (text: string) => boolean, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const timer = setInterval(() => {
      if (predicate(output())) resolve();
      else if (Date.now() - started > ms) reject(new Error(`timed out; output so far:\n${output()}`));
      else return;
      clearInterval(timer);
    }, 50);
  });
}

test('tail prints the latest events oldest first, follows new ones, and the server\'s log then verifies', async (t) => {
  const server = await startServer();
  const client = new SecretsManagerClient(clientConfig(server));
  const args = (...more: string[]) => [BIN, 'audit', 'tail', '--endpoint-url', server.url, ...more];
  const names = (stdout: string) =>
    stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { eventName: string; requestParameters?: { name?: string } })
      .filter((event) => event.eventName === 'CreateSecret')
      .map((event) => event.requestParameters?.name);
  try {
    if (!(await lookupEventsServed(t, await run(process.execPath, args('-n', '1'), serverEnv(server))))) return;
    // More than one LookupEvents page (50) of them.
    for (let i = 1; i <= 55; i++) await client.send(new CreateSecretCommand({ Name: `tail/${i}`, SecretString: 'x' }));

    // The server may record other events (LookupEvents itself among them): the creations must be the newest, in order.
    const latest = await run(process.execPath, args('-n', '52'), serverEnv(server));
    assert.equal(latest.code, 0, describeRun('audit tail', latest));
    assert.equal(latest.stdout.trim().split('\n').length, 52);
    const created = names(latest.stdout);
    assert.ok(created.length >= 50, latest.stdout);
    assert.deepEqual(created, Array.from({ length: 55 }, (_, i) => `tail/${i + 1}`).slice(-created.length));

    const follower = spawn(process.execPath, args('-n', '1', '--follow'), { env: serverEnv(server), stdio: ['ignore', 'pipe', 'pipe'] });
    let followed = '';
    let complaints = '';
    follower.stdout.setEncoding('utf8').on('data', (chunk: string) => (followed += chunk));
    follower.stderr.setEncoding('utf8').on('data', (chunk: string) => (complaints += chunk));
    try {
      await waitFor(() => followed, (text) => text.includes('\n'), 10_000);
      await client.send(new CreateSecretCommand({ Name: 'tail/followed', SecretString: 'x' }));
      await waitFor(() => followed, (text) => text.includes('"tail/followed"'), 10_000);
      // Polls look back a while: still nothing is printed twice, nor any of the creations older than the first line.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      assert.deepEqual(names(followed), ['tail/followed']);
      assert.equal(complaints, '');
    } finally {
      follower.kill();
    }
  } finally {
    client.destroy();
    assert.equal(await server.stop(), 0);
  }
  const verified = await verify(server.dataDir);
  assert.equal(verified.code, 0, describeRun('verify', verified));
  assert.match(verified.stdout, /^ok: \d+ entries, head \d+ [0-9a-f]{64}, last signed digest at \d+$/m);
});
