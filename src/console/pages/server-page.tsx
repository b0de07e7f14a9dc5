import type { ComponentChildren } from 'preact';
import { currentSession } from '../api/credentials';
import { unsignedJsonCall } from '../api/json-api';
import { useAsync } from '../ui/use-async';
import { ErrorNote, Facts, Loading, Panel } from '../ui/widgets';

interface SealStatus {
  sealed: boolean;
  initialized: boolean;
  provider: string;
  threshold?: number;
  progress?: number;
}

/** The server: its seal status (CofferOperator.GetSealStatus), its health, and who is signed in. */
export function ServerPage() {
  const seal = useAsync(() => unsignedJsonCall<SealStatus>('operator', 'GetSealStatus'), []);
  const health = useAsync(() => fetch('/health', { cache: 'no-store' }).then((r) => r.json() as Promise<{ status: string }>), []);
  const session = currentSession();
  const s = seal.data;
  return (
    <div>
      <h1>Server</h1>
      <Panel title="Seal status">
        <ErrorNote error={seal.error} />
        {seal.loading && <Loading what="the seal status" />}
        <Facts
          rows={[
            ...(s
              ? ([
                  ['Sealed', <strong class={s.sealed ? 'bad' : 'good'}>{s.sealed ? 'sealed' : 'unsealed'}</strong>],
                  ['Root key provider', s.provider],
                  ['Initialized', s.initialized ? 'yes' : 'no'],
                  ...(s.threshold ? [['Unseal threshold', `${s.progress ?? 0} of ${s.threshold} shares given`]] : []),
                ] as [string, ComponentChildren][])
              : []),
            ['Health (GET /health)', health.data?.status ?? (health.error ? 'unavailable' : '…')],
          ]}
        />
      </Panel>
      <Panel title="Signed in as">
        <Facts
          rows={[
            ['ARN', session?.identity.Arn],
            ['Account', session?.identity.Account],
            ['Region', session?.region],
            ['Access key', session?.credentials.accessKeyId],
            ['Keys kept', session?.remembered ? 'in memory and this tab’s sessionStorage' : 'in memory only'],
          ]}
        />
      </Panel>
    </div>
  );
}
