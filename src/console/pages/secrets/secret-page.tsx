import { jsonCall } from '../../api/json-api';
import type { SecretDescription } from '../../api/secret-shapes';
import { href } from '../../ui/router';
import { useAsync } from '../../ui/use-async';
import { ErrorNote, Loading } from '../../ui/widgets';
import { DeletionPanel } from './deletion-panel';
import { OverviewPanel } from './overview-panel';
import { PolicyPanel } from './policy-panel';
import { RotationPanel } from './rotation-panel';
import { TagsPanel } from './tags-panel';
import { ValuePanel } from './value-panel';
import { VersionsPanel } from './versions-panel';

/** A secret: its metadata, value (revealed on demand), versions, rotation, policy, tags and deletion. */
export function SecretPage({ arn }: { arn: string }) {
  const secret = useAsync(() => jsonCall<SecretDescription>('secretsmanager', 'DescribeSecret', { SecretId: arn }), [arn]);
  const s = secret.data;
  return (
    <div>
      <p class="crumbs">
        <a href={href('secrets')}>Secrets</a> /
      </p>
      <div class="page-head">
        <h1>{s?.Name ?? 'Secret'}</h1>
        <button type="button" onClick={secret.reload} disabled={secret.loading}>
          Refresh
        </button>
      </div>
      <ErrorNote error={secret.error} />
      {!s ? (
        secret.loading && <Loading what="the secret" />
      ) : (
        <div class="panels">
          <OverviewPanel secret={s} reload={secret.reload} />
          <ValuePanel secret={s} reload={secret.reload} />
          <VersionsPanel secret={s} reload={secret.reload} />
          <RotationPanel secret={s} reload={secret.reload} />
          <PolicyPanel arn={s.ARN} />
          <TagsPanel secret={s} reload={secret.reload} />
          <DeletionPanel secret={s} reload={secret.reload} />
        </div>
      )}
    </div>
  );
}
