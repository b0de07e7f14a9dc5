// A server on `--storage postgres://…` whose PostgreSQL goes away under load: stopped as by a
// crash, then frozen as behind a lost network. Every request is answered promptly with
// ServiceUnavailableException (never a 500, never a hang), /health says so, no write answered
// with success is lost and none refused as "not carried out" was made; once PostgreSQL is back
// the server serves again by itself.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import { rmSync } from 'node:fs';
import { CreateSecretCommand, GetSecretValueCommand, ListSecretsCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { clientConfig, startServer, type TestServer } from '../support/coffer-server.js';
import { privatePostgres, usable, type PrivatePostgres } from '../support/private-postgres.js';
import type { SdkError } from '../support/sdk-errors.js';

const WRITERS = 4;
const READERS = 2;
/** Far above what an answer may take (a few seconds): a request still open then counts as hung. */
const CLIENT_TIMEOUT_MS = 20_000;

let cluster: PrivatePostgres | string;
let server: TestServer | undefined;
let clients: SecretsManagerClient[] = [];

before(async () => {
  cluster = await privatePostgres();
  if (typeof cluster === 'string') return;
  cluster.createDatabase('coffer');
  server = await startServer({ args: ['--storage', cluster.url('coffer')] });
  clients = Array.from({ length: WRITERS + READERS }, () => new SecretsManagerClient({ ...clientConfig(server!), requestHandler: new NodeHttpHandler({ requestTimeout: CLIENT_TIMEOUT_MS }) }));
});

after(async () => {
  for (const client of clients) client.destroy();
  if (server) {
    await server.stop();
    rmSync(dirname(server.dataDir), { recursive: true, force: true });
  }
  if (typeof cluster === 'object') cluster.destroy();
});

interface Answer {
  kind: 'write' | 'read';
  /** The version a write creates (its ClientRequestToken). */
  token?: string;
  secret: string;
  ms: number;
  /** 'ok', or the error's name and HTTP status. */
  outcome: string;
  message?: string;
  during: Phase;
}

type Phase = 'before' | 'outage' | 'after';

/** Writers put new versions of a secret each, readers read one secret, until `stop` is set. */
function load(phase: () => Phase) {
  const answers: Answer[] = [];
  let stopped = false;
  const call = async (kind: Answer['kind'], secret: string, send: () => Promise<unknown>, token?: string) => {
    const during = phase();
    const started = performance.now();
    let outcome = 'ok';
    let message: string | undefined;
    try {
      await send();
    } catch (error) {
      const sdk = error as SdkError;
      outcome = `${sdk.name} ${sdk.$metadata?.httpStatusCode}`;
      message = sdk.message;
      // Refused at once: a client would back off before it tries again.
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    answers.push({ kind, token, secret, ms: performance.now() - started, outcome, message, during });
  };
  const loops = clients.map(async (client, index) => {
    const secret = index < WRITERS ? `outage/writer-${index}` : 'outage/read';
    while (!stopped) {
      if (index < WRITERS) {
        const token = randomUUID();
        await call('write', secret, () => client.send(new PutSecretValueCommand({ SecretId: secret, SecretString: `value ${token}`, ClientRequestToken: token })), token);
      } else {
        await call('read', secret, () => client.send(new GetSecretValueCommand({ SecretId: secret })));
      }
    }
  });
  return {
    answers,
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function health(): Promise<number> {
  return (await fetch(`${server!.url}/health`, { signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS) })).status;
}

async function healthyWithin(ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  let status = 0;
  while (Date.now() < deadline) {
    status = await health();
    if (status === 200) return;
    await sleep(200);
  }
  assert.fail(`the server did not report healthy again within ${ms} ms (last /health: ${status}):\n${server!.stderr().slice(-2000)}`);
}

function summary(answers: Answer[]): string {
  const counts = new Map<string, number>();
  for (const a of answers) counts.set(`${a.during} ${a.kind} ${a.outcome}`, (counts.get(`${a.during} ${a.kind} ${a.outcome}`) ?? 0) + 1);
  const slowest = Math.max(0, ...answers.filter((a) => a.during === 'outage').map((a) => a.ms));
  const unknown = answers.filter((a) => /may or may not have been made/.test(a.message ?? '')).length;
  return `${[...counts].map(([k, n]) => `${k}: ${n}`).join(', ')}; commit outcome unknown: ${unknown}; slowest answer during the outage ${Math.round(slowest)} ms`;
}

/** What every answer given while the database was away must be. */
function assertPromptRefusals(answers: Answer[], withinMs: number): void {
  const context = summary(answers);
  for (const a of answers) {
    assert.ok(a.outcome === 'ok' || a.outcome === 'ServiceUnavailableException 503', `${a.kind} answered ${a.outcome}: ${a.message} (${context})`);
    if (a.during === 'outage') assert.ok(a.ms < withinMs, `${a.kind} took ${Math.round(a.ms)} ms (${context})`);
  }
  assert.ok(answers.some((a) => a.during === 'outage' && a.kind === 'write' && a.outcome !== 'ok'), `no write met the outage (${context})`);
}

/** Acknowledged writes are all there; writes refused as not carried out are not; an unknown outcome may be either. */
async function assertWritesAccountedFor(answers: Answer[]): Promise<void> {
  const reader = clients[0]!;
  for (const a of answers.filter((x) => x.kind === 'write')) {
    const found = await reader.send(new GetSecretValueCommand({ SecretId: a.secret, VersionId: a.token })).then(
      (value) => value.SecretString,
      (error: SdkError) => {
        assert.equal(error.name, 'ResourceNotFoundException', error.message);
        return undefined;
      },
    );
    // Carried out with its outcome unrecorded (the audit log is in the database too): made, and said so.
    const made = a.outcome === 'ok' || /carried out this request/.test(a.message ?? '');
    if (made) assert.equal(found, `value ${a.token}`, `an acknowledged write is missing (${a.during})`);
    else if (!/may or may not have been made/.test(a.message ?? '')) assert.equal(found, undefined, `a write answered "${a.message}" was made`);
  }
}

async function assertServesAgain(): Promise<void> {
  const token = randomUUID();
  await clients[0]!.send(new PutSecretValueCommand({ SecretId: 'outage/writer-0', SecretString: 'after', ClientRequestToken: token }));
  assert.equal((await clients[1]!.send(new GetSecretValueCommand({ SecretId: 'outage/writer-0' }))).SecretString, 'after');
}

async function outage(t: { diagnostic(message: string): void }, name: string, down: () => void, up: () => void, withinMs: number): Promise<void> {
  let phase: Phase = 'before';
  const running = load(() => phase);
  await sleep(1500);
  down();
  phase = 'outage';
  await sleep(3000);
  const during = await health().catch((error: Error) => assert.fail(`/health: ${error.message}\n${server!.stderr().slice(-3000)}`));
  // Reads of what this server has cached may still be served; one it must ask the database for is refused.
  const started = performance.now();
  const listed = await clients[0]!.send(new ListSecretsCommand({})).then(
    () => 'ok',
    (error: SdkError) => `${error.name} ${error.$metadata?.httpStatusCode}`,
  );
  const listMs = performance.now() - started;
  await sleep(1000);
  up();
  phase = 'after';
  try {
    await healthyWithin(30_000);
    await sleep(1000);
  } finally {
    await running.stop();
  }
  t.diagnostic(`${name}: ${summary(running.answers)}`);
  assert.equal(during, 503, 'GET /health while the database was away');
  assert.equal(listed, 'ServiceUnavailableException 503', 'ListSecrets while the database was away');
  assert.ok(listMs < withinMs, `ListSecrets took ${Math.round(listMs)} ms`);
  assertPromptRefusals(running.answers, withinMs);
  assert.ok(running.answers.some((a) => a.during === 'after' && a.kind === 'write' && a.outcome === 'ok'), `no write succeeded after recovery (${summary(running.answers)})`);
  await assertWritesAccountedFor(running.answers);
  await assertServesAgain();
}

test('PostgreSQL stopped under load: every request answered promptly with 503, /health 503, no acknowledged write lost, recovery without a restart', { timeout: 180_000 }, async (t) => {
  if (!usable(t, cluster)) return;
  for (let i = 0; i < WRITERS; i++) await clients[i]!.send(new CreateSecretCommand({ Name: `outage/writer-${i}`, SecretString: 'first' }));
  await clients[0]!.send(new CreateSecretCommand({ Name: 'outage/read', SecretString: 'readable' }));
  const pg = cluster as PrivatePostgres;
  await outage(t, 'stopped', () => pg.stop(), () => pg.start(), 2000);
});

test('PostgreSQL frozen under load (connections hang): requests answered 503 within two seconds, and the server recovers once it runs again', { timeout: 180_000 }, async (t) => {
  if (!usable(t, cluster)) return;
  const pg = cluster as PrivatePostgres;
  // A statement sent just before the freeze waits out its 2 s timeout; every later one is refused at once.
  await outage(t, 'frozen', () => pg.freeze(), () => pg.thaw(), 3500);
});

test('PostgreSQL stopped while no request comes: /health says so at once, and 200 again once it is back', { timeout: 120_000 }, async (t) => {
  if (!usable(t, cluster)) return;
  const pg = cluster as PrivatePostgres;
  assert.equal(await health(), 200);
  pg.stop();
  try {
    const started = performance.now();
    assert.equal(await health(), 503);
    t.diagnostic(`/health answered 503 in ${Math.round(performance.now() - started)} ms`);
  } finally {
    pg.start();
  }
  await healthyWithin(30_000);
  await assertServesAgain();
});
