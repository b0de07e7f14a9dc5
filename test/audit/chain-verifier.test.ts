import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { verifyChain, type VerifyResult } from '../../src/audit/chain-verifier.js';
import { appendEntries, GENESIS_HEAD, type Entry } from '../../src/audit/hash-chain.js';
import { digestHash, signDigest, type Digest } from '../../src/audit/digest.js';
import { buildChain, copy, parse, sampleRecord, serialize } from './chain-fixture.js';

// 52 entries, digests at 10, 20, 30, 40 and 50: the last two entries are not yet covered by a digest.
const { entries, digests, publicKey, privateKey } = buildChain(52);

function assertFirstBad(result: VerifyResult, sequence: number, reason: RegExp): void {
  assert.equal(result.ok, false, 'tampering went unnoticed');
  if (result.ok) return;
  assert.equal(result.firstBad.sequence, sequence, result.firstBad.reason);
  assert.match(result.firstBad.reason, reason);
}

/** Renumbers, relinks and rehashes every entry: what someone rewriting the whole log would do. */
function rechain(tampered: readonly Entry[]): Entry[] {
  return appendEntries(GENESIS_HEAD, tampered.map((entry) => entry.record));
}

test('the untouched chain verifies, streamed from its serialized lines', () => {
  function* read() {
    for (const line of serialize(entries)) yield JSON.parse(line) as Entry;
  }
  const result = verifyChain(read(), digests, publicKey);
  assert.deepEqual(result, { ok: true, count: 52, head: { sequence: 52, hash: entries[51].hash } });
  assert.deepEqual(verifyChain([], [], publicKey), { ok: true, count: 0, head: GENESIS_HEAD });
});

test('one changed byte inside a serialized record names that entry', () => {
  const lines = serialize(entries);
  const at = lines[24].indexOf('call-25');
  assert.ok(at > 0);
  lines[24] = `${lines[24].slice(0, at)}C${lines[24].slice(at + 1)}`;
  assertFirstBad(verifyChain(parse(lines), digests, publicKey), 25, /hash does not match the contents/);
});

test('a changed byte in each part of an entry is caught at that entry', () => {
  const flip = (hex: string) => (hex[0] === '0' ? '1' : '0') + hex.slice(1);
  const cases: [(entry: Entry) => void, RegExp][] = [
    [(entry) => (entry.hash = flip(entry.hash)), /hash does not match the contents/],
    [(entry) => (entry.previousHash = flip(entry.previousHash)), /previousHash does not match/],
    [(entry) => (entry.record.readOnly = false), /hash does not match the contents/],
    [(entry) => (entry.sequence = 1.5), /malformed entry/],
  ];
  for (const [change, reason] of cases) {
    const tampered = copy(entries);
    change(tampered[32]);
    assertFirstBad(verifyChain(tampered, digests, publicKey), 33, reason);
  }
});

test('a deleted entry names the missing sequence', () => {
  for (const missing of [1, 20, 37, 52]) {
    const tampered = copy(entries).filter((entry) => entry.sequence !== missing);
    const result = verifyChain(tampered, digests, publicKey);
    if (missing === 52) {
      // The newest entry is beyond every digest: only its absence from a later digest could show it.
      assert.equal(result.ok, true);
      continue;
    }
    assertFirstBad(result, missing, new RegExp(`expected sequence ${missing}, found ${missing + 1}`));
  }
});

test('a deleted entry with the rest of the log rechained is caught by the next digest', () => {
  const tampered = rechain(copy(entries).filter((entry) => entry.sequence !== 23));
  assert.equal(verifyChain(tampered, [], publicKey).ok, true, 'the links alone cannot see a full rewrite');
  assertFirstBad(verifyChain(tampered, digests, publicKey), 30, /digest of sequence 30 .*rewritten after sequence 20/);
});

test('an inserted forged entry with a correct hash is caught by the chain link', () => {
  const tampered = copy(entries);
  const [forged] = appendEntries(tampered[22], [sampleRecord(999)]);
  assert.equal(forged.sequence, 24);
  tampered.splice(23, 0, forged);
  assertFirstBad(verifyChain(tampered, digests, publicKey), 24, /sequence 24 appears again after 24/);
  // Forged at a sequence a digest covers, the digest is what notices first.
  const covered = copy(entries);
  covered.splice(19, 0, appendEntries(covered[18], [sampleRecord(999)])[0]);
  assertFirstBad(verifyChain(covered, digests, publicKey), 20, /differs from the digest of sequence 20/);
});

