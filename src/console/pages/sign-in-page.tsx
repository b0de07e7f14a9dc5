import { useEffect, useState } from 'preact/hooks';
import { startSession, type Credentials, type Identity, type Session } from '../api/credentials';
import { unsignedJsonCall } from '../api/json-api';
import { queryCall } from '../api/query-api';
import { ErrorNote, Field } from '../ui/widgets';

/** The server's region (`--region`), which it writes into the page; the placeholder stays only in an unserved build. */
const SERVED_REGION = document.querySelector<HTMLMetaElement>('meta[name="coffer-region"]')?.content ?? '';
const DEFAULT_REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/.test(SERVED_REGION) ? SERVED_REGION : 'us-east-1';

interface AssumedRole {
  Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
}

/**
 * Signs in with an access key pair (and a session token, for session keys), or assumes a role with
 * it: the role's session keys then replace the pair, which is forgotten. Nothing is sent but signed
 * requests; GetCallerIdentity proves the keys work.
 */
export function SignInPage({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [sealed, setSealed] = useState<boolean>();
  const [region, setRegion] = useState(DEFAULT_REGION);
  const [sessionName, setSessionName] = useState('coffer-console');
  useEffect(() => {
    unsignedJsonCall<{ sealed?: boolean }>('operator', 'GetSealStatus').then(
      (status) => setSealed(status.sealed === true),
      () => setSealed(undefined),
    );
  }, []);
  const secure = globalThis.isSecureContext && globalThis.crypto?.subtle !== undefined;

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    setBusy(true);
    setError(undefined);
    try {
      let credentials: Credentials = { accessKeyId: text('accessKeyId'), secretAccessKey: text('secretAccessKey'), ...(text('sessionToken') ? { sessionToken: text('sessionToken') } : {}) };
      const roleArn = text('roleArn');
      if (roleArn) {
        const assumed = await queryCall<AssumedRole>('sts', 'AssumeRole', { RoleArn: roleArn, RoleSessionName: sessionName || 'coffer-console' }, credentials, region);
        credentials = { accessKeyId: assumed.Credentials.AccessKeyId, secretAccessKey: assumed.Credentials.SecretAccessKey, sessionToken: assumed.Credentials.SessionToken };
      }
      const identity = await queryCall<Identity>('sts', 'GetCallerIdentity', {}, credentials, region);
      const session: Session = { credentials, region, identity, remembered: form.get('remember') === 'on' };
      startSession(session);
      onSignedIn(session);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  return (
    <main class="sign-in" id="main">
      <h1>Coffer console</h1>
      {!secure && (
        <div class="note error" role="alert">
          This page is not a secure context: browsers sign requests (Web Crypto) only over HTTPS or on a loopback address. Serve Coffer with --tls-cert and --tls-key.
        </div>
      )}
      {sealed && (
        <div class="note error" role="alert">
          The server is sealed: it serves nothing until operators unseal it (coffer operator unseal).
        </div>
      )}
      <form class="card" onSubmit={submit} autocomplete="off" aria-label="Sign in">
        <p class="hint">
          Your keys stay in this page: each request is signed here with SigV4, and Coffer authorizes and records it like any client's.
        </p>
        <Field label="Access key ID">
          <input name="accessKeyId" required autocomplete="off" spellcheck={false} autofocus />
        </Field>
        <Field label="Secret access key">
          <input name="secretAccessKey" type="password" required autocomplete="new-password" spellcheck={false} />
        </Field>
        <Field label="Region">
          <input name="region" value={region} onInput={(e) => setRegion(e.currentTarget.value)} required spellcheck={false} />
        </Field>
        <details>
          <summary>Session token or role</summary>
          <Field label="Session token (for temporary keys)">
            <input name="sessionToken" type="password" autocomplete="off" spellcheck={false} />
          </Field>
          <Field label="Role ARN to assume" hint="Signs in as a session of this role (AssumeRole); the keys above are then forgotten.">
            <input name="roleArn" placeholder="arn:aws:iam::000000000000:role/operator" spellcheck={false} />
          </Field>
          <Field label="Role session name">
            <input name="sessionName" value={sessionName} onInput={(e) => setSessionName(e.currentTarget.value)} spellcheck={false} />
          </Field>
        </details>
        <label class="check">
          <input type="checkbox" name="remember" /> Keep me signed in while this tab is open (sessionStorage)
        </label>
        <button type="submit" class="primary" disabled={busy || !secure}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <ErrorNote error={error} />
      </form>
    </main>
  );
}
