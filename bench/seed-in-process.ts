import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileRootKeyProvider } from '../src/keys/root-key-providers.js';
import { KeyService } from '../src/keys/key-service.js';
import { SecretService } from '../src/secrets/secret-service.js';
import { openSqlite } from '../src/storage/sqlite/sqlite-database.js';
import { SqliteStorage } from '../src/storage/sqlite/sqlite-storage.js';
import { randomValue } from './bench-util.js';

/**
 * Creates secrets [from, to) with the server's own domain classes on its data
 * directory (the server must be stopped): real envelope encryption under the
 * same default KMS key, one transaction each. Only durability is relaxed for
 * the seeding connection (synchronous=OFF instead of FULL: no fsync per
 * commit); the WAL is checkpointed and synced when done, so the server starts
 * on exactly the data it would have written itself.
 */
export async function seedInProcess(
  dataDir: string,
  from: number,
  to: number,
  options: { name: (i: number) => string; valueLength: number; log: (message: string) => void },
): Promise<void> {
  const db = openSqlite(join(dataDir, 'coffer.db'));
  db.pragma('synchronous = OFF');
  const storage = new SqliteStorage(db);
  try {
    const keys = new KeyService(storage, await new FileRootKeyProvider().open(readFileSync(join(dataDir, 'root-key'), 'utf8')));
    const secrets = new SecretService(storage, keys);
    let last = performance.now();
    for (let i = from; i < to; i++) {
      await secrets.create(
        { account: '000000000000', region: 'us-east-1', partition: 'aws', now: Date.now() },
        { Name: options.name(i), SecretString: randomValue(options.valueLength), ClientRequestToken: randomUUID() },
      );
      if (performance.now() - last > 10_000) {
        last = performance.now();
        options.log(`  in-process: ${i + 1 - from} of ${to - from}`);
      }
    }
    db.pragma('synchronous = FULL');
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    await storage.close();
  }
}
