import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { cpus } from 'node:os';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CofferProcess } from './server-process.js';

/** A normal signed SDK client for the server, keep-alive, up to `sockets` connections. */
export function sdkClient(server: CofferProcess, sockets = 64): SecretsManagerClient {
  return new SecretsManagerClient({
    endpoint: server.url,
    region: server.region,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    maxAttempts: 1,
    requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: sockets }) },
  });
}

/** A random printable string of `length` characters (base64url alphabet). */
export function randomValue(length: number): string {
  return randomBytes(Math.ceil((length * 3) / 4)).toString('base64url').slice(0, length);
}

/** Runs `task(i)` for i in [from, to) with at most `concurrency` in flight. */
export async function forEachConcurrent(from: number, to: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = from;
  const worker = async () => {
    while (next < to) {
      const i = next++;
      await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, to - from) }, worker));
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function summarize(samplesMs: number[]): { n: number; p50Ms: number; p90Ms: number; p99Ms: number; maxMs: number; meanMs: number } {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const r = (v: number) => Math.round(v * 1000) / 1000;
  return {
    n: sorted.length,
    p50Ms: r(percentile(sorted, 50)),
    p90Ms: r(percentile(sorted, 90)),
    p99Ms: r(percentile(sorted, 99)),
    maxMs: r(sorted[sorted.length - 1] ?? NaN),
    meanMs: r(sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length)),
  };
}

/** A plain-text table with right-aligned columns after the first. */
export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) => r.map((v, c) => (c === 0 ? v.padEnd(widths[c]!) : v.padStart(widths[c]!))).join('  ');
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export function machineInfo() {
  return {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends one POST with the given header lines and body; resolves with the status and text. */
export function sendRaw(url: string, headers: [string, string][], body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: Object.fromEntries(headers) }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
