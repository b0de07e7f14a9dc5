// 8 bytes overwritten inside coffer.db (in the index that finds a secret by
// name) while the server is stopped: it must refuse to start, naming the file,
// rather than answer ResourceNotFoundException for secrets that are there.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { clientConfig, startServer } from '../support/coffer-server.js';
import { copyDataDir, overwrite, populatedDataDir, refusedStart, removeDataDirs } from '../support/data-dir-faults.js';

const SECRETS = 200;
const PAGE = 4096;

let original: string;
let names: string[];
const copies: string[] = [];

before(async () => {
  ({ dataDir: original, names } = await populatedDataDir(SECRETS));
});

after(() => removeDataDirs(original, ...copies));

/** The leaf pages of a table or index. */
function leaves(db: Database.Database, name: string): number[] {
  return db.prepare("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno").pluck().all(name) as number[];
}

/** The leaf pages of the index on secrets (account, region, name), the one every lookup by name goes through. */
function nameIndexLeaves(path: string): number[] {
  const db = new Database(path, { readonly: true });
  try {
    const index = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'secrets' AND sql IS NULL")
      .pluck()
      .all()
      .find((name) => {
        const columns = db.prepare('SELECT name FROM pragma_index_info(?)').pluck().all(name);
        return columns.join(',') === 'account,region,name';
      }) as string;
    assert.ok(index, 'the secrets table has its unique (account, region, name) index');
    return leaves(db, index);
  } finally {
    db.close();
  }
}

test('8 bytes overwritten in an index page of coffer.db: the start is refused, naming coffer.db as damaged', async () => {
  const dir = copyDataDir(original);
  copies.push(dir);
  const path = join(dir, 'coffer.db');
  const leaves = nameIndexLeaves(path);
  assert.ok(leaves.length >= 2, `the name index spans ${leaves.length} leaf pages`);
  // Inside the cell content (which fills a page from its end): a secret name's bytes.
  overwrite(path, (leaves[1]! - 1) * PAGE + PAGE - 1000);
  const message = await refusedStart(dir, /coffer\.db is damaged/);
  assert.match(message, /integrity check/);
  assert.match(message, /backup/);
});

test('a coffer.db whose header is overwritten is refused as damaged, naming it', async () => {
  const dir = copyDataDir(original);
  copies.push(dir);
  overwrite(join(dir, 'coffer.db'), 0, 16);
  await refusedStart(dir, /coffer\.db.*damaged/);
});

test('8 bytes overwritten inside stored versions (a well-formed page): each secret answers its value or an error, never another value or "not found"', async (t) => {
  const dir = copyDataDir(original);
  copies.push(dir);
  const path = join(dir, 'coffer.db');
  const db = new Database(path, { readonly: true });
  const pages = leaves(db, 'secret_versions');
  db.close();
  // Near the end of each leaf: the encrypted value and wrapped data key of a version, which no index covers.
  for (const page of pages) overwrite(path, (page - 1) * PAGE + PAGE - 300);
  let server;
  try {
    server = await startServer({ dataDir: dir });
  } catch (error) {
    // Refused as damaged (the bytes fell on indexed data) is an answer too.
    assert.match((error as Error).message, /coffer\.db is damaged/);
    t.diagnostic('refused as damaged');
    return;
  }
  const client = new SecretsManagerClient(clientConfig(server));
  const answers: Record<string, number> = {};
  try {
    for (const name of names) {
      try {
        const got = await client.send(new GetSecretValueCommand({ SecretId: name }));
        assert.equal(got.SecretString, `value-of-${name}`);
        answers.value = (answers.value ?? 0) + 1;
      } catch (error) {
        if (error instanceof assert.AssertionError) throw error;
        assert.notEqual((error as Error).name, 'ResourceNotFoundException', `${name} exists`);
        answers[(error as Error).name] = (answers[(error as Error).name] ?? 0) + 1;
      }
    }
  } finally {
    client.destroy();
    assert.equal(await server.stop(), 0);
  }
  t.diagnostic(JSON.stringify(answers));
  assert.ok(Object.keys(answers).some((answer) => answer !== 'value'), `some damaged version answered an error: ${JSON.stringify(answers)}`);
});
