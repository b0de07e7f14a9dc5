import { spawn, spawnSync } from 'node:child_process';
import { openSync, writeSync, closeSync, writeFileSync } from 'node:fs';
import { round } from './server-process.js';

/**
 * Drives wrk with a pool of pre-built raw HTTP requests: the Lua script below
 * loads the pool in each wrk thread, hands thread i the requests i, i+T,
 * i+2T… in turn (so with a pool at least as large as the run, no request is
 * sent twice), counts every non-200 response and prints one JSON summary line.
 */
const LUA = String.raw`
local threads = {}
local nthreads = 0

function setup(thread)
  thread:set("tid", nthreads)
  nthreads = nthreads + 1
  table.insert(threads, thread)
end

function init(args)
  local path, stride
  for _, a in pairs(args) do
    local p = string.match(a, "^pool=(.*)$")
    if p then path = p end
    local s = string.match(a, "^threads=(%d+)$")
    if s then stride = tonumber(s) end
  end
  local f = assert(io.open(path, "rb"))
  local n = tonumber(f:read("*l"))
  reqs = {}
  for i = 1, n do
    local len = tonumber(f:read("*l"))
    reqs[i] = f:read(len)
  end
  f:close()
  pool = n
  step = stride or 1
  first = (tid % n) + 1
  idx = first
  sent = 0
  wraps = 0
  bad = 0
  first_bad = ""
end

function request()
  local r = reqs[idx]
  idx = idx + step
  if idx > pool then
    idx = first
    wraps = wraps + 1
  end
  sent = sent + 1
  return r
end

function response(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
    if first_bad == "" then
      first_bad = tostring(status) .. " " .. string.sub(body or "", 1, 400)
    end
  end
end

function done(summary, latency, requests)
  local bad_total, sent_total, wraps_total, first = 0, 0, 0, ""
  for _, t in ipairs(threads) do
    bad_total = bad_total + (t:get("bad") or 0)
    sent_total = sent_total + (t:get("sent") or 0)
    wraps_total = wraps_total + (t:get("wraps") or 0)
    local fb = t:get("first_bad")
    if first == "" and fb and fb ~= "" then first = fb end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"durationUs":%d,"bytes":%d,"connectErrors":%d,"readErrors":%d,"writeErrors":%d,"statusErrors":%d,"timeouts":%d,' ..
    '"p50Us":%d,"p90Us":%d,"p99Us":%d,"p999Us":%d,"maxUs":%d,"meanUs":%.1f,"non200":%d,"sent":%d,"poolWraps":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max, latency.mean,
    bad_total, sent_total, wraps_total))
  if first ~= "" then
    io.write("BENCH_FIRST_BAD " .. string.gsub(first, "\n", " ") .. "\n")
  end
end
`;

export interface WrkResult {
  scenario: string;
  connections: number;
  threads: number;
  durationS: number;
  requests: number;
  requestsPerSec: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  meanMs: number;
  non200: number;
  socketErrors: { connect: number; read: number; write: number; timeout: number };
  firstBad?: string;
  poolSize: number;
  /** Requests handed out by the Lua script (>= completed requests). */
  sent: number;
  /** How many times a thread ran through its share of the pool and started over (re-sending requests). */
  poolWraps: number;
  wrkOutput: string;
}

export function wrkAvailable(): boolean {
  const found = spawnSync('sh', ['-c', 'command -v wrk'], { encoding: 'utf8' });
  return found.status === 0 && found.stdout.trim().length > 0;
}

export function wrkVersion(): string {
  const out = spawnSync('wrk', ['-v'], { encoding: 'utf8' });
  return `${out.stdout}${out.stderr}`.split('\n')[0]!.trim();
}

export function writeLuaScript(path: string): void {
  writeFileSync(path, LUA);
}

/** Writes the pool: a line with the count, then for each request a line with its byte length and the bytes. */
export function writeRequestPool(path: string, requests: string[]): void {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, `${requests.length}\n`);
    let chunk: string[] = [];
    let size = 0;
    for (const request of requests) {
      chunk.push(`${Buffer.byteLength(request)}\n`, request);
      size += request.length;
      if (size > 1 << 20) {
        writeSync(fd, chunk.join(''));
        chunk = [];
        size = 0;
      }
    }
    if (chunk.length) writeSync(fd, chunk.join(''));
  } finally {
    closeSync(fd);
  }
}

export interface WrkOptions {
  scenario: string;
  url: string;
  luaScript: string;
  poolFile: string;
  poolSize: number;
  connections: number;
  threads: number;
  durationS: number;
  timeoutS?: number;
}

export async function runWrk(options: WrkOptions): Promise<WrkResult> {
  const threads = Math.min(options.threads, options.connections);
  const args = [
    `-t${threads}`,
    `-c${options.connections}`,
    `-d${options.durationS}s`,
    `--timeout`,
    `${options.timeoutS ?? 10}s`,
    '--latency',
    '-s',
    options.luaScript,
    options.url,
    '--',
    `pool=${options.poolFile}`,
    `threads=${threads}`,
  ];
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    child.once('error', reject);
    child.once('exit', (exitCode) => resolve({ code: exitCode, stdout: out, stderr: err }));
  });
  const line = /^BENCH_JSON (.*)$/m.exec(stdout);
  if (code !== 0 || !line) {
    throw new Error(`wrk failed (exit ${code}) for ${options.scenario}: wrk ${args.join(' ')}\n${stdout}\n${stderr}`);
  }
  const j = JSON.parse(line[1]!) as Record<string, number>;
  const durationS = j.durationUs! / 1e6;
  const firstBad = /^BENCH_FIRST_BAD (.*)$/m.exec(stdout)?.[1];
  return {
    scenario: options.scenario,
    connections: options.connections,
    threads,
    durationS: round(durationS, 2),
    requests: j.requests!,
    requestsPerSec: round(j.requests! / durationS, 1),
    p50Ms: round(j.p50Us! / 1000, 3),
    p90Ms: round(j.p90Us! / 1000, 3),
    p99Ms: round(j.p99Us! / 1000, 3),
    p999Ms: round(j.p999Us! / 1000, 3),
    maxMs: round(j.maxUs! / 1000, 3),
    meanMs: round(j.meanUs! / 1000, 3),
    non200: j.non200!,
    socketErrors: { connect: j.connectErrors!, read: j.readErrors!, write: j.writeErrors!, timeout: j.timeouts! },
    firstBad,
    poolSize: options.poolSize,
    sent: j.sent!,
    poolWraps: j.poolWraps!,
    wrkOutput: stdout.replace(/^BENCH_.*\n?/gm, ''),
  };
}

/** Throws when any response was not 200 or any socket error occurred. */
export function assertClean(result: WrkResult): void {
  const e = result.socketErrors;
  const socketErrors = e.connect + e.read + e.write + e.timeout;
  if (result.non200 > 0 || socketErrors > 0 || result.requests === 0) {
    throw new Error(
      `${result.scenario}: ${result.non200} non-200 responses of ${result.requests}, socket errors ${JSON.stringify(e)}` +
        (result.firstBad ? `\nfirst non-200: ${result.firstBad}` : '') +
        `\n${result.wrkOutput}`,
    );
  }
}
