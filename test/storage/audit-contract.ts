/**
 * The audit store contract: what AuditWriter needs of where the chain is kept
 * (AuditChain and the AuditRepository it writes through), run on SQLite's
 * audit.db and on PostgreSQL. Several writers on one store stand for the
 * processes of one machine (SQLite) or the nodes of a cluster (PostgreSQL):
 * whatever they append at once is one chain.
 *
 * Usage, from a `*.test.ts` file:
 *   auditContract('SQLite audit.db', async () => ({ open: (owner) => ..., goneOwner: () => ..., close }));
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { fromEntryRecord } from '../../src/audit/stored-entry.js';
import { OUTCOME_UNKNOWN, type AuditRecord } from '../../src/audit/cloudtrail-record.js';
import type { AuditChain } from '../../src/audit/audit-chain.js';
import { AuditWriter } from '../../src/audit/audit-writer.js';
import { verifyChain } from '../../src/audit/chain-verifier.js';
import { signDigest } from '../../src/audit/digest.js';
import { appendRecords, phasedRecord, sampleRecord } from '../audit/chain-fixture.js';

export interface AuditStoreUnderTest {
  /** A chain on the store for the process `owner` names (as it runs: its pending requests are its own). */
  open(owner: string): Promise<AuditChain>;
  /** An owner name whose process is gone (its pending requests were interrupted). */
  goneOwner(): string;
  close(): Promise<void>;
}

const liveOwner = (name: string) => `${process.pid}:${name}`;

