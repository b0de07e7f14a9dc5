import type pg from 'pg';
import { CHANGE_RETENTION_MS, decodeChange, ExpiredCursorError, InvalidCursorError, type SecretChangePage } from '../secret-changes.js';

/**
 * Where a reader of the change feed stands. Transactions commit out of the order of their ids,
 * so a position is a snapshot, as for the nodes' caches: `a` covers every change visible in it.
 * A read returns the changes committed since `a`, as of its own snapshot; when they are more
 * than one page, the next pages continue in that same window (`b`) after the last change
 * returned (`x`, `i`: its transaction and record id). `t` and `u` are when `a` and `b` were
 * taken (the database's clock, epoch ms): records are pruned by time, so `t` says whether those
 * after `a` are all still there.
 */
interface PgCursor {
  t: number;
  a: string;
  b?: string;
  u?: number;
  x?: string;
  i?: string;
}

const SNAPSHOT = /^\d{1,20}:\d{1,20}:(\d{1,20}(,\d{1,20})*)?$/;
const XID = /^\d{1,20}$/;

/** A record committed only just before its cursor's snapshot may have been recorded this much earlier. */
const COMMIT_MARGIN_MS = 60_000;

const READ = `SELECT pg_current_snapshot()::text AS snapshot, (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS now,
  ARRAY(SELECT json_build_array(xid::text, id::text, event, (extract(epoch FROM recorded_at) * 1000)::float8) FROM changes
    WHERE event IS NOT NULL AND $1::text IS NOT NULL
      AND xid >= pg_snapshot_xmin($1::pg_snapshot) AND NOT pg_visible_in_snapshot(xid, $1::pg_snapshot)
      AND ($2::text IS NULL OR pg_visible_in_snapshot(xid, $2::pg_snapshot))
      AND ($3::text IS NULL OR (xid, id) > ($3::xid8, $4::bigint))
    ORDER BY xid, id LIMIT $5) AS rows`;

function encodeCursor(cursor: PgCursor): string {
  return `p${Buffer.from(JSON.stringify(cursor)).toString('base64url')}`;
}

function decodeCursor(text: string): PgCursor {
  let cursor: PgCursor;
  try {
    if (!text.startsWith('p')) throw new Error();
    cursor = JSON.parse(Buffer.from(text.slice(1), 'base64url').toString('utf8')) as PgCursor;
  } catch {
    throw new InvalidCursorError();
  }
  const { t, a, b, u, x, i } = cursor ?? {};
  const snapshot = (s: unknown) => typeof s === 'string' && SNAPSHOT.test(s);
  const id = (s: unknown) => typeof s === 'string' && XID.test(s);
  const paged = b !== undefined || u !== undefined || x !== undefined || i !== undefined;
  if (!Number.isFinite(t) || !snapshot(a) || (paged && !(snapshot(b) && Number.isFinite(u) && id(x) && id(i)))) {
    throw new InvalidCursorError();
  }
  return cursor;
}

/** The change feed's read of the `changes` table (see PgCursor). */
export async function readPgSecretChanges(pool: pg.Pool, cursorText: string | undefined, limit: number): Promise<SecretChangePage> {
  const cursor = cursorText === undefined ? undefined : decodeCursor(cursorText);
  const { rows } = await pool
    .query<{ snapshot: string; now: number; rows: [string, string, string, number][] }>(READ, [cursor?.a ?? null, cursor?.b ?? null, cursor?.x ?? null, cursor?.i ?? null, limit])
    .catch((error: { code?: string }) => {
      // A snapshot of the right form that PostgreSQL still refuses (xmin after xmax, say).
      throw error.code === '22P02' ? new InvalidCursorError() : error;
    });
  const { snapshot, now, rows: found } = rows[0]!;
  if (!cursor) return { changes: [], cursor: encodeCursor({ t: now, a: snapshot }), more: false };
  if (cursor.t < now - CHANGE_RETENTION_MS + COMMIT_MARGIN_MS) throw new ExpiredCursorError();
  const changes = found.map(([, , event, recordedAt]) => decodeChange(event, recordedAt));
  // The window is read to its end: the next read starts from its upper snapshot.
  if (found.length < limit) return { changes, cursor: encodeCursor(cursor.b ? { t: cursor.u!, a: cursor.b } : { t: now, a: snapshot }), more: false };
  const [x, i] = found.at(-1)!;
  const window = cursor.b ? { b: cursor.b, u: cursor.u } : { b: snapshot, u: now };
  return { changes, cursor: encodeCursor({ t: cursor.t, a: cursor.a, ...window, x, i }), more: true };
}
