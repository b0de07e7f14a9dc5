import type { AuditDigestRecord } from '../stored-records.js';

/** audit_entries' columns, named as AuditChainRecord's fields (quoted: PostgreSQL folds unquoted names to lower case). */
export const CHAIN_COLUMNS = 'sequence, record AS "recordJson", previous_hash AS "previousHash", hash';

export interface DigestRow {
  sequence: number;
  hash: string;
  time: string;
  signature: string;
  version: 1 | 2;
  previous_digest_hash: string | null;
  previous_digest_signature: string | null;
  interval_seconds: number | null;
}

/** The columns of audit_digests a digest is read from (with toDigest). */
export const DIGEST_COLUMNS = 'sequence, hash, time, signature, version, previous_digest_hash, previous_digest_signature, interval_seconds';

export function toDigest(row: DigestRow): AuditDigestRecord {
  const { sequence, hash, time, signature, version } = row;
  if (version === 1) return { sequence, hash, time, signature, version };
  return {
    sequence,
    hash,
    time,
    signature,
    version,
    previousDigestHash: row.previous_digest_hash,
    previousDigestSignature: row.previous_digest_signature,
    intervalSeconds: row.interval_seconds ?? 0,
  };
}

