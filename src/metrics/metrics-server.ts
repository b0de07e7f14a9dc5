import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { endpointUrl, listenError } from '../http/server.js';
import type { MetricsConfig } from '../config/config.js';

export interface MetricsServer {
  /** The scrape URL (…/metrics). */
  url: string;
  close(): Promise<void>;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * `/metrics` on a listener of its own, so that what a scraper may reach is not the API's
 * address: over HTTPS when the server has a certificate, and with a bearer token when one is set.
 */
export async function startMetricsServer(
  config: MetricsConfig,
  scrape: () => Promise<{ body: string; contentType: string }>,
  tls?: { cert: Buffer; key: Buffer },
): Promise<MetricsServer> {
  const token = config.tokenFile ? readFileSync(config.tokenFile, 'utf8').trim() : undefined;
  if (token === '') throw new Error(`${config.tokenFile} is empty: a metrics token file must hold the token`);
  const expected = token === undefined ? undefined : digest(`Bearer ${token}`);
  const serve = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') return answer(res, 404, 'Not found: metrics are at GET /metrics\n');
    // Compared as digests: equal lengths, in constant time.
    if (expected && !timingSafeEqual(digest(req.headers.authorization ?? ''), expected)) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      return answer(res, 401, 'A metrics token is needed: Authorization: Bearer <token>\n');
    }
    scrape().then(
      ({ body, contentType }) => answer(res, 200, body, contentType),
      (error: Error) => answer(res, 500, `metrics could not be collected: ${error.message}\n`),
    );
  };
  const server: Server = tls ? createHttpsServer(tls, serve) : createHttpServer(serve);
  const address = await new Promise<AddressInfo>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, config.host, config.port, '--metrics-port')));
    server.listen(config.port, config.host, () => resolve(server.address() as AddressInfo));
  });
  return {
    url: `${endpointUrl(address.address, address.port, tls !== undefined)}/metrics`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

function answer(res: ServerResponse, status: number, body: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
