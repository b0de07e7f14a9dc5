import { SecretsErrors, ServiceError } from '../errors/service-error.js';
import type { SecretRecord, SecretListQuery, SortKey, Storage, VersionRecord } from '../storage/index.js';
import { sealedVersion, type SecretCipher } from './secret-cipher.js';
import { matchesFilters, filterPrefixHints, validateFilters, type SecretFilter } from './list-filters.js';
import { assertNotDeleted, findSecret, stagesOfSecret } from './secret-lookup.js';
import { parseSecretId } from './secret-arn.js';
import { startOfUtcDay } from '../shared/days.js';
import type { RequestScope } from '../shared/request-scope.js';
import type { SecretValueOutput } from './secret-types.js';
import { decodeToken, encodeToken } from './page-token.js';
import { primaryRegionOf, replicaViews, type ReplicaView } from './replica-views.js';
import { AWSCURRENT, stageMapOf, type StageMap } from './staging-labels.js';

export interface SecretWithStages {
  secret: SecretRecord;
  stages: StageMap;
  /** A primary's replicas (DescribeSecret's ReplicationStatus). */
  replication?: ReplicaView[];
}

export interface ListInput {
  Filters?: SecretFilter[];
  MaxResults?: number;
  NextToken?: string;
  SortOrder?: 'asc' | 'desc';
  SortBy?: SortKey;
  IncludePlannedDeletion?: boolean;
}

interface ListCursor {
  v: string | number | null;
  id: number;
}

const isListCursor = (value: unknown): value is ListCursor => {
  if (typeof value !== 'object' || value === null) return false;
  // The sort value is bound into SQL: anything but a scalar is a bad token, not a driver error.
  const { v, id } = value as ListCursor;
  return Number.isInteger(id) && (v === null || typeof v === 'string' || typeof v === 'number');
};

/** ListSecretVersionIds cursor: the CreatedDate and VersionId of the last version returned. */
interface VersionCursor {
  c: number;
  id: string;
}

const isVersionCursor = (value: unknown): value is VersionCursor =>
  typeof value === 'object' && value !== null && typeof (value as VersionCursor).c === 'number' && typeof (value as VersionCursor).id === 'string';

/** Newest first; the VersionId breaks ties so the order is total. */
const newestFirst = (a: { createdAt: number; versionId: string }, b: { createdAt: number; versionId: string }): number =>
  b.createdAt - a.createdAt || (a.versionId < b.versionId ? 1 : a.versionId > b.versionId ? -1 : 0);

/** Rows one ListSecrets call may examine for its filters. */
const SCAN_BUDGET = 1000;

const SORT_VALUE: Record<SortKey, (s: SecretRecord) => string | number | null> = {
  'created-date': (s) => s.createdAt,
  'last-changed-date': (s) => s.lastChangedAt,
  'last-accessed-date': (s) => s.lastAccessedAt ?? 0,
  name: (s) => s.name,
};

/** The read side of the secrets domain. */
export class SecretReader {
  constructor(
    private readonly storage: Storage,
    private readonly cipher: SecretCipher,
  ) {}

  async getValue(scope: RequestScope, input: { SecretId: string; VersionId?: string; VersionStage?: string }): Promise<SecretValueOutput> {
    const { secret, version } = await this.findValueVersion(scope, input);
    const sealed = sealedVersion(version);
    if (!sealed) throw missingValue(input.VersionId, input.VersionStage);
    const plaintext = await this.cipher.decrypt(secret.arn, sealed);
    const today = startOfUtcDay(scope.now);
    const readBefore = (day: number | undefined) => day !== undefined && day >= today;
    // AWS keeps the day of the last read for the secret and for each version; written once a day each.
    if (!readBefore(secret.lastAccessedAt) || !readBefore(version.lastAccessedAt)) {
      // In a unit of work: where worker processes share the database, only units retry a busy write lock.
      // Bookkeeping only: a database that cannot be written (a full disk) does not stop reads.
      await this.storage
        .transaction(async (tx) => {
          await tx.secrets.touchLastAccessed(secret.id, today);
          await tx.secrets.touchVersionAccessed(secret.id, version.versionId, today);
        })
        .catch((error: unknown) => {
          if (!this.storage.isWriteFailure(error)) throw error;
        });
    }
    const output: SecretValueOutput = {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: version.versionId,
      VersionStages: version.stages,
      CreatedDate: version.createdAt,
    };
    if (version.valueType === 'string') {
      output.SecretString = plaintext.toString('utf8');
      plaintext.fill(0);
    } else {
      output.SecretBinary = plaintext;
    }
    return output;
  }

