// The data directory as a first start leaves it: the databases and their WAL
// files readable by the server's user alone, and the audit public key already
// published, so `coffer audit verify` works before the first digest is signed
// (and after the key file was removed, once the server restarts); a removed
// credentials file is reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startServer } from '../support/coffer-server.js';
import { rawClientFor } from '../support/raw-client.js';

test('a first start leaves every database file 0600 and the audit public key in place; a restart reports what went missing', async () => {
  let server = await startServer();
  const { dataDir } = server;
  try {
    const created = await rawClientFor(server).call('ListSecrets', {});
    assert.equal(created.status, 200, created.text);
    const pem = join(dataDir, 'audit-public-key.pem');
    assert.ok(existsSync(pem), 'audit-public-key.pem is written at the first start');
    const databases = readdirSync(dataDir).filter((name) => /\.db(-wal|-shm)?$/.test(name));
    assert.ok(databases.includes('coffer.db') && databases.includes('audit.db'), databases.join(' '));
    for (const name of databases) assert.equal(statSync(join(dataDir, name)).mode & 0o777, 0o600, `${name} mode`);

    await server.stop();
    rmSync(pem);
    rmSync(join(dataDir, 'credentials'));
    server = await startServer({ dataDir });
    assert.ok(existsSync(pem), 'a removed public key file is written again at start');
    // The running server writes its log at least every 250 ms: wait for the line, on a busy machine too.
    let log = '';
    for (let tries = 0; tries < 50 && !/credentials file is missing/.test(log); tries += 1) {
      log = existsSync(server.logFile) ? readFileSync(server.logFile, 'utf8') : '';
      if (!/credentials file is missing/.test(log)) await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(log, /administrator credentials file is missing/, `a removed credentials file is reported: ${log}`);
  } finally {
    await server.stop();
    rmSync(dirname(dataDir), { recursive: true, force: true });
  }
});
