import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { KeyService } from '../../src/keys/key-service.js';
import { RootKey } from '../../src/keys/root-key.js';
import { SecretReader } from '../../src/secrets/secret-reader.js';
import type { RequestScope } from '../../src/shared/request-scope.js';
import { SecretService } from '../../src/secrets/secret-service.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';

const scope: RequestScope = { account: '000000000000', region: 'us-east-1', partition: 'aws', now: Date.UTC(2030, 0, 1) };
const COUNT = 2_500;
let storage: SqliteStorage;
let reader: SecretReader;

before(async () => {
  storage = SqliteStorage.open(':memory:');
  const secrets = new SecretService(storage, new KeyService(storage, new RootKey(randomBytes(32))));
  reader = new SecretReader(storage, secrets.cipher);
  for (let i = 0; i < COUNT; i++) {
    const description = i === COUNT - 1 ? 'needle in the haystack' : 'hay';
    await secrets.create({ ...scope, now: scope.now + i }, { Name: `scan/${i}`, Description: description, ClientRequestToken: randomUUID() });
  }
});
after(() => storage.close());

test('a filter that matches little answers in bounded pages, some empty, each with a NextToken, until the match', async () => {
  const filters = [{ Key: 'description', Values: ['needle'] }];
  const pages: number[] = [];
  const found: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await reader.list(scope, { Filters: filters, NextToken: nextToken });
    pages.push(page.entries.length);
    found.push(...page.entries.map((e) => e.secret.name));
    nextToken = page.nextToken;
  } while (nextToken);
  assert.deepEqual(found, [`scan/${COUNT - 1}`]);
  // 2,500 rows at 1,000 per call: two empty pages with a token, then the match.
  assert.deepEqual(pages, [0, 0, 1]);
});

test('without filters a page is full and the pages cover every secret once', async () => {
  const seen = new Set<string>();
  let nextToken: string | undefined;
  do {
    const page = await reader.list(scope, { MaxResults: 100, NextToken: nextToken });
    if (page.nextToken) assert.equal(page.entries.length, 100);
    for (const e of page.entries) seen.add(e.secret.name);
    nextToken = page.nextToken;
  } while (nextToken);
  assert.equal(seen.size, COUNT);
});
