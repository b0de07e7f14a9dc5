import type { CallerPolicies } from '../principal-directory.js';
import { PolicyCache, tagMap } from '../policy/index.js';
import { ChangeCache } from '../../storage/change-cache.js';
import { iamChange, iamNewChange } from '../../storage/change-keys.js';
import type { IamEntityRecord, Storage } from '../../storage/index.js';
import { parseCallerArn } from './iam-ids.js';

/**
 * Cached per principal; `policies` undefined records that no such principal exists. `changes`:
 * the change keys it was loaded from (the entity, its groups, its managed policies; for a
 * principal not found, its account's new principals).
 */
interface Entry {
  policies: CallerPolicies | undefined;
  changes: string[];
}

const MAX_COMPILED_DOCUMENTS = 4096;

/**
 * What authorization needs of a caller: its compiled identity policies (a user's own inline and
 * attached ones and those of each of its groups; a role's, for the role and its sessions), its
 * tags and aws:userid. Kept in memory per principal until stored data changes, so a repeated
 * call is a Map lookup.
 */
export class PrincipalPolicies {
  private readonly byPrincipal: ChangeCache<Entry>;
  /**
   * A group's policies are compiled once for all its members. Stored documents were validated
   * when written; one that no longer parses fails the request (closed).
   */
  private readonly compiled = new PolicyCache('identity', undefined, MAX_COMPILED_DOCUMENTS);

  constructor(private readonly storage: Storage) {
    this.byPrincipal = new ChangeCache(storage.changes, (entry) => entry.changes);
  }

  async policiesOf(principalArn: string): Promise<CallerPolicies | undefined> {
    const entry = await this.byPrincipal.getOrLoad(principalArn, () => this.load(principalArn));
    return entry!.policies;
  }

  private async load(principalArn: string): Promise<Entry> {
    const caller = parseCallerArn(principalArn);
    if (!caller) return { policies: undefined, changes: [] };
    const missing = { policies: undefined, changes: [iamNewChange(caller.account)] };
    switch (caller.type) {
      case 'root':
        // The root user is subject to no identity policy.
        return { policies: { identityPolicies: [], principalTags: {}, userId: caller.account }, changes: [] };
      case 'user':
      case 'role': {
        const entity = await this.storage.iam.findEntityByArn(principalArn);
        if (!entity || entity.kind !== caller.type) return missing;
        return this.policiesOfEntity(entity, entity.id);
      }
      case 'assumed-role': {
        const role = await this.storage.iam.findEntity(caller.account, 'role', caller.roleName);
        // The session's role name is the role's, letter for letter.
        if (!role || role.name !== caller.roleName) return missing;
        return this.policiesOfEntity(role, `${role.id}:${caller.sessionName}`);
      }
    }
  }

  private async policiesOfEntity(entity: IamEntityRecord, userId: string): Promise<Entry> {
    const holders = entity.kind === 'user' ? [entity, ...(await this.storage.iam.groupsOf(entity.id))] : [entity];
    const documents: string[] = [];
    const changes = holders.map((h) => iamChange(h.id));
    for (const holder of holders) {
      for (const p of await this.storage.iam.listInlinePolicies(holder.id)) documents.push(p.document);
      for (const p of await this.storage.iam.attachedPolicies(holder.id)) {
        documents.push(p.document);
        changes.push(iamChange(p.id));
      }
    }
    const policies = { identityPolicies: documents.map((d) => this.compiled.get(d)), principalTags: tagMap(entity.tags), userId, principalCreatedAt: entity.createdAt };
    return { policies, changes };
  }

}
