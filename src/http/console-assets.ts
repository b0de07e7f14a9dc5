import { readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** Where `npm run build` writes the console (scripts/build-console.js): dist/console beside dist/src. */
export const CONSOLE_BUILD_DIR = fileURLToPath(new URL('../../console/', import.meta.url));

export const CONSOLE_PATH = '/console/';

/**
 * The console runs only its own bundled code and talks only to this server: no inline script or
 * style, no other origin, no framing, no plugin, no form posted anywhere, and DOM sinks that take
 * strings refused (Trusted Types), so an injected string can never become markup or script.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONSOLE_CSP,
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
};

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

interface Asset {
  type: string;
  body: Buffer;
  gzipped: Buffer;
  /** Content-addressed names never change, so browsers may keep them; the page itself is always fetched. */
  immutable: boolean;
}

/**
 * The web console's files, read once at start from the package's own build (never a CDN) and served
 * from memory under /console/ with the headers above. The page names each script and style sheet
 * with its SHA-384 (Subresource Integrity), computed by the build; the server adds only the default
 * region to the page.
 */
export class ConsoleAssets {
  private readonly assets = new Map<string, Asset>();

  constructor(defaultRegion: string, dir = CONSOLE_BUILD_DIR) {
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      // Not built (a tsc-only build): /console/ says so.
    }
    for (const name of names) {
      const type = CONTENT_TYPES[extname(name)];
      if (!type) continue;
      let body = readFileSync(join(dir, name));
      if (name === 'index.html') body = Buffer.from(body.toString('utf8').replace('content="%COFFER_REGION%"', `content="${defaultRegion}"`));
      this.assets.set(name, { type, body, gzipped: gzipSync(body, { level: 9 }), immutable: name !== 'index.html' });
    }
  }

  /** Whether the request is the console's (GET or HEAD under /console), answered here; else the API's. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/' && acceptsHtml(req) && !req.headers['x-amz-target'] && !req.headers.authorization) {
      redirect(res, CONSOLE_PATH);
      return true;
    }
    if (path === '/console') {
      redirect(res, CONSOLE_PATH);
      return true;
    }
    if (!path.startsWith(CONSOLE_PATH)) return false;
    const name = path === CONSOLE_PATH ? 'index.html' : path.slice(CONSOLE_PATH.length);
    const asset = this.assets.get(name);
    if (!asset) {
      const message = this.assets.size ? 'Not found.' : 'The console is not built: run npm run build.';
      send(req, res, 404, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' }, Buffer.from(message));
      return true;
    }
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    send(
      req,
      res,
      200,
      {
        'Content-Type': asset.type,
        'Cache-Control': asset.immutable ? 'public, max-age=31536000, immutable' : 'no-store',
        Vary: 'Accept-Encoding',
        ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
      },
      gzip ? asset.gzipped : asset.body,
    );
    return true;
  }
}

function acceptsHtml(req: IncomingMessage): boolean {
  return String(req.headers.accept ?? '').includes('text/html');
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { ...SECURITY_HEADERS, Location: location, 'Content-Length': 0, 'Cache-Control': 'no-store' });
  res.end();
}

function send(req: IncomingMessage, res: ServerResponse, status: number, headers: Record<string, string>, body: Buffer): void {
  res.writeHead(status, { ...SECURITY_HEADERS, ...headers, 'Content-Length': body.length });
  res.end(req.method === 'HEAD' ? undefined : body);
}
