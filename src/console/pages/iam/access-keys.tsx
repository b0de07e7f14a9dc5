import { useState } from 'preact/hooks';
import { listOf, queryCall } from '../../api/query-api';
import { formatTime } from '../../ui/format';
import { useAction, useAsync } from '../../ui/use-async';
import { ActionResult, ErrorNote, Panel } from '../../ui/widgets';
import { DataTable } from '../../ui/data-table';
import type { AccessKey } from './iam-shapes';

/** A new key pair, shown once: the secret key is in this component's state until Done, and nowhere else. */
export function NewAccessKey({ accessKey, onDone }: { accessKey: AccessKey; onDone: () => void }) {
  const copy = useAction();
  return (
    <div class="note warn new-key" role="alert" aria-label="New access key">
      <strong>New access key — shown this once.</strong> Keep the secret access key now: Coffer keeps it only sealed and cannot show it again.
      <dl class="facts">
        <div>
          <dt>Access key ID</dt>
          <dd>
            <code class="new-key-id">{accessKey.AccessKeyId}</code>
          </dd>
        </div>
        <div>
          <dt>Secret access key</dt>
          <dd>
            <code class="new-key-secret">{accessKey.SecretAccessKey}</code>
          </dd>
        </div>
      </dl>
      <div class="row">
        <button type="button" onClick={() => copy.run(() => navigator.clipboard.writeText(accessKey.SecretAccessKey ?? ''), 'Copied.')}>
          Copy secret access key
        </button>
        <button type="button" class="primary" onClick={onDone}>
          Done
        </button>
      </div>
      <ActionResult action={copy} />
    </div>
  );
}

/** A user's access keys: issue one (shown once), deactivate or activate, delete. */
export function AccessKeys({ userName }: { userName: string }) {
  const keys = useAsync(() => queryCall('iam', 'ListAccessKeys', { UserName: userName }).then((r) => listOf<AccessKey>(r.AccessKeyMetadata)), [userName]);
  const [issued, setIssued] = useState<AccessKey>();
  const action = useAction();
  const create = () =>
    action.run(async () => {
      const created = await queryCall<{ AccessKey: AccessKey }>('iam', 'CreateAccessKey', { UserName: userName });
      setIssued(created.AccessKey);
    }, undefined, keys.reload);
  const setStatus = (key: AccessKey, Status: string) => action.run(() => queryCall('iam', 'UpdateAccessKey', { UserName: userName, AccessKeyId: key.AccessKeyId, Status }), `${key.AccessKeyId} is now ${Status}.`, keys.reload);
  const remove = (key: AccessKey) => action.run(() => queryCall('iam', 'DeleteAccessKey', { UserName: userName, AccessKeyId: key.AccessKeyId }), `${key.AccessKeyId} was deleted.`, keys.reload);
  return (
    <Panel
      title="Access keys"
      actions={
        <button type="button" onClick={create} disabled={action.busy}>
          Create access key
        </button>
      }
    >
      {issued && <NewAccessKey accessKey={issued} onDone={() => setIssued(undefined)} />}
      <ErrorNote error={keys.error} />
      <DataTable
        label="Access keys"
        rows={keys.data}
        loading={keys.loading}
        rowKey={(k) => k.AccessKeyId}
        columns={[
          { title: 'Access key ID', cell: (k) => <code>{k.AccessKeyId}</code> },
          { title: 'Status', cell: (k) => <span class={k.Status === 'Active' ? 'badge' : 'badge danger'}>{k.Status}</span> },
          { title: 'Created', cell: (k) => formatTime(k.CreateDate) },
          {
            title: 'Actions',
            hidden: true,
            cell: (k) => (
              <>
                {k.Status === 'Active' ? (
                  <button type="button" onClick={() => setStatus(k, 'Inactive')} aria-label={`Deactivate ${k.AccessKeyId}`}>
                    Deactivate
                  </button>
                ) : (
                  <button type="button" onClick={() => setStatus(k, 'Active')} aria-label={`Activate ${k.AccessKeyId}`}>
                    Activate
                  </button>
                )}{' '}
                <button type="button" onClick={() => remove(k)} aria-label={`Delete ${k.AccessKeyId}`} disabled={k.Status === 'Active'}>
                  Delete
                </button>
              </>
            ),
          },
        ]}
      />
      <ActionResult action={action} />
    </Panel>
  );
}