  /** `beforeRead` may refuse a secret (authorization): its error is reported for that secret alone. */
  async batchGet(
    scope: RequestScope,
    input: { SecretIdList?: string[]; Filters?: SecretFilter[]; MaxResults?: number; NextToken?: string },
    beforeRead: (secretId: string) => Promise<void> = async () => undefined,
  ): Promise<{ values: SecretValueOutput[]; errors: { SecretId: string; ErrorCode: string; Message: string }[]; nextToken?: string }> {
    if ((input.SecretIdList === undefined) === (input.Filters === undefined)) {
      throw SecretsErrors.invalidParameter('Either SecretIdList or Filters must be provided, but not both.');
    }
    let ids: string[];
    let nextToken: string | undefined;
    if (input.SecretIdList) {
      if (input.MaxResults !== undefined) {
        throw SecretsErrors.invalidParameter('MaxResults can only be used together with Filters.');
      }
      ids = input.SecretIdList;
    } else {
      const page = await this.list(scope, { Filters: input.Filters, MaxResults: input.MaxResults ?? 20, NextToken: input.NextToken });
      ids = page.entries.map((e) => e.secret.arn);
      nextToken = page.nextToken;
    }
    const values: SecretValueOutput[] = [];
    const errors: { SecretId: string; ErrorCode: string; Message: string }[] = [];
    for (const id of ids) {
      try {
        await beforeRead(id);
        values.push(await this.getValue(scope, { SecretId: id }));
      } catch (error) {
        if (!(error instanceof ServiceError) || error.status >= 500) throw error;
        errors.push({ SecretId: id, ErrorCode: error.code, Message: error.message });
      }
    }
    return { values, errors, nextToken };
  }

  async describe(scope: RequestScope, secretId: string): Promise<SecretWithStages> {
    const secret = await findSecret(this.storage, scope, secretId);
    const stages = await stagesOfSecret(this.storage, secret.id);
    return { secret, stages, replication: await replicaViews(this.storage, secret) };
  }

  async list(scope: RequestScope, input: ListInput): Promise<{ entries: SecretWithStages[]; nextToken?: string }> {
    validateFilters(input.Filters);
    const filters = input.Filters ?? [];
    const limit = input.MaxResults ?? 100;
    const sortBy = input.SortBy ?? 'created-date';
    const cursor = decodeToken(input.NextToken, isListCursor);
    const query: SecretListQuery = {
      account: scope.account,
      region: scope.region,
      includePlannedDeletion: input.IncludePlannedDeletion === true,
      sortBy,
      descending: input.SortOrder === 'desc',
      after: cursor && { sortValue: cursor.v, id: cursor.id },
      limit: filters.length ? Math.max(limit * 4, 200) : limit + 1,
      namePrefix: filterPrefixHints(filters).namePrefix,
    };
    // Filters other than a name prefix are applied here. One call scans at most
    // SCAN_BUDGET rows, then answers with what it found and a NextToken (AWS too
    // may return a short or empty page with one), so that a filter matching
    // little never holds the server for long.
    const matched: SecretRecord[] = [];
    let scanned = 0;
    let more = false;
    scan: for (;;) {
      const rows = await this.storage.secrets.list(query);
      for (const secret of rows) {
        if (matched.length === limit || scanned === SCAN_BUDGET) {
          more = true;
          break scan;
        }
        scanned++;
        query.after = { sortValue: SORT_VALUE[sortBy](secret), id: secret.id };
        if (!filters.length || matchesFilters({ ...secret, primaryRegion: primaryRegionOf(secret) }, filters)) matched.push(secret);
      }
      if (rows.length < query.limit) break;
    }
    const stages = await this.storage.secrets.stagesOf(matched.map((s) => s.id));
    const entries = matched.map((secret) => ({ secret, stages: stageMapOf(stages.get(secret.id)) }));
    const last = query.after;
    return { entries, nextToken: more && last ? encodeToken({ v: last.sortValue, id: last.id }) : undefined };
  }

