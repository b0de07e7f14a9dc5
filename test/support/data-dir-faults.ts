// Faults injected into a real data directory: copies of a stopped server's
// data directory to damage, and a burst of SDK writes cut off by SIGKILL.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { randomUUID } from 'node:crypto';
import { closeSync, cpSync, openSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { clientConfig, startServer, tempDir, type TestServer } from './coffer-server.js';

/** A data directory made by a real server that created `secrets` secrets and was stopped cleanly. */
export async function populatedDataDir(secrets = 3): Promise<{ dataDir: string; names: string[] }> {
  const server = await startServer();
  const names = Array.from({ length: secrets }, (_, i) => `faults/s${i}`);
  const client = new SecretsManagerClient(clientConfig(server));
  try {
    for (const name of names) await client.send(new CreateSecretCommand({ Name: name, SecretString: `value-of-${name}` }));
  } finally {
    client.destroy();
    assert.equal(await server.stop(), 0);
  }
  return { dataDir: server.dataDir, names };
}

/** A copy of a data directory (in a new temporary directory), to damage without touching the original. */
export function copyDataDir(dataDir: string): string {
  const copy = join(tempDir(), 'data');
  cpSync(dataDir, copy, { recursive: true });
  return copy;
}

/** Removes the temporary directories that hold these data directories. */
export function removeDataDirs(...dataDirs: (string | undefined)[]): void {
  for (const dataDir of dataDirs) if (dataDir) rmSync(dirname(dataDir), { recursive: true, force: true });
}

export interface DataDirFixture {
  /** A stopped server's data directory with a few secrets. */
  original: string;
  names: string[];
  /** Another one, whose files do not belong with the original's. */
  other: string;
  /** A copy of the original to damage (removed after the tests). */
  copy(): string;
}

/** Made before the test file's tests, and removed with every copy after them. */
export function dataDirFixture(): DataDirFixture {
  const copies: string[] = [];
  const fixture: DataDirFixture = {
    original: '',
    names: [],
    other: '',
    copy() {
      const made = copyDataDir(fixture.original);
      copies.push(made);
      return made;
    },
  };
  before(async () => {
    ({ dataDir: fixture.original, names: fixture.names } = await populatedDataDir());
    fixture.other = (await populatedDataDir(1)).dataDir;
  });
  after(() => removeDataDirs(fixture.original, fixture.other, ...copies));
  return fixture;
}

/** A copy of the fixture's data directory, changed by `change`, is refused at start with a message matching `pattern`. */
export async function refusedAfter(fixture: DataDirFixture, change: (dataDir: string) => void, pattern: RegExp): Promise<string> {
  const dataDir = fixture.copy();
  change(dataDir);
  return refusedStart(dataDir, pattern);
}

/** Overwrites `length` bytes of a file at `offset`. */
export function overwrite(path: string, offset: number, length = 8, byte = 0x41): void {
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, Buffer.alloc(length, byte), 0, length, offset);
  } finally {
    closeSync(fd);
  }
}

/** Starting a server on this data directory must fail; its message (stderr), which must match `pattern`. */
export async function refusedStart(dataDir: string, pattern: RegExp, args: string[] = []): Promise<string> {
  let started: TestServer | undefined;
  let message = '';
  try {
    started = await startServer({ dataDir, args });
  } catch (error) {
    message = (error as Error).message;
  }
  if (started) {
    await started.kill();
    assert.fail(`the server started on ${dataDir}; it must refuse (${pattern})`);
  }
  assert.match(message, pattern);
  return message;
}

/** A server starts on this data directory, answers /health with 200 and stops cleanly. */
export async function startsAndServes(dataDir: string, args: string[] = []): Promise<void> {
  const server = await startServer({ dataDir, args });
  try {
    const health = await fetch(`${server.url}/health`);
    assert.equal(health.status, 200, await health.text());
  } finally {
    assert.equal(await server.stop(), 0, `the server did not stop cleanly:\n${server.stderr()}`);
  }
}

export interface AckedWrite {
  secret: string;
  versionId: string;
  value: string;
}

/**
 * `clients` SDK clients write new versions of `secrets` secrets as fast as
 * they can; once `acks` writes were acknowledged the server is SIGKILLed with
 * the others in flight. Returns every acknowledged write.
 */
export async function writesCutBySigkill(server: TestServer, options: { clients?: number; secrets?: number; acks?: number } = {}): Promise<AckedWrite[]> {
  const { clients = 8, secrets = 10, acks = 300 } = options;
  const names = Array.from({ length: secrets }, (_, i) => `burst/s${i}-${randomUUID().slice(0, 8)}`);
  const setup = new SecretsManagerClient(clientConfig(server));
  try {
    for (const name of names) await setup.send(new CreateSecretCommand({ Name: name, SecretString: 'initial' }));
  } finally {
    setup.destroy();
  }
  const acked: AckedWrite[] = [];
  let killed = false;
  const writer = async (w: number) => {
    const client = new SecretsManagerClient(clientConfig(server));
    try {
      for (let i = 0; !killed; i++) {
        const write = { secret: names[(w + i) % secrets]!, versionId: randomUUID(), value: `w${w}-${i}-${randomUUID()}` };
        try {
          await client.send(new PutSecretValueCommand({ SecretId: write.secret, ClientRequestToken: write.versionId, SecretString: write.value }));
        } catch (error) {
          if (killed) return;
          throw error;
        }
        acked.push(write);
        if (acked.length >= acks && !killed) {
          killed = true;
          server.process.kill('SIGKILL');
        }
      }
    } finally {
      client.destroy();
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, w) => writer(w)));
  await server.kill();
  return acked;
}

/**
 * SIGKILLs a new server under concurrent writers until the crash leaves a
 * `wal` (coffer.db-wal or audit.db-wal) holding acknowledged commits: one
 * that, removed from a copy of the data directory, makes the start refused
 * (`pattern`). A kill right after a checkpoint leaves a WAL that holds none,
 * hence up to three tries. Returns the crashed data directory, untouched.
 */
export async function crashWithWalHoldingAcknowledged(wal: string, pattern: RegExp): Promise<{ dataDir: string; acked: AckedWrite[] }> {
  const tried: string[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    const server = await startServer();
    const acked = await writesCutBySigkill(server);
    const copy = copyDataDir(server.dataDir);
    try {
      rmSync(join(copy, wal));
      const started = await startServer({ dataDir: copy }).catch((error: Error) => error);
      if (started instanceof Error) {
        assert.match(started.message, pattern);
        return { dataDir: server.dataDir, acked };
      }
      await started.kill();
      tried.push(server.dataDir);
    } finally {
      removeDataDirs(copy);
    }
  }
  removeDataDirs(...tried);
  assert.fail(`three crashes under writers, and each time the server started without ${wal}`);
}
