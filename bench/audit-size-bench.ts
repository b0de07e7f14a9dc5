/**
 * Bytes the audit log keeps per request: a real `coffer server` serves a mix
 * of reads and writes through the AWS SDK, stops, and audit.db (checkpointed
 * by the server's clean stop) is measured as a whole and table by table.
 */
import { CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCofferProcess } from './server-process.js';

const REQUESTS = Number(process.env.BENCH_AUDIT_REQUESTS ?? 5000);
const SECRETS = 50;

const dir = mkdtempSync(join(tmpdir(), 'coffer-audit-size-'));
const dataDir = join(dir, 'data');
const server = await startCofferProcess({ dataDir, logFile: join(dir, 'server.log') });
const client = new SecretsManagerClient({
  endpoint: server.url,
  region: server.region,
  credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
  maxAttempts: 1,
});
let sent = 0;
try {
  for (let i = 0; i < SECRETS; i++, sent++) await client.send(new CreateSecretCommand({ Name: `bench/audit/secret-${i}`, SecretString: 'x'.repeat(64) }));
  // 9 reads for every write, as a secrets manager is mostly read; 8 requests at a time.
  while (sent < REQUESTS) {
    const batch = Array.from({ length: Math.min(8, REQUESTS - sent) }, (_, k) => {
      const id = `bench/audit/secret-${(sent + k) % SECRETS}`;
      return (sent + k) % 10 === 0
        ? client.send(new PutSecretValueCommand({ SecretId: id, SecretString: `v${sent + k}` }))
        : client.send(new GetSecretValueCommand({ SecretId: id }));
    });
    await Promise.all(batch);
    sent += batch.length;
  }
} finally {
  client.destroy();
  await server.stop();
}

const file = join(dataDir, 'audit.db');
const bytes = ['', '-wal'].map((s) => file + s).filter(existsSync).reduce((sum, f) => sum + statSync(f).size, 0);
const db = new Database(file, { readonly: true });
const entries = db.prepare('SELECT count(*) FROM audit_entries').pluck().get() as number;
const recordBytes = db.prepare('SELECT sum(length(record)) FROM audit_entries').pluck().get() as number;
const tables = db.prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC').all() as { name: string; bytes: number }[];
db.close();
console.log(`requests: ${sent}, audit entries: ${entries}`);
console.log(`audit.db (+ WAL): ${bytes} bytes, ${(bytes / entries).toFixed(0)} bytes per entry`);
console.log(`record JSON: ${(recordBytes / entries).toFixed(0)} bytes per entry on average`);
for (const { name, bytes: size } of tables) console.log(`  ${name}: ${(size / entries).toFixed(0)} bytes per entry`);
if (!process.env.BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
else console.log(`kept ${dir}`);
