// A command rotation function is a program the administrator registered, run on the
// server for every rotation step: it must not read anything of the server's. During a
// real rotation the function below tries to read the data dir's credentials, root key
// and database, the server process's environment, and to see what lies in its working
// directory; it stores what it found as the secret's new value.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateSecretCommand, DescribeSecretCommand, GetSecretValueCommand, RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PROJECT_ROOT, clientConfig, requiredInCi, sharedServer, startServer } from '../support/coffer-server.js';
import { requireTool } from '../support/child-process.js';
import { uniqueName } from '../support/sdk-errors.js';
import { assertFailedAt, createRotationFunction, rotationEnded } from '../rotation/rotation-e2e.js';

const PROBE = join(PROJECT_ROOT, 'test/rotation/fixtures/probe-server.py');
const shared = sharedServer();

/** Whether command functions can run contained here: bubblewrap and Debian's boto3 for the rotation user's python3. */
async function contained(t: TestContext): Promise<boolean> {
  if (process.getuid?.() !== 0 && !requiredInCi()) {
    t.skip('the server must run as root to start command functions as another user');
    return false;
  }
  return (await requireTool(t, 'bubblewrap (bwrap)', 'bwrap', ['--version'])) && requireTool(t, "boto3 for /usr/bin/python3 (Debian's python3-boto3)", '/usr/bin/python3', ['-c', 'import boto3']);
}

test('a command function runs as another user, in an empty directory, and reads nothing of the server', async (t) => {
  if (!(await contained(t))) return;
  const { server, client: sm } = shared;
  const serverPid = server.process.pid!;
  const arn = await createRotationFunction(server, 'probe', `/usr/bin/python3 ${PROBE} ${server.dataDir} ${serverPid}`);
  const name = uniqueName('contained');
  await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'v1' }));
  const { VersionId } = await sm.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: arn }));
  assert.equal(await rotationEnded(server, sm, name, VersionId!), 'succeeded', readFileSync(server.logFile, 'utf8').slice(-3000));

  const found = JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString!) as Record<string, unknown>;
  // The files are there and readable by the server itself: what the function got is the sandbox's doing.
  for (const file of ['credentials', 'root-key', 'coffer.db']) readFileSync(join(server.dataDir, file));
  readFileSync(`/proc/${serverPid}/environ`);
  assert.notEqual(found.uid, process.getuid?.(), 'not the server\'s user');
  assert.notEqual(found.uid, 0, 'not root');
  assert.deepEqual(found.cwdEntries, [], 'its working directory is empty');
  assert.notEqual(found.cwd, process.cwd());
  for (const what of ['credentials', 'rootKey', 'database', 'serverEnviron', 'serverCmdline']) {
    assert.notEqual(found[what], 'read', `${what} was read by the function: ${JSON.stringify(found)}`);
  }
  assert.ok(!Array.isArray(found.dataDir) || found.dataDir.length === 0, `the data dir is hidden: ${JSON.stringify(found.dataDir)}`);
});

test("command functions are refused the server's own user unless allowed", async (t) => {
  if (!(await contained(t))) return;
  const own = await startServer({ args: ['--rotation-user', String(process.getuid!())] });
  const client = new SecretsManagerClient(clientConfig(own));
  t.after(async () => {
    client.destroy();
    await own.stop();
  });
  const arn = await createRotationFunction(own, 'as-server', `/usr/bin/python3 ${PROBE} ${own.dataDir} ${own.process.pid}`);
  const name = uniqueName('as-server');
  await client.send(new CreateSecretCommand({ Name: name, SecretString: 'v1' }));
  const { VersionId } = await client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: arn }));
  assert.equal(await rotationEnded(own, client, name, VersionId!), 'failed');
  await assertFailedAt(own, VersionId!, 'createSecret', /server's own user.*--allow-rotation-as-server-user/);
  assert.equal((await client.send(new DescribeSecretCommand({ SecretId: name }))).VersionIdsToStages?.[VersionId!]?.includes('AWSCURRENT'), false);
});
