import type { AccessKeyStore } from '../access-key-store.js';
import type { CallerPolicies, PrincipalDirectory } from '../principal-directory.js';
import type { Storage } from '../../storage/index.js';
import { IamAccessKeys } from './iam-access-keys.js';
import { IamEntities } from './iam-entities.js';
import { IamGroups } from './iam-groups.js';
import { IamInlinePolicies } from './iam-inline-policies.js';
import { IamManagedPolicies } from './iam-managed-policies.js';
import { PrincipalPolicies } from './principal-policies.js';
import { StsSessions } from './sts-sessions.js';

/**
 * IAM: users, groups, roles, their policies and access keys, STS sessions, and, for
 * authorization, the policies of any caller (`policiesOf`). Built once per server:
 *   new IamDirectory(storage, accessKeys)
 */
export class IamDirectory implements PrincipalDirectory {
  readonly entities: IamEntities;
  readonly groups: IamGroups;
  readonly inlinePolicies: IamInlinePolicies;
  readonly managedPolicies: IamManagedPolicies;
  readonly accessKeys: IamAccessKeys;
  /** STS: caller identity and temporary credentials. */
  readonly sessions: StsSessions;
  private readonly principals: PrincipalPolicies;

  constructor(storage: Storage, accessKeys: AccessKeyStore) {
    this.entities = new IamEntities(storage);
    this.groups = new IamGroups(storage);
    this.inlinePolicies = new IamInlinePolicies(storage);
    this.managedPolicies = new IamManagedPolicies(storage);
    this.accessKeys = new IamAccessKeys(storage, accessKeys);
    this.principals = new PrincipalPolicies(storage);
    this.sessions = new StsSessions(storage, accessKeys, this);
  }

  policiesOf(principalArn: string): Promise<CallerPolicies | undefined> {
    return this.principals.policiesOf(principalArn);
  }
}
