import { AUDIT_SCHEMA_V1 } from './audit-database.js';
import { moveAuditLogOut } from './legacy-audit-move.js';
import type { Migration } from './sqlite-durable.js';

export type { Migration } from './sqlite-durable.js';

/** Replication, tag lists kept once emptied, and reads per version (the same change as PostgreSQL's migration 4). */
const SECRETS_V11 = `
  -- Whether a secret has a tag list (shown even empty); a secret with tags has had one.
  ALTER TABLE secrets ADD COLUMN tagged INTEGER NOT NULL DEFAULT 0;
  UPDATE secrets SET tagged = 1 WHERE tags <> '[]';
  -- A replica names its primary's region; a primary lists its replicas (JSON) and says whether one failed.
  ALTER TABLE secrets ADD COLUMN primary_region TEXT;
  ALTER TABLE secrets ADD COLUMN replicas TEXT;
  ALTER TABLE secrets ADD COLUMN replicas_failed INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX secrets_with_failed_replicas ON secrets (id) WHERE replicas_failed = 1;
  -- The day each version was last read.
  ALTER TABLE secret_versions ADD COLUMN last_accessed_at INTEGER;
`;

/** Numbered schema migrations; each runs once, in order, inside one transaction. */
export const migrations: Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);

      CREATE TABLE kms_keys (
        id TEXT PRIMARY KEY,
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        arn TEXT NOT NULL UNIQUE,
        description TEXT NOT NULL,
        key_manager TEXT NOT NULL,
        state TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        deletion_date INTEGER,
        current_material INTEGER NOT NULL
      );
      CREATE TABLE kms_key_materials (
        key_id TEXT NOT NULL REFERENCES kms_keys(id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        wrapped BLOB NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (key_id, version)
      );
      CREATE TABLE kms_aliases (
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        name TEXT NOT NULL,
        key_id TEXT NOT NULL REFERENCES kms_keys(id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (account, region, name)
      );

      CREATE TABLE access_keys (
        access_key_id TEXT PRIMARY KEY,
        encrypted_secret BLOB NOT NULL,
        principal_arn TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );

      CREATE TABLE secrets (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        name TEXT NOT NULL,
        arn TEXT NOT NULL UNIQUE,
        description TEXT,
        kms_key_arn TEXT,
        tags TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_changed_at INTEGER NOT NULL,
        last_accessed_at INTEGER,
        deleted_at INTEGER,
        deletion_date INTEGER,
        UNIQUE (account, region, name)
      );
      CREATE INDEX secrets_by_created ON secrets (account, region, created_at, id);
      CREATE INDEX secrets_by_changed ON secrets (account, region, last_changed_at, id);
      CREATE INDEX secrets_by_accessed ON secrets (account, region, last_accessed_at, id);
      CREATE INDEX secrets_by_deletion ON secrets (deletion_date) WHERE deletion_date IS NOT NULL;

      CREATE TABLE secret_versions (
        secret_id INTEGER NOT NULL REFERENCES secrets(id) ON DELETE CASCADE,
        version_id TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        value_type TEXT,
        ciphertext BLOB,
        wrapped_data_key BLOB,
        kms_key_arn TEXT,
        PRIMARY KEY (secret_id, version_id)
      );

      CREATE TABLE version_stages (
        secret_id INTEGER NOT NULL,
        stage TEXT NOT NULL,
        version_id TEXT NOT NULL,
        PRIMARY KEY (secret_id, stage),
        FOREIGN KEY (secret_id, version_id) REFERENCES secret_versions(secret_id, version_id) ON DELETE CASCADE
      ) WITHOUT ROWID;
      CREATE INDEX version_stages_by_version ON version_stages (secret_id, version_id);
    `,
  },
  {
    version: 2,
    sql: `
      ALTER TABLE kms_keys ADD COLUMN policy TEXT NOT NULL DEFAULT '';
      ALTER TABLE kms_keys ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
      ALTER TABLE kms_keys ADD COLUMN rotation_period_days INTEGER;
      ALTER TABLE kms_keys ADD COLUMN next_rotation_at INTEGER;
      ALTER TABLE kms_keys ADD COLUMN on_demand_rotations INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX kms_keys_by_deletion ON kms_keys (deletion_date) WHERE deletion_date IS NOT NULL;
      CREATE INDEX kms_keys_by_rotation ON kms_keys (next_rotation_at) WHERE next_rotation_at IS NOT NULL;
      CREATE INDEX kms_keys_by_scope ON kms_keys (account, region, id);

      -- Existing materials get a random id, as new ones do.
      ALTER TABLE kms_key_materials ADD COLUMN material_id TEXT NOT NULL DEFAULT '';
      UPDATE kms_key_materials SET material_id = lower(hex(randomblob(32)));
      ALTER TABLE kms_key_materials ADD COLUMN rotation_type TEXT;

      CREATE INDEX kms_aliases_by_key ON kms_aliases (key_id);

      -- JSON list of earlier wrappings of the version's data key: [{"kmsKeyArn", "wrappedDataKey" (base64)}].
      ALTER TABLE secret_versions ADD COLUMN previous_wrappings TEXT;
    `,
  },
  {
    version: 3,
    sql: `
      -- A secret's rotation: the configuration RotateSecret stores, and its schedule.
      ALTER TABLE secrets ADD COLUMN rotation_enabled INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE secrets ADD COLUMN rotation_lambda_arn TEXT;
      ALTER TABLE secrets ADD COLUMN rotation_rules TEXT;
      ALTER TABLE secrets ADD COLUMN last_rotated_at INTEGER;
      ALTER TABLE secrets ADD COLUMN next_rotation_at INTEGER;
      ALTER TABLE secrets ADD COLUMN next_rotation_date INTEGER;
      CREATE INDEX secrets_by_next_rotation ON secrets (next_rotation_at) WHERE next_rotation_at IS NOT NULL;

      CREATE TABLE rotation_functions (
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        name TEXT NOT NULL,
        arn TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        url TEXT,
        command TEXT,
        timeout_seconds INTEGER NOT NULL,
        sealed_signing_key BLOB,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (account, region, name)
      );

      CREATE TABLE leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at INTEGER NOT NULL);

      ALTER TABLE access_keys ADD COLUMN expires_at INTEGER;
      ALTER TABLE access_keys ADD COLUMN scope_secret_arn TEXT;
      CREATE INDEX access_keys_by_expiry ON access_keys (expires_at) WHERE expires_at IS NOT NULL;
    `,
  },
  {
    version: 4,
    sql: AUDIT_SCHEMA_V1,
  },
  {
    version: 5,
    sql: `
      -- IAM users, groups and roles in one table: names are unique per account and kind, regardless of case.
      CREATE TABLE iam_entities (
        id TEXT PRIMARY KEY,
        account TEXT NOT NULL,
        kind TEXT NOT NULL,
        name TEXT NOT NULL COLLATE NOCASE,
        path TEXT NOT NULL,
        arn TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL,
        tags TEXT NOT NULL,
        trust_policy TEXT,
        description TEXT,
        max_session_duration INTEGER,
        UNIQUE (account, kind, name)
      );
      CREATE TABLE iam_group_members (
        group_id TEXT NOT NULL REFERENCES iam_entities(id) ON DELETE CASCADE,
        user_id TEXT NOT NULL REFERENCES iam_entities(id) ON DELETE CASCADE,
        PRIMARY KEY (group_id, user_id)
      ) WITHOUT ROWID;
      CREATE INDEX iam_group_members_by_user ON iam_group_members (user_id);
      CREATE TABLE iam_inline_policies (
        entity_id TEXT NOT NULL REFERENCES iam_entities(id) ON DELETE CASCADE,
        name TEXT NOT NULL COLLATE NOCASE,
        document TEXT NOT NULL,
        PRIMARY KEY (entity_id, name)
      );
      CREATE TABLE iam_policies (
        id TEXT PRIMARY KEY,
        account TEXT NOT NULL,
        name TEXT NOT NULL COLLATE NOCASE,
        path TEXT NOT NULL,
        arn TEXT NOT NULL UNIQUE,
        description TEXT,
        document TEXT NOT NULL,
        default_version_id TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        tags TEXT NOT NULL,
        UNIQUE (account, name)
      );
      -- A policy is never removed while attached (DeleteConflict): no cascade from it.
      CREATE TABLE iam_attachments (
        entity_id TEXT NOT NULL REFERENCES iam_entities(id) ON DELETE CASCADE,
        policy_id TEXT NOT NULL REFERENCES iam_policies(id),
        PRIMARY KEY (entity_id, policy_id)
      ) WITHOUT ROWID;
      CREATE INDEX iam_attachments_by_policy ON iam_attachments (policy_id);

      -- IAM user keys are listed by their user; STS sessions need their token's digest and what they carry.
      CREATE INDEX access_keys_by_principal ON access_keys (principal_arn);
      ALTER TABLE access_keys ADD COLUMN session_token_hash TEXT;
      ALTER TABLE access_keys ADD COLUMN session_issuer_arn TEXT;
      ALTER TABLE access_keys ADD COLUMN session_policy TEXT;
    `,
  },
  {
    version: 6,
    sql: `
      -- A secret's resource policy (PutResourcePolicy), as the caller wrote it.
      ALTER TABLE secrets ADD COLUMN resource_policy TEXT;
    `,
  },
  {
    version: 7,
    // The audit log now has a file of its own (audit.db): its entries move there first.
    before: moveAuditLogOut,
    sql: `
      DROP TABLE IF EXISTS audit_entries;
      DROP TABLE IF EXISTS audit_digests;
    `,
  },
  {
    version: 8,
    sql: `
      -- One lease for all background work, with a fencing token that grows at every change of holder.
      DELETE FROM leases WHERE name = 'rotation-scheduler';
      ALTER TABLE leases ADD COLUMN token INTEGER NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 9,
    sql: `
      -- A rotation function's execution role: the IAM role whose session it acts with.
      ALTER TABLE rotation_functions ADD COLUMN role_arn TEXT;
      -- Rotations now act with sessions; keys limited to one secret by scope are no longer honoured.
      DELETE FROM access_keys WHERE scope_secret_arn IS NOT NULL;
    `,
  },
  {
    version: 10,
    sql: `
      -- What units of work changed of cacheable data, for the other processes sharing the file.
      CREATE TABLE changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL);
    `,
  },
  {
    version: 11,
    sql: SECRETS_V11,
  },
  {
    version: 12,
    sql: `
      -- Change records also say what happened to a secret (the change feed), and when: they are kept for a time.
      ALTER TABLE changes ADD COLUMN event TEXT;
      ALTER TABLE changes ADD COLUMN recorded_at INTEGER NOT NULL DEFAULT 0;
    `,
  },
];
