import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  UpdateSecretCommand,
  paginateListSecrets,
  type Filter,
  type ListSecretsCommandInput,
} from '@aws-sdk/client-secrets-manager';
import { sharedServer } from '../support/coffer-server.js';
import { rejectsWith, token } from '../support/sdk-errors.js';

const shared = sharedServer();

/** A run id made of lowercase letters only, so it is one word for the word-matching filters. */
function runId(): string {
  return [...randomBytes(8)].map((b) => String.fromCharCode(97 + (b % 26))).join('');
}

/** Names of every secret ListSecrets returns for `input`, following NextToken to the end. */
async function listNames(input: ListSecretsCommandInput): Promise<string[]> {
  const names: string[] = [];
  for await (const page of paginateListSecrets({ client: shared.client }, input)) names.push(...page.SecretList!.map((s) => s.Name!));
  return names;
}

const f = (Key: Filter['Key'], ...Values: string[]): Filter => ({ Key, Values });

/** Secrets for the filter tests: name, description and tags all carry the run id `r`. */
async function filterFixture(r: string) {
  const specs = [
    { Name: `${r}DatabaseSecret`, Description: `primary payments database`, Tags: [{ Key: `${r}Team`, Value: `${r}payments` }] },
    { Name: `${r}databaseSecret`, Description: `Replica ${r}store for reports`, Tags: [{ Key: `${r}Env`, Value: `${r}prod` }] },
    { Name: `${r}MyData`, Description: `api key`, Tags: [{ Key: `${r}Team`, Value: `${r}search` }, { Key: 'owner', Value: `${r}alice` }] },
    { Name: `x${r}DataOther` },
  ];
  for (const spec of specs) await shared.client.send(new CreateSecretCommand({ ...spec, SecretString: 'v' }));
  return specs.map((s) => s.Name);
}

test('name filter: case-sensitive prefix of the name', async () => {
  const r = runId();
  await filterFixture(r);
  assert.deepEqual(await listNames({ Filters: [f('name', `${r}Data`)] }), [`${r}DatabaseSecret`]);
  assert.deepEqual(await listNames({ Filters: [f('name', `${r}data`)] }), [`${r}databaseSecret`]);
  assert.deepEqual((await listNames({ Filters: [f('name', r)] })).sort(), [`${r}DatabaseSecret`, `${r}MyData`, `${r}databaseSecret`].sort());
  assert.deepEqual(await listNames({ Filters: [f('name', `${r}Nothing`)] }), []);
});

test('description filter: case-insensitive word prefixes of the description', async () => {
  const r = runId();
  await filterFixture(r);
  assert.deepEqual(await listNames({ Filters: [f('description', `${r.toUpperCase()}STO`)] }), [`${r}databaseSecret`]);
  assert.deepEqual(await listNames({ Filters: [f('description', `${r}store rep`)] }), [`${r}databaseSecret`]);
  // Every term must match a word of the same secret.
  assert.deepEqual(await listNames({ Filters: [f('description', `${r}store payments`)] }), []);
});

test('tag-key and tag-value filters: case-sensitive prefix of any tag', async () => {
  const r = runId();
  await filterFixture(r);
  assert.deepEqual((await listNames({ Filters: [f('tag-key', `${r}Team`)] })).sort(), [`${r}DatabaseSecret`, `${r}MyData`].sort());
  assert.deepEqual(await listNames({ Filters: [f('tag-key', `${r}team`)] }), []);
  assert.deepEqual(await listNames({ Filters: [f('tag-key', `${r}E`)] }), [`${r}databaseSecret`]);
  assert.deepEqual(await listNames({ Filters: [f('tag-value', `${r}pa`)] }), [`${r}DatabaseSecret`]);
  assert.deepEqual(await listNames({ Filters: [f('tag-value', `${r}al`)] }), [`${r}MyData`]);
  assert.deepEqual(await listNames({ Filters: [f('tag-value', `${r}Al`)] }), []);
});