test('an inserted forged entry with the rest of the log rechained is caught by the next digest', () => {
  const tampered = copy(entries);
  tampered.splice(24, 0, { ...tampered[0], record: sampleRecord(999) });
  const rewritten = rechain(tampered);
  assert.equal(verifyChain(rewritten, [], publicKey).ok, true, 'the links alone cannot see a full rewrite');
  assertFirstBad(verifyChain(rewritten, digests, publicKey), 30, /digest of sequence 30 signed at 2025-05-21T00:00:30\.000Z/);
  // Inserted before the first digest: nothing earlier vouches for the log.
  const early = copy(entries);
  early.splice(3, 0, { ...early[0], record: sampleRecord(999) });
  assertFirstBad(verifyChain(rechain(early), digests, publicKey), 10, /rewritten since genesis/);
});

test('two swapped entries name the first position out of place', () => {
  const tampered = copy(entries);
  [tampered[9], tampered[10]] = [tampered[10], tampered[9]];
  assertFirstBad(verifyChain(tampered, digests, publicKey), 10, /expected sequence 10, found 11/);

  // Swapping the records but keeping the headers in place changes what each hash covers.
  const records = copy(entries);
  [records[40].record, records[44].record] = [records[44].record, records[40].record];
  assertFirstBad(verifyChain(records, digests, publicKey), 41, /hash does not match the contents/);
});

test('a log cut back behind the last signed digest names that digest', () => {
  for (const keep of [0, 45, 49]) {
    const result = verifyChain(copy(entries).slice(0, keep), digests, publicKey);
    assertFirstBad(result, keep + 1, /log ends at sequence \d+, before the digest of sequence 50 signed at 2025-05-21T00:00:50\.000Z/);
  }
  // Cut back only past entries no digest covers yet: indistinguishable from a log not yet written.
  assert.deepEqual(verifyChain(copy(entries).slice(0, 50), digests, publicKey), {
    ok: true,
    count: 50,
    head: { sequence: 50, hash: entries[49].hash },
  });
});

test('a forged digest is refused and named, whatever else it says', () => {
  const forgedHash = digests.map((digest) => (digest.sequence === 30 ? { ...digest, hash: entries[30].hash } : digest));
  assertFirstBad(verifyChain(entries, forgedHash, publicKey), 30, /digest of sequence 30 .* invalid signature/);

  const forgedTime = digests.map((digest) => (digest.sequence === 20 ? { ...digest, time: '2025-05-22T00:00:00.000Z' } : digest));
  assertFirstBad(verifyChain(entries, forgedTime, publicKey), 20, /invalid signature/);

  // A truncation covered by a digest the truncator signed with a key of their own.
  const intruder = generateKeyPairSync('ed25519');
  const truncated = copy(entries).slice(0, 40);
  const ownDigest = signDigest({ sequence: 40, hash: truncated[39].hash }, intruder.privateKey, { intervalSeconds: 60, previous: digests[2] });
  const result = verifyChain(truncated, [...digests.filter((d) => d.sequence <= 40), ownDigest], publicKey);
  assertFirstBad(result, 40, /digest of sequence 40 signed at .* invalid signature/);
});

test('a digest signed by the key holder over a different head is caught', () => {
  // A genuine signature over a head the log does not have: the log is not what was signed.
  const other = signDigest({ sequence: 15, hash: entries[20].hash }, privateKey, { intervalSeconds: 60, previous: digests[0] });
  assertFirstBad(verifyChain(entries, [...digests, other], publicKey), 15, /differs from the digest of sequence 15/);
});

test('a digest removed from between two others breaks the digest chain, naming both', () => {
  const result = verifyChain(entries, digests.filter((d) => d.sequence !== 30), publicKey);
  assertFirstBad(result, 40, /the digest of sequence 40 .* does not name the digest of sequence 20 .*: digests between sequence 20 and 40 were removed/);
});

test('the oldest digests removed: the first one left names a digest the log does not have', () => {
  assertFirstBad(verifyChain(entries, digests.slice(2), publicKey), 30, /names an earlier digest the log does not have: digests before it were removed/);
});

