import { pino, type Logger } from 'pino';

export interface RequestLogEntry {
  requestId: string;
  /** `<targetPrefix>.<Operation>`, once routed (model names only). */
  operation?: string;
  principal?: string;
  status: number;
  /** An error code of Coffer's own. */
  errorCode?: string;
  durationMs: number;
}

export type RequestLog = (entry: RequestLogEntry) => void;

/**
 * The per-request log line, at level info, in the logger's format and stream.
 * It is formatted by hand because it is written for every request, and a
 * general serializer costs a good part of a GetSecretValue. Only `principal`
 * can hold client text; it is JSON-escaped.
 */
export function requestLog(logger: Logger): RequestLog {
  if (!logger.isLevelEnabled('info')) return () => {};
  const stream = (logger as unknown as Record<symbol, { write(line: string): void }>)[pino.symbols.streamSym]!;
  return (e) =>
    stream.write(
      `{"level":30,"time":"${new Date().toISOString()}","requestId":"${e.requestId}"` +
        (e.operation ? `,"operation":"${e.operation}"` : '') +
        (e.principal ? `,"principal":${JSON.stringify(e.principal)}` : '') +
        `,"status":${e.status}` +
        (e.errorCode ? `,"errorCode":"${e.errorCode}"` : '') +
        `,"durationMs":${e.durationMs}}\n`,
    );
}
