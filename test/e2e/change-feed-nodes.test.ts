// The change feed across processes: a long poll served by one worker (--workers 2 on SQLite) or
// one node (two nodes on PostgreSQL) hears at once of a write another made, and a cursor from
// one node continues on the other.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { clientConfig, otherNodeDataDir, startServer, type TestServer } from '../support/coffer-server.js';
import { throwawayDatabase } from '../support/postgres-database.js';
import { postSignedJson } from '../../src/client/signed-json-request.js';
import type { SecretChangeEvent } from '../../src/client/change-follower.js';

const database = await throwawayDatabase('the change feed on two PostgreSQL nodes: a PostgreSQL server to run them on');
const servers: TestServer[] = [];
after(async () => {
  for (const server of servers) assert.equal(await server.stop(), 0);
  for (const server of servers) rmSync(dirname(server.dataDir), { recursive: true, force: true });
  await database?.drop();
});

function getChanges(server: TestServer, input: object): Promise<{ Changes: SecretChangeEvent[]; NextCursor: string }> {
  const connection = { endpoint: new URL(server.url), region: server.region, credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey } };
  return postSignedJson(connection, 'coffer', 'CofferChangeFeed.GetChanges', input) as Promise<{ Changes: SecretChangeEvent[]; NextCursor: string }>;
}

/** Polls on `reader` (several at once, on as many connections) while `writer` writes: each hears the write within a second. */
async function pollsHearWrites(reader: TestServer, writer: TestServer, name: string): Promise<void> {
  const sm = new SecretsManagerClient(clientConfig(writer));
  try {
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'v0' }));
    for (let round = 1; round <= 3; round++) {
      const { NextCursor } = await getChanges(reader, {});
      const polls = Array.from({ length: 4 }, () => getChanges(reader, { Cursor: NextCursor, WaitTimeSeconds: 10, SecretIds: [name] }));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const put = await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: `v${round}` }));
      const written = Date.now();
      for (const answer of await Promise.all(polls)) {
        assert.deepEqual(answer.Changes.map((c) => [c.Type, c.VersionId]), [['VersionCreated', put.VersionId]]);
      }
      const waited = Date.now() - written;
      assert.ok(waited < 1000, `round ${round}: answered ${waited} ms after the write`);
    }
  } finally {
    sm.destroy();
  }
}

test('SQLite with --workers 2: a long poll on either worker hears a write made on the other', async () => {
  const server = await startServer({ args: ['--workers', '2'] });
  servers.push(server);
  await pollsHearWrites(server, server, 'workers/feed');
});

if (database) {
  test('two PostgreSQL nodes: a long poll on one hears a write made on the other, and a cursor of one continues on the other', async () => {
    const a = await startServer({ args: ['--storage', database.url()] });
    servers.push(a);
    const b = await startServer({ dataDir: otherNodeDataDir(a), args: ['--storage', database.url()] });
    servers.push(b);
    await pollsHearWrites(b, a, 'nodes/feed');
    const { NextCursor } = await getChanges(a, {});
    const sm = new SecretsManagerClient(clientConfig(a));
    try {
      await sm.send(new PutSecretValueCommand({ SecretId: 'nodes/feed', SecretString: 'later' }));
    } finally {
      sm.destroy();
    }
    const onB = await getChanges(b, { Cursor: NextCursor });
    assert.deepEqual(onB.Changes.map((c) => c.Type), ['VersionCreated']);
    assert.deepEqual((await getChanges(a, { Cursor: onB.NextCursor })).Changes, [], 'nothing twice, whichever node reads');
  });
}
