// LookupEvents over an audit log written the way the server writes it (chained
// records in their stored form), calling the handler directly.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cloudTrailService } from '../../src/api/cloudtrail/cloudtrail-service.js';
import { SCAN_BUDGET } from '../../src/api/cloudtrail/lookup-page.js';
import type { RequestContext } from '../../src/api/operation.js';
import { validateInput } from '../../src/api/validation.js';
import { toEntryRecord } from '../../src/audit/stored-entry.js';
import { buildRecord, type AuditRecord, type RecordInput } from '../../src/audit/cloudtrail-record.js';
import { appendEntries, GENESIS_HEAD } from '../../src/audit/hash-chain.js';
import { ServiceError } from '../../src/errors/service-error.js';
import { openAuditDatabase } from '../../src/storage/sqlite/audit-database.js';
import { SqliteAuditRepository } from '../../src/storage/sqlite/sqlite-audit-repository.js';
import { AuditWriter } from '../../src/audit/audit-writer.js';

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const T0 = Date.UTC(2025, 4, 20, 12, 0, 0);
const SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:app/db-AbCdEf`;
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

interface Call {
  name: string;
  /** Seconds after T0. */
  at: number;
  source?: 'kms' | 'secretsmanager';
  user?: 'alice' | 'root';
  region?: string;
  resource?: string;
}

/** The record of one call as the server builds it. */
function recordOf(call: Call, n: number): AuditRecord {
  const kms = (call.source ?? 'secretsmanager') === 'kms';
  const alice = (call.user ?? 'alice') === 'alice';
  const input: RecordInput = {
    eventSource: kms ? 'kms.amazonaws.com' : 'secretsmanager.amazonaws.com',
    eventName: call.name,
    awsRegion: call.region ?? REGION,
    sourceIPAddress: '192.0.2.10',
    userAgent: 'aws-cli/2',
    userIdentity: alice
      ? { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/alice`, accountId: ACCOUNT, accessKeyId: 'AKIAALICE', userName: 'alice' }
      : { type: 'Root', arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT, accessKeyId: 'AKIAROOT' },
    requestParameters: kms ? { KeyId: KEY_ARN } : { SecretId: 'app/db' },
    requestID: `req-${n}`,
    readOnly: /^(Get|List|Describe|Decrypt)/.test(call.name),
    time: new Date(T0 + call.at * 1000),
  };
  const resource = call.resource ?? (kms ? KEY_ARN : SECRET_ARN);
  input.resources = [{ ARN: resource, accountId: ACCOUNT, type: kms ? 'AWS::KMS::Key' : 'AWS::SecretsManager::Secret' }];
  return buildRecord(input);
}

interface AuditLogFixture {
  /** What the audit thread answers lookups with: each entry with its lookup keys. */
  audit: AuditWriter;
  close(): void;
}

/** A fresh in-memory audit database holding the calls, chained in the order given. */
async function logOf(calls: Call[]): Promise<{ log: AuditLogFixture; records: AuditRecord[] }> {
  const db = openAuditDatabase(':memory:');
  const audit = new SqliteAuditRepository(db);
  const records = calls.map(recordOf);
  await audit.append(appendEntries(GENESIS_HEAD, records).map(toEntryRecord));
  // The first half through the lookup index, the rest as the tail not yet indexed: lookups merge both.
  audit.index.indexNext(Math.floor(records.length / 2));
  return { log: { audit: AuditWriter.onSqlite(db, []), close: () => db.close() }, records };
}

function context(region = REGION): RequestContext {
  return { requestId: 'req', accessKeyId: 'AKIAALICE', scope: { account: ACCOUNT, region, partition: 'aws', now: T0 }, authorize: async () => undefined };
}

type Lookup = (input: Record<string, unknown>, region?: string) => Promise<{ Events: Record<string, any>[]; NextToken?: string }>;

/** LookupEvents as the dispatcher runs it: the model's validation, then the handler. */
function lookupOn(log: AuditLogFixture): Lookup {
  const service = cloudTrailService({ audit: log.audit });
  return async (input, region) =>
    (await service.handlers.LookupEvents!(context(region), validateInput(service.shapes, 'LookupEventsRequest', input))) as any;
}

