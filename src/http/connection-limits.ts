/**
 * What one connection may hold of the server: its requests are served one at a time and in
 * order, the next started only once the previous answer has been taken by the client, at most
 * `maxPipelinedRequests` waiting, and the header, request and idle timeouts of Node's server.
 * A client that pipelines without reading its answers thus holds one answer in memory, not
 * every answer it asked for.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { ServerOptions } from 'node:https';
import type { Socket } from 'node:net';
import { ServiceError } from '../errors/service-error.js';
import type { ConnectionLimits } from '../config/connection-limits.js';
import { sendError } from './json-protocol.js';

/** Options of `http.createServer` (and `https.createServer`) that set the timeouts Node enforces itself. */
export function serverTimeoutOptions(limits: ConnectionLimits): ServerOptions {
  return {
    // A TLS handshake comes before the headers, and counts against their time (Node allows 120 s).
    handshakeTimeout: limits.headerTimeoutMs,
    headersTimeout: limits.headerTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    // Node looks for expired headers and requests this often (30 s by default, far beyond the timeouts).
    connectionsCheckingInterval: Math.max(50, Math.min(1000, limits.headerTimeoutMs / 4)),
  };
}

/** The limits Node's server enforces once created: the connection cap and the idle timeout. */
export function applyServerLimits(server: Server, limits: ConnectionLimits): void {
  server.maxConnections = limits.maxConnections;
  server.keepAliveTimeout = limits.idleTimeoutMs;
}

/** The requests of one connection: the one being served, and those parsed behind it. */
interface Connection {
  waiting: Array<() => void>;
  busy: boolean;
  /** A request beyond the cap was refused: nothing after it is served, and the connection closes. */
  refused: boolean;
}

export type Serve = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * Serves each connection's requests in order, one at a time. Node parses every request in a
 * chunk it reads, so pipelined requests arrive together; they wait here, and the socket is not
 * read while any wait (Node stops reading it too while its answers are unsent).
 */
export class ConnectionQueues {
  private readonly connections = new WeakMap<Socket, Connection>();

  constructor(private readonly limits: ConnectionLimits) {}

  admit(req: IncomingMessage, res: ServerResponse, serve: Serve): void {
    const socket = req.socket;
    const connection = this.connections.get(socket) ?? this.track(socket);
    if (connection.refused) return;
    const unanswered = connection.waiting.length + (connection.busy ? 1 : 0);
    if (unanswered >= this.limits.maxPipelinedRequests) {
      connection.refused = true;
      connection.waiting.push(() => this.refuse(res));
    } else {
      connection.waiting.push(() => this.run(connection, socket, req, res, serve));
    }
    this.next(connection, socket);
  }

  private track(socket: Socket): Connection {
    const connection: Connection = { waiting: [], busy: false, refused: false };
    this.connections.set(socket, connection);
    // Node resumes a socket it paused itself once its answers drain; requests still waiting keep it paused.
    socket.on('resume', () => {
      if (connection.waiting.length > 0 || connection.refused) socket.pause();
    });
    socket.once('close', () => (connection.waiting.length = 0));
    return connection;
  }

  private next(connection: Connection, socket: Socket): void {
    // A connection gone while its requests waited: none of them is served.
    if (socket.destroyed) {
      connection.waiting.length = 0;
      return;
    }
    if (!connection.busy) {
      const start = connection.waiting.shift();
      if (start) {
        connection.busy = true;
        start();
      }
    }
    if (connection.waiting.length > 0 || connection.refused) socket.pause();
    else if (socket.isPaused()) socket.resume();
  }

  private run(connection: Connection, socket: Socket, req: IncomingMessage, res: ServerResponse, serve: Serve): void {
    // While the request is served the client owes nothing: no timeout.
    socket.setTimeout(0);
    res.once('close', () => {
      connection.busy = false;
      this.next(connection, socket);
    });
    void serve(req, res).finally(() => {
      // A client that takes none of its answer for the idle timeout is cut (Node then frees the answer).
      if (!res.writableFinished && !socket.destroyed) socket.setTimeout(this.limits.idleTimeoutMs);
    });
  }

  private refuse(res: ServerResponse): void {
    res.setHeader('Connection', 'close');
    const message = `More than ${this.limits.maxPipelinedRequests} requests were sent on one connection without waiting for their answers.`;
    sendError(res, randomUUID(), new ServiceError('ThrottlingException', message, { status: 503, messageKey: 'message' }));
  }
}
