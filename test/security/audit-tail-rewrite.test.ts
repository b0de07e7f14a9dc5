/**
 * The audit tail cannot be rewritten unnoticed by someone with file access to
 * a stopped server's data directory: one record deleted, the later ones
 * renumbered and re-chained, and every digest after it dropped. Digests name
 * the digest before them and leave the data directory as files of their own
 * (--audit-digest-dir); `coffer audit verify` given the off-site public key
 * and a digest file (or its hash) kept off-site fails, naming the digest the
 * log no longer has, and even without one it reports the digests missing
 * after the last one left. Verification also works while the server runs.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AuditRecord } from '../../src/audit/cloudtrail-record.js';
import { entryHash } from '../../src/audit/hash-chain.js';
import { cleanEnv, describeRun, run, type RunResult } from '../support/child-process.js';
import { BIN, clientConfig, startServer, tempDir, type TestServer } from '../support/coffer-server.js';

const root = tempDir('coffer-tail-rewrite-');
const dataDir = join(root, 'data');
/** What the operator keeps away from the server: the public key and the digest files. */
const offSite = join(root, 'off-site');
const digestDir = join(offSite, 'digests');
const offSiteKey = join(offSite, 'audit-public-key.pem');
let server: TestServer;
let client: SecretsManagerClient;

const verify = (...args: string[]): Promise<RunResult> =>
  run(process.execPath, [BIN, 'audit', 'verify', '--data-dir', dataDir, '--public-key', offSiteKey, ...args], cleanEnv({}));

const digestFiles = () => readdirSync(digestDir).filter((name) => name.endsWith('.json')).sort();
const newestDigest = () => JSON.parse(readFileSync(join(digestDir, digestFiles().at(-1)!), 'utf8')) as { sequence: number; digestHash: string };

/** Waits until a digest file covers at least `sequence`. */
async function digestCovering(sequence: number): Promise<void> {
  for (const started = Date.now(); Date.now() - started < 30_000; await sleep(100)) {
    try {
      if (newestDigest().sequence >= sequence) return;
    } catch {
      // No digest file yet.
    }
  }
  throw new Error(`no digest covered sequence ${sequence} within 30 s`);
}

async function create(names: string[]): Promise<void> {
  for (const name of names) await client.send(new CreateSecretCommand({ Name: name, SecretString: 'x' }));
}

const countEntries = () => {
  const db = new Database(join(dataDir, 'audit.db'), { readonly: true });
  try {
    return db.prepare('SELECT max(sequence) FROM audit_entries').pluck().get() as number;
  } finally {
    db.close();
  }
};

before(async () => {
  mkdirSync(offSite, { recursive: true });
  server = await startServer({ dataDir, args: ['--audit-digest-interval', '1', '--audit-digest-dir', digestDir] });
  client = new SecretsManagerClient(clientConfig(server));
  copyFileSync(join(dataDir, 'audit-public-key.pem'), offSiteKey);
});

after(async () => {
  client?.destroy();
  if (server?.process.exitCode === null) await server.stop();
  rmSync(root, { recursive: true, force: true });
});

test('verify checks a running server, against the digests kept off-site, while it serves', async () => {
  await create(['early/1', 'early/2', 'early/3']);
  await digestCovering(countEntries());
  await create(['target/1', 'later/1']);
  await digestCovering(countEntries());
  const r = await verify('--digest', digestDir);
  assert.equal(r.code, 0, describeRun('verify', r));
  assert.match(r.stdout, /^coffer\.db is held by a running server: the log is read as a snapshot of audit\.db taken now$/m);
  assert.match(r.stdout, /^ok: \d+ entries, head \d+ [0-9a-f]{64}, last signed digest at \d+, \d+ digest\(s\) kept elsewhere reached$/m);
  // The server went on serving: a write after the verification is recorded and acknowledged.
  await create(['after-verify/1']);
});

