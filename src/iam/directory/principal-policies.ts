import type { CallerPolicies } from '../principal-directory.js';
import { PolicyCache, tagMap } from '../policy/index.js';
import { EpochCache } from '../../storage/epoch-cache.js';
import type { IamEntityRecord, Storage } from '../../storage/index.js';
import { parseCallerArn } from './iam-ids.js';

/** Cached per principal; `policies` undefined records that no such principal exists. */
interface Entry {
  policies: CallerPolicies | undefined;
}

const MAX_COMPILED_DOCUMENTS = 4096;

/**
 * What authorization needs of a caller: its compiled identity policies (a user's own inline and
 * attached ones and those of each of its groups; a role's, for the role and its sessions), its
 * tags and aws:userid. Kept in memory per principal until stored data changes, so a repeated
 * call is a Map lookup.
 */
export class PrincipalPolicies {
  private readonly byPrincipal: EpochCache<Entry>;
  /**
   * A group's policies are compiled once for all its members. Stored documents were validated
   * when written; one that no longer parses fails the request (closed).
   */
  private readonly compiled = new PolicyCache('identity', undefined, MAX_COMPILED_DOCUMENTS);

  constructor(private readonly storage: Storage) {
    this.byPrincipal = new EpochCache(() => storage.changeEpoch());
  }

  async policiesOf(principalArn: string): Promise<CallerPolicies | undefined> {
    const entry = await this.byPrincipal.getOrLoad(principalArn, async () => ({ policies: await this.load(principalArn) }));
    return entry!.policies;
  }

  private async load(principalArn: string): Promise<CallerPolicies | undefined> {
    const caller = parseCallerArn(principalArn);
    if (!caller) return undefined;
    switch (caller.type) {
      case 'root':
        // The root user is subject to no identity policy.
        return { identityPolicies: [], principalTags: {}, userId: caller.account };
      case 'user':
      case 'role': {
        const entity = await this.storage.iam.findEntityByArn(principalArn);
        if (!entity || entity.kind !== caller.type) return undefined;
        return this.policiesOfEntity(entity, entity.id);
      }
      case 'assumed-role': {
        const role = await this.storage.iam.findEntity(caller.account, 'role', caller.roleName);
        // The session's role name is the role's, letter for letter.
        if (!role || role.name !== caller.roleName) return undefined;
        return this.policiesOfEntity(role, `${role.id}:${caller.sessionName}`);
      }
    }
  }

  private async policiesOfEntity(entity: IamEntityRecord, userId: string): Promise<CallerPolicies> {
    const holders = entity.kind === 'user' ? [entity, ...(await this.storage.iam.groupsOf(entity.id))] : [entity];
    const documents: string[] = [];
    for (const holder of holders) {
      for (const p of await this.storage.iam.listInlinePolicies(holder.id)) documents.push(p.document);
      for (const p of await this.storage.iam.attachedPolicies(holder.id)) documents.push(p.document);
    }
    return { identityPolicies: documents.map((d) => this.compiled.get(d)), principalTags: tagMap(entity.tags), userId, principalCreatedAt: entity.createdAt };
  }

}
