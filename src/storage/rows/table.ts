/**
 * A table declared once: each record field with its column and the column's kind. Both SQL
 * dialects read rows and bind parameters through it, so a column is named in one place and
 * what differs between SQLite and PostgreSQL is settled by its kind. Derived from it are only
 * the INSERT and UPDATE that write a whole record and a joined table's column list; every other
 * statement is written out in its repository.
 */

/** The database a statement's parameters are bound for. */
export type Dialect = 'sqlite' | 'postgres';

/** A row as either driver returns it: column name → value. */
export type Row = Readonly<Record<string, unknown>>;

/**
 * How a table's statements treat a column: `changing` (written by INSERT and UPDATE), `fixed`
 * (by INSERT alone), `generated` (a table column set by the database or by statements of its
 * own, only read), `computed` (no table column: the SELECT adds it under this name, only read).
 */
export type ColumnRole = 'changing' | 'fixed' | 'generated' | 'computed';

/** One column: its name, the record field's value as a parameter and back from a row. */
export interface Column<V, Optional extends boolean = boolean, Role extends ColumnRole = ColumnRole> {
  readonly name: string;
  /** Nullable: NULL reads as an absent field, an absent field is written as NULL. */
  readonly optional: Optional;
  readonly role: Role;
  encode(value: V | undefined, dialect: Dialect): unknown;
  decode(stored: unknown): V;
}

/** A column of any value, as a table holds its columns. */
type AnyColumn = Column<unknown>;

/** A column with the conversions of its kind (each kind below is one; a table may add its own). */
export function column<V>(name: string, encode: (value: V, dialect: Dialect) => unknown, decode: (stored: unknown) => V): Column<V, false, 'changing'> {
  return { name, optional: false, role: 'changing', encode: (value, dialect) => encode(value as V, dialect), decode };
}

const same = (value: unknown): unknown => value;

export const text = <T extends string = string>(name: string) => column<T>(name, same, (stored) => stored as T);

export const integer = (name: string) => column<number>(name, same, Number);

/** Epoch milliseconds: INTEGER in SQLite, BIGINT in PostgreSQL (which the pool reads as a number). */
export const time = integer;

/** A Buffer: BLOB in SQLite, BYTEA in PostgreSQL; both drivers bind and return Buffers. */
export const bytes = (name: string) => column<Buffer>(name, same, (stored) => stored as Buffer);

/** A boolean: 0 or 1 in SQLite (which has no boolean type), BOOLEAN in PostgreSQL. */
export const flag = (name: string) =>
  column<boolean>(name, (value, dialect) => (dialect === 'sqlite' ? (value ? 1 : 0) : value), Boolean);

/** A value kept as JSON text. */
export const json = <T>(name: string) => column<T>(name, (value) => JSON.stringify(value), (stored) => JSON.parse(stored as string) as T);

/** A nullable column: NULL reads as an absent field. */
export function optional<V, Role extends ColumnRole>(column: Column<V, false, Role>): Column<V, true, Role> {
  return { ...column, optional: true, encode: (value, dialect) => (value === undefined ? null : column.encode(value, dialect)) };
}

/** A nullable list: an absent or empty list is written as NULL, and NULL reads as an absent field. */
export function optionalList<V extends readonly unknown[], Role extends ColumnRole>(column: Column<V, false, Role>): Column<V, true, Role> {
  return { ...optional(column), encode: (value, dialect) => (value?.length ? column.encode(value, dialect) : null) };
}

/** A column INSERT writes and UPDATE leaves as it is (what names the row, and when it was made). */
export function fixed<V, Optional extends boolean>(column: Column<V, Optional, 'changing'>): Column<V, Optional, 'fixed'> {
  return { ...column, role: 'fixed' };
}

/** A table column the database (or a statement of its own) sets: read, never written with the record. */
export function generated<V, Optional extends boolean>(column: Column<V, Optional, 'changing'>): Column<V, Optional, 'generated'> {
  return { ...column, role: 'generated' };
}

/** A value each SELECT adds under this name (no column of the table): read, never written. */
export function computed<V, Optional extends boolean>(column: Column<V, Optional, 'changing'>): Column<V, Optional, 'computed'> {
  return { ...column, role: 'computed' };
}

/**
 * The columns of a table holding records R, one per field: a field R may lack is an optional
 * column, and the fields named in `ReadOnly` are generated or computed ones.
 */
