// CloudTrail LookupEvents against a live server: Secrets Manager and KMS calls
// made with the SDK are looked up with the JavaScript SDK v3's CloudTrail client,
// `aws cloudtrail lookup-events` and raw signed calls under both target prefixes.
// A missing AWS CLI skips its tests locally and fails them under CI=true.
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateKeyCommand, DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { CloudTrailClient, LookupEventsCommand, paginateLookupEvents } from '@aws-sdk/client-cloudtrail';
import { clientConfig, startServer, type TestServer } from '../support/coffer-server.js';
import { describeRun, requireTool, run, serverEnv } from '../support/child-process.js';
import { rawClientFor, type RawClient } from '../support/raw-client.js';

/** What botocore (the AWS CLI), JavaScript v2 and Go v1 send; JavaScript v3 and Go v2 send `CloudTrail_20131101`. */
const TARGET = 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101';
const SHORT_TARGET = 'CloudTrail_20131101';

interface Event {
  EventId: string;
  EventName: string;
  ReadOnly: string;
  AccessKeyId?: string;
  EventTime: number | string;
  EventSource: string;
  Username?: string;
  Resources: { ResourceType?: string; ResourceName?: string }[];
  CloudTrailEvent: string;
}

let server: TestServer;
let raw: RawClient;
/** What the calls made: their resources and the seconds that bracket each service's calls. */
const made = { secretArn: '', keyArn: '', smStart: 0, kmsStart: 0, kmsEnd: 0 };

const SM_CALLS = ['CreateSecret', 'GetSecretValue', 'PutSecretValue'];
const KMS_CALLS = ['CreateKey', 'Encrypt', 'Decrypt'];

const seconds = (ms: number) => Math.floor(ms / 1000);
const iso = (s: number) => new Date(s * 1000).toISOString();
const names = (events: Event[]) => events.map((e) => e.EventName);
const attribute = (key: string, value: string) => JSON.stringify([{ AttributeKey: key, AttributeValue: value }]);

/** Secrets Manager calls, then (from the next whole second on) KMS calls, so that a time range can tell them apart. */
async function makeCalls(): Promise<void> {
  const sm = new SecretsManagerClient(clientConfig(server));
  const kms = new KMSClient(clientConfig(server));
  try {
    made.smStart = seconds(Date.now());
    const name = `trail-${randomUUID().slice(0, 8)}/db`;
    made.secretArn = (await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'v1' }))).ARN!;
    await sm.send(new GetSecretValueCommand({ SecretId: name }));
    await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'v2' }));
    made.kmsStart = seconds(Date.now()) + 1;
    await sleep(made.kmsStart * 1000 - Date.now() + 50);
    made.keyArn = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: made.keyArn, Plaintext: Buffer.from('hello') }));
    await kms.send(new DecryptCommand({ CiphertextBlob }));
    made.kmsEnd = seconds(Date.now());
  } finally {
    sm.destroy();
    kms.destroy();
  }
}

/** A signed LookupEvents call, as any client sends it. */
function rawLookup(body: Record<string, unknown>, target = TARGET) {
  return raw.call(`${target}.LookupEvents`, body, { sign: { service: 'cloudtrail' } });
}

const requireAwsCli = (t: TestContext) => requireTool(t, 'the AWS CLI (aws)', 'aws', ['--version']);

function awsLookup(args: string[]) {
  return run('aws', ['--endpoint-url', server.url, '--output', 'json', 'cloudtrail', 'lookup-events', ...args], serverEnv(server));
}

/** `aws cloudtrail lookup-events <args>`, which must succeed, parsed. */
async function cliLookup(args: string[]): Promise<{ Events: Event[]; NextToken?: string }> {
  const r = await awsLookup(args);
  assert.equal(r.code, 0, describeRun(`aws cloudtrail lookup-events ${args.join(' ')}`, r));
  return JSON.parse(r.stdout);
}

/** `aws cloudtrail lookup-events <args>`, which must fail with `code`. */
async function cliLookupFails(args: string[], code: string): Promise<void> {
  const r = await awsLookup(args);
  const what = describeRun(`aws cloudtrail lookup-events ${args.join(' ')}`, r);
  assert.ok(r.code === 254 || r.code === 255, what);
  assert.match(r.stderr, new RegExp(code), what);
}