export function auditContract(name: string, openStore: () => Promise<AuditStoreUnderTest>, cleanup?: () => Promise<void>): void {
  describe(`audit store contract: ${name}`, () => {
    if (cleanup) after(cleanup);
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');

    async function withWriters<T>(
      owners: string[],
      work: (writers: AuditWriter[], store: AuditStoreUnderTest, chains: AuditChain[]) => Promise<T>,
    ): Promise<T> {
      const store = await openStore();
      const writers: AuditWriter[] = [];
      const chains: AuditChain[] = [];
      try {
        for (const owner of owners) {
          chains.push(await store.open(owner));
          writers.push(new AuditWriter(chains.at(-1)!, [], owner));
        }
        return await work(writers, store, chains);
      } finally {
        for (const writer of writers) await writer.close();
        await store.close();
      }
    }

    async function everyEntry(writer: AuditWriter) {
      return (await writer.entries(0, 100_000)).map(fromEntryRecord);
    }

    test('each batch is chained on the stored head; entries and the head read back what was written', () =>
      withWriters([liveOwner('a')], async ([writer]) => {
        assert.equal(await appendRecords(writer!, sampleRecord(1), sampleRecord(2), sampleRecord(3)), 3);
        assert.equal(await appendRecords(writer!, sampleRecord(4), sampleRecord(5)), 5);
        const entries = await everyEntry(writer!);
        assert.deepEqual(entries.map((e) => e.sequence), [1, 2, 3, 4, 5]);
        assert.deepEqual(entries.map((e) => e.record.requestID), ['req-1', 'req-2', 'req-3', 'req-4', 'req-5']);
        const result = verifyChain(entries, [], publicKey);
        assert.equal(result.ok, true);
        assert.deepEqual((await writer!.head()).head, { sequence: 5, hash: entries[4]!.hash });
        assert.deepEqual((await writer!.entries(3, 1)).map((e) => e.sequence), [4]);
      }));

    test('writers on one store appending at once (processes, or nodes of a cluster) make one unbroken chain', () =>
      withWriters([liveOwner('node-1'), liveOwner('node-2'), liveOwner('node-3')], async (writers) => {
        // Each writer has one batch in flight at a time, as AuditLog hands them over.
        await Promise.all(
          writers.map(async (writer, w) => {
            for (let b = 0; b < 15; b++) await appendRecords(writer, ...[0, 1, 2].map((r) => sampleRecord(w * 1000 + b * 10 + r)));
          }),
        );
        for (const writer of writers) {
          const entries = await everyEntry(writer);
          assert.equal(entries.length, 135);
          assert.deepEqual(verifyChain(entries, [], publicKey), { ok: true, count: 135, head: { sequence: 135, hash: entries.at(-1)!.hash } });
        }
      }));

    test('lookups answer newest first, by any attribute, within a time range, before a sequence and up to a limit', () =>
      withWriters([liveOwner('a'), liveOwner('b')], async ([a, b]) => {
        // Event times out of sequence order: two nodes' records arrive in either order.
        for (const n of [5, 1, 4]) await appendRecords(a!, sampleRecord(n));
        for (const n of [2, 6, 3]) await appendRecords(b!, sampleRecord(n));
        const ids = (entries: { recordJson: string }[]) => entries.map((e) => (JSON.parse(e.recordJson) as AuditRecord).requestID);
        for (const reader of [a!, b!]) {
          assert.deepEqual(ids(await reader.lookup({ limit: 10 })), ['req-6', 'req-5', 'req-4', 'req-3', 'req-2', 'req-1']);
          assert.deepEqual(ids(await reader.lookup({ limit: 2 })), ['req-6', 'req-5']);
        }
        const time = (n: number) => Date.UTC(2025, 4, 20, 20, 45, n);
        assert.deepEqual(ids(await a!.lookup({ startTime: time(2), endTime: time(4), limit: 10 })), ['req-4', 'req-3', 'req-2']);
        assert.deepEqual(ids(await a!.lookup({ attribute: { key: 'EventName', value: 'Decrypt' }, limit: 10 })), ['req-6', 'req-4', 'req-2']);
        assert.deepEqual(ids(await a!.lookup({ attribute: { key: 'ResourceName', value: 'app/secret-5' }, limit: 10 })), []);
        assert.deepEqual(ids(await a!.lookup({ attribute: { key: 'EventId', value: sampleRecord(3).eventID }, limit: 10 })), []);
        assert.deepEqual(ids(await a!.lookup({ attribute: { key: 'Username', value: 'alice' }, limit: 1 })), ['req-6']);
        assert.deepEqual(ids(await a!.lookup({ attribute: { key: 'ReadOnly', value: 'true' }, limit: 10 })).length, 6);
        assert.deepEqual(ids(await a!.lookup({ attribute: { key: 'ReadOnly', value: 'false' }, limit: 10 })), []);
        // Sequence 3 is req-4 (written third): before it, 1 and 2 (req-5, req-1).
        assert.deepEqual(ids(await a!.lookup({ beforeSequence: 3, limit: 10 })), ['req-5', 'req-1']);
        // Retention: nothing older than its start is answered.
        await a!.retain(time(4));
        assert.deepEqual(ids(await b!.lookup({ limit: 10 })), ['req-6', 'req-5', 'req-4']);
      }));

    test('digests are kept in order, the newest read back; one naming a digest that is no longer the newest is not stored', () =>
      withWriters([liveOwner('a'), liveOwner('b')], async ([a, b], _store, chains) => {
        await appendRecords(a!, sampleRecord(1), sampleRecord(2));
        const first = signDigest((await a!.head()).head!, privateKey, { intervalSeconds: 60 });
        await a!.addDigest(first);
        await appendRecords(b!, sampleRecord(3));
        const { head, lastDigest } = await b!.head();
        assert.deepEqual(lastDigest, first);
        const second = signDigest(head!, privateKey, { intervalSeconds: 60, previous: lastDigest! });
        // Another writer signed the same head meanwhile from an older view: its digest would fork the digest chain.
        const stale = signDigest(head!, privateKey, { intervalSeconds: 60 });
        await b!.addDigest(second);
        await a!.addDigest(stale);
        const entries = await everyEntry(a!);
        const digests = await chains[1]!.reads.digests();
        assert.deepEqual(digests, [first, second]);
        assert.equal(verifyChain(entries, digests, publicKey).ok, true);
      }));

    test('a request stays pending until its outcome; the requests of a process that is gone are settled once, as outcome unknown, and a running one keeps its own', () =>
      withWriters([], async (_none, store) => {
        const gone = store.goneOwner();
        const crashed = new AuditWriter(await store.open(gone), [], gone);
        await appendRecords(crashed, phasedRecord('done', 'request'), phasedRecord('done', 'outcome'), phasedRecord('cut-off', 'request'));
        await crashed.close();
        const live = new AuditWriter(await store.open(liveOwner('live')), [], liveOwner('live'));
        const starting = [liveOwner('start-1'), liveOwner('start-2')];
        const starters = await Promise.all(starting.map(async (owner) => new AuditWriter(await store.open(owner), [], owner)));
        try {
          await appendRecords(live, phasedRecord('in-flight', 'request'));
          // Two processes starting together: the gone one's request is settled once; the live one's is left to it.
          assert.deepEqual((await Promise.all(starters.map((s) => s.settleInterrupted()))).sort(), [0, 1]);
          const records = (await live.entries(0, 100)).map((e) => JSON.parse(e.recordJson) as AuditRecord);
          const settled = records.filter((r) => r.errorCode === OUTCOME_UNKNOWN);
          assert.deepEqual(settled.map((r) => r.requestID), ['cut-off']);
          await appendRecords(live, phasedRecord('in-flight', 'outcome'));
          assert.equal(await starters[0]!.settleInterrupted(), 0);
          assert.equal(verifyChain((await everyEntry(live)), [], publicKey).ok, true);
        } finally {
          for (const writer of [live, ...starters]) await writer.close();
        }
      }));
  });
}
