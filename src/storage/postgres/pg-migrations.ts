import { pgAuditMigrations } from './pg-audit-migrations.js';

/** A numbered schema change of the PostgreSQL store; each runs once, in order. */
export interface PgMigration {
  version: number;
  sql: string;
}

/**
 * The schema, numbered. Version 1 is the shape the SQLite migrations arrive at (not a replay of
 * their steps). Text columns compare and sort by code point (COLLATE "C"), as SQLite's do,
 * whatever the database's own collation; times are epoch milliseconds (BIGINT). IAM names are
 * unique, found and ordered without regard to case through lower(name), as SQLite's NOCASE does.
 */
export const pgMigrations: PgMigration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE settings (name TEXT COLLATE "C" PRIMARY KEY, value TEXT NOT NULL);

      CREATE TABLE kms_keys (
        id TEXT COLLATE "C" PRIMARY KEY,
        account TEXT COLLATE "C" NOT NULL,
        region TEXT COLLATE "C" NOT NULL,
        arn TEXT COLLATE "C" NOT NULL UNIQUE,
        description TEXT NOT NULL,
        key_manager TEXT NOT NULL,
        state TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        deletion_date BIGINT,
        current_material INTEGER NOT NULL,
        policy TEXT NOT NULL,
        tags TEXT NOT NULL,
        rotation_period_days INTEGER,
        next_rotation_at BIGINT,
        on_demand_rotations INTEGER NOT NULL
      );
      CREATE INDEX kms_keys_by_deletion ON kms_keys (deletion_date) WHERE deletion_date IS NOT NULL;
      CREATE INDEX kms_keys_by_rotation ON kms_keys (next_rotation_at) WHERE next_rotation_at IS NOT NULL;
      CREATE INDEX kms_keys_by_scope ON kms_keys (account, region, id);

      CREATE TABLE kms_key_materials (
        key_id TEXT COLLATE "C" NOT NULL REFERENCES kms_keys(id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        wrapped BYTEA NOT NULL,
        created_at BIGINT NOT NULL,
        material_id TEXT NOT NULL,
        rotation_type TEXT,
        PRIMARY KEY (key_id, version)
      );

      CREATE TABLE kms_aliases (
        account TEXT COLLATE "C" NOT NULL,
        region TEXT COLLATE "C" NOT NULL,
        name TEXT COLLATE "C" NOT NULL,
        key_id TEXT COLLATE "C" NOT NULL REFERENCES kms_keys(id) ON DELETE CASCADE,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (account, region, name)
      );
      CREATE INDEX kms_aliases_by_key ON kms_aliases (key_id);

      CREATE TABLE access_keys (
        access_key_id TEXT COLLATE "C" PRIMARY KEY,
        encrypted_secret BYTEA NOT NULL,
        principal_arn TEXT COLLATE "C" NOT NULL,
        status TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        expires_at BIGINT,
        scope_secret_arn TEXT,
        session_token_hash TEXT,
        session_issuer_arn TEXT,
        session_policy TEXT
      );
      CREATE INDEX access_keys_by_expiry ON access_keys (expires_at) WHERE expires_at IS NOT NULL;
      CREATE INDEX access_keys_by_principal ON access_keys (principal_arn);

      CREATE TABLE secrets (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        account TEXT COLLATE "C" NOT NULL,
        region TEXT COLLATE "C" NOT NULL,
        name TEXT COLLATE "C" NOT NULL,
        arn TEXT COLLATE "C" NOT NULL UNIQUE,
        description TEXT,
        kms_key_arn TEXT,
        tags TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        last_changed_at BIGINT NOT NULL,
        last_accessed_at BIGINT,
        deleted_at BIGINT,
        deletion_date BIGINT,
        rotation_enabled BOOLEAN NOT NULL DEFAULT false,
        rotation_lambda_arn TEXT,
        rotation_rules TEXT,
        last_rotated_at BIGINT,
        next_rotation_at BIGINT,
        next_rotation_date BIGINT,
        resource_policy TEXT,
        UNIQUE (account, region, name)
      );
      CREATE INDEX secrets_by_created ON secrets (account, region, created_at, id);
      CREATE INDEX secrets_by_changed ON secrets (account, region, last_changed_at, id);
      CREATE INDEX secrets_by_accessed ON secrets (account, region, (COALESCE(last_accessed_at, 0)), id);
      CREATE INDEX secrets_by_deletion ON secrets (deletion_date) WHERE deletion_date IS NOT NULL;
      CREATE INDEX secrets_by_next_rotation ON secrets (next_rotation_at) WHERE next_rotation_at IS NOT NULL;

      CREATE TABLE secret_versions (
        secret_id BIGINT NOT NULL REFERENCES secrets(id) ON DELETE CASCADE,
        version_id TEXT COLLATE "C" NOT NULL,
        created_at BIGINT NOT NULL,
        value_type TEXT,
        ciphertext BYTEA,
        wrapped_data_key BYTEA,
        kms_key_arn TEXT,
        -- JSON list of earlier wrappings of the version's data key: [{"kmsKeyArn", "wrappedDataKey" (base64)}].
        previous_wrappings TEXT,
        PRIMARY KEY (secret_id, version_id)
      );

      CREATE TABLE version_stages (
        secret_id BIGINT NOT NULL,
        stage TEXT COLLATE "C" NOT NULL,
        version_id TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (secret_id, stage),
        FOREIGN KEY (secret_id, version_id) REFERENCES secret_versions(secret_id, version_id) ON DELETE CASCADE
      );
      CREATE INDEX version_stages_by_version ON version_stages (secret_id, version_id);

      CREATE TABLE rotation_functions (
        account TEXT COLLATE "C" NOT NULL,
        region TEXT COLLATE "C" NOT NULL,
        name TEXT COLLATE "C" NOT NULL,
        arn TEXT COLLATE "C" NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        url TEXT,
        command TEXT,
        timeout_seconds INTEGER NOT NULL,
        sealed_signing_key BYTEA,
        role_arn TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (account, region, name)
      );

      CREATE TABLE leases (name TEXT COLLATE "C" PRIMARY KEY, holder TEXT NOT NULL, expires_at BIGINT NOT NULL, token BIGINT NOT NULL DEFAULT 0);

      -- IAM users, groups and roles in one table: names are unique per account and kind, regardless of case.
      CREATE TABLE iam_entities (
        id TEXT COLLATE "C" PRIMARY KEY,
        account TEXT COLLATE "C" NOT NULL,
        kind TEXT COLLATE "C" NOT NULL,
        name TEXT COLLATE "C" NOT NULL,
        path TEXT COLLATE "C" NOT NULL,
        arn TEXT COLLATE "C" NOT NULL UNIQUE,
        created_at BIGINT NOT NULL,
        tags TEXT NOT NULL,
        trust_policy TEXT,
        description TEXT,
        max_session_duration INTEGER
      );
      CREATE UNIQUE INDEX iam_entities_by_name ON iam_entities (account, kind, lower(name));
      CREATE TABLE iam_group_members (
        group_id TEXT COLLATE "C" NOT NULL REFERENCES iam_entities(id) ON DELETE CASCADE,
        user_id TEXT COLLATE "C" NOT NULL REFERENCES iam_entities(id) ON DELETE CASCADE,
        PRIMARY KEY (group_id, user_id)
      );
      CREATE INDEX iam_group_members_by_user ON iam_group_members (user_id);
      CREATE TABLE iam_inline_policies (
        entity_id TEXT COLLATE "C" NOT NULL REFERENCES iam_entities(id) ON DELETE CASCADE,
        name TEXT COLLATE "C" NOT NULL,
        document TEXT NOT NULL
      );
      CREATE UNIQUE INDEX iam_inline_policies_by_name ON iam_inline_policies (entity_id, lower(name));
      CREATE TABLE iam_policies (
        id TEXT COLLATE "C" PRIMARY KEY,
        account TEXT COLLATE "C" NOT NULL,
        name TEXT COLLATE "C" NOT NULL,
        path TEXT COLLATE "C" NOT NULL,
        arn TEXT COLLATE "C" NOT NULL UNIQUE,
        description TEXT,
        document TEXT NOT NULL,
        default_version_id TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        tags TEXT NOT NULL
      );
      CREATE UNIQUE INDEX iam_policies_by_name ON iam_policies (account, lower(name));
      -- A policy is never removed while attached (DeleteConflict): no cascade from it.
      CREATE TABLE iam_attachments (
        entity_id TEXT COLLATE "C" NOT NULL REFERENCES iam_entities(id) ON DELETE CASCADE,
        policy_id TEXT COLLATE "C" NOT NULL REFERENCES iam_policies(id),
        PRIMARY KEY (entity_id, policy_id)
      );
      CREATE INDEX iam_attachments_by_policy ON iam_attachments (policy_id);
    `,
  },
  {
    version: 2,
    sql: `
      -- What units of work changed of cacheable data, by committing transaction, for every node's caches.
      CREATE TABLE changes (
        xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
        key TEXT COLLATE "C" NOT NULL,
        recorded_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
      );
      CREATE INDEX changes_by_xid ON changes (xid);
      CREATE INDEX changes_by_time ON changes (recorded_at);
    `,
  },
  ...pgAuditMigrations,
  {
    version: 4,
    // Replication, tag lists kept once emptied, and reads per version: SQLite's migration 11.
    sql: `
      ALTER TABLE secrets ADD COLUMN tagged BOOLEAN NOT NULL DEFAULT false;
      UPDATE secrets SET tagged = true WHERE tags <> '[]';
      ALTER TABLE secrets ADD COLUMN primary_region TEXT COLLATE "C";
      ALTER TABLE secrets ADD COLUMN replicas TEXT;
      ALTER TABLE secrets ADD COLUMN replicas_failed BOOLEAN NOT NULL DEFAULT false;
      CREATE INDEX secrets_with_failed_replicas ON secrets (id) WHERE replicas_failed;
      ALTER TABLE secret_versions ADD COLUMN last_accessed_at BIGINT;
    `,
  },
  {
    version: 5,
    sql: `
      -- Change records also say what happened to a secret (the change feed); id orders records of one transaction.
      ALTER TABLE changes ADD COLUMN id BIGINT GENERATED ALWAYS AS IDENTITY;
      ALTER TABLE changes ADD COLUMN event TEXT;
      CREATE INDEX changes_events_by_xid ON changes (xid, id) WHERE event IS NOT NULL;
    `,
  },
];
