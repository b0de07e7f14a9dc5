// Bounded audit growth on a real server: past the retention period records
// leave LookupEvents and move out of audit.db into compressed archive
// segments; `coffer audit verify` checks archive and live log as one chain and
// names a damaged or missing segment; `coffer audit archive` archives by hand.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { cleanEnv, describeRun, run, type RunResult } from '../support/child-process.js';
import { BIN, clientConfig, startServer, tempDir, type TestServer } from '../support/coffer-server.js';
import { rawClientFor } from '../support/raw-client.js';

const LOOKUP = 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents';
/** Six seconds, in days: short enough for a test, long enough that a record just made is still inside it. */
const RETENTION_DAYS = String(6 / 86_400);

const root = tempDir('coffer-audit-archive-');
const dataDir = join(root, 'data');
const archiveDir = join(dataDir, 'audit-archive');
let server: TestServer;
let client: SecretsManagerClient;

const cli = (command: string, dir: string, ...args: string[]): Promise<RunResult> =>
  run(process.execPath, [BIN, 'audit', command, '--data-dir', dir, ...args], cleanEnv({}));

const segments = () => (existsSync(archiveDir) ? readdirSync(archiveDir).filter((name) => name.endsWith('.jsonl.gz')).sort() : []);

/** The names of the secrets whose CreateSecret records LookupEvents answers. */
async function createdNames(): Promise<string[]> {
  const res = await rawClientFor(server).call(LOOKUP, { MaxResults: 50, LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateSecret' }] }, { sign: { service: 'cloudtrail' } });
  assert.equal(res.status, 200, res.text);
  return (res.json.Events as { CloudTrailEvent: string }[]).map((event) => JSON.parse(event.CloudTrailEvent).requestParameters.name as string).sort();
}

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (const started = Date.now(); Date.now() - started < 60_000; await sleep(250)) {
    const value = await probe();
    if (value !== undefined) return value;
  }
  throw new Error(`timed out waiting for ${what}`);
}

before(async () => {
  server = await startServer({ dataDir, args: ['--audit-digest-interval', '1', '--sweep-interval', '1', '--audit-retention-days', RETENTION_DAYS] });
  client = new SecretsManagerClient(clientConfig(server));
});

after(async () => {
  client?.destroy();
  if (server?.process.exitCode === null) await server.stop();
  rmSync(root, { recursive: true, force: true });
});

test('past the retention period records leave LookupEvents and audit.db for archive segments, and the whole chain verifies', async () => {
  for (const name of ['old/1', 'old/2', 'old/3']) await client.send(new CreateSecretCommand({ Name: name, SecretString: 'x' }));
  assert.deepEqual(await createdNames(), ['old/1', 'old/2', 'old/3']);
  await until('the old records to leave LookupEvents', async () => ((await createdNames()).length === 0 ? true : undefined));
  await until('an archive segment', async () => (segments().length ? true : undefined));

  for (const name of ['new/1', 'new/2']) await client.send(new CreateSecretCommand({ Name: name, SecretString: 'x' }));
  assert.deepEqual(await createdNames(), ['new/1', 'new/2']);
  assert.equal(await server.stop(), 0);

  const db = new Database(join(dataDir, 'audit.db'), { readonly: true });
  const { live, first, archived } = db.prepare(
    'SELECT count(*) AS live, min(sequence) AS first, (SELECT max(last_sequence) FROM audit_archives) AS archived FROM audit_entries',
  ).get() as { live: number; first: number; archived: number };
  const head = db.prepare('SELECT max(sequence) FROM audit_entries').pluck().get() as number;
  db.close();
  // The live log starts at the last archived entry, where the chain goes on.
  assert.equal(first, archived);
  assert.ok(archived > 3 && live < head, `live ${live} of ${head}, archived up to ${archived}`);

  const whole = await cli('verify', dataDir);
  assert.equal(whole.code, 0, describeRun('verify', whole));
  assert.match(whole.stdout, new RegExp(`^ok: ${head} entries, ${segments().length} archive segment\\(s\\) included, head ${head} `, 'm'));
  const liveOnly = await cli('verify', dataDir, '--live-only');
  assert.equal(liveOnly.code, 0, describeRun('verify --live-only', liveOnly));
  assert.match(liveOnly.stdout, new RegExp(`^ok: ${head - archived + 1} entries, from entry ${archived} \\(the entries before it archived\\)`, 'm'));
});

test('a damaged or missing archive segment fails verification, naming the segment', async () => {
  const copyOfData = () => {
    const dir = join(tempDir('coffer-archive-copy-'), 'data');
    cpSync(dataDir, dir, { recursive: true });
    return dir;
  };
  const [firstSegment] = segments();
  assert.ok(firstSegment);
  const range = /^audit-0*(\d+)-0*(\d+)\.jsonl\.gz$/.exec(firstSegment)!;

  const damaged = copyOfData();
  const file = join(damaged, 'audit-archive', firstSegment);
  const bytes = readFileSync(file);
  bytes[bytes.length >> 1] ^= 0xff;
  writeFileSync(file, bytes);
  const r = await cli('verify', damaged);
  assert.equal(r.code, 1, describeRun('verify', r));
  assert.match(r.stdout, new RegExp(`^FAILED: archive segment ${firstSegment.replace(/\./g, '\\.')} \\(entries ${range[1]}–${range[2]}\\) is damaged`, 'm'));

  const missing = copyOfData();
  rmSync(join(missing, 'audit-archive', firstSegment));
  const m = await cli('verify', missing);
  assert.equal(m.code, 1, describeRun('verify', m));
  assert.match(m.stdout, new RegExp(`^FAILED: archive segment ${firstSegment.replace(/\./g, '\\.')} \\(entries ${range[1]}–${range[2]}\\) is missing from `, 'm'));
});

test('coffer audit archive moves what is left by hand, and the chain still verifies', async () => {
  // The final digest the stopped server signed is to be older than the cutoff of a second.
  await sleep(1_500);
  const before = segments().length;
  const r = await cli('archive', dataDir, '--older-than-days', String(1 / 86_400));
  assert.equal(r.code, 0, describeRun('archive', r));
  assert.match(r.stdout, /^archived entries \d+–\d+ to .*audit-\d+-\d+\.jsonl\.gz$/m);
  assert.ok(segments().length > before);
  const again = await cli('archive', dataDir, '--older-than-days', String(1 / 86_400));
  assert.match(again.stdout, /^nothing to archive: no digest signed before \S+ covers entries still in audit\.db$/m);

  const verified = await cli('verify', dataDir);
  assert.equal(verified.code, 0, describeRun('verify', verified));
  assert.match(verified.stdout, /^ok: \d+ entries, \d+ archive segment\(s\) included, head /m);
});