/** Every page of a lookup, following NextToken. */
async function allPages(lookup: Lookup, input: Record<string, unknown>, region?: string): Promise<{ pages: number; events: Record<string, any>[] }> {
  const events: Record<string, any>[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await lookup({ ...input, ...(token ? { NextToken: token } : {}) }, region);
    pages++;
    events.push(...page.Events);
    token = page.NextToken;
  } while (token);
  return { pages, events };
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ServiceError, `expected a ServiceError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.equal(error.status, 400);
    return true;
  });
}

const names = (events: Record<string, any>[]) => events.map((e) => e.EventName);

describe('LookupEvents', () => {
  // Mixed services, users, reads and writes, one per second.
  const calls: Call[] = [
    { name: 'CreateSecret', at: 0 },
    { name: 'GetSecretValue', at: 1 },
    { name: 'CreateKey', at: 2, source: 'kms', user: 'root' },
    { name: 'Encrypt', at: 3, source: 'kms' },
    { name: 'Decrypt', at: 4, source: 'kms', user: 'root' },
    { name: 'PutSecretValue', at: 5, resource: `${SECRET_ARN}2` },
  ];
  let log: AuditLogFixture;
  let records: AuditRecord[];
  let lookup: Lookup;

  before(async () => {
    ({ log, records } = await logOf(calls));
    lookup = lookupOn(log);
  });
  after(() => log.close());

  test('answers every event newest first, in the API shape', async () => {
    const { Events, NextToken } = await lookup({});
    assert.equal(NextToken, undefined);
    assert.deepEqual(names(Events), calls.map((c) => c.name).reverse());
    const decrypt = Events.find((e) => e.EventName === 'Decrypt')!;
    const record = records[4]!;
    assert.deepEqual(decrypt, {
      EventId: record.eventID,
      EventName: 'Decrypt',
      ReadOnly: 'true',
      AccessKeyId: 'AKIAROOT',
      EventTime: (T0 + 4000) / 1000,
      EventSource: 'kms.amazonaws.com',
      Username: 'root',
      Resources: [{ ResourceType: 'AWS::KMS::Key', ResourceName: KEY_ARN }],
      CloudTrailEvent: decrypt.CloudTrailEvent,
    });
    assert.deepEqual(JSON.parse(decrypt.CloudTrailEvent), record);
    assert.equal(Events.find((e) => e.EventName === 'Encrypt')!.ReadOnly, 'false');
  });

  test('filters on each lookup attribute', async () => {
    const cases: [string, string, string[]][] = [
      ['EventId', records[1]!.eventID, ['GetSecretValue']],
      ['EventName', 'Encrypt', ['Encrypt']],
      ['ReadOnly', 'true', ['Decrypt', 'GetSecretValue']],
      ['ReadOnly', 'false', ['PutSecretValue', 'Encrypt', 'CreateKey', 'CreateSecret']],
      ['Username', 'root', ['Decrypt', 'CreateKey']],
      ['Username', 'alice', ['PutSecretValue', 'Encrypt', 'GetSecretValue', 'CreateSecret']],
      ['ResourceType', 'AWS::KMS::Key', ['Decrypt', 'Encrypt', 'CreateKey']],
      ['ResourceName', `${SECRET_ARN}2`, ['PutSecretValue']],
      ['EventSource', 'secretsmanager.amazonaws.com', ['PutSecretValue', 'GetSecretValue', 'CreateSecret']],
      ['AccessKeyId', 'AKIAROOT', ['Decrypt', 'CreateKey']],
      ['EventName', 'NoSuchCall', []],
    ];
    for (const [key, value, expected] of cases) {
      const { Events } = await lookup({ LookupAttributes: [{ AttributeKey: key, AttributeValue: value }] });
      assert.deepEqual(names(Events), expected, `${key}=${value}`);
    }
  });

  test('StartTime and EndTime are inclusive epoch seconds; a start after the end is an InvalidTimeRangeException', async () => {
    const seconds = (at: number) => (T0 + at * 1000) / 1000;
    assert.deepEqual(names((await lookup({ StartTime: seconds(1), EndTime: seconds(3) })).Events), ['Encrypt', 'CreateKey', 'GetSecretValue']);
    assert.deepEqual(names((await lookup({ StartTime: seconds(4) })).Events), ['PutSecretValue', 'Decrypt']);
    assert.deepEqual(names((await lookup({ EndTime: seconds(0.5) })).Events), ['CreateSecret']);
    assert.deepEqual(names((await lookup({ StartTime: seconds(2), EndTime: seconds(2) })).Events), ['CreateKey']);
    const both = await lookup({ StartTime: seconds(0), EndTime: seconds(4), LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'alice' }] });
    assert.deepEqual(names(both.Events), ['Encrypt', 'GetSecretValue', 'CreateSecret']);
    await rejectsWith(lookup({ StartTime: seconds(3), EndTime: seconds(2) }), 'InvalidTimeRangeException');
  });

  test('MaxResults outside 1-50 is an InvalidMaxResultsException', async () => {
    for (const MaxResults of [0, -1, 51, 1000]) await rejectsWith(lookup({ MaxResults }), 'InvalidMaxResultsException');
    assert.equal((await lookup({ MaxResults: 50 })).Events.length, calls.length);
  });

  test('more than one lookup attribute is an InvalidLookupAttributesException', async () => {
    const two = [
      { AttributeKey: 'EventName', AttributeValue: 'Encrypt' },
      { AttributeKey: 'Username', AttributeValue: 'alice' },
    ];
    await rejectsWith(lookup({ LookupAttributes: two }), 'InvalidLookupAttributesException');
    await rejectsWith(lookup({ LookupAttributes: [{ AttributeKey: 'ReadOnly', AttributeValue: 'yes' }] }), 'InvalidLookupAttributesException');
    // What the model itself rules out stays with the front end.
    await rejectsWith(lookup({ LookupAttributes: [{ AttributeKey: 'SourceIp', AttributeValue: 'x' }] }), 'ValidationException');
    await rejectsWith(lookup({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: '' }] }), 'ValidationException');
    assert.equal((await lookup({ LookupAttributes: [] })).Events.length, calls.length);
  });

  test('EventCategory insight answers no events: Coffer records no Insights events', async () => {
    assert.deepEqual(await lookup({ EventCategory: 'insight' }), { Events: [] });
    await rejectsWith(lookup({ EventCategory: 'Management' }), 'ValidationException');
  });

  test('pages with NextToken hold every event once, in order', async () => {
    for (const MaxResults of [1, 2, 4, 5, 6]) {
      const { pages, events } = await allPages(lookup, { MaxResults });
      assert.deepEqual(names(events), calls.map((c) => c.name).reverse(), `MaxResults ${MaxResults}`);
      assert.equal(pages, Math.ceil(calls.length / MaxResults), `no empty last page for MaxResults ${MaxResults}`);
    }
    const filtered = await allPages(lookup, { MaxResults: 1, LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'root' }] });
    assert.deepEqual(names(filtered.events), ['Decrypt', 'CreateKey']);
  });

  test('a NextToken is opaque, and valid only with the parameters that produced it', async () => {
    const input = { MaxResults: 2, StartTime: T0 / 1000 };
    const { NextToken } = await lookup(input);
    assert.ok(NextToken);
    // The page size may change between pages.
    assert.deepEqual(names((await lookup({ ...input, MaxResults: 3, NextToken })).Events), ['Encrypt', 'CreateKey', 'GetSecretValue']);
    await rejectsWith(lookup({ MaxResults: 2, NextToken }), 'InvalidNextTokenException');
    await rejectsWith(lookup({ ...input, EndTime: T0 / 1000 + 10, NextToken }), 'InvalidNextTokenException');
    await rejectsWith(lookup({ ...input, LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'alice' }], NextToken }), 'InvalidNextTokenException');
    for (const bad of ['', 'garbage', `${NextToken}x`, Buffer.from('{"t":1,"s":1,"f":"x"}').toString('base64url'), NextToken.slice(0, -2)]) {
      await rejectsWith(lookup({ ...input, NextToken: bad }), 'InvalidNextTokenException');
    }
  });

  test('another region does not see these events', async () => {
    assert.deepEqual(await lookup({}, 'eu-west-1'), { Events: [] });
  });

  test('the service answers only LookupEvents; the rest is left to the dispatcher as unsupported', () => {
    const service = cloudTrailService({ audit: log.audit });
    assert.equal(service.targetPrefix, 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101');
    assert.equal(service.signingName, 'cloudtrail');
    assert.deepEqual(Object.keys(service.handlers), ['LookupEvents']);
    assert.ok(Object.hasOwn(service.operations, 'DescribeTrails'));
  });
});

describe('LookupEvents paging over an irregular log', () => {
  test('times that do not follow the chain order, and many events in one second, page without gaps or repeats', async () => {
    // Requests finish out of order: a later entry may carry an earlier time.
    const ats = [0, 2, 1, 1, 3, 1, 2, 0, 3, 3, 2, 1];
    const { log } = await logOf(ats.map((at, i) => ({ name: `Call${i}`, at })));
    try {
      const lookup = lookupOn(log);
      const expected = ats
        .map((at, i) => ({ at, i }))
        .sort((a, b) => b.at - a.at || b.i - a.i)
        .map(({ i }) => `Call${i}`);
      for (const MaxResults of [1, 2, 3, 5, 50]) {
        assert.deepEqual(names((await allPages(lookup, { MaxResults })).events), expected, `MaxResults ${MaxResults}`);
      }
      const window = await allPages(lookup, { MaxResults: 2, StartTime: (T0 + 1000) / 1000, EndTime: (T0 + 2000) / 1000 });
      assert.deepEqual(names(window.events), expected.filter((n) => [1, 2].includes(ats[Number(n.slice(4))]!)));
    } finally {
      log.close();
    }
  });

  test('a lookup past more than a scan budget of other regions\' events answers short pages that lead on to the rest', async () => {
    const calls: Call[] = [
      { name: 'Oldest', at: 0 },
      ...Array.from({ length: SCAN_BUDGET + 10 }, (_, i): Call => ({ name: 'Elsewhere', at: 1 + i / 1000, region: 'eu-west-1' })),
      { name: 'Newest', at: 2 },
    ];
    const { log } = await logOf(calls);
    try {
      const lookup = lookupOn(log);
      const first = await lookup({ MaxResults: 5 });
      assert.deepEqual(names(first.Events), ['Newest']);
      assert.ok(first.NextToken, 'the budget ran out before the log did');
      const { events, pages } = await allPages(lookup, { MaxResults: 5 });
      assert.deepEqual(names(events), ['Newest', 'Oldest']);
      assert.equal(pages, 2);
      assert.equal((await allPages(lookup, { MaxResults: 50 }, 'eu-west-1')).events.length, SCAN_BUDGET + 10);
    } finally {
      log.close();
    }
  });
});
