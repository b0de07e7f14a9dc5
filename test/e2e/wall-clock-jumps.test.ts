// Time-based destruction follows trusted time: the server runs under
// libfaketime and the test moves its wall clock while it runs (the monotonic
// clock is left alone, as a real clock step leaves it).
import { after, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { clientConfig, requiredInCi, startServer, tempDir, type TestServer } from '../support/coffer-server.js';
import { faketimeEnv, libfaketime, setFakeOffset } from '../support/faketime.js';

const DAY_MS = 86_400_000;
const STEADY_SECONDS = 8;
const library = libfaketime();
const servers: TestServer[] = [];
after(async () => {
  for (const server of servers) {
    await server.kill();
    rmSync(dirname(server.dataDir), { recursive: true, force: true });
  }
});

function skipWithoutFaketime(t: TestContext): boolean {
  if (library) return false;
  assert.ok(!requiredInCi(), 'libfaketime (Debian package faketime) is required under CI=true');
  t.skip('libfaketime is not installed');
  return true;
}

/** A server under libfaketime that sweeps every second; its wall clock follows the returned file. */
async function fakedServer(): Promise<{ server: TestServer; offsetFile: string }> {
  const dir = tempDir('coffer-clock-');
  const offsetFile = join(dir, 'offset');
  const server = await startServer({
    dataDir: join(dir, 'data'),
    args: ['--sweep-interval', '1', '--clock-steady', String(STEADY_SECONDS)],
    env: faketimeEnv(library!, offsetFile),
  });
  servers.push(server);
  return { server, offsetFile };
}

/** A client whose signing clock matches the server's faked one. */
const clientAt = (server: TestServer, offsetMs: number) => new SecretsManagerClient({ ...clientConfig(server), systemClockOffset: offsetMs });

const logLines = (server: TestServer) =>
  readFileSync(server.logFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { level: number; msg: string; jumpMs?: number });

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const logged = (server: TestServer, pattern: RegExp) => () => logLines(server).find((l) => pattern.test(l.msg));

test('a forward jump of 8 days purges no secret inside its 7-day window until the clock has kept pace for the steady period', async (t) => {
  if (skipWithoutFaketime(t)) return;
  const { server, offsetFile } = await fakedServer();
  const before = clientAt(server, 0);
  await before.send(new CreateSecretCommand({ Name: 'clock/seven-days', SecretString: 'keep me' }));
  await before.send(new CreateSecretCommand({ Name: 'clock/thirty-days', SecretString: 'keep me longer' }));
  await before.send(new DeleteSecretCommand({ SecretId: 'clock/seven-days', RecoveryWindowInDays: 7 }));
  await before.send(new DeleteSecretCommand({ SecretId: 'clock/thirty-days', RecoveryWindowInDays: 30 }));
  before.destroy();

  setFakeOffset(offsetFile, '+8d');
  const jumpedAt = performance.now();
  const client = clientAt(server, 8 * DAY_MS);
  try {
    // libfaketime sees the new offset within a second or so; several sweeps run after that, each with
    // the 7-day window passed by the wall clock.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const held = await client.send(new DescribeSecretCommand({ SecretId: 'clock/seven-days' }));
    assert.ok(held.DeletedDate, 'the secret is still there, marked for deletion, within the steady period');
    const warning = await waitFor('the jump warning', logged(server, /wall clock jumped/), 5_000);
    assert.ok(warning.level === 40 && warning.jumpMs! > 7 * DAY_MS, `a warning is logged: ${JSON.stringify(warning)}`);

    // The clock keeps pace from now on: once the steady period is over, the window (by that clock) has passed.
    await waitFor('the purge', async () => {
      try {
        await client.send(new DescribeSecretCommand({ SecretId: 'clock/seven-days' }));
        return undefined;
      } catch (error) {
        assert.equal((error as Error).name, 'ResourceNotFoundException');
        return true;
      }
    });
    const purgedAfterMs = performance.now() - jumpedAt;
    t.diagnostic(`purged ${Math.round(purgedAfterMs)} ms after the jump`);
    assert.ok(purgedAfterMs >= (STEADY_SECONDS - 0.5) * 1000, 'purged before the clock had kept pace for the steady period');
    await waitFor('the log line saying deletion resumes', logged(server, /time-based deletion resumes/), 5_000);
    assert.ok((await client.send(new DescribeSecretCommand({ SecretId: 'clock/thirty-days' }))).DeletedDate, 'a window that has not passed is kept');
  } finally {
    client.destroy();
  }
});

test('a version written after the wall clock stepped back a day is not dated before the one it follows', async (t) => {
  if (skipWithoutFaketime(t)) return;
  const { server, offsetFile } = await fakedServer();
  const before = clientAt(server, 0);
  const first = await before.send(new CreateSecretCommand({ Name: 'clock/versions', SecretString: 'first' }));
  before.destroy();

  setFakeOffset(offsetFile, '-1d');
  await new Promise((resolve) => setTimeout(resolve, 2_500)); // libfaketime looks at the file every second
  const client = clientAt(server, -DAY_MS);
  try {
    const second = await client.send(new PutSecretValueCommand({ SecretId: 'clock/versions', SecretString: 'second' }));
    const listed = await client.send(new ListSecretVersionIdsCommand({ SecretId: 'clock/versions' }));
    const created = new Map(listed.Versions!.map((v) => [v.VersionId, v.CreatedDate!.getTime()]));
    assert.ok(created.get(second.VersionId)! >= created.get(first.VersionId)!, `the new version is dated ${new Date(created.get(second.VersionId)!).toISOString()}, before ${new Date(created.get(first.VersionId)!).toISOString()}`);
  } finally {
    client.destroy();
  }
});
