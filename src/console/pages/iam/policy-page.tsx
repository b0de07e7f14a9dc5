import { listOf, queryCall } from '../../api/query-api';
import { formatTime, policyText } from '../../ui/format';
import { href } from '../../ui/router';
import { useAsync } from '../../ui/use-async';
import { ErrorNote, Facts, Loading, Panel } from '../../ui/widgets';
import type { IamPolicy } from './iam-shapes';

async function load(arn: string) {
  const { Policy } = await queryCall<{ Policy: IamPolicy }>('iam', 'GetPolicy', { PolicyArn: arn });
  const [version, entities] = await Promise.all([
    queryCall<{ PolicyVersion: { Document: string } }>('iam', 'GetPolicyVersion', { PolicyArn: arn, VersionId: Policy.DefaultVersionId ?? 'v1' }),
    queryCall('iam', 'ListEntitiesForPolicy', { PolicyArn: arn }),
  ]);
  const names = (list: unknown, field: string) => listOf<Record<string, string>>(list).map((e) => e[field]!);
  return {
    policy: Policy,
    document: version.PolicyVersion.Document,
    users: names(entities.PolicyUsers, 'UserName'),
    groups: names(entities.PolicyGroups, 'GroupName'),
    roles: names(entities.PolicyRoles, 'RoleName'),
  };
}

/** A customer managed policy: its document and who it is attached to. */
export function PolicyPage({ arn }: { arn: string }) {
  const policy = useAsync(() => load(arn), [arn]);
  const p = policy.data;
  return (
    <div>
      <p class="crumbs">
        <a href={href('iam', 'policies')}>IAM policies</a> /
      </p>
      <h1>Policy {p?.policy.PolicyName ?? ''}</h1>
      <ErrorNote error={policy.error} />
      {!p ? (
        policy.loading && <Loading what="the policy" />
      ) : (
        <div class="panels">
          <Panel title="Summary">
            <Facts
              rows={[
                ['ARN', p.policy.Arn],
                ['Description', p.policy.Description],
                ['Attachments', p.policy.AttachmentCount],
                ['Created', formatTime(p.policy.CreateDate)],
                ['Users', p.users.join(', ') || undefined],
                ['Groups', p.groups.join(', ') || undefined],
                ['Roles', p.roles.join(', ') || undefined],
              ]}
            />
          </Panel>
          <Panel title="Document">
            <pre class="record" tabIndex={0}>
              {policyText(p.document)}
            </pre>
          </Panel>
        </div>
      )}
    </div>
  );
}
