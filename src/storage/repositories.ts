import type { ChangeFeed } from './change-feed.js';
import type { SecretChange, SecretChangePage } from './secret-changes.js';
import type {
  AccessKeyRecord,
  AuditChainRecord,
  AuditDigestRecord,
  AuditEntryRecord,
  AuditLookupKey,
  AliasRecord,
  KeyMaterialRecord,
  KmsKeyRecord,
  NewSecret,
  RotationFunctionRecord,
  NewVersion,
  SecretRecord,
  VersionRecord,
} from './stored-records.js';
import type { IamEntityKind, IamEntityRecord, IamInlinePolicyRecord, IamManagedPolicyRecord, NewIamManagedPolicy } from './iam-records.js';

/**
 * One repository per aggregate. Every method returns a promise so that an
 * asynchronous driver (PostgreSQL) fits behind the same interface.
 */

export type SortKey = 'created-date' | 'last-accessed-date' | 'last-changed-date' | 'name';

export interface SecretListQuery {
  account: string;
  region: string;
  includePlannedDeletion: boolean;
  sortBy: SortKey;
  descending: boolean;
  /** Keyset cursor: the sort value and id of the last row of the previous page. */
  after?: { sortValue: string | number | null; id: number };
  limit: number;
  namePrefix?: string;
}

/** How a secret is named: by name within an account and region, or by its full ARN. */
export type SecretKey = { account: string; region: string; name: string } | { arn: string };

export interface SecretRepository {
  findById(id: number): Promise<SecretRecord | undefined>;
  findByName(account: string, region: string, name: string): Promise<SecretRecord | undefined>;
  findByArn(arn: string): Promise<SecretRecord | undefined>;
  /** A secret and the version that carries `stage`, in one read: the hot path of GetSecretValue. */
  findWithStagedVersion(key: SecretKey, stage: string): Promise<{ secret: SecretRecord; version?: VersionRecord } | undefined>;
  insert(secret: NewSecret): Promise<SecretRecord>;
  update(secret: SecretRecord): Promise<void>;
  /** Removes the secret with all its versions. */
  purge(id: number): Promise<void>;
  list(query: SecretListQuery): Promise<SecretRecord[]>;
  /** Secrets whose recovery window has ended. */
  dueForPurge(now: number, limit: number): Promise<SecretRecord[]>;
  /** Secrets whose scheduled rotation is due (by the index on next_rotation_at); never a replica, which its primary's rotation updates. */
  dueForRotation(now: number, limit: number): Promise<SecretRecord[]>;
  /** The earliest scheduled rotation (of a secret that is not a replica), for the scheduler's next wake-up. */
  nextRotationAt(): Promise<number | undefined>;
  /** Records a read; written only when the day changed, so the hot path rarely writes. Says whether it wrote. */
  touchLastAccessed(id: number, day: number): Promise<boolean>;
  /** Records a read of one version, as touchLastAccessed does for the secret. Says whether it wrote. */
  touchVersionAccessed(secretId: number, versionId: string, day: number): Promise<boolean>;
  /** Primary secrets with a replica whose replication failed, by id after `afterId`, up to the limit (retried in the background). */
  withFailedReplicas(afterId: number, limit: number): Promise<SecretRecord[]>;

  versions(secretId: number): Promise<VersionRecord[]>;
  /** Staging labels of many secrets at once, for list pages: secretId → versionId → labels. */
  stagesOf(secretIds: number[]): Promise<Map<number, Map<string, string[]>>>;
  version(secretId: number, versionId: string): Promise<VersionRecord | undefined>;
  versionByStage(secretId: number, stage: string): Promise<VersionRecord | undefined>;
  /**
   * Adds a version. Its stored createdAt is never before that of the secret's newest version
   * (it is raised to that), so CreatedDate order holds when the wall clock steps back.
   */
  insertVersion(version: NewVersion): Promise<void>;
  /** Stores a value in an existing (placeholder) version. */
  fillVersion(version: NewVersion): Promise<void>;
  /**
   * Removes the oldest unlabelled versions older than `olderThan` while the
   * secret has more than `keep` versions (AWS's retention rule).
   */
  pruneVersions(secretId: number, keep: number, olderThan: number): Promise<void>;
  /** Removes the given versions of a secret, with their labels (a replica follows its primary's pruning). */
  deleteVersions(secretId: number, versionIds: string[]): Promise<void>;
  /** Replaces every staging label of the secret: label → versionId. */
  setStages(secretId: number, stages: Map<string, string>): Promise<void>;
}

