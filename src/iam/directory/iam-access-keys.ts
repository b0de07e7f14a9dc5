import type { AccessKeyStore, Credentials } from '../access-key-store.js';
import type { AccessKeyRecord, Storage } from '../../storage/index.js';
import { existing } from './iam-entities.js';
import { IamErrors } from './iam-errors.js';
import { parseCallerArn, rootArn, type IamScope } from './iam-ids.js';

/** IAM's quota of access keys per user (and for the root user). */
const MAX_KEYS = 2;

/** Whose keys a call is about: a named user, else the caller itself (a user or the root user). */
export interface KeyOwner {
  arn: string;
  /** Absent for the account's root user. */
  userName?: string;
}

/** Long-term access keys of IAM users (and of the root user): rows of access_keys keyed by the owner's ARN. */
export class IamAccessKeys {
  constructor(
    private readonly storage: Storage,
    private readonly accessKeys: AccessKeyStore,
  ) {}

  /**
   * The user named, or when none is, the caller: IAM derives it from the signing key; a role
   * session has no user to default to.
   */
  async owner(scope: IamScope, userName: string | undefined, callerArn: string | undefined): Promise<KeyOwner> {
    if (userName !== undefined) {
      const user = await existing(this.storage, scope, 'user', userName);
      return { arn: user.arn, userName: user.name };
    }
    const caller = callerArn === undefined ? undefined : parseCallerArn(callerArn);
    if (caller?.type === 'root') return { arn: rootArn(scope) };
    if (caller?.type === 'user') {
      const user = await this.storage.iam.findEntityByArn(callerArn!);
      if (user) return { arn: user.arn, userName: user.name };
    }
    throw IamErrors.validation('Must specify userName when calling with non-User credentials');
  }

  create(scope: IamScope, owner: KeyOwner): Promise<Credentials> {
    // Counted in the unit of work that creates the key: two concurrent calls cannot both pass the quota.
    return this.accessKeys.create(owner.arn, scope.now, async (tx) => {
      if ((await tx.accessKeys.listByPrincipal(owner.arn)).length >= MAX_KEYS) {
        throw IamErrors.limitExceeded(`Cannot exceed quota for AccessKeysPerUser: ${MAX_KEYS}`);
      }
    });
  }

  /** When a key was made (the root user's GetUser shows its first key's date as the account's). */
  async createdAt(accessKeyId: string): Promise<number | undefined> {
    return (await this.storage.accessKeys.find(accessKeyId))?.createdAt;
  }

  list(owner: KeyOwner): Promise<AccessKeyRecord[]> {
    return this.storage.accessKeys.listByPrincipal(owner.arn);
  }

  async setStatus(owner: KeyOwner, accessKeyId: string, status: AccessKeyRecord['status']): Promise<void> {
    await this.storage.transaction(async (tx) => {
      await ownedKey(tx.accessKeys, owner, accessKeyId);
      await tx.accessKeys.setStatus(accessKeyId, status);
    });
  }

  async delete(owner: KeyOwner, accessKeyId: string): Promise<void> {
    await this.storage.transaction(async (tx) => {
      await ownedKey(tx.accessKeys, owner, accessKeyId);
      await tx.accessKeys.delete(accessKeyId);
    });
  }
}

async function ownedKey(keys: Storage['accessKeys'], owner: KeyOwner, accessKeyId: string): Promise<AccessKeyRecord> {
  const key = await keys.find(accessKeyId);
  if (!key || key.principalArn !== owner.arn || key.expiresAt !== undefined) {
    throw IamErrors.noSuchEntity(`The Access Key with id ${accessKeyId} cannot be found.`);
  }
  return key;
}