test('a record deleted, the later ones re-chained and the digests after it dropped: verify fails naming the missing digest', async () => {
  // Entries recorded over more than two digest intervals after the target, so that their digests are missed.
  await sleep(2_500);
  await create(['later/2', 'later/3']);
  await digestCovering(countEntries());
  const kept = join(offSite, 'kept-digest.json');
  copyFileSync(join(digestDir, digestFiles().at(-1)!), kept);
  const { sequence: keptSequence, digestHash: keptHash } = newestDigest();
  assert.equal(await server.stop(), 0);

  const { removed, lastDigestLeft } = rewriteTail(join(dataDir, 'audit.db'), 'target/1');
  assert.ok(removed < keptSequence);

  // The links and the digests before the cut agree with the rewritten log: only what is gone can tell.
  const alone = await verify();
  assert.equal(alone.code, 1, describeRun('verify', alone));
  assert.match(alone.stdout, new RegExp(`^MISSING DIGESTS: entr(y|ies) [\\d–]+ .* covered by no digest, .* after the digest of sequence ${lastDigestLeft} signed at .*: digests after it are missing`, 'm'));

  const withFile = await verify('--digest', kept);
  assert.equal(withFile.code, 1, describeRun('verify', withFile));
  assert.match(withFile.stdout, new RegExp(`^FAILED at entry ${keptSequence}: the exported digest of sequence ${keptSequence} signed at \\S+ is not among the log's digests: digests were removed from the log$`, 'm'));

  const withDirectory = await verify('--digest', digestDir);
  assert.equal(withDirectory.code, 1, describeRun('verify', withDirectory));
  assert.match(withDirectory.stdout, /^FAILED at entry \d+: the exported digest of sequence \d+ .* is not among the log's digests/m);

  const withHash = await verify('--digest-hash', keptHash);
  assert.equal(withHash.code, 1, describeRun('verify', withHash));
  assert.match(withHash.stdout, new RegExp(`^FAILED: no digest of the log has the exported hash ${keptHash}: that digest was removed`, 'm'));
});

/**
 * What the attacker does in raw SQL: deletes the CreateSecret record of
 * `name`, renumbers and re-chains every later entry, and deletes every digest
 * from the removed sequence on. Returns the sequence removed and the newest
 * digest left.
 */
function rewriteTail(path: string, name: string): { removed: number; lastDigestLeft: number } {
  const db = new Database(path);
  try {
    const rows = db.prepare('SELECT sequence, record, previous_hash, hash FROM audit_entries ORDER BY sequence').all() as {
      sequence: number;
      record: string;
      previous_hash: string;
      hash: string;
    }[];
    const target = rows.find((row) => {
      const record = JSON.parse(row.record) as AuditRecord;
      return record.eventName === 'CreateSecret' && (record.requestParameters as { name?: string } | null)?.name === name;
    });
    assert.ok(target, `no CreateSecret record of ${name}`);
    db.transaction(() => {
      db.prepare('DELETE FROM audit_entries WHERE sequence = ?').run(target.sequence);
      db.prepare('DELETE FROM audit_digests WHERE sequence >= ?').run(target.sequence);
      let previous = rows.find((row) => row.sequence === target.sequence - 1)!.hash;
      const update = db.prepare('UPDATE audit_entries SET sequence = ?, previous_hash = ?, hash = ? WHERE sequence = ?');
      for (const row of rows.filter((r) => r.sequence > target.sequence)) {
        const sequence = row.sequence - 1;
        const hash = entryHash(sequence, previous, JSON.parse(row.record) as AuditRecord);
        update.run(sequence, previous, hash, row.sequence);
        previous = hash;
      }
      db.exec('DELETE FROM audit_lookup; UPDATE audit_lookup_state SET indexed_up_to = 0');
    })();
    const lastDigestLeft = db.prepare('SELECT max(sequence) FROM audit_digests').pluck().get() as number;
    return { removed: target.sequence, lastDigestLeft };
  } finally {
    db.close();
  }
}