  async listVersions(
    scope: RequestScope,
    input: { SecretId: string; MaxResults?: number; NextToken?: string; IncludeDeprecated?: boolean },
  ): Promise<{ secret: SecretRecord; versions: VersionRecord[]; nextToken?: string }> {
    const secret = await findSecret(this.storage, scope, input.SecretId);
    const after = decodeToken(input.NextToken, isVersionCursor);
    const limit = input.MaxResults ?? 100;
    // A keyset cursor rather than an offset: a version written between pages shifts nothing.
    const rest = (await this.storage.secrets.versions(secret.id))
      .filter((v) => input.IncludeDeprecated || v.stages.length > 0)
      .filter((v) => !after || newestFirst({ createdAt: after.c, versionId: after.id }, v) < 0)
      .sort(newestFirst);
    const versions = rest.slice(0, limit);
    const last = versions[versions.length - 1];
    const nextToken = rest.length > limit && last ? encodeToken({ c: last.createdAt, id: last.versionId }) : undefined;
    return { secret, versions, nextToken };
  }

  /**
   * The secret a SecretId names, if any, deleted or not: what authorization reads
   * (ARN, tags, resource policy). Through the same cached read as GetSecretValue's.
   */
  async peek(scope: RequestScope, secretId: string): Promise<SecretRecord | undefined> {
    const key = parseSecretId(scope, secretId);
    return key && (await this.storage.secrets.findWithStagedVersion(key, AWSCURRENT))?.secret;
  }

  /** The secret and the version a read asks for; by stage (the common case) in one storage read. */
  private async findValueVersion(
    scope: RequestScope,
    input: { SecretId: string; VersionId?: string; VersionStage?: string },
  ): Promise<{ secret: SecretRecord; version: VersionRecord }> {
    if (input.VersionId !== undefined) {
      const secret = await findSecret(this.storage, scope, input.SecretId);
      assertNotDeleted(secret);
      const version = await this.storage.secrets.version(secret.id, input.VersionId);
      if (!version) throw missingValue(input.VersionId, undefined);
      if (input.VersionStage !== undefined && !version.stages.includes(input.VersionStage)) {
        throw SecretsErrors.invalidRequest('You provided a VersionStage that is not associated to the provided VersionId.');
      }
      return { secret, version };
    }
    const key = parseSecretId(scope, input.SecretId);
    const stage = input.VersionStage ?? AWSCURRENT;
    const found = key && (await this.storage.secrets.findWithStagedVersion(key, stage));
    if (!found) throw SecretsErrors.notFound();
    assertNotDeleted(found.secret);
    if (!found.version) throw missingValue(undefined, stage);
    return { secret: found.secret, version: found.version };
  }


}

function missingValue(versionId: string | undefined, stage: string | undefined): ServiceError {
  return versionId !== undefined
    ? SecretsErrors.notFound(`Secrets Manager can't find the specified secret value for VersionId: ${versionId}`)
    : SecretsErrors.notFound(`Secrets Manager can't find the specified secret value for staging label: ${stage ?? AWSCURRENT}`);
}
