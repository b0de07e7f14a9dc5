import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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

/** A loopback port nothing listens on (just now). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A cluster in a temp dir on a free port, run as the postgres user when the test runs as root (initdb refuses root). */
interface Cluster {
  dir: string;
  port: number;
  file(name: string): string;
  asServer(args: string[]): Buffer;
  pgCtl(args: string[]): Buffer;
}

async function newCluster(prefix: string): Promise<Cluster> {
  const bin = binDir()!;
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const sh = (args: string[]) => execFileSync(args[0]!, args.slice(1), { stdio: 'pipe', timeout: 60_000 });
  const asServer = (args: string[]) => sh(process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--', ...args] : args);
  if (process.getuid?.() === 0) chownSync(dir, Number(sh(['id', '-u', 'postgres']).toString()), Number(sh(['id', '-g', 'postgres']).toString()));
  asServer([join(bin, 'initdb'), '-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync']);
  return {
    dir,
    port: await freePort(),
    file: (name) => join(dir, name),
    asServer,
    pgCtl: (args) => asServer([join(bin, 'pg_ctl'), '-D', join(dir, 'data'), ...args]),
  };
}

/** Started for one test file, or what is missing to start one (PostgreSQL's server binaries, openssl). */
export async function privateTlsPostgres(): Promise<PrivateTlsPostgres | string> {
  const missing = !binDir() ? 'PostgreSQL server binaries (initdb)' : !openssl(['version']) ? 'openssl' : undefined;
  if (missing) return `${missing} not installed`;
  const cluster = await newCluster('coffer-pg-tls-');
  const { file } = cluster;
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '1', '-subj', '/CN=coffer test CA']);
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('other-ca.key'), '-out', file('other-ca.pem'), '-days', '1', '-subj', '/CN=another CA']);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=localhost']);
  writeFileSync(file('server.ext'), 'subjectAltName=DNS:localhost\n');
  openssl(['x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file('server.crt'), '-days', '1', '-extfile', file('server.ext')]);
  chmodSync(file('server.key'), 0o600);
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    for (const name of ['server.key', 'server.crt']) chownSync(file(name), uid, gid);
  }
  startCluster(cluster, `-c ssl=on -c ssl_cert_file=${file('server.crt')} -c ssl_key_file=${file('server.key')}`);
  return {
    port: cluster.port,
    caFile: file('ca.pem'),
    otherCaFile: file('other-ca.pem'),
    stop: () => destroyCluster(cluster),
  };
}

/** A plain (no TLS) cluster of the test's own that it may stop, start again and freeze. */
export interface PrivatePostgres {
  port: number;
  /** A --storage URL for a database in the cluster (created by `createDatabase`). */
  url(database: string): string;
  createDatabase(name: string): void;
  /** Stops the server at once, as a crash does (`pg_ctl stop -m immediate`). */
  stop(): void;
  /** Starts the stopped server again, on the same port and data. */
  start(): void;
  /** Stops (SIGSTOP) every process of the server: connections hang rather than fail, as behind a lost network. */
  freeze(): void;
  /** Lets the frozen processes run again. */
  thaw(): void;
  /** Stops the server (if running) and removes its files. */
  destroy(): void;
}

export async function privatePostgres(): Promise<PrivatePostgres | string> {
  if (!binDir()) return 'PostgreSQL server binaries (initdb) not installed';
  const cluster = await newCluster('coffer-pg-');
  startCluster(cluster);
  let running = true;
  const psql = (sql: string) => execFileSync('psql', ['-h', '127.0.0.1', '-p', String(cluster.port), '-U', 'postgres', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-c', sql], { stdio: 'pipe', timeout: 60_000 });
  const signal = (name: 'STOP' | 'CONT') => {
    const postmaster = readFileSync(cluster.file('data/postmaster.pid'), 'utf8').split('\n')[0]!;
    // The postmaster first (it forks no more backends), then every process it forked.
    execFileSync('kill', [`-${name}`, postmaster]);
    const children = execFileSync('pgrep', ['-P', postmaster], { stdio: 'pipe' }).toString().split(/\s+/).filter(Boolean);
    execFileSync('kill', [`-${name}`, ...children]);
  };
  return {
    port: cluster.port,
    url: (database) => `postgres://postgres@127.0.0.1:${cluster.port}/${database}`,
    createDatabase: (name) => void psql(`CREATE DATABASE ${name}`),
    stop() {
      cluster.pgCtl(['-m', 'immediate', '-w', 'stop']);
      running = false;
    },
    start() {
      startCluster(cluster);
      running = true;
    },
    freeze: () => signal('STOP'),
    thaw: () => signal('CONT'),
    destroy() {
      if (running) signal('CONT');
      destroyCluster(cluster, running);
    },
  };
}

function destroyCluster(cluster: Cluster, running = true): void {
  try {
    if (running) cluster.pgCtl(['-m', 'immediate', '-w', 'stop']);
  } finally {
    rmSync(cluster.dir, { recursive: true, force: true });
  }
}

function startCluster(cluster: Cluster, extra = ''): void {
  const options = `-p ${cluster.port} -k ${cluster.dir} -c listen_addresses=127.0.0.1 -c fsync=off ${extra}`;
  cluster.pgCtl(['-o', options, '-l', cluster.file('server.log'), '-w', 'start']);
}

/** Whether a test may use the cluster: if not, it is skipped, or fails under CI=true. */
export function usable<C extends object>(t: TestContext, cluster: C | string | undefined): cluster is C {
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
