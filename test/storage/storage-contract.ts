/**
 * The storage contract: one suite every `Storage` implementation must pass (as Vault's
 * `sdk/physical/testing.go` is run against every physical backend). It talks to storage only
 * through the `Storage` interface — no SQL — so the SQLite and PostgreSQL implementations are
 * held to exactly the same behaviour.
 *
 * Usage, from a `*.test.ts` file:
 *   storageContract('SqliteStorage (:memory:)', async () => SqliteStorage.open(':memory:'));
 *
 * `open` must return a new, empty storage each time it is called (every test opens its own and
 * closes it); `cleanup` runs once after the whole suite.
 *
 * Points the contract pins down that an implementation could easily get wrong:
 * - names sort, and `namePrefix` matches, by code point (case-sensitive, `_` is not a wildcard);
 *   a PostgreSQL implementation needs `COLLATE "C"` for that;
 * - a never-accessed secret sorts by last-accessed date as 0 (oldest), and a keyset cursor on
 *   it may carry either 0 or null;
 * - staging labels on version records are sorted by code point;
 * - units of work are serializable: concurrent read-modify-write units lose no update (a
 *   PostgreSQL implementation needs SERIALIZABLE with retries, or equivalent locking).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import type {
  AccessKeyRecord,
  IamEntityKind,
  IamEntityRecord,
  KeyMaterialRecord,
  NewIamManagedPolicy,
  KmsKeyRecord,
  NewSecret,
  NewVersion,
  SecretRecord,
  SortKey,
  Storage,
  VersionRecord,
} from '../../src/storage/index.js';
import { changeLogContract } from './change-log-contract.js';

const ACCOUNT = '111122223333';
const OTHER_ACCOUNT = '444455556666';
const REGION = 'us-east-1';
const OTHER_REGION = 'eu-west-1';
const SORT_KEYS: SortKey[] = ['created-date', 'last-accessed-date', 'last-changed-date', 'name'];

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A record without its undefined members, so `{ a: undefined }` and `{}` compare equal. */
function defined<T extends object>(record: T | undefined): Partial<T> | undefined {
  if (record === undefined) return undefined;
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function secretArn(account: string, region: string, name: string): string {
  return `arn:aws:secretsmanager:${region}:${account}:secret:${name}-${randomBytes(3).toString('hex')}`;
}

function newSecret(overrides: Partial<NewSecret> & { name: string }): NewSecret {
  const account = overrides.account ?? ACCOUNT;
  const region = overrides.region ?? REGION;
  return {
    account,
    region,
    arn: secretArn(account, region, overrides.name),
    tags: [],
    createdAt: 1_700_000_000_000,
    lastChangedAt: 1_700_000_000_000,
    ...overrides,
  };
}

function stringVersion(secretId: number, versionId: string, createdAt: number): NewVersion {
  return {
    secretId,
    versionId,
    createdAt,
    valueType: 'string',
    ciphertext: randomBytes(48),
    wrappedDataKey: randomBytes(60),
    kmsKeyArn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/${randomUUID()}`,
  };
}

function placeholderVersion(secretId: number, versionId: string, createdAt: number): NewVersion {
  return { secretId, versionId, createdAt };
}

function stages(entries: Record<string, string>): Map<string, string> {
  return new Map(Object.entries(entries));
}

/** versionId → labels of one secret, read back through `versions`. */
async function labelsByVersion(storage: Storage, secretId: number): Promise<Record<string, string[]>> {
  const result: Record<string, string[]> = {};
  for (const version of await storage.secrets.versions(secretId)) result[version.versionId] = version.stages;
  return result;
}

function kmsKey(overrides: Partial<KmsKeyRecord> = {}): { key: KmsKeyRecord; material: KeyMaterialRecord } {
  const id = overrides.id ?? randomUUID();
  const account = overrides.account ?? ACCOUNT;
  const region = overrides.region ?? REGION;
  const key: KmsKeyRecord = {
    id,
    account,
    region,
    arn: `arn:aws:kms:${region}:${account}:key/${id}`,
    description: 'contract test key',
    keyManager: 'CUSTOMER',
    state: 'Enabled',
    createdAt: 1_700_000_000_000,
    currentMaterial: 1,
    policy: '{"Statement":[]}',
    tags: [],
    onDemandRotations: 0,
    ...overrides,
  };
  return { key, material: { keyId: id, version: 1, wrapped: randomBytes(60), createdAt: key.createdAt, materialId: randomBytes(32).toString('hex') } };
}

function accessKey(overrides: Partial<AccessKeyRecord> = {}): AccessKeyRecord {
  return {
    accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`,
    encryptedSecret: randomBytes(68),
    principalArn: `arn:aws:iam::${ACCOUNT}:user/contract`,
    status: 'Active',
    createdAt: 1_700_000_000_000,
    ...overrides,
  };
}

// --- list helpers --------------------------------------------------------------------------

function sortValue(secret: SecretRecord, sortBy: SortKey): string | number {
  switch (sortBy) {
    case 'created-date':
      return secret.createdAt;
    case 'last-changed-date':
      return secret.lastChangedAt;
    case 'last-accessed-date':
      return secret.lastAccessedAt ?? 0;
    case 'name':
      return secret.name;
  }
}

/** The order the contract demands: by sort value (code point order for names), then id; all reversed for desc. */
function expectedOrder(secrets: SecretRecord[], sortBy: SortKey, descending: boolean): string[] {
  const sorted = [...secrets].sort((a, b) => {
    const va = sortValue(a, sortBy);
    const vb = sortValue(b, sortBy);
    const byValue = va < vb ? -1 : va > vb ? 1 : 0;
    return byValue || a.id - b.id;
  });
  if (descending) sorted.reverse();
  return sorted.map((s) => s.name);
}

interface PageOptions {
  sortBy: SortKey;
  descending: boolean;
  pageSize: number;
  account?: string;
  region?: string;
  namePrefix?: string;
  includePlannedDeletion?: boolean;
  /** How the cursor of a never-accessed secret is written. */
  nullCursor?: boolean;
}

/** Reads every page with keyset pagination; fails on a page loop instead of hanging. */
async function readAllPages(storage: Storage, options: PageOptions): Promise<SecretRecord[]> {
  const all: SecretRecord[] = [];
  let after: { sortValue: string | number | null; id: number } | undefined;
  for (let page = 0; page < 1000; page++) {
    const rows = await storage.secrets.list({
      account: options.account ?? ACCOUNT,
      region: options.region ?? REGION,
      includePlannedDeletion: options.includePlannedDeletion ?? false,
      sortBy: options.sortBy,
      descending: options.descending,
      limit: options.pageSize,
      namePrefix: options.namePrefix,
      after,
    });
    assert.ok(rows.length <= options.pageSize, 'a page holds at most `limit` rows');
    all.push(...rows);
    if (rows.length < options.pageSize) return all;
    const last = rows[rows.length - 1]!;
    const value =
      options.sortBy === 'last-accessed-date' && last.lastAccessedAt === undefined && options.nullCursor
        ? null
        : sortValue(last, options.sortBy);
    after = { sortValue: value, id: last.id };
  }
  assert.fail('pagination did not end');
}

/**
 * Seven live secrets in ACCOUNT/REGION with ties on every time column and names whose code point
 * order differs from a locale's, plus noise that must never show up: a secret scheduled for
 * deletion and same-named secrets in another account and another region.
 */
async function seedListable(storage: Storage): Promise<{ live: SecretRecord[]; deleted: SecretRecord }> {
  const rows: [string, number, number, number | undefined][] = [
    // name, createdAt, lastChangedAt, lastAccessedAt
    ['beta', 1000, 9000, 86_400_000],
    ['Alpha', 3000, 7000, undefined],
    ['alpha/one', 2000, 7000, 172_800_000],
    ['alpha-two', 2000, 8000, 86_400_000],
    ['alpha_three', 5000, 6000, undefined],
    ['gamma', 4000, 9000, 259_200_000],
    ['Zulu', 1000, 6500, 172_800_000],
  ];
  const live: SecretRecord[] = [];
  for (const [name, createdAt, lastChangedAt, lastAccessedAt] of rows) {
    live.push(await storage.secrets.insert(newSecret({ name, createdAt, lastChangedAt, lastAccessedAt })));
  }
  const deleted = await storage.secrets.insert(
    newSecret({ name: 'deleted', createdAt: 2500, lastChangedAt: 2500, deletedAt: 3000, deletionDate: 3000 + 7 * 86_400_000 }),
  );
  for (const [account, region] of [
    [OTHER_ACCOUNT, REGION],
    [ACCOUNT, OTHER_REGION],
  ] as const) {
    for (const [name, createdAt] of rows) await storage.secrets.insert(newSecret({ account, region, name, createdAt }));
  }
  return { live, deleted };
}

// --- the suite -----------------------------------------------------------------------------

export function storageContract(name: string, open: () => Promise<Storage>, cleanup?: () => Promise<void>): void {
  describe(`storage contract: ${name}`, () => {
    if (cleanup) after(cleanup);

    /** A test on a fresh storage, closed afterwards whatever happens. */
    const it = (title: string, body: (storage: Storage) => Promise<void>, options: { todo?: string } = {}) =>
      test(title, options, async () => {
        const storage = await open();
        try {
          await body(storage);
        } finally {
          await storage.close();
        }
      });

    // --- secrets ---------------------------------------------------------------------------

    describe('secrets', () => {
      it('insert returns the record with an id; findByName and findByArn return it as stored', async (storage) => {
        const input = newSecret({
          name: 'prod/db',
          description: 'the database',
          kmsKeyArn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/${randomUUID()}`,
          tags: [
            { Key: 'team', Value: 'core' },
            { Key: 'env', Value: 'prod' },
          ],
          createdAt: 1_700_000_000_123,
          lastChangedAt: 1_700_000_000_456,
          lastAccessedAt: 1_699_920_000_000,
        });
        const inserted = await storage.secrets.insert(input);
        assert.equal(typeof inserted.id, 'number');
        assert.deepEqual(defined(inserted), defined({ ...input, id: inserted.id }));
        assert.deepEqual(defined(await storage.secrets.findByName(ACCOUNT, REGION, 'prod/db')), defined(inserted));
        assert.deepEqual(defined(await storage.secrets.findByArn(input.arn)), defined(inserted));
      });

      it('optional members that were not given read back as undefined', async (storage) => {
        const inserted = await storage.secrets.insert(newSecret({ name: 'bare' }));
        const found = await storage.secrets.findByName(ACCOUNT, REGION, 'bare');
        assert.ok(found);
        for (const member of ['description', 'kmsKeyArn', 'lastAccessedAt', 'deletedAt', 'deletionDate'] as const) {
          assert.equal(found[member], undefined, member);
        }
        assert.deepEqual(found.tags, []);
        assert.equal(found.id, inserted.id);
      });

      it('finds nothing for unknown names and ARNs', async (storage) => {
        const inserted = await storage.secrets.insert(newSecret({ name: 'known' }));
        assert.equal(await storage.secrets.findByName(ACCOUNT, REGION, 'unknown'), undefined);
        assert.equal(await storage.secrets.findByName(ACCOUNT, REGION, 'Known'), undefined, 'names are case-sensitive');
        assert.equal(await storage.secrets.findByName(ACCOUNT, REGION, 'know'), undefined, 'no prefix match');
        assert.equal(await storage.secrets.findByArn(inserted.arn + 'x'), undefined);
        assert.equal(await storage.secrets.findByArn(inserted.arn.slice(0, -7)), undefined, 'no partial ARN match');
      });

      it('ids are distinct', async (storage) => {
        const ids = new Set<number>();
        for (let i = 0; i < 5; i++) ids.add((await storage.secrets.insert(newSecret({ name: `s${i}` }))).id);
        assert.equal(ids.size, 5);
      });

      it('(account, region, name) is unique: inserting a duplicate rejects and changes nothing', async (storage) => {
        const first = await storage.secrets.insert(newSecret({ name: 'dup', description: 'first' }));
        await assert.rejects(storage.secrets.insert(newSecret({ name: 'dup', description: 'second' })));
        const found = await storage.secrets.findByName(ACCOUNT, REGION, 'dup');
        assert.equal(found?.id, first.id);
        assert.equal(found?.description, 'first');
      });

      it('an ARN is unique', async (storage) => {
        const first = await storage.secrets.insert(newSecret({ name: 'one' }));
        await assert.rejects(storage.secrets.insert(newSecret({ name: 'two', arn: first.arn })));
        assert.equal(await storage.secrets.findByName(ACCOUNT, REGION, 'two'), undefined);
      });

      it('the same name lives independently in other accounts and regions', async (storage) => {
        const here = await storage.secrets.insert(newSecret({ name: 'shared', description: 'here' }));
        const otherAccount = await storage.secrets.insert(newSecret({ name: 'shared', account: OTHER_ACCOUNT, description: 'acct' }));
        const otherRegion = await storage.secrets.insert(newSecret({ name: 'shared', region: OTHER_REGION, description: 'region' }));
        assert.equal(new Set([here.id, otherAccount.id, otherRegion.id]).size, 3);
        assert.equal((await storage.secrets.findByName(ACCOUNT, REGION, 'shared'))?.description, 'here');
        assert.equal((await storage.secrets.findByName(OTHER_ACCOUNT, REGION, 'shared'))?.description, 'acct');
        assert.equal((await storage.secrets.findByName(ACCOUNT, OTHER_REGION, 'shared'))?.description, 'region');
        assert.equal(await storage.secrets.findByName(OTHER_ACCOUNT, OTHER_REGION, 'shared'), undefined);
        assert.equal((await storage.secrets.findByArn(otherRegion.arn))?.id, otherRegion.id);
      });

      it('update writes every mutable member, and clears the ones set to undefined', async (storage) => {
        const secret = await storage.secrets.insert(
          newSecret({ name: 'mutable', description: 'old', kmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/old' }),
        );
        const neighbour = await storage.secrets.insert(newSecret({ name: 'neighbour', description: 'untouched' }));
        const changed: SecretRecord = {
          ...secret,
          description: 'new',
          kmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/new',
          tags: [{ Key: 'a', Value: '1' }],
          lastChangedAt: secret.lastChangedAt + 1000,
          lastAccessedAt: 1_700_006_400_000,
          deletedAt: secret.lastChangedAt + 2000,
          deletionDate: secret.lastChangedAt + 2000 + 30 * 86_400_000,
        };
        await storage.secrets.update(changed);
        assert.deepEqual(defined(await storage.secrets.findByName(ACCOUNT, REGION, 'mutable')), defined(changed));

        // RestoreSecret / UpdateSecret clear members again.
        const cleared: SecretRecord = { ...changed, description: undefined, kmsKeyArn: undefined, deletedAt: undefined, deletionDate: undefined };
        await storage.secrets.update(cleared);
        const found = await storage.secrets.findByArn(secret.arn);
        assert.deepEqual(defined(found), defined(cleared));
        assert.equal(found?.deletedAt, undefined);
        assert.equal(found?.deletionDate, undefined);
        assert.equal((await storage.secrets.findByName(ACCOUNT, REGION, 'neighbour'))?.description, neighbour.description);
      });

      it('purge removes the secret with its versions and staging labels, and nothing else', async (storage) => {
        const doomed = await storage.secrets.insert(newSecret({ name: 'doomed' }));
        const kept = await storage.secrets.insert(newSecret({ name: 'kept' }));
        for (const secret of [doomed, kept]) {
          await storage.secrets.insertVersion(stringVersion(secret.id, 'v1', 1000));
          await storage.secrets.insertVersion(stringVersion(secret.id, 'v2', 2000));
          await storage.secrets.setStages(secret.id, stages({ AWSCURRENT: 'v2', AWSPREVIOUS: 'v1' }));
        }
        await storage.secrets.purge(doomed.id);

        assert.equal(await storage.secrets.findByName(ACCOUNT, REGION, 'doomed'), undefined);
        assert.equal(await storage.secrets.findByArn(doomed.arn), undefined);
        assert.deepEqual(await storage.secrets.versions(doomed.id), []);
        assert.equal(await storage.secrets.version(doomed.id, 'v1'), undefined);
        assert.equal(await storage.secrets.versionByStage(doomed.id, 'AWSCURRENT'), undefined);
        assert.equal((await storage.secrets.stagesOf([doomed.id])).get(doomed.id)?.size ?? 0, 0);

        assert.ok(await storage.secrets.findByName(ACCOUNT, REGION, 'kept'));
        assert.deepEqual(await labelsByVersion(storage, kept.id), { v1: ['AWSPREVIOUS'], v2: ['AWSCURRENT'] });

        // The name is free again.
        const again = await storage.secrets.insert(newSecret({ name: 'doomed' }));
        assert.deepEqual(await storage.secrets.versions(again.id), []);
      });

      it('purging a secret that is already gone is a no-op', async (storage) => {
        const secret = await storage.secrets.insert(newSecret({ name: 'twice' }));
        await storage.secrets.purge(secret.id);
        await storage.secrets.purge(secret.id);
        assert.equal(await storage.secrets.findByArn(secret.arn), undefined);
      });

      it('touchLastAccessed only moves the date forward', async (storage) => {
        const day = 86_400_000;
        const secret = await storage.secrets.insert(newSecret({ name: 'read-me', lastChangedAt: 5 }));
        await storage.secrets.touchLastAccessed(secret.id, 10 * day);
        assert.equal((await storage.secrets.findByArn(secret.arn))?.lastAccessedAt, 10 * day);
        await storage.secrets.touchLastAccessed(secret.id, 9 * day);
        assert.equal((await storage.secrets.findByArn(secret.arn))?.lastAccessedAt, 10 * day, 'an older day does not move it back');
        await storage.secrets.touchLastAccessed(secret.id, 10 * day);
        assert.equal((await storage.secrets.findByArn(secret.arn))?.lastAccessedAt, 10 * day);
        await storage.secrets.touchLastAccessed(secret.id, 12 * day);
        const found = await storage.secrets.findByArn(secret.arn);
        assert.equal(found?.lastAccessedAt, 12 * day);
        assert.equal(found?.lastChangedAt, 5, 'a read is not a change');
      });

      it('findById returns the secret as stored, and nothing for an unknown id', async (storage) => {
        const secret = await storage.secrets.insert(newSecret({ name: 'by-id', description: 'found' }));
        await storage.secrets.insert(newSecret({ name: 'other' }));
        assert.deepEqual(defined(await storage.secrets.findById(secret.id)), defined(secret));
        assert.equal(await storage.secrets.findById(987_654_321), undefined);
      });

      it('tagged, primaryRegion and replicas round-trip through insert and update, and are cleared again', async (storage) => {
        const replicas: SecretRecord['replicas'] = [
          { region: 'eu-west-1', status: 'InSync', statusMessage: 'Replication succeeded' },
          { region: 'ap-south-1', kmsKeyId: 'alias/app', status: 'Failed', statusMessage: 'the key is disabled' },
        ];
        const primary = await storage.secrets.insert(newSecret({ name: 'primary', tagged: true, replicas }));
        const replica = await storage.secrets.insert(newSecret({ name: 'primary', region: OTHER_REGION, primaryRegion: REGION }));
        assert.deepEqual(defined(await storage.secrets.findByArn(primary.arn)), defined(primary));
        assert.deepEqual(defined(await storage.secrets.findByArn(replica.arn)), defined(replica));
        assert.deepEqual((await storage.secrets.findById(primary.id))?.tags, [], 'an empty tag list is kept as one');

        const changed: SecretRecord = { ...primary, tagged: undefined, replicas: [{ region: 'eu-west-1', status: 'InProgress' }] };
        await storage.secrets.update(changed);
        assert.deepEqual(defined(await storage.secrets.findById(primary.id)), defined(changed));
        await storage.secrets.update({ ...changed, replicas: [] });
        assert.equal((await storage.secrets.findById(primary.id))?.replicas, undefined, 'an empty replica list reads back as none');
        await storage.secrets.update({ ...replica, primaryRegion: undefined });
        assert.equal((await storage.secrets.findById(replica.id))?.primaryRegion, undefined, 'a promoted replica names no primary');
      });

      it('withFailedReplicas returns the secrets with a failed replica, by id after an id, up to the limit', async (storage) => {
        const failed = (region: string) => [{ region, status: 'Failed' as const, statusMessage: 'no' }];
        const a = await storage.secrets.insert(newSecret({ name: 'a', replicas: failed('eu-west-1') }));
        await storage.secrets.insert(newSecret({ name: 'synced', replicas: [{ region: 'eu-west-1', status: 'InSync' }] }));
        const b = await storage.secrets.insert(newSecret({ name: 'b', account: OTHER_ACCOUNT, replicas: [{ region: 'eu-west-1', status: 'InSync' }, ...failed('ap-south-1')] }));
        await storage.secrets.insert(newSecret({ name: 'plain' }));
        const ids = async (limit: number, after = 0) => (await storage.secrets.withFailedReplicas(after, limit)).map((s) => s.id);
        assert.deepEqual(await ids(10), [a.id, b.id]);
        assert.deepEqual(await ids(1), [a.id]);
        assert.deepEqual(await ids(10, a.id), [b.id], 'after an id');
        await storage.secrets.update({ ...a, replicas: [{ region: 'eu-west-1', status: 'InSync' }] });
        assert.deepEqual(await ids(10), [b.id], 'a replica back in sync is no longer retried');
      });

      it('dueForRotation and nextRotationAt follow next_rotation_at, soonest first, and pass replicas by', async (storage) => {
        const scheduled = (name: string, at: number, primaryRegion?: string) =>
          storage.secrets.insert(newSecret({ name, primaryRegion, region: primaryRegion ? OTHER_REGION : REGION, rotation: { enabled: true, nextRotationAt: at, nextRotationDate: at + 1000 } }));
        await scheduled('later', 300);
        await scheduled('sooner', 200);
        await scheduled('replica', 100, REGION);
        await storage.secrets.insert(newSecret({ name: 'unscheduled' }));
        assert.deepEqual((await storage.secrets.dueForRotation(1000, 10)).map((s) => s.name), ['sooner', 'later']);
        assert.deepEqual((await storage.secrets.dueForRotation(250, 10)).map((s) => s.name), ['sooner']);
        assert.equal(await storage.secrets.nextRotationAt(), 200);
      });

      it('touchLastAccessed touches only its own secret', async (storage) => {
        const a = await storage.secrets.insert(newSecret({ name: 'a' }));
        const b = await storage.secrets.insert(newSecret({ name: 'b' }));
        await storage.secrets.touchLastAccessed(a.id, 86_400_000);
        assert.equal((await storage.secrets.findByArn(b.arn))?.lastAccessedAt, undefined);
      });

      it('dueForPurge returns secrets whose deletion date has come, soonest first, across accounts, up to the limit', async (storage) => {
        const scheduled = async (name: string, deletionDate: number, account = ACCOUNT) =>
          storage.secrets.insert(newSecret({ name, account, deletedAt: deletionDate - 7 * 86_400_000, deletionDate }));
        await scheduled('d300', 300);
        await scheduled('d100', 100);
        await scheduled('later', 500);
        await scheduled('d200', 200);
        await scheduled('other-account-d150', 150, OTHER_ACCOUNT);
        await scheduled('d400', 400);
        await storage.secrets.insert(newSecret({ name: 'alive' }));

        const names = async (now: number, limit: number) => (await storage.secrets.dueForPurge(now, limit)).map((s) => s.name);
        assert.deepEqual(await names(400, 10), ['d100', 'other-account-d150', 'd200', 'd300', 'd400']);
        assert.deepEqual(await names(400, 2), ['d100', 'other-account-d150']);
        assert.deepEqual(await names(99, 10), []);
        assert.deepEqual(await names(100, 10), ['d100'], 'a deletion date equal to now is due');
        const due = await storage.secrets.dueForPurge(1000, 10);
        assert.equal(due.length, 6);
        assert.ok(due.every((s) => s.deletionDate !== undefined && s.id > 0 && s.arn.length > 0));
      });
    });

    // --- listing ---------------------------------------------------------------------------

    describe('list', () => {
      for (const sortBy of SORT_KEYS) {
        for (const descending of [false, true]) {
          const order = descending ? 'desc' : 'asc';
          it(`sorts by ${sortBy} ${order}, ties broken by id in the same direction`, async (storage) => {
            const { live } = await seedListable(storage);
            const rows = await storage.secrets.list({
              account: ACCOUNT,
              region: REGION,
              includePlannedDeletion: false,
              sortBy,
              descending,
              limit: 100,
            });
            assert.deepEqual(
              rows.map((s) => s.name),
              expectedOrder(live, sortBy, descending),
            );
          });

          it(`keyset pagination by ${sortBy} ${order} returns every row exactly once`, async (storage) => {
            const { live } = await seedListable(storage);
            const expected = expectedOrder(live, sortBy, descending);
            for (const pageSize of [1, 2, 3, 7, 8]) {
              const rows = await readAllPages(storage, { sortBy, descending, pageSize });
              assert.deepEqual(
                rows.map((s) => s.name),
                expected,
                `page size ${pageSize}`,
              );
              assert.equal(new Set(rows.map((s) => s.id)).size, rows.length, 'no row twice');
            }
          });
        }
      }

      it('a last-accessed cursor of a never-accessed secret may be null instead of 0', async (storage) => {
        const { live } = await seedListable(storage);
        for (const descending of [false, true]) {
          const rows = await readAllPages(storage, { sortBy: 'last-accessed-date', descending, pageSize: 1, nullCursor: true });
          assert.deepEqual(
            rows.map((s) => s.name),
            expectedOrder(live, 'last-accessed-date', descending),
          );
        }
      });

      it('the limit caps a page', async (storage) => {
        await seedListable(storage);
        const rows = await storage.secrets.list({
          account: ACCOUNT,
          region: REGION,
          includePlannedDeletion: false,
          sortBy: 'created-date',
          descending: false,
          limit: 3,
        });
        assert.equal(rows.length, 3);
      });

      it('includePlannedDeletion decides whether secrets scheduled for deletion are listed', async (storage) => {
        const { live, deleted } = await seedListable(storage);
        const without = await readAllPages(storage, { sortBy: 'created-date', descending: false, pageSize: 100 });
        assert.ok(!without.some((s) => s.id === deleted.id));
        assert.equal(without.length, live.length);
        const withDeleted = await readAllPages(storage, { sortBy: 'created-date', descending: false, pageSize: 2, includePlannedDeletion: true });
        assert.deepEqual(
          withDeleted.map((s) => s.name),
          expectedOrder([...live, deleted], 'created-date', false),
        );
        const listed = withDeleted.find((s) => s.id === deleted.id);
        assert.equal(listed?.deletedAt, deleted.deletedAt);
        assert.equal(listed?.deletionDate, deleted.deletionDate);
      });

      it('lists only the secrets of the given account and region', async (storage) => {
        await seedListable(storage);
        for (const [account, region] of [
          [OTHER_ACCOUNT, REGION],
          [ACCOUNT, OTHER_REGION],
        ] as const) {
          const rows = await readAllPages(storage, { account, region, sortBy: 'name', descending: false, pageSize: 3 });
          assert.equal(rows.length, 7);
          assert.ok(rows.every((s) => s.account === account && s.region === region));
        }
        const none = await readAllPages(storage, { account: OTHER_ACCOUNT, region: OTHER_REGION, sortBy: 'name', descending: false, pageSize: 3 });
        assert.deepEqual(none, []);
      });

      it('namePrefix is a case-sensitive, literal prefix of the name', async (storage) => {
        const names = ['pro', 'prod', 'prod/db', 'prod/api/key', 'production', 'prod_x', 'prodAx', 'Prod/db', 'dev/prod/db', 'prod.v2', 'prod+1'];
        for (const [i, name] of names.entries()) await storage.secrets.insert(newSecret({ name, createdAt: 1000 + i }));
        await storage.secrets.insert(newSecret({ name: 'prod/other-account', account: OTHER_ACCOUNT }));
        await storage.secrets.insert(newSecret({ name: 'prod/gone', deletedAt: 5, deletionDate: 10 }));

        const listed = async (namePrefix: string, sortBy: SortKey = 'name', descending = false, pageSize = 100) =>
          (await readAllPages(storage, { namePrefix, sortBy, descending, pageSize })).map((s) => s.name);
        assert.deepEqual(await listed('prod'), ['prod', 'prod+1', 'prod.v2', 'prod/api/key', 'prod/db', 'prodAx', 'prod_x', 'production']);
        assert.deepEqual(await listed('prod/'), ['prod/api/key', 'prod/db']);
        assert.deepEqual(await listed('prod/db'), ['prod/db'], 'a whole name is its own prefix');
        assert.deepEqual(await listed('prod_'), ['prod_x'], '_ is not a wildcard');
        assert.deepEqual(await listed('prod.'), ['prod.v2'], '. is not a wildcard');
        assert.deepEqual(await listed('Prod'), ['Prod/db'], 'case-sensitive');
        assert.deepEqual(await listed('rod'), [], 'only a prefix, not a substring');
        assert.deepEqual(await listed('prod/db/'), []);
        assert.deepEqual(await listed('prod', 'created-date', true, 2), [
          'prod+1',
          'prod.v2',
          'prodAx',
          'prod_x',
          'production',
          'prod/api/key',
          'prod/db',
          'prod',
        ]);
        const withDeleted = await readAllPages(storage, { namePrefix: 'prod/', sortBy: 'name', descending: false, pageSize: 1, includePlannedDeletion: true });
        assert.deepEqual(
          withDeleted.map((s) => s.name),
          ['prod/api/key', 'prod/db', 'prod/gone'],
        );
      });
    });

    // --- versions and staging labels --------------------------------------------------------

    describe('versions', () => {
      it('insertVersion / version / versions: oldest first, every member as stored, no labels yet', async (storage) => {
        const secret = await storage.secrets.insert(newSecret({ name: 'versioned' }));
        // Ids in another order than dates: the order is by date.
        const b = stringVersion(secret.id, 'vb', 2000);
        const a: NewVersion = { ...stringVersion(secret.id, 'va', 3000), valueType: 'binary' };
        const c = stringVersion(secret.id, 'vc', 1000);
        await storage.secrets.insertVersion(c);
        await storage.secrets.insertVersion(b);
        await storage.secrets.insertVersion(a);

        const all = await storage.secrets.versions(secret.id);
        assert.deepEqual(
          all.map((v) => v.versionId),
          ['vc', 'vb', 'va'],
        );
        for (const [record, input] of [
          [all[0], c],
          [all[1], b],
          [all[2], a],
        ] as const) {
          assert.deepEqual(defined(record), defined<VersionRecord>({ ...input, stages: [] }));
        }
        assert.deepEqual(defined(await storage.secrets.version(secret.id, 'vb')), defined<VersionRecord>({ ...b, stages: [] }));
        assert.equal(await storage.secrets.version(secret.id, 'nope'), undefined);
        assert.equal(await storage.secrets.versionByStage(secret.id, 'AWSCURRENT'), undefined);
      });

      it('a version id is unique per secret, not across secrets', async (storage) => {
        const one = await storage.secrets.insert(newSecret({ name: 'one' }));
        const two = await storage.secrets.insert(newSecret({ name: 'two' }));
        const first = stringVersion(one.id, 'same-token', 1000);
        await storage.secrets.insertVersion(first);
        await storage.secrets.insertVersion(stringVersion(two.id, 'same-token', 2000));
        await assert.rejects(storage.secrets.insertVersion(stringVersion(one.id, 'same-token', 3000)));
        assert.equal((await storage.secrets.version(one.id, 'same-token'))?.createdAt, 1000);
        assert.ok((await storage.secrets.version(one.id, 'same-token'))?.ciphertext?.equals(first.ciphertext!));
        assert.equal((await storage.secrets.version(two.id, 'same-token'))?.createdAt, 2000);
        assert.equal((await storage.secrets.versions(one.id)).length, 1);
      });

      it('a new version is never dated before the secret\'s newest one (the clock stepped back), nor is another secret\'s moved', async (storage) => {
        const secret = await storage.secrets.insert(newSecret({ name: 'stepped-back' }));
        const other = await storage.secrets.insert(newSecret({ name: 'elsewhere' }));
        await storage.secrets.insertVersion(stringVersion(secret.id, 'v1', 5000));
        await storage.secrets.insertVersion(placeholderVersion(secret.id, 'v2', 4000));
        await storage.secrets.insertVersion(stringVersion(secret.id, 'v3', 6000));
        await storage.secrets.insertVersion(stringVersion(other.id, 'o1', 1000));
        assert.deepEqual(
          (await storage.secrets.versions(secret.id)).map((v) => [v.versionId, v.createdAt]),
          [['v1', 5000], ['v2', 5000], ['v3', 6000]],
        );
        assert.equal((await storage.secrets.version(other.id, 'o1'))?.createdAt, 1000);
      });

      it('a placeholder version has no value until fillVersion stores one; its labels stay', async (storage) => {
        const secret = await storage.secrets.insert(newSecret({ name: 'rotating' }));
        await storage.secrets.insertVersion(stringVersion(secret.id, 'current', 1000));
        await storage.secrets.insertVersion(placeholderVersion(secret.id, 'pending', 2000));
        await storage.secrets.setStages(secret.id, stages({ AWSCURRENT: 'current', AWSPENDING: 'pending' }));

        const placeholder = await storage.secrets.version(secret.id, 'pending');
        assert.ok(placeholder);
        assert.equal(placeholder.valueType, undefined);
        assert.equal(placeholder.ciphertext, undefined);
        assert.equal(placeholder.wrappedDataKey, undefined);
        assert.equal(placeholder.kmsKeyArn, undefined);
        assert.deepEqual(placeholder.stages, ['AWSPENDING']);

        const filled: NewVersion = { ...stringVersion(secret.id, 'pending', 2000), valueType: 'binary' };
        await storage.secrets.fillVersion(filled);
        assert.deepEqual(defined(await storage.secrets.version(secret.id, 'pending')), defined<VersionRecord>({ ...filled, stages: ['AWSPENDING'] }));
        assert.deepEqual(defined(await storage.secrets.versionByStage(secret.id, 'AWSPENDING')), defined<VersionRecord>({ ...filled, stages: ['AWSPENDING'] }));
        const current = await storage.secrets.version(secret.id, 'current');
        assert.equal(current?.valueType, 'string', 'filling one version leaves the others alone');
        assert.equal((await storage.secrets.versions(secret.id)).length, 2);
      });

      it('setStages replaces every label of the secret; version records carry their labels sorted', async (storage) => {
        const secret = await storage.secrets.insert(newSecret({ name: 'labelled' }));
        const other = await storage.secrets.insert(newSecret({ name: 'other' }));
        for (const [id, createdAt] of [
          ['v1', 1000],
          ['v2', 2000],
          ['v3', 3000],
        ] as const) {
          await storage.secrets.insertVersion(stringVersion(secret.id, id, createdAt));
        }
        await storage.secrets.insertVersion(stringVersion(other.id, 'v1', 1000));
        await storage.secrets.setStages(other.id, stages({ AWSCURRENT: 'v1' }));

        await storage.secrets.setStages(
          secret.id,
          stages({ zeta: 'v2', AWSCURRENT: 'v2', AWSPREVIOUS: 'v1', alpha: 'v2', AWSPENDING: 'v3', Beta: 'v2' }),
        );
        assert.deepEqual(await labelsByVersion(storage, secret.id), {
          v1: ['AWSPREVIOUS'],
          v2: ['AWSCURRENT', 'Beta', 'alpha', 'zeta'],
          v3: ['AWSPENDING'],
        });
        assert.deepEqual((await storage.secrets.version(secret.id, 'v2'))?.stages, ['AWSCURRENT', 'Beta', 'alpha', 'zeta']);
        assert.equal((await storage.secrets.versionByStage(secret.id, 'AWSCURRENT'))?.versionId, 'v2');
        assert.deepEqual((await storage.secrets.versionByStage(secret.id, 'AWSCURRENT'))?.stages, ['AWSCURRENT', 'Beta', 'alpha', 'zeta']);
        assert.equal((await storage.secrets.versionByStage(secret.id, 'AWSPREVIOUS'))?.versionId, 'v1');
        assert.equal((await storage.secrets.versionByStage(secret.id, 'awscurrent'))?.versionId, undefined, 'labels are case-sensitive');

        await storage.secrets.setStages(secret.id, stages({ AWSCURRENT: 'v3', AWSPREVIOUS: 'v2' }));
        assert.deepEqual(await labelsByVersion(storage, secret.id), { v1: [], v2: ['AWSPREVIOUS'], v3: ['AWSCURRENT'] });
        assert.equal(await storage.secrets.versionByStage(secret.id, 'AWSPENDING'), undefined);
        assert.equal(await storage.secrets.versionByStage(secret.id, 'zeta'), undefined);

        await storage.secrets.setStages(secret.id, new Map());
        assert.deepEqual(await labelsByVersion(storage, secret.id), { v1: [], v2: [], v3: [] });
        assert.equal(await storage.secrets.versionByStage(secret.id, 'AWSCURRENT'), undefined);

        assert.deepEqual(await labelsByVersion(storage, other.id), { v1: ['AWSCURRENT'] }, "another secret's labels are untouched");
      });

      it('findWithStagedVersion returns the secret with the version carrying the stage, by name or ARN, in one read', async (storage) => {
        const secret = await storage.secrets.insert(newSecret({ name: 'staged' }));
        await storage.secrets.insert(newSecret({ name: 'staged', region: 'eu-west-1' }));
        await storage.secrets.insertVersion(stringVersion(secret.id, 'v1', 1000));
        await storage.secrets.insertVersion(stringVersion(secret.id, 'v2', 2000));
        await storage.secrets.setStages(secret.id, stages({ AWSCURRENT: 'v2', AWSPREVIOUS: 'v1', custom: 'v2' }));
        const byName = await storage.secrets.findWithStagedVersion({ account: ACCOUNT, region: REGION, name: 'staged' }, 'AWSCURRENT');
        assert.deepEqual(defined(byName?.secret), defined(secret));
        assert.deepEqual(defined(byName?.version), defined(await storage.secrets.version(secret.id, 'v2')));
        assert.deepEqual(byName?.version?.stages, ['AWSCURRENT', 'custom']);
        const byArn = await storage.secrets.findWithStagedVersion({ arn: secret.arn }, 'AWSPREVIOUS');
        assert.equal(byArn?.secret.id, secret.id);
        assert.equal(byArn?.version?.versionId, 'v1');
        const unstaged = await storage.secrets.findWithStagedVersion({ arn: secret.arn }, 'AWSPENDING');
        assert.equal(unstaged?.secret.id, secret.id);
        assert.equal(unstaged?.version, undefined, 'a secret without the stage comes back without a version');
        assert.equal(await storage.secrets.findWithStagedVersion({ account: ACCOUNT, region: REGION, name: 'missing' }, 'AWSCURRENT'), undefined);
        assert.equal(await storage.secrets.findWithStagedVersion({ arn: `${secret.arn}x` }, 'AWSCURRENT'), undefined);
      });

      it('stagesOf returns the labels of many secrets at once', async (storage) => {
        const a = await storage.secrets.insert(newSecret({ name: 'a' }));
        const b = await storage.secrets.insert(newSecret({ name: 'b' }));
        const unlabelled = await storage.secrets.insert(newSecret({ name: 'unlabelled' }));
        const notAsked = await storage.secrets.insert(newSecret({ name: 'not-asked' }));
        for (const secret of [a, b, unlabelled, notAsked]) {
          await storage.secrets.insertVersion(stringVersion(secret.id, 'v1', 1000));
          await storage.secrets.insertVersion(stringVersion(secret.id, 'v2', 2000));
        }
        await storage.secrets.insertVersion(stringVersion(a.id, 'v3', 3000));
        await storage.secrets.setStages(a.id, stages({ AWSCURRENT: 'v2', AWSPREVIOUS: 'v1', custom: 'v2', Another: 'v2' }));
        await storage.secrets.setStages(b.id, stages({ AWSCURRENT: 'v1' }));
        await storage.secrets.setStages(notAsked.id, stages({ AWSCURRENT: 'v1' }));

        const result = await storage.secrets.stagesOf([a.id, b.id, unlabelled.id, 987_654_321]);
        const plain = (id: number) => Object.fromEntries([...(result.get(id) ?? new Map<string, string[]>())].sort(([x], [y]) => (x < y ? -1 : 1)));
        assert.deepEqual(plain(a.id), { v1: ['AWSPREVIOUS'], v2: ['AWSCURRENT', 'Another', 'custom'] });
        assert.deepEqual(plain(b.id), { v1: ['AWSCURRENT'] });
        assert.deepEqual(plain(unlabelled.id), {});
        assert.deepEqual(plain(987_654_321), {});
        assert.equal(result.has(notAsked.id), false, 'only the secrets asked for');
        for (const byVersion of result.values()) for (const labels of byVersion.values()) assert.ok(labels.length > 0, 'an unlabelled version has no entry, or a non-empty one');
        assert.equal((await storage.secrets.stagesOf([])).size, 0);
      });

      it('pruneVersions removes the oldest unlabelled versions older than olderThan while more than keep remain', async (storage) => {
        const secret = await storage.secrets.insert(newSecret({ name: 'busy' }));
        const neighbour = await storage.secrets.insert(newSecret({ name: 'neighbour' }));
        for (let i = 1; i <= 6; i++) await storage.secrets.insertVersion(stringVersion(secret.id, `p${i}`, i * 100));
        for (let i = 1; i <= 3; i++) await storage.secrets.insertVersion(stringVersion(neighbour.id, `n${i}`, i * 100));
        await storage.secrets.setStages(secret.id, stages({ AWSCURRENT: 'p6', AWSPREVIOUS: 'p5', keepme: 'p1' }));
        const remaining = async () => (await storage.secrets.versions(secret.id)).map((v) => v.versionId);

        await storage.secrets.pruneVersions(secret.id, 6, 10_000);
        assert.deepEqual(await remaining(), ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'], 'not more than keep: nothing goes');

        await storage.secrets.pruneVersions(secret.id, 5, 10_000);
        assert.deepEqual(await remaining(), ['p1', 'p3', 'p4', 'p5', 'p6'], 'one too many: the oldest unlabelled goes');

        await storage.secrets.pruneVersions(secret.id, 1, 400);
        assert.deepEqual(await remaining(), ['p1', 'p4', 'p5', 'p6'], 'p4 (created at olderThan) is not older than it');

        await storage.secrets.pruneVersions(secret.id, 1, 10_000);
        assert.deepEqual(await remaining(), ['p1', 'p5', 'p6'], 'labelled versions stay even above keep');

        await storage.secrets.pruneVersions(secret.id, 0, 10_000);
        assert.deepEqual(await remaining(), ['p1', 'p5', 'p6']);
        assert.deepEqual(await labelsByVersion(storage, secret.id), { p1: ['keepme'], p5: ['AWSPREVIOUS'], p6: ['AWSCURRENT'] });
        assert.deepEqual(
          (await storage.secrets.versions(neighbour.id)).map((v) => v.versionId),
          ['n1', 'n2', 'n3'],
          'other secrets keep their versions',
        );
      });

      it('touchVersionAccessed moves one version\'s read date forward only; versions and staged reads carry it', async (storage) => {
        const day = 86_400_000;
        const secret = await storage.secrets.insert(newSecret({ name: 'versions-read' }));
        await storage.secrets.insertVersion(stringVersion(secret.id, 'v1', 1000));
        await storage.secrets.insertVersion(stringVersion(secret.id, 'v2', 2000));
        await storage.secrets.setStages(secret.id, stages({ AWSCURRENT: 'v2', AWSPREVIOUS: 'v1' }));
        assert.equal((await storage.secrets.version(secret.id, 'v2'))?.lastAccessedAt, undefined, 'never read');
        assert.equal(await storage.secrets.touchVersionAccessed(secret.id, 'v2', 10 * day), true);
        assert.equal(await storage.secrets.touchVersionAccessed(secret.id, 'v2', 10 * day), false, 'the same day writes nothing');
        assert.equal(await storage.secrets.touchVersionAccessed(secret.id, 'v2', 9 * day), false, 'an older day does not move it back');
        assert.equal(await storage.secrets.touchVersionAccessed(secret.id, 'missing', 10 * day), false);
        const read = Object.fromEntries((await storage.secrets.versions(secret.id)).map((v) => [v.versionId, v.lastAccessedAt]));
        assert.deepEqual(read, { v1: undefined, v2: 10 * day });
        assert.equal((await storage.secrets.versionByStage(secret.id, 'AWSCURRENT'))?.lastAccessedAt, 10 * day);
        assert.equal((await storage.secrets.findWithStagedVersion({ arn: secret.arn }, 'AWSCURRENT'))?.version?.lastAccessedAt, 10 * day);
        assert.equal((await storage.secrets.findById(secret.id))?.lastAccessedAt, undefined, "a version's read is not the secret's");
        await storage.secrets.fillVersion(stringVersion(secret.id, 'v2', 2000));
        assert.equal((await storage.secrets.version(secret.id, 'v2'))?.lastAccessedAt, 10 * day, 'filling a version keeps its read date');
      });

      it('deleteVersions removes the named versions with their labels, and nothing else', async (storage) => {
        const secret = await storage.secrets.insert(newSecret({ name: 'trimmed' }));
        const neighbour = await storage.secrets.insert(newSecret({ name: 'neighbour' }));
        for (const s of [secret, neighbour]) for (let i = 1; i <= 3; i++) await storage.secrets.insertVersion(stringVersion(s.id, `v${i}`, i * 100));
        await storage.secrets.setStages(secret.id, stages({ AWSCURRENT: 'v3', custom: 'v1' }));
        await storage.secrets.deleteVersions(secret.id, ['v1', 'v2', 'missing']);
        assert.deepEqual(await labelsByVersion(storage, secret.id), { v3: ['AWSCURRENT'] });
        await storage.secrets.deleteVersions(secret.id, []);
        assert.deepEqual((await storage.secrets.versions(neighbour.id)).map((v) => v.versionId), ['v1', 'v2', 'v3']);
      });

      it('pruneVersions never removes versions newer than olderThan, however many there are', async (storage) => {
        const secret = await storage.secrets.insert(newSecret({ name: 'fresh' }));
        for (let i = 1; i <= 5; i++) await storage.secrets.insertVersion(stringVersion(secret.id, `f${i}`, 1000 + i));
        await storage.secrets.setStages(secret.id, stages({ AWSCURRENT: 'f5' }));
        await storage.secrets.pruneVersions(secret.id, 1, 1000);
        assert.equal((await storage.secrets.versions(secret.id)).length, 5);
        await storage.secrets.pruneVersions(secret.id, 2, 1003);
        assert.deepEqual(
          (await storage.secrets.versions(secret.id)).map((v) => v.versionId),
          ['f3', 'f4', 'f5'],
        );
      });
    });

    // --- keys, access keys, settings ---------------------------------------------------------

    describe('keys', () => {
      it('insert / find / material', async (storage) => {
        const { key, material } = kmsKey();
        await storage.keys.insert(key, material);
        assert.deepEqual(defined(await storage.keys.find(key.id)), defined(key));
        assert.deepEqual(await storage.keys.material(key.id, 1), material);
        assert.equal(await storage.keys.material(key.id, 2), undefined);
        assert.equal(await storage.keys.material(randomUUID(), 1), undefined);
        assert.equal(await storage.keys.find(randomUUID()), undefined);
      });

      it('keeps every member of a key, including a deletion date', async (storage) => {
        const { key, material } = kmsKey({ keyManager: 'AWS', state: 'PendingDeletion', deletionDate: 1_800_000_000_000, currentMaterial: 1, description: '' });
        await storage.keys.insert(key, material);
        const found = await storage.keys.find(key.id);
        assert.deepEqual(defined(found), defined(key));
        const { key: plain, material: plainMaterial } = kmsKey();
        await storage.keys.insert(plain, plainMaterial);
        assert.equal((await storage.keys.find(plain.id))?.deletionDate, undefined);
      });

      it('a key id is unique', async (storage) => {
        const { key, material } = kmsKey();
        await storage.keys.insert(key, material);
        await assert.rejects(storage.keys.insert({ ...key, description: 'again' }, material));
        assert.equal((await storage.keys.find(key.id))?.description, key.description);
      });

      it('insertAlias / findAlias, scoped to account and region, unique by name', async (storage) => {
        const { key, material } = kmsKey();
        const { key: otherKey, material: otherMaterial } = kmsKey();
        await storage.keys.insert(key, material);
        await storage.keys.insert(otherKey, otherMaterial);
        const alias = { account: ACCOUNT, region: REGION, name: 'alias/app', keyId: key.id, createdAt: 10, updatedAt: 20 };
        await storage.keys.insertAlias(alias);
        assert.deepEqual(await storage.keys.findAlias(ACCOUNT, REGION, 'alias/app'), alias);
        assert.equal(await storage.keys.findAlias(OTHER_ACCOUNT, REGION, 'alias/app'), undefined);
        assert.equal(await storage.keys.findAlias(ACCOUNT, OTHER_REGION, 'alias/app'), undefined);
        assert.equal(await storage.keys.findAlias(ACCOUNT, REGION, 'alias/App'), undefined);
        assert.equal(await storage.keys.findAlias(ACCOUNT, REGION, 'alias/ap'), undefined);

        await assert.rejects(storage.keys.insertAlias({ ...alias, keyId: otherKey.id }));
        assert.equal((await storage.keys.findAlias(ACCOUNT, REGION, 'alias/app'))?.keyId, key.id);

        // Several aliases may name one key; the same alias name may exist in another region.
        await storage.keys.insertAlias({ ...alias, name: 'alias/second' });
        await storage.keys.insertAlias({ ...alias, region: OTHER_REGION, keyId: otherKey.id });
        assert.equal((await storage.keys.findAlias(ACCOUNT, REGION, 'alias/second'))?.keyId, key.id);
        assert.equal((await storage.keys.findAlias(ACCOUNT, OTHER_REGION, 'alias/app'))?.keyId, otherKey.id);
      });
    });

    describe('access keys and settings', () => {
      it('accessKeys insert / find / count', async (storage) => {
        const before = await storage.accessKeys.count();
        const one = accessKey();
        const two = accessKey({ status: 'Inactive', principalArn: `arn:aws:iam::${ACCOUNT}:role/other` });
        await storage.accessKeys.insert(one);
        assert.equal(await storage.accessKeys.count(), before + 1);
        await storage.accessKeys.insert(two);
        assert.equal(await storage.accessKeys.count(), before + 2);
        assert.deepEqual(await storage.accessKeys.find(one.accessKeyId), one);
        assert.deepEqual(await storage.accessKeys.find(two.accessKeyId), two);
        assert.equal(await storage.accessKeys.find('AKIADOESNOTEXIST0000'), undefined);
        await assert.rejects(storage.accessKeys.insert({ ...one, principalArn: 'arn:aws:iam::1:user/intruder' }));
        assert.equal(await storage.accessKeys.count(), before + 2);
        assert.equal((await storage.accessKeys.find(one.accessKeyId))?.principalArn, one.principalArn);
      });

      it('settings get / set, and set overwrites', async (storage) => {
        assert.equal(await storage.settings.get('root-key-check'), undefined);
        await storage.settings.set('root-key-check', 'first');
        await storage.settings.set('salt', 'pepper');
        assert.equal(await storage.settings.get('root-key-check'), 'first');
        await storage.settings.set('root-key-check', 'second');
        assert.equal(await storage.settings.get('root-key-check'), 'second');
        assert.equal(await storage.settings.get('salt'), 'pepper');
        await storage.settings.set('empty', '');
        assert.equal(await storage.settings.get('empty'), '');
        assert.equal(await storage.settings.get('Salt'), undefined);
      });
    });

    // --- the unit of work --------------------------------------------------------------------

    describe('IAM', () => {
      const entity = (kind: IamEntityKind, name: string, path = '/', account = ACCOUNT): IamEntityRecord => ({
        id: `${kind === 'user' ? 'AIDA' : kind === 'group' ? 'AGPA' : 'AROA'}${randomBytes(8).toString('hex').toUpperCase()}`,
        account,
        kind,
        name,
        path,
        arn: `arn:aws:iam::${account}:${kind}${path}${name}`,
        createdAt: 1_700_000_000_000,
        tags: [],
      });
      const managed = (name: string): NewIamManagedPolicy => ({
        id: `ANPA${randomBytes(8).toString('hex').toUpperCase()}`,
        account: ACCOUNT,
        name,
        path: '/',
        arn: `arn:aws:iam::${ACCOUNT}:policy/${name}`,
        document: '{"Version":"2012-10-17","Statement":[]}',
        defaultVersionId: 'v1',
        createdAt: 1,
        updatedAt: 1,
        tags: [{ Key: 'k', Value: 'v' }],
      });

      it('entities: unique per account and kind regardless of case; found by name in any case and by ARN', async (storage) => {
        const alice = { ...entity('user', 'Alice'), tags: [{ Key: 'team', Value: 'blue' }] };
        await storage.iam.insertEntity(alice);
        await storage.iam.insertEntity(entity('role', 'alice'));
        await storage.iam.insertEntity(entity('user', 'alice', '/', OTHER_ACCOUNT));
        await assert.rejects(storage.iam.insertEntity(entity('user', 'ALICE')));
        assert.deepEqual(await storage.iam.findEntity(ACCOUNT, 'user', 'aLiCe'), alice);
        assert.deepEqual(await storage.iam.findEntityByArn(alice.arn), alice);
        const role = { ...entity('role', 'app'), trustPolicy: '{}', description: 'd', maxSessionDuration: 7200 };
        await storage.iam.insertEntity(role);
        await storage.iam.updateEntity({ ...role, trustPolicy: '{"x":1}', tags: [{ Key: 'a', Value: 'b' }] });
        assert.deepEqual(await storage.iam.findEntity(ACCOUNT, 'role', 'app'), { ...role, trustPolicy: '{"x":1}', tags: [{ Key: 'a', Value: 'b' }] });
      });

      it('listEntities pages by name regardless of case, after a name, within a path prefix', async (storage) => {
        for (const [name, path] of [['carol', '/a/'], ['Bob', '/'], ['alice', '/a/b/'], ['dave', '/ab/']] as const) {
          await storage.iam.insertEntity(entity('user', name, path));
        }
        const names = async (query: { pathPrefix?: string; after?: string; limit?: number }) =>
          (await storage.iam.listEntities('user', { account: ACCOUNT, limit: 10, ...query })).map((e) => e.name);
        assert.deepEqual(await names({}), ['alice', 'Bob', 'carol', 'dave']);
        assert.deepEqual(await names({ after: 'bob', limit: 1 }), ['carol']);
        assert.deepEqual(await names({ pathPrefix: '/a/' }), ['alice', 'carol']);
        assert.deepEqual(await names({ pathPrefix: '/a%' }), []);
      });

      it('membership, inline policies and attachments; attachment counts; deleting an entity drops what hangs on it', async (storage) => {
        const user = entity('user', 'u');
        const group = entity('group', 'g');
        await storage.iam.insertEntity(user);
        await storage.iam.insertEntity(group);
        await storage.iam.addMember(group.id, user.id);
        await storage.iam.addMember(group.id, user.id);
        assert.deepEqual((await storage.iam.groupsOf(user.id)).map((g) => g.name), ['g']);
        assert.deepEqual((await storage.iam.membersOf(group.id)).map((u) => u.name), ['u']);

        await storage.iam.putInlinePolicy(user.id, { name: 'P', document: '1' });
        await storage.iam.putInlinePolicy(user.id, { name: 'p', document: '2' });
        assert.deepEqual(await storage.iam.listInlinePolicies(user.id), [{ name: 'P', document: '2' }]);
        assert.deepEqual(await storage.iam.findInlinePolicy(user.id, 'p'), { name: 'P', document: '2' });

        const policy = managed('m');
        await storage.iam.insertPolicy(policy);
        await storage.iam.attachPolicy(user.id, policy.id);
        await storage.iam.attachPolicy(group.id, policy.id);
        assert.equal((await storage.iam.findPolicy(policy.arn))?.attachmentCount, 2);
        assert.deepEqual(await storage.iam.findPolicyByName(ACCOUNT, 'M'), { ...policy, attachmentCount: 2 });
        assert.deepEqual((await storage.iam.policyAttachments(policy.id)).map((e) => e.kind), ['group', 'user']);
        assert.deepEqual((await storage.iam.listPolicies({ account: ACCOUNT, limit: 10, onlyAttached: true })).map((p) => p.name), ['m']);
        assert.equal(await storage.iam.detachPolicy(group.id, policy.id), true);
        assert.equal(await storage.iam.detachPolicy(group.id, policy.id), false);

        await storage.iam.deleteEntity(user.id);
        assert.deepEqual(await storage.iam.membersOf(group.id), []);
        assert.equal((await storage.iam.findPolicy(policy.arn))?.attachmentCount, 0);
        assert.deepEqual(await storage.iam.listPolicies({ account: ACCOUNT, limit: 10, onlyAttached: true }), []);
        assert.equal(await storage.iam.removeMember(group.id, user.id), false);
      });

      it('access keys by principal (long-term only), status, deletion; session fields round-trip', async (storage) => {
        const principalArn = `arn:aws:iam::${ACCOUNT}:user/keys`;
        const long = accessKey({ principalArn, createdAt: 1 });
        const session = accessKey({
          principalArn,
          expiresAt: 2_000_000_000_000,
          sessionTokenHash: 'ab'.repeat(32),
          sessionIssuerArn: `arn:aws:iam::${ACCOUNT}:role/r`,
          sessionPolicy: '{}',
        });
        await storage.accessKeys.insert(long);
        await storage.accessKeys.insert(session);
        assert.deepEqual(await storage.accessKeys.find(session.accessKeyId), session);
        assert.deepEqual((await storage.accessKeys.listByPrincipal(principalArn)).map((k) => k.accessKeyId), [long.accessKeyId]);
        await storage.accessKeys.setStatus(long.accessKeyId, 'Inactive');
        assert.equal((await storage.accessKeys.find(long.accessKeyId))?.status, 'Inactive');
        await storage.accessKeys.delete(long.accessKeyId);
        assert.equal(await storage.accessKeys.find(long.accessKeyId), undefined);
      });
    });

    describe('leases', () => {
      it('a lease is taken, renewed by its holder with the same token, and refused to others while it runs', async (storage) => {
        assert.equal(await storage.leases.find('runner'), undefined);
        assert.equal(await storage.transaction((tx) => tx.leases.acquire('runner', 'a', 60_000)), 1);
        assert.equal(await storage.transaction((tx) => tx.leases.acquire('runner', 'a', 60_000)), 1);
        assert.equal(await storage.transaction((tx) => tx.leases.acquire('runner', 'b', 60_000)), undefined);
        const held = await storage.leases.find('runner');
        assert.deepEqual({ ...held, expiresInMs: undefined }, { holder: 'a', token: 1, expiresInMs: undefined });
        assert.ok(held!.expiresInMs > 50_000 && held!.expiresInMs <= 60_000, `runs ${held!.expiresInMs} ms more, by the database clock`);
        assert.equal(await storage.transaction((tx) => tx.leases.acquire('other', 'b', 60_000)), 1, 'leases are independent');
      });

      it('an expired lease, or one whose holder is named gone, changes hands with the next token', async (storage) => {
        await storage.transaction((tx) => tx.leases.acquire('runner', 'a', 1));
        await new Promise((resolve) => setTimeout(resolve, 20));
        assert.ok((await storage.leases.find('runner'))!.expiresInMs <= 0);
        assert.equal(await storage.transaction((tx) => tx.leases.acquire('runner', 'b', 10 * 86_400_000)), 2);
        assert.equal(await storage.transaction((tx) => tx.leases.acquire('runner', 'c', 60_000, 'someone-else')), undefined);
        assert.equal(await storage.transaction((tx) => tx.leases.acquire('runner', 'c', 60_000, 'b')), 3);
        assert.deepEqual({ ...(await storage.leases.find('runner')), expiresInMs: undefined }, { holder: 'c', token: 3, expiresInMs: undefined });
      });

      it('a released lease is free at once and its token never comes back; holds names the current token only', async (storage) => {
        await storage.transaction((tx) => tx.leases.acquire('runner', 'a', 60_000));
        await storage.transaction((tx) => tx.leases.release('runner', 'b'));
        assert.equal((await storage.leases.find('runner'))?.holder, 'a', 'only the holder releases');
        await storage.transaction((tx) => tx.leases.release('runner', 'a'));
        assert.equal(await storage.transaction((tx) => tx.leases.holds('runner', 1)), true, 'a freed lease keeps its token until taken');
        assert.equal(await storage.transaction((tx) => tx.leases.acquire('runner', 'a', 60_000)), 2);
        assert.equal(await storage.transaction((tx) => tx.leases.holds('runner', 1)), false);
        assert.equal(await storage.transaction((tx) => tx.leases.holds('runner', 2)), true);
        assert.equal(await storage.transaction((tx) => tx.leases.holds('none', 1)), false);
      });
    });

    describe('transaction', () => {
      it('commits all the writes of a unit together and returns its result; the unit reads its own writes', async (storage) => {
        const { key, material } = kmsKey();
        const ak = accessKey();
        const result = await storage.transaction(async (tx) => {
          const secret = await tx.secrets.insert(newSecret({ name: 'tx/commit' }));
          await tx.secrets.insertVersion(stringVersion(secret.id, 'v1', 1000));
          await tx.secrets.setStages(secret.id, stages({ AWSCURRENT: 'v1' }));
          await tx.keys.insert(key, material);
          await tx.keys.insertAlias({ account: ACCOUNT, region: REGION, name: 'alias/tx', keyId: key.id, createdAt: 1, updatedAt: 1 });
          await tx.accessKeys.insert(ak);
          await tx.settings.set('tx', 'committed');
          assert.equal((await tx.secrets.findByName(ACCOUNT, REGION, 'tx/commit'))?.id, secret.id);
          assert.equal((await tx.secrets.versionByStage(secret.id, 'AWSCURRENT'))?.versionId, 'v1');
          assert.equal(await tx.settings.get('tx'), 'committed');
          return { id: secret.id };
        });
        const secret = await storage.secrets.findByName(ACCOUNT, REGION, 'tx/commit');
        assert.equal(secret?.id, result.id);
        assert.deepEqual(await labelsByVersion(storage, result.id), { v1: ['AWSCURRENT'] });
        assert.ok(await storage.keys.find(key.id));
        assert.ok(await storage.keys.material(key.id, 1));
        assert.equal((await storage.keys.findAlias(ACCOUNT, REGION, 'alias/tx'))?.keyId, key.id);
        assert.ok(await storage.accessKeys.find(ak.accessKeyId));
        assert.equal(await storage.settings.get('tx'), 'committed');
      });

      for (const when of ['at once', 'after real I/O'] as const) {
        it(`a unit that throws midway (${when}) leaves nothing of its writes, and its error propagates`, async (storage) => {
          // State before: one secret with a current version, a secret to be purged, a setting.
          const existing = await storage.secrets.insert(newSecret({ name: 'existing', description: 'before' }));
          await storage.secrets.insertVersion(stringVersion(existing.id, 'v1', 1000));
          await storage.secrets.setStages(existing.id, stages({ AWSCURRENT: 'v1' }));
          const victim = await storage.secrets.insert(newSecret({ name: 'victim' }));
          await storage.secrets.insertVersion(stringVersion(victim.id, 'x1', 1000));
          await storage.secrets.setStages(victim.id, stages({ AWSCURRENT: 'x1' }));
          await storage.settings.set('k', 'before');
          const accessKeysBefore = await storage.accessKeys.count();

          const { key, material } = kmsKey();
          const ak = accessKey();
          const boom = new Error('boom midway');
          let created: SecretRecord | undefined;
          await assert.rejects(
            storage.transaction(async (tx) => {
              created = await tx.secrets.insert(newSecret({ name: 'created' }));
              await tx.secrets.insertVersion(stringVersion(created.id, 'n1', 2000));
              await tx.secrets.setStages(created.id, stages({ AWSCURRENT: 'n1' }));
              await tx.secrets.update({ ...existing, description: 'after', lastChangedAt: existing.lastChangedAt + 1 });
              await tx.secrets.insertVersion(stringVersion(existing.id, 'v2', 2000));
              await tx.secrets.setStages(existing.id, stages({ AWSCURRENT: 'v2', AWSPREVIOUS: 'v1' }));
              await tx.secrets.touchLastAccessed(existing.id, 86_400_000);
              await tx.secrets.purge(victim.id);
              await tx.keys.insert(key, material);
              await tx.keys.insertAlias({ account: ACCOUNT, region: REGION, name: 'alias/rolled-back', keyId: key.id, createdAt: 1, updatedAt: 1 });
              await tx.accessKeys.insert(ak);
              await tx.settings.set('k', 'after');
              await tx.settings.set('new', 'value');
              if (when === 'after real I/O') await delay(10);
              throw boom;
            }),
            (error) => error === boom,
          );

          assert.ok(created, 'the unit ran up to its failure');
          assert.equal(await storage.secrets.findByName(ACCOUNT, REGION, 'created'), undefined);
          assert.equal(await storage.secrets.findByArn(created.arn), undefined);
          assert.deepEqual(await storage.secrets.versions(created.id), []);
          assert.equal(await storage.secrets.versionByStage(created.id, 'AWSCURRENT'), undefined);

          const after = await storage.secrets.findByName(ACCOUNT, REGION, 'existing');
          assert.deepEqual(defined(after), defined(existing));
          assert.deepEqual(await labelsByVersion(storage, existing.id), { v1: ['AWSCURRENT'] });

          assert.ok(await storage.secrets.findByArn(victim.arn), 'the purge was undone');
          assert.deepEqual(await labelsByVersion(storage, victim.id), { x1: ['AWSCURRENT'] });

          assert.equal(await storage.keys.find(key.id), undefined);
          assert.equal(await storage.keys.material(key.id, 1), undefined);
          assert.equal(await storage.keys.findAlias(ACCOUNT, REGION, 'alias/rolled-back'), undefined);
          assert.equal(await storage.accessKeys.find(ak.accessKeyId), undefined);
          assert.equal(await storage.accessKeys.count(), accessKeysBefore);
          assert.equal(await storage.settings.get('k'), 'before');
          assert.equal(await storage.settings.get('new'), undefined);

          // The name the failed unit used is still free.
          await storage.secrets.insert(newSecret({ name: 'created' }));
        });
      }

      it('a storage error midway rolls back the earlier writes and rejects with it', async (storage) => {
        await storage.secrets.insert(newSecret({ name: 'taken' }));
        await assert.rejects(
          storage.transaction(async (tx) => {
            const secret = await tx.secrets.insert(newSecret({ name: 'first-write' }));
            await tx.secrets.insertVersion(stringVersion(secret.id, 'v1', 1000));
            await tx.settings.set('half', 'done');
            await tx.secrets.insert(newSecret({ name: 'taken' }));
            return 'unreachable';
          }),
        );
        assert.equal(await storage.secrets.findByName(ACCOUNT, REGION, 'first-write'), undefined);
        assert.equal(await storage.settings.get('half'), undefined);
      });

      it('two units started together both complete, and neither sees the other half-done', async (storage) => {
        const first = storage.transaction(async (tx) => {
          const secret = await tx.secrets.insert(newSecret({ name: 'concurrent' }));
          await delay(20);
          await tx.secrets.insertVersion(stringVersion(secret.id, 'v1', 1000));
          await delay(5);
          await tx.secrets.setStages(secret.id, stages({ AWSCURRENT: 'v1' }));
          await tx.settings.set('first', 'done');
          return secret.id;
        });
        const second = storage.transaction(async (tx) => {
          const secret = await tx.secrets.findByName(ACCOUNT, REGION, 'concurrent');
          const done = await tx.settings.get('first');
          if (!secret) return done === undefined ? 'before' : 'torn: setting without secret';
          const current = await tx.secrets.versionByStage(secret.id, 'AWSCURRENT');
          if (!current || done !== 'done') return 'torn: secret without its version or setting';
          await tx.settings.set('second', 'done');
          return 'after';
        });
        const [id, seen] = await Promise.all([first, second]);
        assert.ok(seen === 'before' || seen === 'after', seen);
        assert.equal((await storage.secrets.versionByStage(id, 'AWSCURRENT'))?.versionId, 'v1');
      });

      it('concurrent read-modify-write units lose no update', async (storage) => {
        await storage.settings.set('counter', '0');
        const bump = () =>
          storage.transaction(async (tx) => {
            const value = Number(await tx.settings.get('counter'));
            await delay(5);
            await tx.settings.set('counter', String(value + 1));
          });
        await Promise.all([bump(), bump(), bump(), bump()]);
        assert.equal(await storage.settings.get('counter'), '4');
      });

      it('a failed unit does not block the next ones', async (storage) => {
        const failing = storage.transaction(async (tx) => {
          await tx.settings.set('failed', 'yes');
          await delay(5);
          throw new Error('first fails');
        });
        const next = storage.transaction(async (tx) => {
          await tx.settings.set('next', 'ok');
          return 'committed';
        });
        await assert.rejects(failing, /first fails/);
        assert.equal(await next, 'committed');
        assert.equal(await storage.settings.get('failed'), undefined);
        assert.equal(await storage.settings.get('next'), 'ok');

        await assert.rejects(storage.transaction(async () => Promise.reject(new Error('second fails'))), /second fails/);
        await storage.transaction((tx) => tx.settings.set('later', 'ok'));
        assert.equal(await storage.settings.get('later'), 'ok');
      });

      it('calls outside a running unit neither see its uncommitted writes nor get rolled back with it', async (storage) => {
        await storage.settings.set('dirty', 'committed');
        let reached!: () => void;
        const inside = new Promise<void>((resolve) => (reached = resolve));
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        const unit = storage.transaction(async (tx) => {
          await tx.settings.set('dirty', 'uncommitted');
          reached();
          await gate; // real I/O in the middle of the unit
          throw new Error('rolled back');
        });
        await inside;
        // Started while the unit is open; an implementation may answer at once or after the
        // unit ends, so the unit is released without waiting for them.
        const read = storage.settings.get('dirty');
        const write = storage.settings.set('outside', 'kept');
        release();
        await assert.rejects(unit, /rolled back/);
        assert.equal(await read, 'committed', 'read a value that was never committed');
        await write;
        assert.equal(await storage.settings.get('outside'), 'kept', 'a write outside the unit was rolled back with it');
        assert.equal(await storage.settings.get('dirty'), 'committed');
      });
    });

    changeLogContract(open);

    test('close lets a running unit of work finish', async () => {
      const storage = await open();
      const unit = storage.transaction(async (tx) => {
        await delay(10);
        await tx.settings.set('closing', 'ok');
        return 'finished';
      });
      await storage.close();
      assert.equal(await unit, 'finished');
    });
  });
}