test('all filter: case-insensitive word search over name, description, tag keys and tag values', async () => {
  const r = runId();
  await filterFixture(r);
  // name words: `<r>Database` splits at the case change into `<r>` + `Database` …
  assert.deepEqual((await listNames({ Filters: [f('all', r.toUpperCase())] })).sort(), [`${r}DatabaseSecret`, `${r}MyData`, `${r}databaseSecret`].sort());
  // … so `<r>` and `secret` together need a name with both words, in any case.
  assert.deepEqual((await listNames({ Filters: [f('all', `${r} SECRET`)] })).sort(), [`${r}DatabaseSecret`, `${r}databaseSecret`].sort());
  // Found through a tag value only (one word, matched ignoring case).
  assert.deepEqual(await listNames({ Filters: [f('all', `${r.toUpperCase()}ALI`)] }), [`${r}MyData`]);
  // Found through the description only.
  assert.deepEqual(await listNames({ Filters: [f('all', `${r}store`)] }), [`${r}databaseSecret`]);
});

test('a value starting with ! excludes what it matches', async () => {
  const r = runId();
  await filterFixture(r);
  assert.deepEqual(
    (await listNames({ Filters: [f('name', r), f('name', `!${r}Data`)] })).sort(),
    [`${r}MyData`, `${r}databaseSecret`].sort(),
  );
  assert.deepEqual(await listNames({ Filters: [f('name', r), f('tag-key', `!${r}Team`)] }), [`${r}databaseSecret`]);
  // Positive and negated values in one filter: starts with r, but not rMy.
  assert.deepEqual(
    (await listNames({ Filters: [f('name', r, `!${r}My`)] })).sort(),
    [`${r}DatabaseSecret`, `${r}databaseSecret`].sort(),
  );
});

test('several filters are AND-ed; the values of one filter are OR-ed', async () => {
  const r = runId();
  await filterFixture(r);
  assert.deepEqual(await listNames({ Filters: [f('name', r), f('tag-key', `${r}Team`), f('description', 'api')] }), [`${r}MyData`]);
  assert.deepEqual(
    (await listNames({ Filters: [f('name', `${r}Data`, `${r}My`)] })).sort(),
    [`${r}DatabaseSecret`, `${r}MyData`].sort(),
  );
  assert.deepEqual(await listNames({ Filters: [f('name', `${r}Data`), f('name', `${r}My`)] }), []);
});

