// A full disk under the data directory (a small tmpfs): writes are refused
// and none that was refused is stored; /health says not ready; the audit log
// is probed for real rather than declared writable by every request; once
// space is back, /health is ready and writes resume. With coffer.db alone on
// the full disk, reads go on while writes are refused.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, copyFileSync, mkdirSync, openSync, readFileSync, rmSync, symlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { clientConfig, requiredInCi, startServer, tempDir, type TestServer } from '../support/coffer-server.js';
import { rejectsWith, type SdkError } from '../support/sdk-errors.js';

const WRITERS = 8;
/** Longer than the log's 10 s window for repeated lines, so that a flood shows in the counts. */
const FULL_FOR_MS = 13_000;

/** A tmpfs of `megabytes` at `dir`, or false where mounting is not permitted. */
function mountTmpfs(dir: string, megabytes: number): boolean {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m,mode=0700`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function unmount(dir: string): void {
  execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
}

/** A tmpfs for the test, or a skip (a failure under CI, which runs as root). */
function diskOrSkip(t: TestContext, dir: string, megabytes: number): boolean {
  if (mountTmpfs(dir, megabytes)) return true;
  if (requiredInCi()) assert.fail('CI must be able to mount a tmpfs (run as root)');
  t.skip('mounting a tmpfs is not permitted here (needs root)');
  return false;
}

/** Fills the filesystem of `path` with a file until a write fails for want of space. */
function fill(path: string): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
}

/** How many times the log said `message`, counting the repeats its limiter left out. */
function logged(logFile: string, message: string): number {
  const lines = readFileSync(logFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { msg?: string; repeated?: number });
  return lines.filter((line) => line.msg === message).reduce((sum, line) => sum + 1 + (line.repeated ?? 0), 0);
}

async function health(server: TestServer): Promise<number> {
  return (await fetch(`${server.url}/health`)).status;
}

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** What each CreateSecret was answered. */
interface Answers {
  acknowledged: string[];
  /** Refused as not served / not carried out: must not exist. */
  refused: string[];
  /** Carried out, outcome not recorded: must exist. */
  carriedOut: string[];
  other: string[];
}

/** WRITERS clients creating secrets for `ms`. */
async function createFor(server: TestServer, prefix: string, ms: number): Promise<Answers> {
  const answers: Answers = { acknowledged: [], refused: [], carriedOut: [], other: [] };
  const end = Date.now() + ms;
  await Promise.all(
    Array.from({ length: WRITERS }, async (_, w) => {
      const client = new SecretsManagerClient(clientConfig(server));
      try {
        for (let i = 0; Date.now() < end; i++) {
          const name = `${prefix}/w${w}-${i}`;
          try {
            await client.send(new CreateSecretCommand({ Name: name, SecretString: `value of ${name}` }));
            answers.acknowledged.push(name);
          } catch (error) {
            const { name: code, message } = error as SdkError;
            if (code === 'ServiceUnavailableException' && /not served|not carried out/.test(message)) answers.refused.push(name);
            else if (code === 'ServiceUnavailableException' && /carried out this request, but could not record its outcome/.test(message)) answers.carriedOut.push(name);
            else answers.other.push(`${name}: ${code}: ${message}`);
          }
        }
      } finally {
        client.destroy();
      }
    }),
  );
  return answers;
}

/** Every refused secret is absent; every acknowledged or carried-out one exists (one listing rather than a call per name). */
async function assertNoneRefusedButStored(client: SecretsManagerClient, prefix: string, answers: Answers): Promise<void> {
  const stored = new Set<string>();
  let NextToken: string | undefined;
  do {
    const page = await client.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [`${prefix}/`] }], MaxResults: 100, NextToken }));
    for (const secret of page.SecretList ?? []) stored.add(secret.Name!);
    NextToken = page.NextToken;
  } while (NextToken);
  assert.deepEqual(answers.refused.filter((name) => stored.has(name)), [], 'no refused write is stored');
  assert.deepEqual([...answers.acknowledged, ...answers.carriedOut].filter((name) => !stored.has(name)), [], 'every write carried out is stored');
}

/** A server's life in a test: the one running, which the test may replace, stopped (cleanly) at the end. */
interface Running {
  server?: TestServer;
  client?: SecretsManagerClient;
  /** Starts a server (stopping the one before) with a client for it. */
  start(options: Parameters<typeof startServer>[0]): Promise<{ server: TestServer; client: SecretsManagerClient }>;
  /** Stops the server, which must exit cleanly. */
  stop(): Promise<void>;
}

/** Runs `body` with a tmpfs of `megabytes` at `<root>/disk`; afterwards stops its server and unmounts. */
async function onSmallDisk(t: TestContext, megabytes: number, body: (root: string, disk: string, running: Running) => Promise<void>): Promise<void> {
  const root = tempDir();
  const disk = join(root, 'disk');
  if (!diskOrSkip(t, disk, megabytes)) return;
  const running: Running = {
    async start(options) {
      await running.stop();
      const server = await startServer(options);
      const client = new SecretsManagerClient(clientConfig(server));
      Object.assign(running, { server, client });
      return { server, client };
    },
    async stop() {
      const { server, client } = running;
      running.server = running.client = undefined;
      client?.destroy();
      if (server) assert.equal(await server.stop(), 0);
    },
  };
  try {
    await body(root, disk, running);
  } finally {
    await running.stop();
    unmount(disk);
    rmSync(root, { recursive: true, force: true });
  }
}

test('a full disk under the data directory: writes refused and none refused-but-stored, /health 503, the audit log probed for real; writes resume once space is back', (t) =>
  onSmallDisk(t, 24, async (root, disk, running) => {
    const logFile = join(root, 'server.log');
    const { server, client } = await running.start({ dataDir: join(disk, 'data'), args: ['--log-file', logFile] });
    await client.send(new CreateSecretCommand({ Name: 'before', SecretString: 'stored before the disk filled' }));
    fill(join(disk, 'filler'));

    const full = await createFor(server, 'full', FULL_FOR_MS);
    t.diagnostic(`disk full: ${full.acknowledged.length} acknowledged, ${full.refused.length} refused, ${full.carriedOut.length} carried out without an outcome record`);
    assert.deepEqual(full.other, [], 'every answer is an acknowledgement or a clear refusal');
    assert.ok(full.refused.length > 0, 'writes are refused while the disk is full');
    assert.equal(await health(server), 503, '/health is not ready while the disk is full');
    // Before the log recovers, it was never declared writable by a probe that wrote nothing.
    assert.ok(logged(logFile, 'audit log writable again') <= 2, 'no flood of "writable again"');

    rmSync(join(disk, 'filler'));
    await until(async () => (await health(server)) === 200, '/health is ready again');
    const after = await client.send(new CreateSecretCommand({ Name: 'after', SecretString: 'stored once space came back' }));
    assert.equal(after.Name, 'after', 'writes resume once space is back');
    await assertNoneRefusedButStored(client, 'full', full);
    assert.equal((await client.send(new GetSecretValueCommand({ SecretId: 'before' }))).SecretString, 'stored before the disk filled');
  }));

test('coffer.db alone on a full disk: writes refused with the cause and none stored, reads go on, /health 503 until it can be written', (t) =>
  onSmallDisk(t, 16, async (root, disk, running) => {
    const dataDir = join(root, 'data');
    // Made on the large disk, then coffer.db moved to the small one (SQLite keeps its WAL beside the link's target).
    const first = await running.start({ dataDir });
    await first.client.send(new CreateSecretCommand({ Name: 'readable', SecretString: 'read while the database is full' }));
    await running.stop();
    // A clean stop leaves no WAL beside it.
    copyFileSync(join(dataDir, 'coffer.db'), join(disk, 'coffer.db'));
    rmSync(join(dataDir, 'coffer.db'));
    symlinkSync(join(disk, 'coffer.db'), join(dataDir, 'coffer.db'));

    const { server, client } = await running.start({ dataDir });
    fill(join(disk, 'filler'));
    const full = await createFor(server, 'full', 3_000);
    t.diagnostic(`database full: ${full.acknowledged.length} acknowledged, ${full.refused.length} refused`);
    assert.deepEqual(full.other, [], 'every answer is an acknowledgement or a clear refusal');
    assert.ok(full.refused.length > 0, 'writes are refused while the database cannot be written');
    await rejectsWith(
      client.send(new CreateSecretCommand({ Name: 'one-more', SecretString: 'x' })),
      'ServiceUnavailableException',
      /Coffer cannot reach or write its database \(.*full.*\), so this request was not carried out/,
      503,
    );
    assert.equal((await client.send(new GetSecretValueCommand({ SecretId: 'readable' }))).SecretString, 'read while the database is full');
    assert.equal(await health(server), 503, '/health is not ready while the database cannot be written');

    rmSync(join(disk, 'filler'));
    await until(async () => (await health(server)) === 200, '/health is ready again');
    assert.equal((await client.send(new CreateSecretCommand({ Name: 'after', SecretString: 'x' }))).Name, 'after');
    await assertNoneRefusedButStored(client, 'full', full);
    await rejectsWith(client.send(new DescribeSecretCommand({ SecretId: 'one-more' })), 'ResourceNotFoundException');
  }));
