// The console's files as the server serves them: security headers on every answer, the page
// naming each script and style sheet with the SHA-384 of the bytes served, no other origin.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { dirname } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { startServer, type TestServer } from '../support/coffer-server.js';

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.stop();
  if (server) rmSync(dirname(server.dataDir), { recursive: true, force: true });
});

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.url}${path}`, { headers, redirect: 'manual' });
  return { res, body: Buffer.from(await res.arrayBuffer()) };
}

/** A GET with its path sent as written (fetch would resolve the dot segments first). */
function rawGet(path: string): Promise<IncomingMessage> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: 'GET', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res));
    });
    req.on('error', reject);
    req.end();
  });
}

function assertLockedDown(headers: Headers): void {
  const csp = headers.get('content-security-policy') ?? '';
  for (const directive of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'none'", "require-trusted-types-for 'script'"]) {
    assert.ok(csp.includes(directive), `CSP has ${directive}: ${csp}`);
  }
  assert.doesNotMatch(csp, /unsafe-|https?:|\*/, 'no inline code, eval, or other origin');
  assert.equal(headers.get('x-frame-options'), 'DENY');
  assert.equal(headers.get('x-content-type-options'), 'nosniff');
  assert.equal(headers.get('referrer-policy'), 'no-referrer');
}

test('the page names every script and style sheet of its own with the SHA-384 of what is served', async () => {
  const { res, body } = await get('/console/');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type')!, /^text\/html/);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  assertLockedDown(res.headers);
  const html = body.toString('utf8');
  assert.match(html, /<meta name="coffer-region" content="us-east-1">/);
  assert.doesNotMatch(html, /<script>|<style>|\sstyle=|\son\w+=/i, 'no inline script, style or handler');
  const refs = [...html.matchAll(/(?:src|href)="([^"]+)"(?: integrity="([^"]+)")?/g)];
  const integrityChecked = refs.filter(([, , integrity]) => integrity);
  assert.equal(integrityChecked.length, 2, 'one script and one style sheet, each with integrity');
  for (const [, name, integrity] of refs) {
    assert.doesNotMatch(name!, /^(https?:)?\/\//, `${name} comes from this server`);
    const asset = await get(`/console/${name}`, { 'Accept-Encoding': 'gzip' });
    assert.equal(asset.res.status, 200, name);
    assert.equal(asset.res.headers.get('cache-control'), 'public, max-age=31536000, immutable', name);
    assertLockedDown(asset.res.headers);
    // fetch() decodes gzip itself; the digest is of the decoded bytes, as the browser checks it.
    const bytes = asset.res.headers.get('content-encoding') === 'gzip' && asset.body[0] === 0x1f ? gunzipSync(asset.body) : asset.body;
    if (integrity) assert.equal(integrity, `sha384-${createHash('sha384').update(bytes).digest('base64')}`, name);
  }
});

test('unknown console paths are 404 with the same headers; a browser asking for / is sent to the console; the API is untouched', async () => {
  for (const path of ['/console/../coffer.db', '/console/%2e%2e/package.json', '/console/nothing.js']) {
    const res = await rawGet(path);
    assert.equal(res.statusCode, 404, path);
    assertLockedDown(new Headers(res.headers as Record<string, string>));
  }
  const root = await get('/', { Accept: 'text/html,application/xhtml+xml' });
  assert.equal(root.res.status, 302);
  assert.equal(root.res.headers.get('location'), '/console/');
  const bare = await get('/console');
  assert.equal(bare.res.headers.get('location'), '/console/');
  // An API client's GET / still gets the AWS error it always did.
  const api = await get('/', { Accept: '*/*' });
  assert.equal(api.res.status, 400);
  assert.match(api.body.toString(), /UnknownOperationException/);
});
