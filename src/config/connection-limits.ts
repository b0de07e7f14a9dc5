/** What one client may hold of each server process, as configured; src/http/connection-limits.ts enforces it. */
export interface ConnectionLimits {
  /** Open connections per server process; more are closed as they arrive. */
  maxConnections: number;
  /** Requests one connection may have unanswered (the one being served and those waiting behind it). */
  maxPipelinedRequests: number;
  /** From a connection's open (a TLS handshake included), or a later request's first byte, to the end of its headers. */
  headerTimeoutMs: number;
  /** From a request's first byte to the end of its body. */
  requestTimeoutMs: number;
  /** Between requests on a kept-alive connection, and while a client takes none of its answer. */
  idleTimeoutMs: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  maxConnections: 1000,
  maxPipelinedRequests: 16,
  headerTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  idleTimeoutMs: 65_000,
};
