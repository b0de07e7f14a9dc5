import { useEffect, useState } from 'preact/hooks';
import { endSession, restoreSession, type Session } from './api/credentials';
import { SignInPage } from './pages/sign-in-page';
import { Shell } from './shell';

/** Signed out: the sign-in page. Signed in: the console, until sign-out forgets the keys. */
export function App() {
  const [session, setSession] = useState<Session | undefined>(() => restoreSession());
  useEffect(() => {
    if (!session) document.title = 'Sign in — Coffer console';
  }, [session]);
  if (!session) return <SignInPage onSignedIn={setSession} />;
  return (
    <Shell
      session={session}
      onSignOut={() => {
        endSession();
        history.replaceState(null, '', location.pathname);
        setSession(undefined);
      }}
    />
  );
}
