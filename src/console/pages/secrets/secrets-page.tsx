import { useState } from 'preact/hooks';
import { jsonCall } from '../../api/json-api';
import type { SecretSummary } from '../../api/secret-shapes';
import { formatTime } from '../../ui/format';
import { href } from '../../ui/router';
import { useAsync } from '../../ui/use-async';
import { usePages } from '../../ui/use-pages';
import { ErrorNote, Field, Pager } from '../../ui/widgets';
import { DataTable, type Column } from '../../ui/data-table';

interface Filters {
  name: string;
  tagKey: string;
  tagValue: string;
  description: string;
  includeDeleted: boolean;
}

const NO_FILTERS: Filters = { name: '', tagKey: '', tagValue: '', description: '', includeDeleted: false };

const SORTS = [
  ['created-date', 'Created'],
  ['name', 'Name'],
  ['last-changed-date', 'Last changed'],
  ['last-accessed-date', 'Last accessed'],
] as const;

const COLUMNS: Column<SecretSummary>[] = [
  {
    title: 'Name',
    cell: (s) => (
      <>
        <a href={href('secret', s.ARN)}>{s.Name}</a>
        {s.DeletedDate !== undefined && <span class="badge danger">deletion scheduled</span>}
      </>
    ),
  },
  { title: 'Description', cell: (s) => s.Description },
  { title: 'Last changed', cell: (s) => formatTime(s.LastChangedDate) },
  { title: 'Last accessed', cell: (s) => formatTime(s.LastAccessedDate) },
  { title: 'Rotation', cell: (s) => (s.RotationEnabled ? `next ${formatTime(s.NextRotationDate)}` : 'off') },
];

/** ListSecrets' filters from the form: each one is a prefix match, as in AWS. */
function listFilters(f: Filters): { Key: string; Values: string[] }[] {
  const filters: [string, string][] = [
    ['name', f.name],
    ['tag-key', f.tagKey],
    ['tag-value', f.tagValue],
    ['description', f.description],
  ];
  return filters.filter(([, value]) => value.trim()).map(([Key, value]) => ({ Key, Values: [value.trim()] }));
}

/** One page of secrets at a time (ListSecrets with MaxResults and NextToken), however many there are. */
export function SecretsPage() {
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [sortBy, setSortBy] = useState('created-date');
  const [sortOrder, setSortOrder] = useState('desc');
  const [pageSize, setPageSize] = useState(25);
  const pages = usePages();
  const list = useAsync(
    () =>
      jsonCall<{ SecretList: SecretSummary[]; NextToken?: string }>('secretsmanager', 'ListSecrets', {
        MaxResults: pageSize,
        SortBy: sortBy,
        SortOrder: sortOrder,
        IncludePlannedDeletion: filters.includeDeleted,
        ...(listFilters(filters).length ? { Filters: listFilters(filters) } : {}),
        ...(pages.token ? { NextToken: pages.token } : {}),
      }),
    [filters, sortBy, sortOrder, pageSize, pages.token],
  );
  const apply = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const text = (name: string) => String(form.get(name) ?? '');
    setFilters({ name: text('name'), tagKey: text('tagKey'), tagValue: text('tagValue'), description: text('description'), includeDeleted: form.get('includeDeleted') === 'on' });
    pages.reset();
  };
  const resort = (set: (value: any) => void) => (event: Event) => {
    set((event.currentTarget as HTMLSelectElement).value);
    pages.reset();
  };
  return (
    <div>
      <div class="page-head">
        <h1>Secrets</h1>
        <a class="button primary" href={href('secrets', 'new')}>
          Create secret
        </a>
      </div>
      <form class="filters" onSubmit={apply} role="search" aria-label="Filter secrets">
        <Field label="Name starts with">
          <input name="name" spellcheck={false} />
        </Field>
        <Field label="Tag key">
          <input name="tagKey" spellcheck={false} />
        </Field>
        <Field label="Tag value">
          <input name="tagValue" spellcheck={false} />
        </Field>
        <Field label="Description">
          <input name="description" />
        </Field>
        <label class="check">
          <input type="checkbox" name="includeDeleted" /> Include scheduled for deletion
        </label>
        <button type="submit">Search</button>
      </form>
      <div class="list-controls">
        <Field label="Sort by">
          <select value={sortBy} onChange={resort(setSortBy)}>
            {SORTS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Order">
          <select value={sortOrder} onChange={resort(setSortOrder)}>
            <option value="desc">Descending</option>
            <option value="asc">Ascending</option>
          </select>
        </Field>
        <Field label="Per page">
          <select value={String(pageSize)} onChange={resort((v: string) => setPageSize(Number(v)))}>
            {[25, 50, 100].map((n) => (
              <option key={n} value={String(n)}>
                {n}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <ErrorNote error={list.error} />
      <DataTable
        label="Secrets"
        rows={list.data?.SecretList}
        loading={list.loading}
        rowKey={(s) => s.ARN}
        empty="No secret matches."
        columns={COLUMNS}
      />
      <Pager label="Secrets" page={pages.page} hasNext={!!list.data?.NextToken} onPrevious={pages.previous} onNext={() => list.data?.NextToken && pages.next(list.data.NextToken)} />
    </div>
  );
}
