import { listOf, queryCall } from '../../api/query-api';
import { useAsync } from '../../ui/use-async';
import { usePages } from '../../ui/use-pages';
import { ErrorNote, Pager } from '../../ui/widgets';
import { DataTable, type Column } from '../../ui/data-table';

/**
 * One page of an IAM list (`action`'s `field`, paged by Marker and MaxItems), as a table. `reloadKey`
 * changes when the list changed.
 */
export function IamList<T>({ action, field, params = {}, columns, label, reloadKey }: { action: string; field: string; params?: Record<string, string>; columns: Column<T>[]; label: string; reloadKey?: unknown }) {
  const pages = usePages();
  const list = useAsync(
    () => queryCall<Record<string, unknown>>('iam', action, { MaxItems: '25', ...params, ...(pages.token ? { Marker: pages.token } : {}) }),
    [action, pages.token, reloadKey],
  );
  const next = list.data?.IsTruncated === 'true' ? String(list.data.Marker) : undefined;
  return (
    <div>
      <ErrorNote error={list.error} />
      <DataTable label={label} rows={list.data && listOf<T>(list.data[field])} loading={list.loading} rowKey={(item) => String((item as Record<string, unknown>).Arn)} columns={columns} />
      <Pager label={label} page={pages.page} hasNext={next !== undefined} onPrevious={pages.previous} onNext={() => next && pages.next(next)} />
    </div>
  );
}