test('SortOrder asc/desc by creation (default oldest first) and SortBy name', async () => {
  const r = runId();
  const created = [`${r}c`, `${r}a`, `${r}d`, `${r}b`];
  for (const name of created) {
    await shared.client.send(new CreateSecretCommand({ Name: name, SecretString: 'v' }));
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const filters = [f('name', r)];
  assert.deepEqual(await listNames({ Filters: filters }), created);
  assert.deepEqual(await listNames({ Filters: filters, SortOrder: 'asc' }), created);
  assert.deepEqual(await listNames({ Filters: filters, SortOrder: 'desc' }), [...created].reverse());
  assert.deepEqual(await listNames({ Filters: filters, SortBy: 'name' }), [...created].sort());
  assert.deepEqual(await listNames({ Filters: filters, SortBy: 'name', SortOrder: 'desc' }), [...created].sort().reverse());
  assert.deepEqual(await listNames({ Filters: filters, SortBy: 'created-date', SortOrder: 'desc' }), [...created].reverse());
});

test('SortBy last-changed-date follows the latest write', async () => {
  const r = runId();
  for (const name of [`${r}one`, `${r}two`, `${r}three`]) {
    await shared.client.send(new CreateSecretCommand({ Name: name, SecretString: 'v' }));
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await shared.client.send(new UpdateSecretCommand({ SecretId: `${r}one`, Description: 'touched' }));
  assert.deepEqual(await listNames({ Filters: [f('name', r)], SortBy: 'last-changed-date' }), [`${r}two`, `${r}three`, `${r}one`]);
});

test('MaxResults/NextToken: paginateListSecrets returns each secret exactly once, with and without filters', async () => {
  const r = runId();
  const names: string[] = [];
  for (let i = 0; i < 7; i++) {
    names.push(`${r}/page-${i}`);
    await shared.client.send(new CreateSecretCommand({ Name: `${r}/page-${i}`, SecretString: 'v' }));
  }
  // Some secrets that the filter skips, interleaved.
  for (let i = 0; i < 3; i++) await shared.client.send(new CreateSecretCommand({ Name: `${r}skip/${i}`, SecretString: 'v' }));

  const first = await shared.client.send(new ListSecretsCommand({ Filters: [f('name', `${r}/`)], MaxResults: 3 }));
  assert.equal(first.SecretList!.length, 3);
  assert.ok(first.NextToken);

  for (const Filters of [[f('name', `${r}/`)], [f('all', r), f('name', `!${r}skip`)]]) {
    let pages = 0;
    const seen: string[] = [];
    for await (const page of paginateListSecrets({ client: shared.client, pageSize: 3 }, { Filters })) {
      pages++;
      assert.ok(page.SecretList!.length <= 3);
      seen.push(...page.SecretList!.map((s) => s.Name!));
    }
    assert.deepEqual(seen, names, JSON.stringify(Filters));
    assert.equal(pages, 3);
  }

  // Without filters: everything in the region, each once.
  const everything: string[] = [];
  for await (const page of paginateListSecrets({ client: shared.client, pageSize: 4 }, {})) everything.push(...page.SecretList!.map((s) => s.Name!));
  assert.equal(new Set(everything).size, everything.length, 'no duplicates');
  for (const name of names) assert.ok(everything.includes(name), name);
});

test('pagination is stable in every sort order, also descending by name', async () => {
  const r = runId();
  const names = ['m', 'c', 'x', 'a', 'q', 'f', 'k'].map((n) => `${r}/${n}`);
  for (const name of names) await shared.client.send(new CreateSecretCommand({ Name: name, SecretString: 'v' }));
  const paged = async (input: ListSecretsCommandInput) => {
    const seen: string[] = [];
    for await (const page of paginateListSecrets({ client: shared.client, pageSize: 2 }, input)) seen.push(...page.SecretList!.map((s) => s.Name!));
    return seen;
  };
  const filters = [f('name', `${r}/`)];
  assert.deepEqual(await paged({ Filters: filters, SortBy: 'name', SortOrder: 'desc' }), [...names].sort().reverse());
  assert.deepEqual(await paged({ Filters: filters, SortBy: 'name' }), [...names].sort());
  assert.deepEqual(await paged({ Filters: filters, SortOrder: 'desc' }), [...names].reverse());
  // A filter storage cannot narrow to a name range (`all`) is applied while scanning; it pages the same way.
  assert.deepEqual(await paged({ Filters: [f('all', r)], SortBy: 'name', SortOrder: 'desc' }), [...names].sort().reverse());
});

test('a filter matching a few secrets among hundreds pages through all of them', async () => {
  const r = runId();
  const hits: string[] = [];
  for (let i = 0; i < 230; i++) {
    const hit = i % 75 === 0;
    const name = `${r}/${String(i).padStart(3, '0')}`;
    if (hit) hits.push(name);
    await shared.client.send(new CreateSecretCommand({ Name: name, SecretString: 'v', Tags: [{ Key: hit ? `${r}hit` : `${r}noise`, Value: '' }] }));
  }
  assert.equal(hits.length, 4);
  const seen: string[] = [];
  let pages = 0;
  for await (const page of paginateListSecrets({ client: shared.client, pageSize: 1 }, { Filters: [f('tag-key', `${r}hit`)] })) {
    pages++;
    seen.push(...page.SecretList!.map((s) => s.Name!));
  }
  assert.deepEqual(seen, hits);
  assert.ok(pages >= 4 && pages <= 5);
  const all = await shared.client.send(new ListSecretsCommand({ Filters: [f('tag-key', `${r}hit`)], MaxResults: 100 }));
  assert.deepEqual(all.SecretList!.map((s) => s.Name), hits);
  assert.equal(all.NextToken, undefined);
});

test('ListSecrets hides secrets scheduled for deletion unless IncludePlannedDeletion', async () => {
  const r = runId();
  await shared.client.send(new CreateSecretCommand({ Name: `${r}kept`, SecretString: 'v' }));
  await shared.client.send(new CreateSecretCommand({ Name: `${r}doomed`, SecretString: 'v' }));
  await shared.client.send(new DeleteSecretCommand({ SecretId: `${r}doomed`, RecoveryWindowInDays: 7 }));
  assert.deepEqual(await listNames({ Filters: [f('name', r)] }), [`${r}kept`]);
  const all = await shared.client.send(new ListSecretsCommand({ Filters: [f('name', r)], IncludePlannedDeletion: true }));
  assert.deepEqual(all.SecretList!.map((s) => s.Name), [`${r}kept`, `${r}doomed`]);
  const doomed = all.SecretList!.find((s) => s.Name === `${r}doomed`)!;
  assert.ok(doomed.DeletedDate instanceof Date);
  assert.equal(all.SecretList!.find((s) => s.Name === `${r}kept`)!.DeletedDate, undefined);
});

test('list entries: metadata without values, SecretVersionsToStages without deprecated versions, no KmsKeyId', async () => {
  const r = runId();
  const name = `${r}entry`;
  const v1 = token();
  const v2 = token();
  const v3 = token();
  const created = await shared.client.send(
    new CreateSecretCommand({ Name: name, SecretString: 'one', ClientRequestToken: v1, Description: 'desc', Tags: [{ Key: 'k', Value: 'v' }] }),
  );
  await shared.client.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'two', ClientRequestToken: v2 }));
  await shared.client.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'three', ClientRequestToken: v3 }));
  const list = await shared.client.send(new ListSecretsCommand({ Filters: [f('name', name)] }));
  assert.equal(list.$metadata.httpStatusCode, 200);
  assert.equal(list.NextToken, undefined);
  assert.equal(list.SecretList!.length, 1);
  const entry = list.SecretList![0]!;
  assert.equal(entry.ARN, created.ARN);
  assert.equal(entry.Name, name);
  assert.equal(entry.Description, 'desc');
  assert.deepEqual(entry.Tags, [{ Key: 'k', Value: 'v' }]);
  assert.equal(entry.KmsKeyId, undefined);
  assert.ok(entry.CreatedDate instanceof Date);
  assert.ok(entry.LastChangedDate instanceof Date);
  assert.deepEqual(entry.SecretVersionsToStages, { [v2]: ['AWSPREVIOUS'], [v3]: ['AWSCURRENT'] });
  assert.equal('SecretString' in entry, false);
});

