import { useCallback, useState } from 'preact/hooks';

export interface Pages {
  /** The token of the page shown (undefined for the first). */
  token?: string;
  page: number;
  next: (token: string) => void;
  previous: () => void;
  reset: () => void;
}

/**
 * Paging by the API's continuation tokens (NextToken, Marker): the tokens of the pages before
 * are kept so that Previous works; only one page is ever loaded.
 */
export function usePages(): Pages {
  const [tokens, setTokens] = useState<(string | undefined)[]>([undefined]);
  const next = useCallback((token: string) => setTokens((t) => [...t, token]), []);
  const previous = useCallback(() => setTokens((t) => (t.length > 1 ? t.slice(0, -1) : t)), []);
  const reset = useCallback(() => setTokens([undefined]), []);
  return { token: tokens[tokens.length - 1], page: tokens.length, next, previous, reset };
}
