import type pg from 'pg';
import type { Queryable } from './pg-statement.js';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** The driver's own errors for a connection that broke, never came, or a query that got no answer in time: they carry no code. */
const DRIVER_FAILURES = /^(Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error)/;
/** SQLSTATE classes 08 (connection exception) and 57P (the server shutting down or unable to take connections). */
const CONNECTION_CODES = /^(08|57P)/;
/** The database did not answer in time: the driver's timeouts, or the network's. */
const UNANSWERED = /^(timeout exceeded when trying to connect|Query read timeout)/;
/** How often a lost database is tried again. */
const PROBE_EVERY_MS = 250;

/** Whether the error says the database could not be reached or did not answer, rather than refused one statement. */
export function isConnectionLoss(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return NETWORK_CODES.has(code) || CONNECTION_CODES.test(code);
  return error instanceof Error && DRIVER_FAILURES.test(error.message);
}

/**
 * The node's way to its database, on the pool. Once a connection or a statement goes unanswered
 * in time, the database counts as lost: every statement and connection asked for fails at once
 * with that error (answered ServiceUnavailableException) instead of each waiting out its own
 * timeout, until a probe in the background gets an answer again. (A connection that breaks or
 * is refused fails at once anyway, and one broken connection says nothing of the others.)
 */
export class PgLink implements Queryable {
  private lost?: Error;
  private probing?: NodeJS.Timeout;
  private closed = false;

  constructor(readonly pool: pg.Pool) {}

  query<R extends pg.QueryResultRow>(config: pg.QueryConfig | string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    if (this.lost) return Promise.reject(this.lost);
    return this.pool.query<R>(config as pg.QueryConfig, values).catch((error: unknown) => this.failed(error));
  }

  async connect(): Promise<pg.PoolClient> {
    if (this.lost) throw this.lost;
    return this.pool.connect().catch((error: unknown) => this.failed(error));
  }

  /** Notes an error met on a connection from `connect`. */
  note(error: unknown): void {
    const unanswered = error instanceof Error && (UNANSWERED.test(error.message) || (error as { code?: unknown }).code === 'ETIMEDOUT');
    if (unanswered && !this.lost) {
      this.lost = error;
      this.probe();
    }
  }

  private failed(error: unknown): never {
    this.note(error);
    throw error;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.probing);
  }

  private probe(): void {
    if (this.closed) return;
    this.probing = setTimeout(() => {
      this.pool.query('SELECT 1').then(
        () => (this.lost = undefined),
        () => this.probe(),
      );
    }, PROBE_EVERY_MS).unref();
  }
}
