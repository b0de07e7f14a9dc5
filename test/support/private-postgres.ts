import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { requiredInCi } from './coffer-server.js';

/** A PostgreSQL cluster of the test's own, serving TLS with a certificate for `localhost` from a CA made for it. */
export interface PrivateTlsPostgres {
  port: number;
  /** The CA that signed the server's certificate. */
  caFile: string;
  /** A CA that signed nothing the server shows. */
  otherCaFile: string;
  stop(): void;
}

function binDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const version = readdirSync(root).sort((a, b) => Number(b) - Number(a))[0];
  return version && existsSync(join(root, version, 'bin', 'initdb')) ? join(root, version, 'bin') : undefined;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Started for one test file, or what is missing to start one (PostgreSQL's server binaries, openssl). */
export async function privateTlsPostgres(): Promise<PrivateTlsPostgres | string> {
  const bin = binDir();
  const missing = !bin ? 'PostgreSQL server binaries (initdb)' : !openssl(['version']) ? 'openssl' : undefined;
  if (missing) return `${missing} not installed`;
  const dir = mkdtempSync(join(tmpdir(), 'coffer-pg-tls-'));
  const file = (name: string) => join(dir, name);
  const sh = (args: string[]) => execFileSync(args[0]!, args.slice(1), { stdio: 'pipe', timeout: 60_000 });
  // initdb refuses to run as root: the cluster then belongs to the postgres user.
  const asServer = (args: string[]) => sh(process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--', ...args] : args);

  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '1', '-subj', '/CN=coffer test CA']);
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('other-ca.key'), '-out', file('other-ca.pem'), '-days', '1', '-subj', '/CN=another CA']);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=localhost']);
  writeFileSync(file('server.ext'), 'subjectAltName=DNS:localhost\n');
  openssl(['x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file('server.crt'), '-days', '1', '-extfile', file('server.ext')]);
  chmodSync(file('server.key'), 0o600);
  if (process.getuid?.() === 0) {
    const uid = Number(sh(['id', '-u', 'postgres']).toString());
    const gid = Number(sh(['id', '-g', 'postgres']).toString());
    for (const name of ['', 'server.key', 'server.crt']) chownSync(join(dir, name), uid, gid);
  }
  const port = await freePort();
  const data = file('data');
  asServer([join(bin!, 'initdb'), '-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c ssl=on -c ssl_cert_file=${file('server.crt')} -c ssl_key_file=${file('server.key')} -c fsync=off`;
  asServer([join(bin!, 'pg_ctl'), '-D', data, '-o', options, '-l', file('server.log'), '-w', 'start']);
  return {
    port,
    caFile: file('ca.pem'),
    otherCaFile: file('other-ca.pem'),
    stop() {
      try {
        asServer([join(bin!, 'pg_ctl'), '-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Whether a test may use the cluster: if not, it is skipped, or fails under CI=true. */
export function usable(t: TestContext, cluster: PrivateTlsPostgres | string | undefined): cluster is PrivateTlsPostgres {
  if (typeof cluster === 'object') return true;
  if (requiredInCi()) assert.fail(`a private PostgreSQL cluster is required when CI=true: ${cluster}`);
  t.skip(cluster);
  return false;
}

function openssl(args: string[]): boolean {
  try {
    execFileSync('openssl', args, { stdio: 'pipe', timeout: 60_000 });
    return true;
  } catch (error) {
    if (args[0] === 'version') return false;
    throw error;
  }
}
