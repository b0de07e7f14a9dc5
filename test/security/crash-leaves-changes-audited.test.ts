// SIGKILL while 8 SDK clients create secrets, then a restart: every secret
// that exists has a durable record of the request that made it, recorded
// before it was made; every acknowledged one has its outcome; a request the
// kill interrupted gets an outcome "unknown" at the restart, which
// LookupEvents shows (and never a bare request record).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { CreateSecretCommand, ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { clientConfig, startServer, type TestServer } from '../support/coffer-server.js';
import { rawClientFor } from '../support/raw-client.js';

const WRITERS = 8;
const KILL_AFTER_ACKS = 200;
const LOOKUP_TARGET = 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents';

interface StoredRecord {
  eventName: string;
  eventID: string;
  requestID: string;
  errorCode?: string;
  requestParameters: { name?: string } | null;
  additionalEventData?: { auditPhase: 'request' | 'outcome' };
}

const servers: TestServer[] = [];
after(async () => {
  for (const server of servers) if (server.process.exitCode === null && server.process.signalCode === null) await server.stop();
  if (servers[0]) rmSync(dirname(servers[0].dataDir), { recursive: true, force: true });
});

/** The names of every secret the server holds. */
async function storedNames(client: SecretsManagerClient): Promise<Set<string>> {
  const names = new Set<string>();
  let NextToken: string | undefined;
  do {
    const page = await client.send(new ListSecretsCommand({ MaxResults: 100, NextToken }));
    for (const secret of page.SecretList ?? []) names.add(secret.Name!);
    NextToken = page.NextToken;
  } while (NextToken);
  return names;
}

function auditRecords(dataDir: string): { records: StoredRecord[]; pending?: number } {
  const db = new Database(join(dataDir, 'audit.db'), { readonly: true });
  try {
    const records = (db.prepare('SELECT record FROM audit_entries ORDER BY sequence').pluck().all() as string[]).map((r) => JSON.parse(r) as StoredRecord);
    // Read only where the table exists, so that a log without it fails on the records, which say more.
    const hasPending = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'audit_pending'").get() !== undefined;
    return { records, pending: hasPending ? (db.prepare('SELECT count(*) FROM audit_pending').pluck().get() as number) : undefined };
  } finally {
    db.close();
  }
}

test(`SIGKILL under ${WRITERS} concurrent writers: after a restart every secret has a durable request record, every acknowledged one its outcome`, async (t) => {
  const server = await startServer();
  servers.push(server);
  const acknowledged = new Set<string>();
  let killed = false;
  await Promise.all(
    Array.from({ length: WRITERS }, async (_, w) => {
      const client = new SecretsManagerClient(clientConfig(server));
      try {
        for (let i = 0; !killed; i++) {
          const name = `crash/w${w}-${i}`;
          await client.send(new CreateSecretCommand({ Name: name, SecretString: `value ${i}` }));
          acknowledged.add(name);
          if (acknowledged.size === KILL_AFTER_ACKS && !killed) {
            killed = true;
            // Synchronously, so that the other writers' requests are cut off mid-flight.
            server.process.kill('SIGKILL');
          }
        }
      } catch (error) {
        if (!killed) throw error;
      } finally {
        client.destroy();
      }
    }),
  );
  await server.kill();

  const restarted = await startServer({ dataDir: server.dataDir });
  servers.push(restarted);
  const client = new SecretsManagerClient(clientConfig(restarted));
  let stored: Set<string>;
  try {
    stored = await storedNames(client);
  } finally {
    client.destroy();
  }
  for (const name of acknowledged) assert.ok(stored.has(name), `acknowledged ${name} is stored`);

  assert.equal(await restarted.stop(), 0);

  const { records, pending } = auditRecords(restarted.dataDir);
  const creates = records.filter((r) => r.eventName === 'CreateSecret');
  const unknown = creates.filter((r) => r.errorCode === 'OutcomeUnknown');
  const unrecorded = [...stored].filter((name) => !creates.some((r) => r.requestParameters?.name === name));
  t.diagnostic(`${acknowledged.size} acknowledged, ${stored.size} stored, ${unknown.length} outcomes unknown after the kill, ${unrecorded.length} stored without a record`);
  assert.deepEqual(unrecorded, [], 'every stored secret has a durable record of its CreateSecret');
  for (const name of stored) {
    const request = creates.find((r) => r.requestParameters?.name === name && r.additionalEventData?.auditPhase === 'request');
    assert.ok(request, `${name} has a request record, made before the secret was`);
    const outcome = creates.find((r) => r.requestID === request.requestID && r.additionalEventData?.auditPhase === 'outcome');
    assert.ok(outcome, `${name}'s request has an outcome record, or one of outcome unknown after the restart`);
    if (acknowledged.has(name)) assert.equal(outcome.errorCode, undefined, `acknowledged ${name} has its successful outcome`);
  }
  assert.equal(pending, 0, 'no request is left pending after the restart');
  const warned = readFileSync(restarted.logFile, 'utf8').includes('recorded with outcome unknown');
  assert.equal(warned, unknown.length > 0, 'the restart says when it recorded outcomes as unknown');

  // LookupEvents shows an interrupted request by its outcome record, and never a request record.
  const reader = await startServer({ dataDir: server.dataDir });
  servers.push(reader);
  const raw = rawClientFor(reader);
  const lookup = async (eventId: string) =>
    (await raw.call(LOOKUP_TARGET, { LookupAttributes: [{ AttributeKey: 'EventId', AttributeValue: eventId }] }, { sign: { service: 'cloudtrail' } })).json as {
      Events: { CloudTrailEvent: string }[];
    };
  for (const outcome of unknown) {
    const found = await lookup(outcome.eventID);
    assert.equal(found.Events.length, 1, 'LookupEvents shows the outcome of an interrupted request');
    assert.equal((JSON.parse(found.Events[0]!.CloudTrailEvent) as StoredRecord).errorCode, 'OutcomeUnknown');
  }
  const someRequest = creates.find((r) => r.additionalEventData?.auditPhase === 'request')!;
  assert.deepEqual((await lookup(someRequest.eventID)).Events, [], 'LookupEvents shows no request record');
});