test('a digest kept elsewhere must be one of the log\'s and be reached by its entries', () => {
  const kept = digests[4]!;
  assert.equal(verifyChain(entries, digests, publicKey, { exported: [kept], exportedHashes: [digestHash(kept)] }).ok, true);
  // The log cut back and its digests with it: only the kept digest knows.
  const cut = copy(entries).slice(0, 35);
  assert.equal(verifyChain(cut, digests.slice(0, 3), publicKey).ok, true);
  assertFirstBad(verifyChain(cut, digests.slice(0, 3), publicKey, { exported: [kept] }), 50, /the exported digest of sequence 50 .* is not among the log's digests/);
  const byHash = verifyChain(cut, digests.slice(0, 3), publicKey, { exportedHashes: [digestHash(kept)] });
  assert.equal(byHash.ok, false);
  if (!byHash.ok) {
    assert.equal(byHash.firstBad.sequence, undefined);
    assert.match(byHash.firstBad.reason, /no digest of the log has the exported hash [0-9a-f]{64}: that digest was removed/);
  }
  const forged = { ...kept, hash: entries[10]!.hash };
  assertFirstBad(verifyChain(entries, digests, publicKey, { exported: [forged] }), 50, /the exported digest of sequence 50 .* invalid signature/);
});

test('entries left uncovered longer than two digest intervals are reported as missing digests', () => {
  // The last entry recorded two days after the last digest, whose signer promised one a minute.
  const records = entries.map((entry) => entry.record);
  records[51] = { ...records[51]!, eventTime: '2025-05-23T00:00:00Z' };
  const relinked = appendEntries(GENESIS_HEAD, records);
  const signed: Digest[] = [];
  for (const sequence of [10, 20, 30, 40, 50]) {
    signed.push(signDigest(relinked[sequence - 1]!, privateKey, { time: new Date(Date.UTC(2025, 4, 21, 0, 0, sequence)), previous: signed.at(-1), intervalSeconds: 60 }));
  }
  const result = verifyChain(relinked, signed, publicKey);
  assert.equal(result.ok, true);
  if (result.ok) {
    assert.match(
      result.missing?.[0] ?? '',
      /^entry 52 \(recorded up to 2025-05-23T00:00:00\.000Z\) covered by no digest, though a digest is signed every 60 s after the digest of sequence 50 .*: digests after it are missing/,
    );
  }
  // Covered later by a digest chained to the one before: no digest was removed, the signer was late (sealed, stopped).
  const lateDigest = signDigest(relinked[51]!, privateKey, { time: new Date('2025-05-23T00:10:00Z'), previous: signed.at(-1), intervalSeconds: 60 });
  const late = verifyChain(relinked, [...signed, lateDigest], publicKey);
  assert.equal(late.ok, true);
  if (late.ok) {
    assert.equal(late.missing, undefined);
    assert.match(late.late?.[0] ?? '', /^entry 52 .* waited for the digest of sequence 52 signed at 2025-05-23T00:10:00\.000Z, .*: the server was sealed or its signing stopped$/);
  }
  // Within the interval, entries not yet covered are simply not signed yet.
  assert.equal((verifyChain(entries, digests, publicKey) as { missing?: string[] }).missing, undefined);
});

test('a log whose earlier entries were archived starts at an entry a digest covers', () => {
  const archived = copy(entries).slice(29);
  const result = verifyChain(archived, digests.slice(2), publicKey);
  assert.equal(result.ok, true);
  if (result.ok) assert.deepEqual(result.start, { sequence: 30, hash: entries[29]!.hash });
  // ... but not anywhere else, nor after a digest it leaves out.
  assertFirstBad(verifyChain(copy(entries).slice(30), digests.slice(3), publicKey), 1, /expected sequence 1, found 31, and no signed digest covers it/);
  assertFirstBad(verifyChain(archived, digests, publicKey), 10, /the log starts at sequence 30, after the digest of sequence 10/);
});

test('a log upgraded from unchained digests: the first chained digest names the last unchained one', () => {
  const old = buildChain(52, { digestVersion: 1 });
  const firstChained = signDigest(old.entries[51]!, old.privateKey, { time: new Date(Date.UTC(2025, 4, 22)), previous: old.digests.at(-1), intervalSeconds: 60 });
  assert.equal(verifyChain(old.entries, [...old.digests, firstChained], old.publicKey).ok, true);
  // The unchained ones before it cannot be vouched for by the chain: one removed from among them goes unseen, as before.
  assert.equal(verifyChain(old.entries, [...old.digests.filter((d) => d.sequence !== 20), firstChained], old.publicKey).ok, true);
  // ... but the last one, which the chained digest names, can.
  assertFirstBad(verifyChain(old.entries, [...old.digests.slice(0, -1), firstChained], old.publicKey), 52, /does not name the digest of sequence 40/);
});
