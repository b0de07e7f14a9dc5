import { useState } from 'preact/hooks';
import { formatTime } from '../../ui/format';
import { href } from '../../ui/router';
import { CreateGroupForm, CreatePolicyForm, CreateUserForm } from './create-forms';
import { EntityPage } from './entity-page';
import { IamList } from './iam-list';
import type { IamGroup, IamPolicy, IamRole, IamUser } from './iam-shapes';
import { PolicyPage } from './policy-page';

const TABS = [
  ['users', 'Users'],
  ['groups', 'Groups'],
  ['roles', 'Roles'],
  ['policies', 'Policies'],
] as const;

function Lists({ tab }: { tab: string }) {
  const [changed, setChanged] = useState(0);
  const bump = () => setChanged((n) => n + 1);
  switch (tab) {
    case 'groups':
      return (
        <>
          <IamList<IamGroup> label="Groups" action="ListGroups" field="Groups" reloadKey={changed} columns={[
            { title: 'Group', cell: (g) => <a href={href('iam', 'group', g.GroupName)}>{g.GroupName}</a> },
            { title: 'Created', cell: (g) => formatTime(g.CreateDate) },
          ]} />
          <CreateGroupForm onCreated={bump} />
        </>
      );
    case 'roles':
      return (
        <IamList<IamRole> label="Roles" action="ListRoles" field="Roles" columns={[
          { title: 'Role', cell: (r) => <a href={href('iam', 'role', r.RoleName)}>{r.RoleName}</a> },
          { title: 'ARN', cell: (r) => <code>{r.Arn}</code> },
          { title: 'Created', cell: (r) => formatTime(r.CreateDate) },
        ]} />
      );
    case 'policies':
      return (
        <>
          <IamList<IamPolicy> label="Policies" action="ListPolicies" field="Policies" params={{ Scope: 'Local' }} reloadKey={changed} columns={[
            { title: 'Policy', cell: (p) => <a href={href('iam', 'policy', p.Arn)}>{p.PolicyName}</a> },
            { title: 'Attachments', cell: (p) => p.AttachmentCount },
            { title: 'Created', cell: (p) => formatTime(p.CreateDate) },
          ]} />
          <CreatePolicyForm onCreated={bump} />
        </>
      );
    default:
      return (
        <>
          <IamList<IamUser> label="Users" action="ListUsers" field="Users" reloadKey={changed} columns={[
            { title: 'User', cell: (u) => <a href={href('iam', 'user', u.UserName)}>{u.UserName}</a> },
            { title: 'ARN', cell: (u) => <code>{u.Arn}</code> },
            { title: 'Created', cell: (u) => formatTime(u.CreateDate) },
          ]} />
          <CreateUserForm onCreated={bump} />
        </>
      );
  }
}

/** IAM: users, groups, roles and customer managed policies, each listed a page at a time, and their pages. */
export function IamPage({ route }: { route: string[] }) {
  const [first, name] = route;
  if (first === 'user' || first === 'group' || first === 'role') return <EntityPage key={`${first}/${name}`} kind={first} name={name!} />;
  if (first === 'policy') return <PolicyPage key={name} arn={name!} />;
  const tab = first ?? 'users';
  return (
    <div>
      <h1>IAM</h1>
      <nav class="tabs" aria-label="IAM">
        {TABS.map(([id, label]) => (
          <a key={id} href={href('iam', id)} aria-current={id === tab ? 'page' : undefined}>
            {label}
          </a>
        ))}
      </nav>
      <Lists tab={tab} />
    </div>
  );
}
