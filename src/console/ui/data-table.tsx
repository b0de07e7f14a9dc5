import type { ComponentChildren } from 'preact';
import { Loading } from './widgets';

export interface Column<T> {
  /** The header; a column without one (row actions) gets a header only screen readers hear. */
  title: string;
  hidden?: boolean;
  cell: (item: T) => ComponentChildren;
}

export interface DataTableProps<T> {
  label: string;
  columns: Column<T>[];
  rows: T[] | undefined;
  rowKey: (item: T) => string;
  /** A load is under way: the first shows "Loading", a later one marks the table busy. */
  loading?: boolean;
  empty?: string;
  selected?: (item: T) => boolean;
}

/** A table of one page of items, with its header row, an empty line, and its loading state. */
export function DataTable<T>({ label, columns, rows, rowKey, loading = false, empty = 'None.', selected }: DataTableProps<T>) {
  if (!rows) return loading ? <Loading what={label.toLowerCase()} /> : null;
  return (
    <div class="table-wrap">
      <table aria-label={label} aria-busy={loading}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th scope="col" key={c.title}>
                {c.hidden ? <span class="sr-only">{c.title}</span> : c.title}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((item) => (
            <tr key={rowKey(item)} class={selected?.(item) ? 'selected' : undefined}>
              {columns.map((c) => (
                <td key={c.title}>{c.cell(item)}</td>
              ))}
            </tr>
          ))}
          {rows.length === 0 && (
            <tr>
              <td colSpan={columns.length}>{empty}</td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
