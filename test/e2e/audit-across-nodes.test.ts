// Two Coffer nodes on one PostgreSQL database keep one audit log: requests served by either are
// chained in the database, LookupEvents on either node answers both nodes' records newest first,
// and `coffer audit verify --storage` checks the chain there, failing once a record is deleted.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { BIN, clientConfig, startServer, tempDir, type TestServer } from '../support/coffer-server.js';
import { cleanEnv, run } from '../support/child-process.js';
import { rawClientFor } from '../support/raw-client.js';
import { throwawayDatabase } from '../support/postgres-database.js';
import { rejectsWith } from '../support/sdk-errors.js';

const TARGET = 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101';

const database = await throwawayDatabase('audit across nodes: a PostgreSQL server to run them on');

const servers: TestServer[] = [];
after(async () => {
  for (const server of servers) await server.stop();
  for (const server of servers) rmSync(dirname(server.dataDir), { recursive: true, force: true });
  await database?.drop();
});

interface TrailEvent {
  EventId: string;
  EventName: string;
  EventTime: number;
  CloudTrailEvent: string;
}

/** Every event LookupEvents answers on `server`, page after page, in the order it answers them. */
async function lookupAll(server: TestServer): Promise<TrailEvent[]> {
  const raw = rawClientFor(server);
  const events: TrailEvent[] = [];
  let token: string | undefined;
  do {
    const response = await raw.call(`${TARGET}.LookupEvents`, { MaxResults: 50, ...(token ? { NextToken: token } : {}) }, { sign: { service: 'cloudtrail' } });
    assert.equal(response.status, 200, response.text);
    events.push(...(response.json.Events as TrailEvent[]));
    token = response.json.NextToken as string | undefined;
  } while (token);
  return events;
}

async function verify(args: string[]): Promise<{ code: number | null; stdout: string }> {
  const result = await run(process.execPath, [BIN, 'audit', 'verify', '--storage', database!.url(), ...args], cleanEnv({}));
  return { code: result.code, stdout: result.stdout + result.stderr };
}

if (database) {
  test('two nodes on one database: one chain of both nodes\' records, LookupEvents on either answers all of them newest first, verify checks it', async (t) => {
    const url = database.url();
    const first = await startServer({ args: ['--storage', url] });
    servers.push(first);
    // The second node: the same root key file and credentials, its own data directory.
    const secondDir = join(tempDir(), 'data');
    cpSync(first.dataDir, secondDir, { recursive: true });
    const second = await startServer({ dataDir: secondDir, args: ['--storage', url] });
    servers.push(second);

    const clients = [first, second].map((server) => new SecretsManagerClient({ ...clientConfig(server), maxAttempts: 1 }));
    t.after(() => clients.forEach((client) => client.destroy()));
    const [a, b] = clients as [SecretsManagerClient, SecretsManagerClient];
    // Requests on both nodes, interleaved and at once; each answer names its request ID.
    const served: Record<string, string> = {};
    const note = (node: string) => (out: { $metadata: { requestId?: string } }) => void (served[out.$metadata.requestId!] = node);
    await a.send(new CreateSecretCommand({ Name: 'nodes/a', SecretString: 'from a' })).then(note('first'));
    await b.send(new CreateSecretCommand({ Name: 'nodes/b', SecretString: 'from b' })).then(note('second'));
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => [
        a.send(new GetSecretValueCommand({ SecretId: i % 2 ? 'nodes/a' : 'nodes/b' })).then(note('first')),
        b.send(new GetSecretValueCommand({ SecretId: i % 2 ? 'nodes/b' : 'nodes/a' })).then(note('second')),
      ]).flat(),
    );
    await b.send(new PutSecretValueCommand({ SecretId: 'nodes/a', SecretString: 'from b again' })).then(note('second'));

    for (const server of [first, second]) {
      const events = await lookupAll(server);
      const requestIds = new Set(events.map((event) => (JSON.parse(event.CloudTrailEvent) as { requestID: string }).requestID));
      for (const [requestId, node] of Object.entries(served)) assert.ok(requestIds.has(requestId), `request ${requestId} served by the ${node} node is missing from LookupEvents on ${server.url}`);
      const times = events.map((event) => event.EventTime);
      assert.deepEqual(times, [...times].sort((x, y) => y - x), 'newest first');
    }

    // The records hold no secret value.
    const values = await database.query("SELECT count(*)::int AS n FROM audit_entries WHERE record LIKE '%from a%' OR record LIKE '%from b%'");
    assert.equal(values.rows[0].n, 0);

    // Both nodes sign a digest of the head when they stop; the log then verifies from the database alone.
    for (const server of [first, second]) await server.stop();
    const good = await verify([]);
    assert.equal(good.code, 0, good.stdout);
    assert.match(good.stdout, /^ok: \d+ entries, head \d+ [0-9a-f]{64}, last signed digest at \d+/m);
    // The records are in the database, not in the nodes' data directories.
    const { rows } = await database.query('SELECT count(*)::int AS n FROM audit_entries');
    assert.ok(rows[0].n > Object.keys(served).length, `${rows[0].n} entries for ${Object.keys(served).length} requests`);
    for (const server of [first, second]) assert.equal(existsSync(join(server.dataDir, 'audit.db')), false);

    await database.query('DELETE FROM audit_entries WHERE sequence = 5');
    const bad = await verify([]);
    assert.equal(bad.code, 1, bad.stdout);
    assert.match(bad.stdout, /FAILED at entry 5: expected sequence 5, found 6/);
  });
}

if (database) {
  test('a node whose audit records cannot be written to the database serves nothing and changes nothing, until a probe writes one', async (t) => {
    const server = await startServer({ args: ['--storage', database.url('closed')] });
    servers.push(server);
    const sm = new SecretsManagerClient({ ...clientConfig(server), maxAttempts: 1 });
    t.after(() => sm.destroy());
    await sm.send(new CreateSecretCommand({ Name: 'closed/before', SecretString: 'x' }));
    await database.query(`CREATE FUNCTION closed.refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit refused'; END $$;
      CREATE TRIGGER refuse BEFORE INSERT ON closed.audit_entries FOR EACH STATEMENT EXECUTE FUNCTION closed.refuse()`);
    await rejectsWith(sm.send(new CreateSecretCommand({ Name: 'closed/during', SecretString: 'y' })), 'ServiceUnavailableException', /could not record this request in its audit log, so it was not served/, 503);
    // Fail closed: reads too, until a probe succeeds.
    await rejectsWith(sm.send(new GetSecretValueCommand({ SecretId: 'closed/before' })), 'ServiceUnavailableException', undefined, 503);
    await database.query('DROP TRIGGER refuse ON closed.audit_entries');
    let served = false;
    for (let i = 0; i < 100 && !served; i++) {
      served = await sm.send(new GetSecretValueCommand({ SecretId: 'closed/before' })).then(() => true, () => false);
      if (!served) await sleep(100);
    }
    assert.ok(served, 'served again once the audit log takes writes');
    await rejectsWith(sm.send(new GetSecretValueCommand({ SecretId: 'closed/during' })), 'ResourceNotFoundException');
  });
}
