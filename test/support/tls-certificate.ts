/** A self-signed certificate for HTTPS tests, and a health probe that trusts it. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { requiredInCi } from './coffer-server.js';

/**
 * `cert.pem` and `key.pem` for 127.0.0.1 in `dir`, made with openssl; undefined, with the test
 * skipped, where openssl is missing outside CI.
 */
export function testCertificate(t: TestContext, dir: string): { cert: string; key: string } | undefined {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  } catch {
    if (requiredInCi()) throw new Error('openssl is needed to make a test certificate');
    t.skip('openssl is not installed');
    return undefined;
  }
  return { cert, key };
}

/** `GET /health` over HTTPS, trusting `cert`. */
export function httpsHealth(url: string, cert: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(`${url}/health`, { ca: readFileSync(cert) }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
