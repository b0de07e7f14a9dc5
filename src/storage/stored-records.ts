/**
 * The plain records the storage layer persists for secrets and their versions, KMS keys, access
 * keys, rotation functions and the audit log (IAM's are in iam-records.ts). Times are epoch milliseconds.
 */

export interface Tag {
  Key: string;
  Value: string;
}

export interface SecretRecord {
  id: number;
  account: string;
  region: string;
  name: string;
  arn: string;
  description?: string;
  /** The KMS key ARN protecting the secret, or undefined for the account's default key. */
  kmsKeyArn?: string;
  tags: Tag[];
  /**
   * Whether the secret has a tag list, even an empty one: tags were given or changed at some
   * point (AWS then shows `Tags`, `[]` once every tag is removed, and none for a secret never tagged).
   */
  tagged?: boolean;
  createdAt: number;
  lastChangedAt: number;
  /** Midnight UTC of the day of the last read (AWS keeps day granularity). */
  lastAccessedAt?: number;
  /** When DeleteSecret was called; set while the secret is scheduled for deletion. */
  deletedAt?: number;
  /** When the sweeper may purge the secret. */
  deletionDate?: number;
  rotation?: SecretRotation;
  /** The resource policy PutResourcePolicy stored, verbatim. */
  resourcePolicy?: string;
  /** A replica: the region of its primary secret (same account, name and ARN suffix). */
  primaryRegion?: string;
  /** A primary: the regions it is replicated to, each with the state of its replica. */
  replicas?: ReplicaRecord[];
}

export type ReplicationStatus = 'InSync' | 'Failed' | 'InProgress';

/** One region a primary secret is replicated to. */
export interface ReplicaRecord {
  region: string;
  /** The key that protects the replica, as the request named it (in the replica's region); undefined: its default key. */
  kmsKeyId?: string;
  status: ReplicationStatus;
  statusMessage?: string;
}

/** A secret's rotation configuration and schedule, as RotateSecret leaves it. */
export interface SecretRotation {
  enabled: boolean;
  lambdaArn?: string;
  /** RotationRules as given: AutomaticallyAfterDays, ScheduleExpression, Duration. */
  rules?: { AutomaticallyAfterDays?: number; ScheduleExpression?: string; Duration?: string };
  lastRotatedAt?: number;
  /** When the scheduler starts the next rotation: a random moment inside the window. */
  nextRotationAt?: number;
  /** The window's end: DescribeSecret's NextRotationDate. */
  nextRotationDate?: number;
}

export type NewSecret = Omit<SecretRecord, 'id'>;

export type ValueType = 'string' | 'binary';

export interface VersionRecord {
  secretId: number;
  versionId: string;
  createdAt: number;
  /** Absent for a value-less placeholder version (rotation's AWSPENDING). */
  valueType?: ValueType;
  ciphertext?: Buffer;
  /** The version's data key, wrapped by the KMS key named in its header. */
  wrappedDataKey?: Buffer;
  /** ARN of the KMS key that wrapped the data key. */
  kmsKeyArn?: string;
  /** Midnight UTC of the day this version was last read (AWS tracks it per version, by day). */
  lastAccessedAt?: number;
  /**
   * The same data key wrapped by keys the secret used before (newest first):
   * changing a secret's key re-wraps its labelled versions and keeps them
   * readable through the old key too, as AWS does.
   */
  previousWrappings?: DataKeyWrapping[];
  stages: string[];
}

export interface DataKeyWrapping {
  kmsKeyArn?: string;
  wrappedDataKey: Buffer;
}

export type NewVersion = Omit<VersionRecord, 'stages' | 'lastAccessedAt'>;

export type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion';

export interface KmsKeyRecord {
  id: string;
  account: string;
  region: string;
  arn: string;
  description: string;
  keyManager: 'AWS' | 'CUSTOMER';
  state: KeyState;
  createdAt: number;
  deletionDate?: number;
  currentMaterial: number;
  /** The key policy document (JSON text). */
  policy: string;
  tags: Tag[];
  /** Automatic rotation period in days; undefined while automatic rotation is off. */
  rotationPeriodDays?: number;
  /** When automatic rotation next adds key material. */
  nextRotationAt?: number;
  onDemandRotations: number;
}

export interface KeyMaterialRecord {
  keyId: string;
  version: number;
  /** The key material wrapped by the root key. */
  wrapped: Buffer;
  createdAt: number;
  /** KMS's KeyMaterialId: 64 hex characters naming the material (not derived from it). */
  materialId: string;
  /** How the material came: undefined for the key's first material. */
  rotationType?: 'AUTOMATIC' | 'ON_DEMAND';
}

export interface AliasRecord {
  account: string;
  region: string;
  name: string;
  keyId: string;
  createdAt: number;
  updatedAt: number;
}

export interface AccessKeyRecord {
  accessKeyId: string;
  /** The secret access key, encrypted under the root key. */
  encryptedSecret: Buffer;
  principalArn: string;
  status: 'Active' | 'Inactive';
  createdAt: number;
  /** Temporary keys stop working at this time. */
  expiresAt?: number;
  /** A key limited to one secret (a rotation function's credentials). */
  scopeSecretArn?: string;
  /** STS session credentials: SHA-256 (hex) of the session token they must be used with. */
  sessionTokenHash?: string;
  /** STS role sessions: the role the session was issued for. */
  sessionIssuerArn?: string;
  /** The session policy of the credentials (JSON), if any. */
  sessionPolicy?: string;
}

export interface RotationFunctionRecord {
  account: string;
  region: string;
  name: string;
  arn: string;
  kind: string;
  url?: string;
  command?: string;
  timeoutSeconds: number;
  /** Webhook functions: the HMAC signing key, sealed under the root key. */
  sealedSigningKey?: Buffer;
  /** The IAM role whose session credentials the function acts with (its execution role). */
  roleArn?: string;
  createdAt: number;
  updatedAt: number;
}

/** One entry of the audit hash chain as stored: the record as canonical JSON, its hash and the one before. */
export interface AuditChainRecord {
  sequence: number;
  /** Canonical JSON of the CloudTrail record: exactly what the entry hash covers. */
  recordJson: string;
  previousHash: string;
  hash: string;
}

/** A chain entry with what lookups filter on (all of it taken from the record). */
export interface AuditEntryRecord extends AuditChainRecord {
  eventId: string;
  eventTime: number;
  eventName: string;
  eventSource: string;
  readOnly: boolean;
  username?: string;
  accessKeyId?: string;
  resourceName?: string;
  resourceType?: string;
}

/** A signed digest of the chain head (see src/audit/digest.ts). */
export interface AuditDigestRecord {
  sequence: number;
  hash: string;
  time: string;
  signature: string;
  /** 1: unchained (written by earlier versions); 2: names the previous digest. */
  version: 1 | 2;
  previousDigestHash?: string | null;
  previousDigestSignature?: string | null;
  intervalSeconds?: number;
}

export type AuditLookupKey = 'EventId' | 'EventName' | 'ReadOnly' | 'Username' | 'ResourceType' | 'ResourceName' | 'EventSource' | 'AccessKeyId';
