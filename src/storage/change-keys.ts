import type { Repositories, UnitOfWork } from './repositories.js';
import { encodeChange, type SecretChange } from './secret-changes.js';
import type { AccessKeyRecord, KeyMaterialRecord, KmsKeyRecord, NewVersion, SecretRecord } from './stored-records.js';
import type { IamEntityRecord } from './iam-records.js';

/** The change keys a write names, from its arguments and its result. */
// eslint-style `any`: each namer destructures the arguments of the one method it names.
type Namer = (args: any, result: unknown) => string[];

export const secretChange = (id: number): string => `secret:${id}`;
export const kmsKeyChange = (id: string): string => `kms-key:${id}`;
export const accessKeyChange = (id: string): string => `access-key:${id}`;
/** An IAM user, group or role, or a managed policy, by id. */
export const iamChange = (id: string): string => `iam:${id}`;
/** A server setting (the root key's generation and seal state among them), by name. */
export const settingChange = (name: string): string => `setting:${name}`;
/** A principal that did not exist may now (a cached "no such principal" is dropped). */
export const iamNewChange = (account: string): string => `iam-new:${account}`;

const secret = (id: number) => [secretChange(id)];
const iam = (id: string) => [iamChange(id)];

/**
 * The writes that change what a cache holds (secret reads, KMS key records and material,
 * resolved access keys, principals' policies), and the change keys each names. Writes left out
 * change nothing cached: new rows nobody could have cached (a not-found is never cached, but for
 * principals), leases, aliases, expired sessions' removal (an expired key is refused
 * as expired either way) and audit. A touch of LastAccessedDate names its secret only the
 * first time in a day (when it changed the row).
 */
const NAMERS: { [R in keyof Repositories]?: Record<string, Namer> } = {
  secrets: {
    update: ([s]: [SecretRecord]) => secret(s.id),
    purge: ([id]: [number]) => secret(id),
    touchLastAccessed: ([id]: [number], changed) => (changed ? secret(id) : []),
    touchVersionAccessed: ([id]: [number], changed) => (changed ? secret(id) : []),
    deleteVersions: ([id]: [number]) => secret(id),
    insertVersion: ([v]: [NewVersion]) => secret(v.secretId),
    fillVersion: ([v]: [NewVersion]) => secret(v.secretId),
    pruneVersions: ([id]: [number]) => secret(id),
    setStages: ([id]: [number]) => secret(id),
  },
  keys: {
    update: ([k]: [KmsKeyRecord]) => [kmsKeyChange(k.id)],
    destroy: ([id]: [string]) => [kmsKeyChange(id)],
    addMaterial: ([m]: [KeyMaterialRecord]) => [kmsKeyChange(m.keyId)],
    rewrapMaterial: ([id]: [string]) => [kmsKeyChange(id)],
  },
  accessKeys: {
    reseal: ([id]: [AccessKeyRecord['accessKeyId']]) => [accessKeyChange(id)],
    setStatus: ([id]: [string]) => [accessKeyChange(id)],
    delete: ([id]: [string]) => [accessKeyChange(id)],
  },
  settings: {
    set: ([name]: [string]) => [settingChange(name)],
  },
  iam: {
    insertEntity: ([e]: [IamEntityRecord]) => [iamNewChange(e.account)],
    updateEntity: ([e]: [IamEntityRecord]) => iam(e.id),
    deleteEntity: ([id]: [string]) => iam(id),
    addMember: ([, userId]: [string, string]) => iam(userId),
    removeMember: ([, userId]: [string, string]) => iam(userId),
    putInlinePolicy: ([id]: [string]) => iam(id),
    deleteInlinePolicy: ([id]: [string]) => iam(id),
    deletePolicy: ([id]: [string]) => iam(id),
    attachPolicy: ([id]: [string]) => iam(id),
    detachPolicy: ([id]: [string]) => iam(id),
  },
};

/** Whether a repository write may change what a cache holds. */
export function namesChanges(repository: keyof Repositories, method: string): boolean {
  return NAMERS[repository]?.[method] !== undefined;
}

/** What a unit of work changed: the change keys of its writes, and the secret changes it noted. */
export interface UnitChanges {
  keys: Set<string>;
  notes: SecretChange[];
}

export function unitChanges(): UnitChanges {
  return { keys: new Set(), notes: [] };
}

/**
 * The repositories of a unit of work, adding to `changed` the change keys of every write made
 * through them and the secret changes the unit notes: the storage records them with the unit
 * (in its transaction) and applies the keys to its own caches when the unit ends.
 */
export function recordingChanges(repos: Repositories, changed: UnitChanges): UnitOfWork {
  const recording: UnitOfWork = {
    ...repos,
    noteSecretChange: (change) => {
      changed.notes.push(change);
      changed.keys.add(secretChange(change.secretId));
    },
  };
  for (const name of Object.keys(NAMERS) as (keyof Repositories)[]) {
    const repository = repos[name] as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    const wrapped = Object.create(repository) as Record<string, unknown>;
    for (const [method, namer] of Object.entries(NAMERS[name]!)) {
      wrapped[method] = async (...args: unknown[]) => {
        const result = await repository[method]!(...args);
        for (const key of namer(args, result)) changed.keys.add(key);
        return result;
      };
    }
    (recording as unknown as Record<string, unknown>)[name] = wrapped;
  }
  return recording;
}

/**
 * The rows a unit's change records make: one per noted change (standing for its secret's key
 * too), then one per key no note stands for. `[key, change JSON or null]`.
 */
export function changeRows(changed: UnitChanges): [string, string | null][] {
  const rows: [string, string | null][] = changed.notes.map((note) => [secretChange(note.secretId), encodeChange(note)]);
  const noted = new Set(rows.map(([key]) => key));
  for (const key of changed.keys) if (!noted.has(key)) rows.push([key, null]);
  return rows;
}
