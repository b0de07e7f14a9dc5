/**
 * Connections beyond `--max-connections` are closed as they arrive, and the connections
 * already served keep being served; once some close, new clients get in again.
 */
import { test } from 'node:test';
import { rmSync } from 'node:fs';
import assert from 'node:assert/strict';
import { ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { BIN, clientConfig, sharedServer, tempDir } from '../support/coffer-server.js';
import { run } from '../support/child-process.js';
import { eventually, openConnection, settlesWithin, signedRequestBytes, socketCount, statusCodes, type RawConnection } from '../support/abusive-clients.js';

const CAP = 10;
const shared = sharedServer({ args: ['--max-connections', String(CAP), '--header-timeout', '60', '--request-timeout', '60', '--idle-timeout', '60'] });

const answers = (connection: RawConnection) => statusCodes(connection.received());

async function served(connection: RawConnection, count: number): Promise<void> {
  connection.socket.write(signedRequestBytes(shared.server, 'secretsmanager.ListSecrets', {}));
  assert.ok(await eventually(() => answers(connection).length >= count, 10_000), `answer ${count} missing`);
  assert.deepEqual(answers(connection), Array(count).fill(200));
}

test('connections beyond the cap are closed unanswered, and the ones served before keep being served', async () => {
  // The shared SDK client is not used here: every connection below is counted.
  shared.client.destroy();
  const pid = shared.server.process.pid!;
  const idle = socketCount(pid);
  const held: RawConnection[] = [];
  try {
    for (let i = 0; i < CAP; i += 1) {
      const connection = await openConnection(shared.server);
      await served(connection, 1);
      held.push(connection);
    }
    const extra = await Promise.all(Array.from({ length: 5 }, () => openConnection(shared.server)));
    for (const connection of extra) connection.socket.write(signedRequestBytes(shared.server, 'secretsmanager.ListSecrets', {}));
    assert.ok(await settlesWithin(Promise.all(extra.map((c) => c.closed)), 10_000), 'connections beyond the cap were kept open');
    for (const connection of extra) assert.equal(connection.received(), '');

    for (const connection of held) await served(connection, 2);

    // Room again once some leave.
    for (const connection of held.splice(0, 3)) connection.socket.destroy();
    assert.ok(await eventually(() => socketCount(pid) <= idle + CAP - 3, 10_000), 'the server did not see the connections close');
    const client = new SecretsManagerClient(clientConfig(shared.server));
    try {
      const listed = await client.send(new ListSecretsCommand({}));
      assert.ok(Array.isArray(listed.SecretList));
    } finally {
      client.destroy();
    }
  } finally {
    for (const connection of held) connection.socket.destroy();
  }
});

test('limits that cannot hold are refused at start, naming the flag', async () => {
  const dir = tempDir();
  for (const [args, message] of [
    [['--max-connections', '0'], /--max-connections must be a positive whole number/],
    [['--max-pipelined-requests', '2.5'], /--max-pipelined-requests must be a positive whole number/],
    [['--idle-timeout', 'soon'], /--idle-timeout must be a positive number of seconds/],
    [['--header-timeout', '40', '--request-timeout', '30'], /--header-timeout cannot be longer than --request-timeout/],
  ] as const) {
    const result = await run(process.execPath, [BIN, 'server', '--port', '0', '--data-dir', `${dir}/data`, ...args], process.env);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, message);
  }
  rmSync(dir, { recursive: true, force: true });
});
