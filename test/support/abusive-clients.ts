/**
 * Clients that misbehave on purpose, over raw sockets: they pipeline signed requests and never
 * read the answers, dribble headers byte by byte, or open connections and send nothing. Each is
 * bounded (a fixed number of sockets and bytes) and every socket is destroyed by `close()`.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { CreateSecretCommand, GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { TestServer } from './coffer-server.js';
import { amzDate, authorizationHeader, JSON_CONTENT_TYPE } from './raw-client.js';

/** One signed AWS JSON 1.1 request as the bytes a client writes, keeping the connection open. */
export function signedRequestBytes(server: TestServer, target: string, body: object): string {
  const payload = Buffer.from(JSON.stringify(body));
  const headers: Record<string, string> = {
    Host: new URL(server.url).host,
    'Content-Type': JSON_CONTENT_TYPE,
    'X-Amz-Target': target,
    'X-Amz-Date': amzDate(new Date()),
  };
  headers.Authorization = authorizationHeader(
    { method: 'POST', path: '/', headers, body: payload },
    { credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey }, region: server.region, service: 'secretsmanager' },
  );
  const lines = Object.entries({ ...headers, 'Content-Length': String(payload.length) }).map(([name, value]) => `${name}: ${value}\r\n`);
  return `POST / HTTP/1.1\r\n${lines.join('')}\r\n${payload.toString()}`;
}

/** A new secret of 60,000 characters, read once so that the client's connection is open. */
export async function largeSecret(client: SecretsManagerClient): Promise<string> {
  const name = `large-${randomBytes(4).toString('hex')}`;
  await client.send(new CreateSecretCommand({ Name: name, SecretString: randomBytes(30_000).toString('hex') }));
  await client.send(new GetSecretValueCommand({ SecretId: name }));
  return name;
}

/** The status codes of the HTTP/1.1 answers in `text`, in order. */
export function statusCodes(text: string): number[] {
  return [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
}

/** The server process's resident memory, in bytes (VmRSS of /proc/<pid>/status). */
export function rssBytes(pid: number): number {
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!kb) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb[1]) * 1024;
}

/** How many sockets the process holds open (listening ones included), from /proc/<pid>/fd. */
export function socketCount(pid: number): number {
  const fds = readdirSync(`/proc/${pid}/fd`);
  return fds.filter((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:');
    } catch {
      return false; // closed while listed
    }
  }).length;
}

/** Polls `condition` every 100 ms until it holds or `ms` pass; returns whether it held. */
export async function eventually(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

/** A raw connection that records what it received and when the server closed it. */
export interface RawConnection {
  socket: Socket;
  /** Everything received so far (empty while the client does not read). */
  received(): string;
  /** Resolves when the server ends or resets the connection. */
  closed: Promise<void>;
}

/** Opens a connection; `read: false` leaves the socket paused, so answers pile up on the server's side. */
export function openConnection(server: TestServer, options: { read?: boolean } = {}): Promise<RawConnection> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let text = '';
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.on('error', () => {});
    if (options.read !== false) {
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (text += chunk));
    } else {
      socket.pause();
    }
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve({ socket, received: () => text, closed });
    });
    socket.once('error', reject);
  });
}

/** Writes `text` one byte every `intervalMs` until it is all sent or the socket closes. */
export function dribble(socket: Socket, text: string, intervalMs: number): void {
  let i = 0;
  const timer = setInterval(() => {
    if (i >= text.length || socket.destroyed) {
      clearInterval(timer);
      return;
    }
    socket.write(text[i]!);
    i += 1;
  }, intervalMs);
  socket.once('close', () => clearInterval(timer));
}

/** Resolves true when `promise` settles within `ms`, false otherwise (the promise is left running). */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
