import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface AsyncState<T> {
  data?: T;
  error?: unknown;
  loading: boolean;
  reload: () => void;
}

/** Loads `load()` now and whenever `deps` change, keeping only the newest answer. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): AsyncState<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [round, setRound] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    const call = ++latest.current;
    setState((s) => ({ data: s.data, loading: true }));
    load().then(
      (data) => call === latest.current && setState({ data, loading: false }),
      (error: unknown) => call === latest.current && setState({ error, loading: false }),
    );
  }, [...deps, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { ...state, reload };
}

export interface ActionState {
  busy: boolean;
  error?: unknown;
  done?: string;
  /** Runs `act`; on success shows `done` (its answer's text, or the given one) and calls `after`. */
  run: (act: () => Promise<unknown>, done?: string, after?: () => void) => Promise<boolean>;
  clear: () => void;
}

/** A button's call: busy while it runs, then its error or what it did. */
export function useAction(): ActionState {
  const [state, setState] = useState<{ busy: boolean; error?: unknown; done?: string }>({ busy: false });
  const run = useCallback(async (act: () => Promise<unknown>, done?: string, after?: () => void) => {
    setState({ busy: true });
    try {
      await act();
      setState({ busy: false, done });
      after?.();
      return true;
    } catch (error) {
      setState({ busy: false, error });
      return false;
    }
  }, []);
  const clear = useCallback(() => setState({ busy: false }), []);
  return { ...state, run, clear };
}