export interface KeyRepository {
  find(id: string): Promise<KmsKeyRecord | undefined>;
  insert(key: KmsKeyRecord, material: KeyMaterialRecord): Promise<void>;
  /** Stores every mutable field of the key. */
  update(key: KmsKeyRecord): Promise<void>;
  /** Keys of an account and region ordered by id, after the id `after`. */
  list(account: string, region: string, after: string | undefined, limit: number): Promise<KmsKeyRecord[]>;
  /** Removes the key with its material and aliases: what it encrypted is lost for good. */
  destroy(id: string): Promise<void>;
  /** Keys whose deletion date has passed. */
  dueForDeletion(now: number, limit: number): Promise<KmsKeyRecord[]>;
  /** Enabled keys whose automatic rotation is due. */
  dueForRotation(now: number, limit: number): Promise<KmsKeyRecord[]>;

  material(keyId: string, version: number): Promise<KeyMaterialRecord | undefined>;
  /** A key's materials, oldest first. */
  materials(keyId: string): Promise<KeyMaterialRecord[]>;
  addMaterial(material: KeyMaterialRecord): Promise<void>;
  /** Every key's materials in pages ordered by (keyId, version), after the given position. */
  allMaterials(after: { keyId: string; version: number } | undefined, limit: number): Promise<KeyMaterialRecord[]>;
  /** Replaces the root-key wrapping of one material (root key rotation). */
  rewrapMaterial(keyId: string, version: number, wrapped: Buffer): Promise<void>;

  findAlias(account: string, region: string, name: string): Promise<AliasRecord | undefined>;
  insertAlias(alias: AliasRecord): Promise<void>;
  updateAlias(alias: AliasRecord): Promise<void>;
  deleteAlias(account: string, region: string, name: string): Promise<void>;
  /** Aliases ordered by name after `after`, optionally only those of one key. */
  listAliases(account: string, region: string, query: { keyId?: string; after?: string; limit: number }): Promise<AliasRecord[]>;
}

export interface RotationFunctionRepository {
  find(account: string, region: string, name: string): Promise<RotationFunctionRecord | undefined>;
  findByArn(arn: string): Promise<RotationFunctionRecord | undefined>;
  list(account: string, region: string): Promise<RotationFunctionRecord[]>;
  insert(fn: RotationFunctionRecord): Promise<void>;
  update(fn: RotationFunctionRecord): Promise<void>;
  delete(account: string, region: string, name: string): Promise<void>;
  /** Every function of every account and region (root key rotation re-seals their signing keys). */
  all(): Promise<RotationFunctionRecord[]>;
}

/** A lease as it stands: who holds it, its fencing token, and how long it still runs by the database's clock (0 or less: it ran out). */
export interface LeaseState {
  holder: string;
  token: number;
  expiresInMs: number;
}

/**
 * A named lease: one holder at a time (one runner of background work per
 * deployment). Expiry is measured by the database's clock, not the caller's.
 * The fencing token grows by one at every change of holder and never goes back
 * (a released lease keeps its row), so a token names one tenure for good.
 */
export interface LeaseRepository {
  find(name: string): Promise<LeaseState | undefined>;
  /**
   * Takes or renews the lease for `holder`: renewed if `holder` holds it (same
   * token); taken (token + 1; 1 for a new lease) if it is free, expired, or held
   * by `gone`, a holder the caller knows is gone. Returns the token while
   * `holder` holds it, undefined otherwise.
   */
  acquire(name: string, holder: string, ttlMs: number, gone?: string): Promise<number | undefined>;
  /** Frees the lease if `holder` holds it; the token stays. */
  release(name: string, holder: string): Promise<void>;
  /**
   * Whether `token` is still the lease's: called inside the transaction of a
   * fenced write, it keeps the lease from changing hands until that transaction
   * ends (a row lock where the database needs one).
   */
  holds(name: string, token: number): Promise<boolean>;
}

