// One runner of background work, chosen by a lease in the database: a holder
// that is gone is replaced at once, a live one is left alone, and a runner that
// lost the lease cannot finish a stale purge (the fencing token is checked in
// the purge's own transaction).
import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { pino } from 'pino';
import { RUNNER_LEASE, RunnerLease } from '../../src/app/runner-lease.js';
import { Sweeper } from '../../src/app/sweeper.js';
import { KeyService } from '../../src/keys/key-service.js';
import { RootKey } from '../../src/keys/root-key.js';
import { DAY_MS } from '../../src/shared/days.js';
import { SecretService } from '../../src/secrets/secret-service.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';

const T0 = Date.UTC(2030, 0, 15);
const scope = { account: '000000000000', region: 'us-east-1', partition: 'aws', now: T0 };

let storage: SqliteStorage;
let keys: KeyService;
let lines: { level: number; msg: string; previous?: string; token?: number }[];
const logger = () => pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
const leases: RunnerLease[] = [];
const lease = (ttlMs = 60_000, mono?: () => number) => {
  const made = new RunnerLease(storage, logger(), ttlMs, mono);
  leases.push(made);
  return made;
};
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeEach(() => {
  storage = SqliteStorage.open(':memory:');
  keys = new KeyService(storage, new RootKey(randomBytes(32)));
  lines = [];
});
afterEach(async () => {
  for (const made of leases.splice(0)) await made.stop();
  await storage.close();
});

/** A holder identity of a process of this host that has exited. */
function deadHolder(): string {
  const child = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
  return `${hostname()}::${child.stdout.trim()}::gone`;
}

test('a lease row with a far-future expiry left by a process that is gone is taken over at once, with a warning', async () => {
  const gone = deadHolder();
  assert.equal(await storage.transaction((tx) => tx.leases.acquire(RUNNER_LEASE, gone, 10 * DAY_MS)), 1);
  const runner = lease();
  await runner.tick();
  assert.ok(runner.held());
  const warning = lines.find((l) => l.level === 40);
  assert.match(warning!.msg, /took over background work: its runner is a process that is gone/);
  assert.equal(warning!.previous, gone);
  assert.equal(warning!.token, 2, 'the fencing token moved on');
});

test('a live holder keeps the lease; once it stops, another takes it at its next look', async () => {
  const first = lease();
  const second = lease();
  await first.tick();
  await second.tick();
  assert.ok(first.held());
  assert.ok(!second.held(), 'the holder (this very process) is alive');
  assert.equal((await storage.leases.find(RUNNER_LEASE))?.token, 1);
  await first.stop();
  await second.tick();
  assert.ok(second.held());
  assert.equal((await storage.leases.find(RUNNER_LEASE))?.token, 2);
});

test('a lease held from another host whose expiry lies far beyond any renewal (the clock stepped back) is taken over, with a warning', async () => {
  const elsewhere = 'another-host:boot:1:1:x';
  await storage.transaction((tx) => tx.leases.acquire(RUNNER_LEASE, elsewhere, 5 * DAY_MS));
  const runner = lease();
  await runner.tick();
  assert.ok(runner.held());
  assert.ok(lines.some((l) => l.level === 40 && /clock stepped back/.test(l.msg) && l.previous === elsewhere));
});

test('a holder on another host is judged by the lease expiry on the database clock alone', async () => {
  const elsewhere = 'another-host:boot:1:1:x';
  await storage.transaction((tx) => tx.leases.acquire(RUNNER_LEASE, elsewhere, 300));
  const runner = lease();
  await runner.tick();
  assert.ok(!runner.held(), 'its lease has not run out');
  await delay(400);
  await runner.tick();
  assert.ok(runner.held());
  assert.ok(lines.some((l) => l.level === 40 && /stopped renewing/.test(l.msg) && l.previous === elsewhere));
});

test('a runner holding an old fencing token cannot purge: the purge fails in its own transaction', async () => {
  const secrets = new SecretService(storage, keys);
  await secrets.create(scope, { Name: 'kept', SecretString: 'v', ClientRequestToken: 'a'.repeat(32) });
  await secrets.delete(scope, { SecretId: 'kept', RecoveryWindowInDays: 7 });

  // The stale runner's own clock stands still (a process paused mid-work): it still believes it holds the lease.
  const stale = lease(200, () => 0);
  await stale.tick();
  assert.ok(stale.held());
  await delay(300);
  const successor = lease(60_000);
  await successor.tick();
  assert.ok(successor.held(), 'the lease ran out by the database clock and changed hands');
  assert.ok(stale.held(), 'the stale runner has not noticed');

  const sweeper = new Sweeper(
    [{ done: 'purged secrets', run: async (now) => (await new SecretService(stale.fenced(storage), keys).purgeExpired(now)).length }],
    logger(),
    () => T0 + 8 * DAY_MS,
  );
  await sweeper.sweep();
  assert.ok(await storage.secrets.findByName(scope.account, scope.region, 'kept'), 'the stale runner purged');
  assert.ok(lines.some((l) => l.level === 40 && /lease changed hands/.test(l.msg)));

  // The holder of the current token purges.
  await new SecretService(successor.fenced(storage), keys).purgeExpired(T0 + 8 * DAY_MS);
  assert.equal(await storage.secrets.findByName(scope.account, scope.region, 'kept'), undefined);
});
