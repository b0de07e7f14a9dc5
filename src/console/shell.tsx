import { useEffect } from 'preact/hooks';
import type { Session } from './api/credentials';
import { AuditPage } from './pages/audit/audit-page';
import { IamPage } from './pages/iam/iam-page';
import { KeyPage } from './pages/keys/key-page';
import { KeysPage } from './pages/keys/keys-page';
import { CreateSecretPage } from './pages/secrets/create-secret-page';
import { SecretPage } from './pages/secrets/secret-page';
import { SecretsPage } from './pages/secrets/secrets-page';
import { ServerPage } from './pages/server-page';
import { href, useRoute } from './ui/router';

const SECTIONS = [
  { id: 'secrets', label: 'Secrets' },
  { id: 'keys', label: 'KMS keys' },
  { id: 'iam', label: 'IAM' },
  { id: 'audit', label: 'Audit' },
  { id: 'server', label: 'Server' },
] as const;

/** Which section a route belongs to (a secret's page is in Secrets, and so on). */
function sectionOf(route: string[]): string {
  const first = route[0] ?? 'secrets';
  return ({ secret: 'secrets', key: 'keys' } as Record<string, string>)[first] ?? first;
}

function page(route: string[]) {
  const [first, second] = route;
  switch (first) {
    case undefined:
    case 'secrets':
      return second === 'new' ? <CreateSecretPage /> : <SecretsPage />;
    case 'secret':
      return <SecretPage key={second} arn={second!} />;
    case 'keys':
      return <KeysPage />;
    case 'key':
      return <KeyPage key={second} keyId={second!} />;
    case 'iam':
      return <IamPage route={route.slice(1)} />;
    case 'audit':
      return <AuditPage />;
    case 'server':
      return <ServerPage />;
    default:
      return <p role="alert">There is no page here. <a href={href('secrets')}>Go to the secrets.</a></p>;
  }
}

/** The signed-in console: who is signed in, the sections, and the page of the route. */
export function Shell({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const route = useRoute();
  const section = sectionOf(route);
  const label = SECTIONS.find((s) => s.id === section)?.label ?? 'Coffer';
  // The title names the section only: never a secret's name or value.
  useEffect(() => {
    document.title = `${label} — Coffer console`;
  }, [label]);
  return (
    <div class="shell">
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href={href('secrets')}>
          Coffer
        </a>
        <nav aria-label="Sections" class="sections">
          {SECTIONS.map((s) => (
            <a key={s.id} href={href(s.id)} aria-current={s.id === section ? 'page' : undefined}>
              {s.label}
            </a>
          ))}
        </nav>
        <div class="who">
          <span class="identity" title={session.identity.Arn}>
            {session.identity.Arn}
          </span>
          <span class="region">{session.region}</span>
          <button type="button" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {page(route)}
      </main>
    </div>
  );
}