test('ListSecrets request errors: bad NextToken, bad filter key, missing Values, MaxResults out of range', async () => {
  await rejectsWith(shared.client.send(new ListSecretsCommand({ NextToken: 'garbage-token' })), 'InvalidNextTokenException');
  // Well-formed JSON of the wrong shape is refused too, never a 500.
  for (const cursor of ['{"v":1}', '{"v":{},"id":1}', '{"v":true,"id":1}', '{"v":[1],"id":1}', '[1]', 'null']) {
    await rejectsWith(
      shared.client.send(new ListSecretsCommand({ NextToken: Buffer.from(cursor).toString('base64url') })),
      'InvalidNextTokenException',
      undefined,
    );
  }
  await rejectsWith(
    shared.client.send(new ListSecretsCommand({ Filters: [{ Key: 'colour' as Filter['Key'], Values: ['x'] }] })),
    'ValidationException',
  );
  await rejectsWith(shared.client.send(new ListSecretsCommand({ Filters: [{ Key: 'name' }] })), 'InvalidParameterException');
  await rejectsWith(shared.client.send(new ListSecretsCommand({ MaxResults: 0 })), 'ValidationException');
  await rejectsWith(shared.client.send(new ListSecretsCommand({ MaxResults: 101 })), 'ValidationException');
});
