import { useState } from 'preact/hooks';
import { listOf, queryCall } from '../../api/query-api';
import { formatTime, policyText } from '../../ui/format';
import { href } from '../../ui/router';
import { useAction, useAsync } from '../../ui/use-async';
import { ActionResult, ErrorNote, Facts, Field, Loading, Panel } from '../../ui/widgets';
import { AccessKeys } from './access-keys';
import { AttachedPolicies } from './attached-policies';
import type { IamGroup, IamRole, IamUser, PolicyHolder } from './iam-shapes';

type Kind = 'user' | 'group' | 'role';

const HOLDER: Record<Kind, PolicyHolder> = { user: 'User', group: 'Group', role: 'Role' };

interface Entity {
  facts: [string, string | undefined][];
  /** Groups of a user, or users of a group. */
  members?: { title: string; names: string[]; link: Kind };
  trustPolicy?: string;
}

async function load(kind: Kind, name: string): Promise<Entity> {
  if (kind === 'user') {
    const [got, groups] = await Promise.all([queryCall<{ User: IamUser }>('iam', 'GetUser', { UserName: name }), queryCall('iam', 'ListGroupsForUser', { UserName: name })]);
    return {
      facts: [['ARN', got.User.Arn], ['User id', got.User.UserId], ['Created', formatTime(got.User.CreateDate)]],
      members: { title: 'Groups', names: listOf<IamGroup>(groups.Groups).map((g) => g.GroupName), link: 'group' },
    };
  }
  if (kind === 'group') {
    const got = await queryCall<{ Group: IamGroup; Users: unknown }>('iam', 'GetGroup', { GroupName: name });
    return {
      facts: [['ARN', got.Group.Arn], ['Created', formatTime(got.Group.CreateDate)]],
      members: { title: 'Users', names: listOf<IamUser>(got.Users).map((u) => u.UserName), link: 'user' },
    };
  }
  const got = await queryCall<{ Role: IamRole }>('iam', 'GetRole', { RoleName: name });
  return {
    facts: [['ARN', got.Role.Arn], ['Description', got.Role.Description], ['Maximum session', got.Role.MaxSessionDuration && `${got.Role.MaxSessionDuration} s`], ['Created', formatTime(got.Role.CreateDate)]],
    trustPolicy: got.Role.AssumeRolePolicyDocument,
  };
}

/** Adds a user to a group (AddUserToGroup), from either side. */
function Membership({ kind, name, reload }: { kind: Kind; name: string; reload: () => void }) {
  const [other, setOther] = useState('');
  const action = useAction();
  const params = kind === 'user' ? { UserName: name, GroupName: other } : { UserName: other, GroupName: name };
  return (
    <form class="row" onSubmit={(e) => (e.preventDefault(), action.run(() => queryCall('iam', 'AddUserToGroup', params), 'Added.', reload))} aria-label="Add membership">
      <Field label={kind === 'user' ? 'Add to group' : 'Add user'}>
        <input value={other} onInput={(e) => setOther(e.currentTarget.value)} required spellcheck={false} />
      </Field>
      <button type="submit" disabled={action.busy}>
        Add
      </button>
      <ActionResult action={action} />
    </form>
  );
}

/** A user, group or role: what it is, its memberships or trust policy, its policies, and a user's access keys. */
export function EntityPage({ kind, name }: { kind: Kind; name: string }) {
  const entity = useAsync(() => load(kind, name), [kind, name]);
  const e = entity.data;
  return (
    <div>
      <p class="crumbs">
        <a href={href('iam', `${kind}s`)}>IAM {kind}s</a> /
      </p>
      <h1>
        {HOLDER[kind]} {name}
      </h1>
      <ErrorNote error={entity.error} />
      {!e ? (
        entity.loading && <Loading what={kind} />
      ) : (
        <div class="panels">
          <Panel title="Summary">
            <Facts rows={e.facts} />
            {e.members && (
              <>
                <h3>{e.members.title}</h3>
                <ul class="plain">
                  {e.members.names.map((n) => (
                    <li key={n}>
                      <a href={href('iam', e.members!.link, n)}>{n}</a>
                    </li>
                  ))}
                  {e.members.names.length === 0 && <li>None.</li>}
                </ul>
                <Membership kind={kind} name={name} reload={entity.reload} />
              </>
            )}
            {e.trustPolicy !== undefined && (
              <>
                <h3>Trust policy</h3>
                <pre class="record">{policyText(e.trustPolicy)}</pre>
              </>
            )}
          </Panel>
          {kind === 'user' && <AccessKeys userName={name} />}
          <AttachedPolicies kind={HOLDER[kind]} name={name} />
        </div>
      )}
    </div>
  );
}
