import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateSecretCommand, ListSecretsCommand, paginateListSecrets } from '@aws-sdk/client-secrets-manager';
import { sharedServer } from '../support/coffer-server.js';
import { token } from '../support/sdk-errors.js';

const shared = sharedServer();
const COUNT = 1_250;

test('a filter that matches little answers in bounded pages, some empty with a NextToken, and the paginator finds every match', async () => {
  const queue = Array.from({ length: COUNT }, (_, i) => i);
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
        const description = i === COUNT - 1 || i === 3 ? 'needle' : 'hay';
        await shared.client.send(new CreateSecretCommand({ Name: `scan/${i}`, Description: description, ClientRequestToken: token() }));
      }
    }),
  );
  const filters = [{ Key: 'description' as const, Values: ['needle'] }];
  // One call examines at most 1,000 secrets (oldest first): the first page holds the early
  // match only, and a token for the rest.
  const first = await shared.client.send(new ListSecretsCommand({ Filters: filters, MaxResults: 100 }));
  assert.deepEqual(first.SecretList?.map((s) => s.Name), ['scan/3']);
  assert.ok(first.NextToken, 'more secrets remain to be examined');
  const found: string[] = [];
  for await (const page of paginateListSecrets({ client: shared.client }, { Filters: filters, MaxResults: 100 })) {
    found.push(...(page.SecretList ?? []).map((s) => s.Name!));
  }
  assert.deepEqual(found.sort(), ['scan/1249', 'scan/3']);
});