export type ColumnsOf<R, ReadOnly extends keyof R = never> = {
  [F in keyof R]-?: Column<
    Exclude<R[F], undefined>,
    undefined extends R[F] ? true : false,
    F extends ReadOnly ? 'generated' | 'computed' : 'changing' | 'fixed'
  >;
};

type Fields = readonly (readonly [field: string, column: AnyColumn])[];
type Stored = Record<string, unknown>;

/**
 * A declared table: reads records R from its rows and binds records W (R without what the table
 * only reads) as the parameters of its statements.
 */
export class Table<R, W> {
  private readonly written: Fields;

  constructor(
    readonly name: string,
    private readonly fields: Fields,
    private readonly toRecord: (stored: Stored) => R,
    private readonly fromRecord: (record: W) => Stored,
  ) {
    this.written = fields.filter(([, column]) => column.role === 'changing' || column.role === 'fixed');
  }

  /**
   * The same table, its records reshaped: for a record that nests or derives what the row keeps
   * in columns of their own. `toRecord` and `fromRecord` see the records the columns declare.
   */
  shaped<M, N>(toRecord: (stored: R) => M, fromRecord: (record: N) => W): Table<M, N> {
    return new Table(this.name, this.fields, (stored) => toRecord(this.toRecord(stored)), (record) => this.fromRecord(fromRecord(record)));
  }

  /** The record a row holds (a fresh object: callers may freeze or change it). */
  readonly read = (row: Row): R => this.readPrefixed(row, '');

  /** The record a single-row query found, if it found one. */
  readOne(row: unknown): R | undefined {
    return row === undefined ? undefined : this.read(row as Row);
  }

  readAll(rows: readonly unknown[]): R[] {
    return rows.map((row) => this.read(row as Row));
  }

  /** The record a row holds under `prefix`ed names (the columns of a joined table, see `select`). */
  readPrefixed(row: Row, prefix: string): R {
    const stored: Stored = {};
    for (const [field, column] of this.fields) {
      const value = row[prefix + column.name];
      if (column.optional && (value === null || value === undefined)) continue;
      stored[field] = column.decode(value);
    }
    return this.toRecord(stored);
  }

  /** The record's written fields as named parameters (`@field`), bound for `dialect`. */
  params(record: W, dialect: Dialect): Record<string, unknown> {
    const stored = this.fromRecord(record);
    return Object.fromEntries(this.written.map(([field, column]) => [field, column.encode(stored[field], dialect)]));
  }

  /** `INSERT` of every written column from its parameter, or from the SQL expression `values` gives for its field. */
  insert(values: Readonly<Record<string, string>> = {}): string {
    const unknown = Object.keys(values).filter((field) => !this.written.some(([name]) => name === field));
    if (unknown.length) throw new Error(`${this.name} writes no field ${unknown.join(', ')}`);
    const columns = this.written.map(([, column]) => column.name).join(', ');
    return `INSERT INTO ${this.name} (${columns}) VALUES (${this.written.map(([field]) => values[field] ?? `@${field}`).join(', ')})`;
  }

  /** `UPDATE` of every changing column from its parameter, on the rows `where` selects. */
  update(where: string): string {
    const changing = this.fields.filter(([, column]) => column.role === 'changing');
    return `UPDATE ${this.name} SET ${changing.map(([field, column]) => `${column.name} = @${field}`).join(', ')} WHERE ${where}`;
  }

  /** The table's columns for a SELECT, through the table's `alias`, renamed with `prefix` when given (read with `readPrefixed`). */
  select(alias: string, prefix?: string): string {
    const columns = this.fields.filter(([, column]) => column.role !== 'computed').map(([, column]) => column.name);
    return columns.map((name) => (prefix === undefined ? `${alias}.${name}` : `${alias}.${name} AS ${prefix}${name}`)).join(', ');
  }
}

/** Declares a table holding records R (see `ColumnsOf`). */
export function table<R, ReadOnly extends keyof R = never>(name: string, columns: ColumnsOf<R, ReadOnly>): Table<R, Omit<R, ReadOnly>> {
  return new Table(
    name,
    Object.entries(columns as Record<string, AnyColumn>),
    (stored) => stored as R,
    (record) => record as Stored,
  );
}
