/**
 * Summarizes a V8 .cpuprofile (from `node --cpu-prof`): self and inclusive
 * time per function. Usage: node dist/bench/cpuprofile-summary.js <file> [top]
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  /** Microseconds on the monotonic clock, the one process.hrtime reads (also in other processes). */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** A stretch of time on the monotonic clock, in microseconds (process.hrtime.bigint() / 1000n). */
export interface TimeWindow {
  fromUs: number;
  toUs: number;
}

/** Non-idle (busy) sampled microseconds of a profile's thread within each window. */
export function busyWithin(file: string, windows: readonly TimeWindow[]): number[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  const busy = windows.map(() => 0);
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (idle.has(profile.samples[i]!)) continue;
    windows.forEach((w, k) => {
      if (at > w.fromUs && at <= w.toUs) busy[k]! += delta;
    });
  }
  return busy;
}

export interface ProfileEntry {
  name: string;
  location: string;
  selfMs: number;
  selfPct: number;
  totalMs: number;
  totalPct: number;
}

/** A profile with its nodes by id and each node's parent. */
function loadProfile(file: string): { profile: Profile; byId: Map<number, ProfileNode>; parent: Map<number, number> } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const parent = new Map<number, number>();
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  return { profile, byId, parent };
}

/** Self and inclusive time per function, over the whole profile or the samples within `window`. */
export function summarizeProfile(file: string, top = 25, window?: TimeWindow): { totalMs: number; idleMs: number; top: ProfileEntry[]; topInclusive: ProfileEntry[] } {
  const { profile, byId, parent } = loadProfile(file);
  const keyOf = (node: ProfileNode) => {
    const f = node.callFrame;
    const where = f.url ? `${shorten(f.url)}:${f.lineNumber + 1}` : '';
    return `${f.functionName || '(anonymous)'}\t${where}`;
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (window && (at <= window.fromUs || at > window.toUs)) continue;
    const node = byId.get(profile.samples[i]!);
    if (!node) continue;
    totalUs += delta;
    if (node.callFrame.functionName === '(idle)') idleUs += delta;
    const key = keyOf(node);
    self.set(key, (self.get(key) ?? 0) + delta);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const k = keyOf(byId.get(id)!);
      if (seen.has(k)) continue;
      seen.add(k);
      total.set(k, (total.get(k) ?? 0) + delta);
    }
  }
  const busyUs = Math.max(1, totalUs - idleUs);
  const entry = (key: string): ProfileEntry => {
    const [name, location] = key.split('\t') as [string, string];
    const s = self.get(key) ?? 0;
    const t = total.get(key) ?? 0;
    return {
      name,
      location,
      selfMs: s / 1000,
      selfPct: (100 * s) / busyUs,
      totalMs: t / 1000,
      totalPct: (100 * t) / busyUs,
    };
  };
  const skip = new Set(['(root)', '(idle)', '(program)']);
  const entries = [...total.keys()].map(entry);
  return {
    totalMs: totalUs / 1000,
    idleMs: idleUs / 1000,
    top: entries.filter((e) => e.name !== '(idle)').sort((a, b) => b.selfMs - a.selfMs).slice(0, top),
    topInclusive: entries.filter((e) => !skip.has(e.name)).sort((a, b) => b.totalMs - a.totalMs).slice(0, top),
  };
}

/**
 * Busy time by the layer of Coffer's code that caused it: each sample goes to
 * the innermost frame of Coffer's own code on its stack (src/http, src/iam,
 * …: what it called in Node.js — crypto, sockets — counts as its), else to
 * Node.js itself (HTTP parsing, socket writes, timers); garbage collection
 * and V8's own work on their own. Within `window` if given.
 */
export function layerShares(file: string, window?: TimeWindow): Map<string, number> {
  const { profile, byId, parent } = loadProfile(file);
  const layerOf = new Map<number, string>();
  const layer = (id: number): string => {
    let known = layerOf.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id)!;
    const name = node.callFrame.functionName;
    const own = /\/dist\/src\/([^/]+)\//.exec(node.callFrame.url)?.[1];
    const up = parent.get(id);
    known = own ? `src/${own}` : name === '(garbage collector)' || name === '(program)' ? name : up === undefined ? 'node.js' : layer(up);
    layerOf.set(id, known);
    return known;
  };
  const shares = new Map<string, number>();
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (window && (at <= window.fromUs || at > window.toUs)) continue;
    const id = profile.samples[i]!;
    if (byId.get(id)?.callFrame.functionName === '(idle)') continue;
    const key = layer(id);
    shares.set(key, (shares.get(key) ?? 0) + delta);
  }
  return shares;
}

function shorten(url: string): string {
  const m = /\/(dist\/.*|node_modules\/.*)$/.exec(url);
  if (m) return m[1]!.replace(/^node_modules\//, 'nm/');
  return url.startsWith('node:') ? url : basename(url);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node dist/bench/cpuprofile-summary.js <file.cpuprofile> [top]');
    process.exit(2);
  }
  const summary = summarizeProfile(file, Number(process.argv[3] ?? 30));
  console.log(`sampled ${(summary.totalMs / 1000).toFixed(1)} s, idle ${(summary.idleMs / 1000).toFixed(1)} s; percentages are of non-idle time`);
  const fmt = (e: ProfileEntry) => `${e.selfMs.toFixed(0).padStart(7)} ${e.selfPct.toFixed(1).padStart(5)}%  ${e.totalMs.toFixed(0).padStart(7)} ${e.totalPct.toFixed(1).padStart(5)}%  ${e.name}  ${e.location}`;
  console.log('\nby self time:      self ms  self%  total ms total%');
  for (const e of summary.top) console.log(fmt(e));
  console.log('\nby inclusive time: self ms  self%  total ms total%');
  for (const e of summary.topInclusive) console.log(fmt(e));
}
