import { useEffect, useState } from 'preact/hooks';

/**
 * The console's place is the URL's fragment (`#/secrets/<arn>`): it names pages and resources,
 * never a secret value or a key, and the server never sees it.
 */
export function useRoute(): string[] {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const changed = () => setHash(location.hash);
    addEventListener('hashchange', changed);
    // Effects run after the first paint: a change between that render and now was not heard.
    changed();
    return () => removeEventListener('hashchange', changed);
  }, []);
  return hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
}

/** The fragment of a page: each part encoded, so an ARN or a name with `/` stays one part. */
export function href(...parts: string[]): string {
  return `#/${parts.map(encodeURIComponent).join('/')}`;
}

export function go(...parts: string[]): void {
  location.hash = href(...parts);
}
