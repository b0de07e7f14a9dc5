import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Dispatcher } from './dispatcher.js';
import type { ConsoleAssets } from './console-assets.js';
import { describeHolders, processesListeningOn } from '../errors/process-holders.js';
import { DEFAULT_CONNECTION_LIMITS, type ConnectionLimits } from '../config/connection-limits.js';
import { applyServerLimits, ConnectionQueues, serverTimeoutOptions } from './connection-limits.js';

/** The URL clients use for a listening address (IPv6 hosts in brackets). */
export function endpointUrl(address: string, port: number, tls: boolean): string {
  const host = address.includes(':') ? `[${address}]` : address;
  return `${tls ? 'https' : 'http'}://${host}:${port}`;
}

export interface HttpServerOptions {
  tls?: { cert: Buffer; key: Buffer };
  /** Why the server cannot serve now (sealed, a store that cannot be written); none when it is ready. */
  readiness: () => Promise<string[]>;
  limits?: ConnectionLimits;
  /** The web console's files, served under /console/. */
  console?: ConsoleAssets;
}

/**
 * The listener: `GET /health` for probes, the web console under `/console/`, everything else to
 * the AWS dispatcher, each
 * connection's requests in turn within its limits (connection-limits.ts).
 */
export class HttpServer {
  private readonly server: Server;
  private closing = false;

  constructor(dispatcher: Dispatcher, private readonly options: HttpServerOptions) {
    const serve = (req: IncomingMessage, res: ServerResponse): Promise<void> => {
      // While shutting down, answer but do not keep the connection.
      if (this.closing) res.setHeader('Connection', 'close');
      if (req.method === 'GET' && req.url?.startsWith('/health')) {
        const path = req.url.replace(/\/$/, '');
        if (path === '/health' || path === '/health/ready') return this.health(res, path === '/health/ready');
        // Live: the process answers HTTP at all (a supervisor restarts one that does not); readiness is asked separately.
        if (path === '/health/live') return Promise.resolve(answerHealth(res, 200, { status: 'live' }));
      }
      if (options.console?.handle(req, res)) return Promise.resolve();
      return dispatcher.handle(req, res);
    };
    const limits = options.limits ?? DEFAULT_CONNECTION_LIMITS;
    const queues = new ConnectionQueues(limits);
    const listener = (req: IncomingMessage, res: ServerResponse) => queues.admit(req, res, serve);
    const httpOptions = serverTimeoutOptions(limits);
    this.server = options.tls ? createHttpsServer({ ...options.tls, ...httpOptions }, listener) : createHttpServer(httpOptions, listener);
    applyServerLimits(this.server, limits);
    this.server.on('clientError', answerClientError);
  }

  listen(port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, host, port)));
      this.server.listen(port, host, () => resolve(this.server.address() as AddressInfo));
    });
  }

  /**
   * Stops accepting connections and waits for in-flight requests to finish:
   * keep-alive connections are closed as soon as they fall idle, and any still
   * open after the grace period are cut.
   */
  async close(graceMs = 10_000): Promise<void> {
    this.closing = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const sweep = setInterval(() => this.server.closeIdleConnections(), 20);
    const deadline = setTimeout(() => this.server.closeAllConnections(), graceMs);
    await closed;
    clearInterval(sweep);
    clearTimeout(deadline);
  }

  /** Ready or not; `/health/ready` also says why not. */
  private async health(res: ServerResponse, withReasons: boolean): Promise<void> {
    let reasons: string[];
    try {
      reasons = await this.options.readiness();
    } catch (error) {
      reasons = [`readiness could not be checked: ${(error as Error).message}`];
    }
    const ok = reasons.length === 0;
    answerHealth(res, ok ? 200 : 503, { status: ok ? 'ok' : 'unavailable', ...(withReasons && !ok ? { reasons } : {}) });
  }
}

function answerHealth(res: ServerResponse, status: number, answer: object): void {
  const body = JSON.stringify(answer);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Why the server cannot listen, said so that a person knows what to do. */
export function listenError(error: NodeJS.ErrnoException, host: string, port: number, flag = '--port'): Error {
  if (error.code === 'EADDRINUSE') {
    const holder = describeHolders(processesListeningOn(port), 'another process (`ss -ltnp` names it)');
    return new Error(`port ${port} on ${host} is already taken by ${holder}: stop it, or give another ${flag} (0 picks a free one).`);
  }
  if (error.code === 'EACCES') return new Error(`port ${port} on ${host} needs privileges this user lacks (ports below 1024 need root or CAP_NET_BIND_SERVICE): give a ${flag} of 1024 or above.`);
  if (error.code === 'EADDRNOTAVAIL') return new Error(`${host} is not an address of this machine: give a --host it has (127.0.0.1, 0.0.0.0 for every address).`);
  return error;
}

/** Node's own answers to unparseable requests, with what they leave out. */
const CLIENT_ERROR_STATUS: Record<string, string> = {
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
};

/**
 * Node answers a request it cannot parse without a Date header; every answer
 * carries one, since SDKs correct their clock skew from it.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  const code = error.code ?? '';
  // Only a request Node could not parse gets an answer: a TLS client whose handshake failed or
  // timed out cannot read one (and ending its socket would wait on the handshake forever).
  if (!socket.writable || !(code.startsWith('HPE_') || code === 'ERR_HTTP_REQUEST_TIMEOUT')) {
    socket.destroy();
    return;
  }
  const status = CLIENT_ERROR_STATUS[code] ?? '400 Bad Request';
  socket.end(`HTTP/1.1 ${status}\r\nDate: ${new Date().toUTCString()}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
}
