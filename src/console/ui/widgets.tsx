import type { ComponentChildren } from 'preact';
import { AwsError, isAccessDenied } from '../api/aws-error';
import type { ActionState } from './use-async';

/** A labelled control: the label names it for keyboards and screen readers. */
export function Field({ label, children, hint }: { label: string; children: ComponentChildren; hint?: string }) {
  return (
    <div class="field">
      <label>
        <span class="field-label">{label}</span>
        {children}
      </label>
      {hint && <span class="hint">{hint}</span>}
    </div>
  );
}

/** An error as the server said it: AWS's code and message; a denial is marked as one. */
export function ErrorNote({ error }: { error: unknown }) {
  if (error === undefined) return null;
  const denied = isAccessDenied(error);
  const code = error instanceof AwsError ? error.code : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div class={denied ? 'note denied' : 'note error'} role="alert">
      <strong>{denied ? 'Not allowed' : code}</strong>
      {denied && <span class="code"> ({code})</span>}: {message}
    </div>
  );
}

/** What an action did, or why it failed. */
export function ActionResult({ action }: { action: ActionState }) {
  if (action.error !== undefined) return <ErrorNote error={action.error} />;
  if (action.done) return <div class="note ok" role="status">{action.done}</div>;
  return null;
}

export function Loading({ what }: { what: string }) {
  return <p class="loading" role="status">Loading {what}…</p>;
}

/** A section of a page with its heading. */
export function Panel({ title, children, actions }: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <section class="panel" aria-label={title}>
      <div class="panel-head">
        <h2>{title}</h2>
        {actions && <div class="panel-actions">{actions}</div>}
      </div>
      {children}
    </section>
  );
}

/** A two-column list of facts. */
export function Facts({ rows }: { rows: [string, ComponentChildren][] }) {
  return (
    <dl class="facts">
      {rows.map(([name, value]) => (
        <div key={name}>
          <dt>{name}</dt>
          <dd>{value ?? '—'}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Previous / next over a token-paged list; `page` counts from 1. */
export function Pager({ page, hasNext, onPrevious, onNext, label }: { page: number; hasNext: boolean; onPrevious: () => void; onNext: () => void; label: string }) {
  return (
    <nav class="pager" aria-label={`${label} pages`}>
      <button type="button" onClick={onPrevious} disabled={page <= 1}>
        Previous
      </button>
      <span>Page {page}</span>
      <button type="button" onClick={onNext} disabled={!hasNext}>
        Next
      </button>
    </nav>
  );
}
