import { createHash } from 'node:crypto';
import type pg from 'pg';

/** What runs a statement: the pool (each statement its own transaction) or the client of a unit of work. */
export interface Queryable {
  query<R extends pg.QueryResultRow>(config: pg.QueryConfig): Promise<pg.QueryResult<R>>;
}

type Params = readonly unknown[] | object;

/**
 * A SQL statement written with SQLite's placeholders (`?` in order, or `@name`), run as a
 * named prepared statement: each pooled connection parses it once.
 */
export class Statement {
  private readonly text: string;
  private readonly name: string;
  /** The `@name` of each `$n`, or undefined for positional `?` placeholders. */
  private readonly names: string[] | undefined;

  constructor(source: string) {
    const names: string[] = [];
    let positional = 0;
    this.text = source.replace(/@(\w+)|\?/g, (_match, name: string | undefined) => {
      if (name === undefined) return `$${++positional}`;
      const index = names.indexOf(name);
      return `$${index >= 0 ? index + 1 : names.push(name)}`;
    });
    if (positional > 0 && names.length > 0) throw new Error('a statement takes either ? or @name placeholders');
    this.names = names.length > 0 ? names : undefined;
    this.name = `coffer_${createHash('sha256').update(this.text).digest('hex').slice(0, 24)}`;
  }

  async all<R extends pg.QueryResultRow>(db: Queryable, params: Params = []): Promise<R[]> {
    return (await db.query<R>(this.config(params))).rows;
  }

  async get<R extends pg.QueryResultRow>(db: Queryable, params: Params = []): Promise<R | undefined> {
    return (await this.all<R>(db, params))[0];
  }

  /** Runs the statement and says how many rows it changed. */
  async run(db: Queryable, params: Params = []): Promise<number> {
    return (await db.query(this.config(params))).rowCount ?? 0;
  }

  private config(params: Params): pg.QueryConfig {
    const values = this.names
      ? this.names.map((name) => (params as Record<string, unknown>)[name] ?? null)
      : (params as readonly unknown[]).map((value) => value ?? null);
    return { name: this.name, text: this.text, values };
  }
}

export const sql = (source: string): Statement => new Statement(source);
