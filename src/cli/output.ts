import { Option, type Command } from 'commander';

export type OutputFormat = 'table' | 'json';

/** `--output table|json`: tables for people (the default), JSON for scripts. */
export function outputOption(command: Command): Command {
  return command.addOption(new Option('-o, --output <format>', 'table for people, json for scripts').choices(['table', 'json']).default('table'));
}

export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

/** Rows under upper-case headings, columns as wide as their widest cell; an empty list says so. */
export function printTable(rows: Record<string, unknown>[], columns: [heading: string, key: string][], empty = 'none'): void {
  if (!rows.length) {
    console.log(`(${empty})`);
    return;
  }
  const cells = rows.map((row) => columns.map(([, key]) => cell(row[key])));
  const headings = columns.map(([heading]) => heading.toUpperCase());
  const widths = headings.map((heading, i) => Math.max(heading.length, ...cells.map((line) => line[i]!.length)));
  const line = (values: string[]) => values.map((value, i) => (i === values.length - 1 ? value : value.padEnd(widths[i]!))).join('  ').trimEnd();
  console.log([line(headings), ...cells.map(line)].join('\n'));
}

/** Label: value lines, the labels aligned; empty values left out. */
export function printFields(fields: [label: string, value: unknown][]): void {
  const shown = fields.map(([label, value]) => [label, cell(value)] as const).filter(([, value]) => value !== '');
  const width = Math.max(...shown.map(([label]) => label.length));
  console.log(shown.map(([label, value]) => `${`${label}:`.padEnd(width + 1)} ${value}`).join('\n'));
}

function cell(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(cell).join(', ');
  return String(value).replace(/\s*\n\s*/g, ' ');
}

/** A time the JSON protocol sends (epoch seconds) or the query protocol (ISO 8601), as `2024-05-01 12:00:00Z`. */
export function when(time: unknown): string {
  if (time === undefined || time === null || time === '') return '';
  const date = typeof time === 'number' ? new Date(time * 1000) : new Date(String(time));
  return Number.isNaN(date.getTime()) ? String(time) : `${date.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}