export interface AuditLookupQuery {
  attribute?: { key: AuditLookupKey; value: string };
  /** Epoch ms, inclusive. */
  startTime?: number;
  endTime?: number;
  /** Keyset cursor: only entries with a smaller sequence (newest first). */
  beforeSequence?: number;
  limit: number;
}

/** A request recorded before it acts whose outcome is not yet recorded (audit_pending). */
export interface PendingAuditRequest {
  requestId: string;
  /** The chain entry of the request's record. */
  sequence: number;
  /** The process serving it. */
  owner: string;
}

/**
 * The audit hash chain, its signed digests and the requests awaiting their
 * outcome record (SQLite: audit.db, written by the audit thread; PostgreSQL:
 * the store's database, shared by every node). Writes happen inside the
 * chain's write transaction (see AuditLog), which serializes every writer.
 */
export interface AuditRepository {
  /** The last entry's sequence and hash, or undefined for an empty chain. */
  head(): Promise<{ sequence: number; hash: string } | undefined>;
  /** Appends entries to the chain, and their lookup keys for the index to take. */
  append(entries: AuditEntryRecord[]): Promise<void>;
  /** Entries in chain order after `afterSequence`. */
  entries(afterSequence: number, limit: number): Promise<AuditChainRecord[]>;
  /** Entries matching a lookup, newest first. */
  lookup(query: AuditLookupQuery): Promise<AuditChainRecord[]>;
  addDigest(digest: AuditDigestRecord): Promise<void>;
  digests(): Promise<AuditDigestRecord[]>;
  /** The newest signed digest. */
  lastDigest(): Promise<AuditDigestRecord | undefined>;
  /** Notes requests (each with the entry of its request record) served by `owner`, until settlePending. */
  addPending(requests: readonly { requestId: string; sequence: number }[], owner: string): Promise<void>;
  settlePending(requestIds: readonly string[]): Promise<void>;
  /** Pending requests of processes other than `owner` that no longer run (a stop interrupted them), oldest first. */
  interrupted(owner: string, limit: number): Promise<PendingAuditRequest[]>;
}

export interface AccessKeyRepository {
  find(accessKeyId: string): Promise<AccessKeyRecord | undefined>;
  insert(key: AccessKeyRecord): Promise<void>;
  count(): Promise<number>;
  all(): Promise<AccessKeyRecord[]>;
  /** Replaces the root-key encryption of a secret access key (root key rotation). */
  reseal(accessKeyId: string, encryptedSecret: Buffer): Promise<void>;
  /** Removes temporary keys that expired before `now`. */
  deleteExpired(now: number): Promise<number>;
  /** A principal's long-term keys (no temporary ones), oldest first. */
  listByPrincipal(principalArn: string): Promise<AccessKeyRecord[]>;
  setStatus(accessKeyId: string, status: AccessKeyRecord['status']): Promise<void>;
  delete(accessKeyId: string): Promise<void>;
}

/** A page of IAM entities or policies, ordered by name (without regard to case) after `after`. */
export interface IamListQuery {
  account: string;
  pathPrefix?: string;
  after?: string;
  limit: number;
}

/** IAM users, groups, roles, their inline policies, group membership and managed policies with their attachments. */
export interface IamRepository {
  findEntity(account: string, kind: IamEntityKind, name: string): Promise<IamEntityRecord | undefined>;
  findEntityByArn(arn: string): Promise<IamEntityRecord | undefined>;
  insertEntity(entity: IamEntityRecord): Promise<void>;
  /** Stores the mutable fields: tags, and a role's trust policy, description and session duration. */
  updateEntity(entity: IamEntityRecord): Promise<void>;
  deleteEntity(id: string): Promise<void>;
  listEntities(kind: IamEntityKind, query: IamListQuery): Promise<IamEntityRecord[]>;

