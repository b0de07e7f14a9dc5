import type { IamEntityRecord, Storage } from '../../storage/index.js';
import { existing, type Paging } from './iam-entities.js';
import { IamErrors } from './iam-errors.js';
import type { IamScope } from './iam-ids.js';
import { pageOfList, type IamPage } from './iam-paging.js';

/** Group membership. */
export class IamGroups {
  constructor(private readonly storage: Storage) {}

  async addUser(scope: IamScope, groupName: string, userName: string): Promise<void> {
    await this.storage.transaction(async (tx) => {
      const group = await existing(tx, scope, 'group', groupName);
      const user = await existing(tx, scope, 'user', userName);
      await tx.iam.addMember(group.id, user.id);
    });
  }

  async removeUser(scope: IamScope, groupName: string, userName: string): Promise<void> {
    await this.storage.transaction(async (tx) => {
      const group = await existing(tx, scope, 'group', groupName);
      const user = await existing(tx, scope, 'user', userName);
      if (!(await tx.iam.removeMember(group.id, user.id))) {
        throw IamErrors.noSuchEntity(`The user with name ${userName} cannot be found in group ${groupName}.`);
      }
    });
  }

  /** GetGroup: the group and a page of its users. */
  async withUsers(scope: IamScope, groupName: string, paging: Paging): Promise<{ group: IamEntityRecord; users: IamPage<IamEntityRecord> }> {
    const group = await existing(this.storage, scope, 'group', groupName);
    const users = pageOfList(await this.storage.iam.membersOf(group.id), paging, (u) => u.name);
    return { group, users };
  }

  async ofUser(scope: IamScope, userName: string, paging: Paging): Promise<IamPage<IamEntityRecord>> {
    const user = await existing(this.storage, scope, 'user', userName);
    return pageOfList(await this.storage.iam.groupsOf(user.id), paging, (g) => g.name);
  }
}
