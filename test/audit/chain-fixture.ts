import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { buildRecord, type AuditPhase, type AuditRecord } from '../../src/audit/cloudtrail-record.js';
import type { AuditWriter } from '../../src/audit/audit-writer.js';
import { appendEntries, GENESIS_HEAD, headAfter, uint64, type ChainHead, type Entry } from '../../src/audit/hash-chain.js';
import { signDigest, type Digest } from '../../src/audit/digest.js';
import { toEntryRecord } from '../../src/audit/stored-entry.js';
import type { AuditRepository } from '../../src/storage/index.js';

export const ACCOUNT = '111122223333';

/** A plausible record for call number `n`, alternating the two services. */
export function sampleRecord(n: number): AuditRecord {
  const kms = n % 2 === 0;
  return buildRecord({
    eventSource: kms ? 'kms.amazonaws.com' : 'secretsmanager.amazonaws.com',
    eventName: kms ? 'Decrypt' : 'GetSecretValue',
    awsRegion: 'us-east-1',
    sourceIPAddress: '192.0.2.10',
    userAgent: `aws-sdk-js/3.0 call-${n}`,
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLE',
      arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
      accountId: ACCOUNT,
      accessKeyId: 'AKIAEXAMPLE',
      userName: 'alice',
    },
    requestParameters: kms
      ? { KeyId: 'alias/app', CiphertextBlob: 'AQID', EncryptionContext: { n: String(n) } }
      : { SecretId: `app/secret-${n}` },
    requestID: `req-${n}`,
    readOnly: true,
    time: new Date(Date.UTC(2025, 4, 20, 20, 45, n)),
  });
}

/** One of the two records of a request that changes something (its request record, or its outcome). */
export function phasedRecord(requestID: string, phase: AuditPhase): AuditRecord {
  return buildRecord({
    eventSource: 'secretsmanager.amazonaws.com',
    eventName: 'CreateSecret',
    awsRegion: 'us-east-1',
    sourceIPAddress: '127.0.0.1',
    userAgent: 'test',
    userIdentity: { type: 'Root', accountId: '000000000000' },
    requestParameters: { Name: requestID },
    requestID,
    readOnly: false,
    auditPhase: phase,
  });
}

/** Appends records as one batch, as AuditLog hands them over; the sequence of the last. */
export function appendRecords(writer: AuditWriter, ...records: AuditRecord[]): Promise<number> {
  return writer.append(records.map((r) => JSON.stringify(r)).join('\n'));
}

/** The interval the fixture's digests promise. */
export const DIGEST_INTERVAL_SECONDS = 60;

export interface Fixture {
  entries: Entry[];
  digests: Digest[];
  publicKey: KeyObject;
  privateKey: KeyObject;
}

/**
 * `count` records written in batches of `batch` (as group commit does), with
 * a digest signed whenever the head reaches a multiple of `digestEvery`, each naming the one before.
 */
export function buildChain(count: number, { batch = 7, digestEvery = 10, digestVersion = 2 } = {}): Fixture {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const entries: Entry[] = [];
  const digests: Digest[] = [];
  let head: ChainHead = GENESIS_HEAD;
  for (let start = 1; start <= count; start += batch) {
    const records = Array.from({ length: Math.min(batch, count - start + 1) }, (_, i) => sampleRecord(start + i));
    const written = appendEntries(head, records);
    entries.push(...written);
    head = headAfter(head, written);
    for (const entry of written) {
      if (entry.sequence % digestEvery === 0) {
        const time = new Date(Date.UTC(2025, 4, 21, 0, 0, entry.sequence));
        digests.push(
          digestVersion === 1 ? signV1Digest(entry, privateKey, time) : signDigest(entry, privateKey, { time, previous: digests.at(-1), intervalSeconds: DIGEST_INTERVAL_SECONDS }),
        );
      }
    }
  }
  return { entries, digests, publicKey, privateKey };
}

/** A digest as versions before chained digests signed it (see digest.ts): what older data directories hold. */
export function signV1Digest(head: ChainHead, privateKey: KeyObject, time: Date): Digest {
  const at = time.toISOString();
  const bytes = Buffer.concat([Buffer.from('coffer-audit-digest-v1\0'), uint64(head.sequence), Buffer.from(head.hash, 'hex'), Buffer.from(at)]);
  return { version: 1, sequence: head.sequence, hash: head.hash, time: at, signature: sign(null, bytes, privateKey).toString('base64') };
}

/** The entries as a log file holds them: one JSON line each. */
export const serialize = (entries: readonly Entry[]): string[] => entries.map((entry) => JSON.stringify(entry));

export const parse = (lines: readonly string[]): Entry[] => lines.map((line) => JSON.parse(line) as Entry);

/** A deep copy, so that each test tampers with its own. */
export const copy = (entries: readonly Entry[]): Entry[] => parse(serialize(entries));

/** Writes the fixture's entries and digests where a log keeps them. */
export async function storeChain(audit: Pick<AuditRepository, 'append' | 'addDigest'>, chain: Fixture): Promise<void> {
  await audit.append(chain.entries.map(toEntryRecord));
  for (const digest of chain.digests) await audit.addDigest(digest);
}