  addMember(groupId: string, userId: string): Promise<void>;
  /** Says whether the user was a member. */
  removeMember(groupId: string, userId: string): Promise<boolean>;
  membersOf(groupId: string): Promise<IamEntityRecord[]>;
  groupsOf(userId: string): Promise<IamEntityRecord[]>;

  putInlinePolicy(entityId: string, policy: IamInlinePolicyRecord): Promise<void>;
  findInlinePolicy(entityId: string, name: string): Promise<IamInlinePolicyRecord | undefined>;
  /** By name. */
  listInlinePolicies(entityId: string): Promise<IamInlinePolicyRecord[]>;
  /** Says whether there was one. */
  deleteInlinePolicy(entityId: string, name: string): Promise<boolean>;

  findPolicy(arn: string): Promise<IamManagedPolicyRecord | undefined>;
  findPolicyByName(account: string, name: string): Promise<IamManagedPolicyRecord | undefined>;
  insertPolicy(policy: NewIamManagedPolicy): Promise<void>;
  deletePolicy(id: string): Promise<void>;
  listPolicies(query: IamListQuery & { onlyAttached: boolean }): Promise<IamManagedPolicyRecord[]>;
  attachPolicy(entityId: string, policyId: string): Promise<void>;
  /** Says whether it was attached. */
  detachPolicy(entityId: string, policyId: string): Promise<boolean>;
  /** The managed policies attached to an entity, by name. */
  attachedPolicies(entityId: string): Promise<IamManagedPolicyRecord[]>;
  /** The entities a policy is attached to, by kind and name. */
  policyAttachments(policyId: string): Promise<IamEntityRecord[]>;
}

/** Small key/value settings the server keeps (root key check value, salts). */
export interface SettingsRepository {
  get(name: string): Promise<string | undefined>;
  set(name: string, value: string): Promise<void>;
}

export interface Repositories {
  secrets: SecretRepository;
  keys: KeyRepository;
  accessKeys: AccessKeyRepository;
  settings: SettingsRepository;
  rotationFunctions: RotationFunctionRepository;
  leases: LeaseRepository;
  iam: IamRepository;
}

/** The repositories of a unit of work, and what it says it changed. */
export interface UnitOfWork extends Repositories {
  /** Notes what happened to a secret: recorded for the change feed with the unit, if it commits. */
  noteSecretChange(change: SecretChange): void;
}

export interface Storage extends Repositories {
  /**
   * Runs a unit of work in one transaction: all its writes commit together or
   * none do. The work receives repositories bound to the transaction.
   */
  transaction<T>(work: (tx: UnitOfWork) => Promise<T>): Promise<T>;
  /**
   * The secret changes committed after `cursor` (at most `limit`), in commit order, and the
   * cursor after them; without a cursor, none and the cursor of now. Throws ExpiredCursorError
   * when records after the cursor were pruned, InvalidCursorError for a cursor it did not make.
   */
  readSecretChanges(cursor: string | undefined, limit: number): Promise<SecretChangePage>;
  /**
   * Keeps `changes` current without requests (other processes' commits applied as they come)
   * until the returned function is called; absent where that happens anyway.
   */
  followChanges?(): () => void;
  /** Changes to cacheable stored data, for caches to drop what they name (see change-feed.ts). */
  readonly changes: ChangeFeed;
  /**
   * Resolves once every change committed before the call (by any process or node sharing the
   * database) has been applied to `changes`: a request that calls it first never reads from a
   * cache what another node's acknowledged write changed.
   */
  syncChanges(): Promise<void>;
  /** A durable write that changes nothing: resolves once the database takes writes again. */
  probeWrite(): Promise<void>;
  /** Resolves while a database that can go away (a server) is reachable; absent where it cannot (a file). */
  ping?(): Promise<void>;
  /** Whether an error says the database cannot be written (full disk, I/O error, read-only or missing file, unreachable server). */
  isWriteFailure(error: unknown): boolean;
  close(): Promise<void>;
}
