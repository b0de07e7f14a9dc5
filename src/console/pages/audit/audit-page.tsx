import { useState } from 'preact/hooks';
import { jsonCall } from '../../api/json-api';
import { formatTime, prettyJson } from '../../ui/format';
import { useAsync } from '../../ui/use-async';
import { usePages } from '../../ui/use-pages';
import { ErrorNote, Field, Pager, Panel } from '../../ui/widgets';
import { DataTable } from '../../ui/data-table';

interface AuditEvent {
  EventId: string;
  EventName: string;
  EventTime: number;
  EventSource: string;
  Username?: string;
  Resources?: { ResourceType?: string; ResourceName?: string }[];
  CloudTrailEvent: string;
}

interface Query {
  key: string;
  value: string;
  from: string;
  to: string;
}

/** LookupEvents' attributes (one at a time, as in CloudTrail). */
const ATTRIBUTES = ['EventName', 'Username', 'ResourceName', 'ResourceType', 'EventSource', 'ReadOnly', 'AccessKeyId', 'EventId'];

/** `datetime-local` text (this machine's time zone) as JSON 1.1 epoch seconds. */
function epochSeconds(local: string): number | undefined {
  const ms = new Date(local).getTime();
  return Number.isNaN(ms) ? undefined : ms / 1000;
}

function lookupInput(q: Query, token: string | undefined): object {
  const start = epochSeconds(q.from);
  const end = epochSeconds(q.to);
  return {
    MaxResults: 50,
    ...(q.key && q.value.trim() ? { LookupAttributes: [{ AttributeKey: q.key, AttributeValue: q.value.trim() }] } : {}),
    ...(start !== undefined ? { StartTime: start } : {}),
    ...(end !== undefined ? { EndTime: end } : {}),
    ...(token ? { NextToken: token } : {}),
  };
}

function errorOf(event: AuditEvent): string | undefined {
  try {
    return (JSON.parse(event.CloudTrailEvent) as { errorCode?: string }).errorCode;
  } catch {
    return undefined;
  }
}

/** The audit trail through CloudTrail's LookupEvents: newest first, one page at a time, each record opened in full. */
export function AuditPage() {
  const [query, setQuery] = useState<Query>({ key: 'EventName', value: '', from: '', to: '' });
  const [open, setOpen] = useState<AuditEvent>();
  const pages = usePages();
  const events = useAsync(() => jsonCall<{ Events: AuditEvent[]; NextToken?: string }>('cloudtrail', 'LookupEvents', lookupInput(query, pages.token)), [query, pages.token]);
  const submit = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const text = (name: string) => String(form.get(name) ?? '');
    setQuery({ key: text('key'), value: text('value'), from: text('from'), to: text('to') });
    setOpen(undefined);
    pages.reset();
  };
  return (
    <div>
      <h1>Audit trail</h1>
      <form class="filters" onSubmit={submit} role="search" aria-label="Look up events">
        <Field label="Attribute">
          <select name="key" value={query.key}>
            {ATTRIBUTES.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Value">
          <input name="value" spellcheck={false} placeholder="GetSecretValue" />
        </Field>
        <Field label="From">
          <input name="from" type="datetime-local" step={1} />
        </Field>
        <Field label="To">
          <input name="to" type="datetime-local" step={1} />
        </Field>
        <button type="submit">Look up</button>
      </form>
      <ErrorNote error={events.error} />
      <DataTable
        label="Events"
        rows={events.data?.Events}
        loading={events.loading}
        rowKey={(e) => e.EventId}
        empty="No events."
        selected={(e) => e.EventId === open?.EventId}
        columns={[
          { title: 'Time', cell: (e) => formatTime(e.EventTime) },
          {
            title: 'Event',
            cell: (e) => (
              <button type="button" class="link" onClick={() => setOpen(e)} aria-label={`Open ${e.EventName} event ${e.EventId}`}>
                {e.EventName}
              </button>
            ),
          },
          { title: 'User', cell: (e) => e.Username },
          { title: 'Resources', cell: (e) => <span class="resources">{(e.Resources ?? []).map((r) => r.ResourceName).join(', ')}</span> },
          { title: 'Error', cell: errorOf },
        ]}
      />
      <Pager label="Events" page={pages.page} hasNext={!!events.data?.NextToken} onPrevious={pages.previous} onNext={() => events.data?.NextToken && pages.next(events.data.NextToken)} />
      {open && (
        <Panel
          title={`${open.EventName} at ${formatTime(open.EventTime)}`}
          actions={
            <button type="button" onClick={() => setOpen(undefined)}>
              Close
            </button>
          }
        >
          <pre class="record" tabIndex={0} aria-label="Full event record">
            {prettyJson(open.CloudTrailEvent)}
          </pre>
        </Panel>
      )}
    </div>
  );
}