describe('CloudTrail LookupEvents end to end', () => {
  before(async () => {
    server = await startServer();
    raw = rawClientFor(server);
    await makeCalls();
  });
  after(async () => {
    assert.equal(await server.stop(), 0, `server did not exit cleanly:\n${server.stderr()}`);
  });

  test('a raw signed call finds the calls just made, newest first, in the API shape', async () => {
    const r = await rawLookup({ LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: made.secretArn }] });
    assert.equal(r.status, 200, r.text);
    const events = r.json.Events as Event[];
    assert.deepEqual(names(events), [...SM_CALLS].reverse());
    for (const event of events) {
      assert.equal(event.EventSource, 'secretsmanager.amazonaws.com');
      assert.equal(event.Username, 'root');
      assert.equal(event.AccessKeyId, server.accessKeyId);
      assert.equal(typeof event.EventTime, 'number');
      assert.deepEqual(event.Resources, [{ ResourceType: 'AWS::SecretsManager::Secret', ResourceName: made.secretArn }]);
      const record = JSON.parse(event.CloudTrailEvent);
      assert.equal(record.eventID, event.EventId);
      assert.equal(record.eventName, event.EventName);
      assert.equal(record.awsRegion, server.region);
    }
    assert.deepEqual(events.map((e) => e.ReadOnly), ['false', 'true', 'false']);
    assert.equal(r.json.NextToken, undefined);
  });

  test('both X-Amz-Target prefixes reach LookupEvents, with the same answer', async () => {
    const body = { LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: made.secretArn }] };
    const [long, short] = [await rawLookup(body), await rawLookup(body, SHORT_TARGET)];
    assert.equal(short.status, 200, short.text);
    assert.deepEqual(short.json, long.json);
  });

  test('the JavaScript SDK v3 CloudTrail client looks events up, pages and gets the modelled errors', async () => {
    const cloudtrail = new CloudTrailClient(clientConfig(server));
    try {
      const byKey = { LookupAttributes: [{ AttributeKey: 'ResourceName' as const, AttributeValue: made.keyArn }] };
      const { Events } = await cloudtrail.send(new LookupEventsCommand(byKey));
      assert.deepEqual(Events!.map((e) => e.EventName), [...KMS_CALLS].reverse());
      for (const event of Events!) {
        assert.ok(event.EventTime instanceof Date, 'EventTime is parsed as a timestamp');
        assert.equal(event.EventSource, 'kms.amazonaws.com');
        assert.equal(JSON.parse(event.CloudTrailEvent!).eventID, event.EventId);
      }
      const paged: string[] = [];
      for await (const page of paginateLookupEvents({ client: cloudtrail, pageSize: 1 }, byKey)) paged.push(...page.Events!.map((e) => e.EventName!));
      assert.deepEqual(paged, [...KMS_CALLS].reverse());
      const error = await cloudtrail.send(new LookupEventsCommand({ MaxResults: 51 })).then(
        () => assert.fail('MaxResults 51 was accepted'),
        (e: Error) => e,
      );
      assert.equal(error.name, 'InvalidMaxResultsException', error.message);
    } finally {
      cloudtrail.destroy();
    }
  });

  test('raw calls get the documented errors, and the other CloudTrail operations answer as unsupported', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ MaxResults: 51 }, 'InvalidMaxResultsException'],
      [{ MaxResults: 0 }, 'InvalidMaxResultsException'],
      [{ StartTime: 2000, EndTime: 1000 }, 'InvalidTimeRangeException'],
      [{ NextToken: 'not-a-token' }, 'InvalidNextTokenException'],
      [
        {
          LookupAttributes: [
            { AttributeKey: 'EventName', AttributeValue: 'CreateKey' },
            { AttributeKey: 'Username', AttributeValue: 'root' },
          ],
        },
        'InvalidLookupAttributesException',
      ],
    ];
    for (const [body, code] of cases) {
      const r = await rawLookup(body);
      assert.equal(r.status, 400, r.text);
      assert.equal(r.json.__type, code, r.text);
    }
    const other = await raw.call(`${TARGET}.DescribeTrails`, {}, { sign: { service: 'cloudtrail' } });
    assert.equal(other.status, 400, other.text);
    assert.match(other.text, /does not support the DescribeTrails operation/);
  });

  test('aws cloudtrail lookup-events filters on each lookup attribute', async (t) => {
    if (!(await requireAwsCli(t))) return;
    const byName = await cliLookup(['--lookup-attributes', attribute('EventName', 'CreateSecret')]);
    assert.deepEqual(names(byName.Events), ['CreateSecret']);
    const eventId = byName.Events[0]!.EventId;

    const cases: [string, string, (events: Event[]) => void][] = [
      ['EventId', eventId, (events) => assert.deepEqual(events.map((e) => e.EventId), [eventId])],
      ['ResourceName', made.keyArn, (events) => assert.deepEqual(names(events), [...KMS_CALLS].reverse())],
      ['ResourceType', 'AWS::KMS::Key', (events) => assert.deepEqual(names(events), [...KMS_CALLS].reverse())],
      ['EventSource', 'secretsmanager.amazonaws.com', (events) => assert.deepEqual(names(events), [...SM_CALLS].reverse())],
      // Whether Encrypt and Decrypt count as reads is the audit log's call, not LookupEvents'.
      ['ReadOnly', 'false', (events) => {
        assert.deepEqual(names(events).filter((n) => n !== 'Encrypt' && n !== 'Decrypt'), ['CreateKey', 'PutSecretValue', 'CreateSecret']);
        assert.ok(events.every((e) => e.ReadOnly === 'false'));
      }],
      ['ReadOnly', 'true', (events) => {
        assert.ok(names(events).includes('GetSecretValue'));
        assert.ok(events.every((e) => e.ReadOnly === 'true'));
      }],
      // The server's administrator key is the account's root: so are all of these calls.
      ['Username', 'root', (events) => assert.ok([...SM_CALLS, ...KMS_CALLS].every((n) => names(events).includes(n)))],
      ['Username', 'nobody', (events) => assert.deepEqual(events, [])],
      ['AccessKeyId', server.accessKeyId, (events) => assert.ok([...SM_CALLS, ...KMS_CALLS].every((n) => names(events).includes(n)))],
    ];
    for (const [key, value, check] of cases) {
      check((await cliLookup(['--lookup-attributes', attribute(key, value)])).Events);
    }
    await cliLookupFails(
      ['--lookup-attributes', JSON.stringify([{ AttributeKey: 'EventName', AttributeValue: 'CreateKey' }, { AttributeKey: 'ReadOnly', AttributeValue: 'true' }])],
      'InvalidLookupAttributesException',
    );
  });

  test('aws cloudtrail lookup-events --start-time/--end-time select by time', async (t) => {
    if (!(await requireAwsCli(t))) return;
    const window = (from: number, to: number, source: string) =>
      cliLookup(['--start-time', iso(from), '--end-time', iso(to), '--lookup-attributes', attribute('EventSource', source)]);
    assert.deepEqual(names((await window(made.smStart, made.kmsStart - 1, 'secretsmanager.amazonaws.com')).Events), [...SM_CALLS].reverse());
    assert.deepEqual(names((await window(made.kmsStart, made.kmsEnd, 'secretsmanager.amazonaws.com')).Events), []);
    assert.deepEqual(names((await window(made.kmsStart, made.kmsEnd, 'kms.amazonaws.com')).Events), [...KMS_CALLS].reverse());
    assert.deepEqual(names((await window(made.smStart - 3600, made.smStart - 1, 'kms.amazonaws.com')).Events), []);
    await cliLookupFails(['--start-time', iso(made.kmsEnd), '--end-time', iso(made.smStart - 1)], 'InvalidTimeRangeException');
  });

  test('aws cloudtrail lookup-events pages: --max-items with --starting-token, --page-size, and --next-token', async (t) => {
    if (!(await requireAwsCli(t))) return;
    const byKey = ['--lookup-attributes', attribute('ResourceName', made.keyArn)];
    const expected = [...KMS_CALLS].reverse();

    const first = await cliLookup([...byKey, '--max-items', '2']);
    assert.deepEqual(names(first.Events), expected.slice(0, 2));
    assert.ok(first.NextToken, 'the CLI hands out a token for the rest');
    const rest = await cliLookup([...byKey, '--max-items', '2', '--starting-token', first.NextToken]);
    assert.deepEqual(names(rest.Events), expected.slice(2));
    assert.equal(rest.NextToken, undefined);

    // One event per request: the CLI follows the server's NextToken to the end.
    assert.deepEqual(names((await cliLookup([...byKey, '--page-size', '1'])).Events), expected);

    // The server's own token, passed back by hand (which turns the CLI's paging off).
    const page = await cliLookup([...byKey, '--max-results', '2', '--no-paginate']);
    assert.deepEqual(names(page.Events), expected.slice(0, 2));
    assert.ok(page.NextToken);
    const next = await cliLookup([...byKey, '--max-results', '2', '--next-token', page.NextToken]);
    assert.deepEqual(names(next.Events), expected.slice(2));
    assert.equal(next.NextToken, undefined);
    await cliLookupFails(['--lookup-attributes', attribute('ResourceName', made.secretArn), '--max-results', '2', '--next-token', page.NextToken], 'InvalidNextTokenException');
  });
});
