import { InvalidArgumentError, type Command } from 'commander';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { verifyChain, verifyChainOf, type VerifyResult } from '../audit/chain-verifier.js';
import { ARCHIVE_DIR_NAME, ArchiveReader, ArchiveSegmentError, archiveDataDir, continued, uniqueDigests } from '../audit/audit-archive.js';
import { AuditLogReader, chainEntry } from '../audit/audit-log-reader.js';
import { PgAuditReader } from '../storage/postgres/pg-audit-reader.js';
import { DEFAULTS } from '../config/config.js';
import { readDigestFiles } from '../audit/digest-file.js';
import type { Digest } from '../audit/digest.js';
import { signingName as cloudTrailSigningName, targetPrefix as cloudTrailPrefix } from '../api/cloudtrail/model.generated.js';
import { apiCommandGroup, CofferClient, failsInOneLine, type ClientOptions } from './coffer-client.js';

/** Where the server keeps the public half of its digest-signing key, in the data directory and in its settings. */
const PUBLIC_KEY_FILE = 'audit-public-key.pem';
const PUBLIC_KEY_SETTING = 'audit-public-key';

/** LookupEvents returns at most 50 events a call. */
const MAX_RESULTS = 50;
const POLL_MS = 1_000;
/**
 * A record carries the time its request arrived but is written when it is
 * answered, so a poll may meet records older than the newest already shown:
 * each poll looks this far back and skips the event IDs it has printed.
 */
const LATE_SECONDS = 10;

export interface VerifyOptions {
  dataDir?: string;
  storage?: string;
  storageCa?: string;
  storagePasswordFile?: string;
  publicKey?: string;
  digest: string[];
  digestHash: string[];
  archiveDir?: string;
  liveOnly?: boolean;
}

interface ArchiveOptions {
  dataDir: string;
  archiveDir?: string;
  olderThanDays: number;
}

interface TailOptions {
  lines: number;
  follow?: boolean;
}

interface TrailEvent {
  EventId: string;
  /** Epoch seconds, as the JSON protocol sends timestamps. */
  EventTime: number | string;
  CloudTrailEvent: string;
}

/** `coffer audit ...`: check a data directory's audit log, or read a running server's. */
export function registerAuditCommand(program: Command): void {
  const audit = apiCommandGroup(program, 'audit', "verify a data directory's audit log, or follow a running server's");

  audit
    .command('verify')
    .description(
      "check a data directory's audit log (a running server's, a stopped one's, or a copy: audit.db and coffer.db with their -wal files), or a PostgreSQL store's (--storage), against the chain, the chain of signed digests and any digests kept elsewhere",
    )
    .option('--data-dir <dir>', 'the data directory holding audit.db and coffer.db')
    .option('--storage <url>', "instead: a PostgreSQL store's database (postgres://user@host:port/database), whose log every node writes")
    .option('--storage-ca <file>', 'postgres: PEM certificate authority the database server must chain to')
    .option('--storage-password-file <file>', "postgres: file holding the database password, else the URL's or PGPASSWORD")
    .option('--public-key <file>', `the digest-signing public key (PEM); default: <data-dir>/${PUBLIC_KEY_FILE}, or the database's ${PUBLIC_KEY_SETTING} setting`)
    .option('--digest <file-or-dir>', 'a digest file kept elsewhere (from --audit-digest-dir), or a directory of them: the log must reach each (repeatable)', collect, [])
    .option('--digest-hash <hex>', "a digest's hash (its digestHash) kept elsewhere: the log must hold that digest (repeatable)", collect, [])
    .option('--archive-dir <dir>', `where the log's archive segments are; default: <data-dir>/${ARCHIVE_DIR_NAME}`)
    .option('--live-only', 'check only what audit.db holds, from where the archive segments end')
    .action(failsInOneLine(verify));

  audit
    .command('archive')
    .description(
      "move a data directory's older audit entries (covered by a digest signed before the cutoff) out of audit.db into gzip-compressed segment files; the server may be running",
    )
    .requiredOption('--data-dir <dir>', 'the data directory holding audit.db')
    .option('--archive-dir <dir>', `where the segments go; default: <data-dir>/${ARCHIVE_DIR_NAME}`)
    .option('--older-than-days <days>', 'archive what is older than this many days', positiveNumber, DEFAULTS.auditRetentionDays)
    .action(failsInOneLine(archive));

  audit
    .command('tail')
    .description("print a running server's latest audit events (CloudTrail LookupEvents), oldest first, one JSON record a line")
    .option('-n, --lines <n>', 'how many of the latest events', positiveInteger, 10)
    .option('-f, --follow', 'keep printing new events as they are recorded')
    .action(failsInOneLine((opts: TailOptions) => tail(audit.opts<ClientOptions>(), opts)));
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function positiveNumber(value: string): number {
  if (!(Number(value) > 0)) throw new InvalidArgumentError('Give a number of days above 0.');
  return Number(value);
}

function positiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('Give a whole number, 1 or more.');
  return Number(value);
}

export async function verify(opts: VerifyOptions): Promise<void> {
  if (opts.storage) return verifyDatabase(opts, opts.storage);
  if (!opts.dataDir) throw new Error('give the data directory (--data-dir DIR) or the PostgreSQL database (--storage postgres://…) whose log to check');
  const dataDir = opts.dataDir;
  const key = publicKeyFor(opts, readPublicKey(opts.publicKey ?? join(dataDir, PUBLIC_KEY_FILE)));
  const exported: Digest[] = opts.digest.flatMap((path) => readDigestFiles(path));
  const log = AuditLogReader.open(dataDir);
  try {
    if (log.settingsReadable) warnIfSettingDiffers(log.setting(PUBLIC_KEY_SETTING), key);
    else console.log('coffer.db is held by a running server: the log is read as a snapshot of audit.db taken now');
    const archive = new ArchiveReader(opts.archiveDir ?? join(dataDir, ARCHIVE_DIR_NAME), opts.liveOnly ? [] : log.archives());
    try {
      // Archive and live log are one chain, and their digests one digest chain.
      const digests = uniqueDigests([...archive.digests(), ...log.digests()]);
      const result = verifyChain(continued(archive.entries(), log.entries()), digests, key, { exported, exportedHashes: opts.digestHash });
      report(result, digests, exported.length + opts.digestHash.length, archive.segments.length);
    } catch (error) {
      if (!(error instanceof ArchiveSegmentError)) throw error;
      console.log(`FAILED: ${error.message}`);
      process.exitCode = 1;
    }
  } finally {
    log.close();
  }
}

/** The one chain every node writes to a PostgreSQL store, read as a snapshot taken now. */
async function verifyDatabase(opts: VerifyOptions, url: string): Promise<void> {
  const exported: Digest[] = opts.digest.flatMap((path) => readDigestFiles(path));
  const log = await PgAuditReader.open({ url, caFile: opts.storageCa, passwordFile: opts.storagePasswordFile });
  try {
    const stored = await log.setting(PUBLIC_KEY_SETTING);
    let key: KeyObject;
    if (opts.publicKey) {
      key = publicKeyFor(opts, readPublicKey(opts.publicKey));
      warnIfSettingDiffers(stored, key);
    } else {
      const fromSetting = stored === undefined ? undefined : parsePublicKey(stored);
      if (!fromSetting) throw new Error(`the database holds no ${PUBLIC_KEY_SETTING} setting to verify with: give the public key with --public-key FILE`);
      key = publicKeyFor(opts, { key: fromSetting, path: `the database's ${PUBLIC_KEY_SETTING} setting` });
    }
    const digests = uniqueDigests(await log.digests());
    const result = await verifyChainOf(mapAsync(log.entries(), chainEntry), digests, key, { exported, exportedHashes: opts.digestHash });
    report(result, digests, exported.length + opts.digestHash.length, 0);
  } finally {
    await log.close();
  }
}

/** Says where the key came from: one kept beside the data proves little against whoever could rewrite the data (they could replace it too). */
function publicKeyFor(opts: VerifyOptions, { key, path }: { key: KeyObject; path: string }): KeyObject {
  console.log(
    opts.publicKey
      ? `public key: ${path} (--public-key)`
      : `public key: ${path} (kept with the data, which proves the log consistent only; give a copy kept elsewhere with --public-key)`,
  );
  return key;
}

async function* mapAsync<T, U>(items: AsyncIterable<T>, map: (item: T) => U): AsyncGenerator<U> {
  for await (const item of items) yield map(item);
}

async function archive(opts: ArchiveOptions): Promise<void> {
  const dir = opts.archiveDir ?? join(opts.dataDir, ARCHIVE_DIR_NAME);
  const before = new Date(Date.now() - opts.olderThanDays * 86_400_000);
  const segments = await archiveDataDir(opts.dataDir, dir, before);
  for (const segment of segments) console.log(`archived entries ${segment.first}–${segment.last} to ${join(dir, segment.file)}`);
  if (!segments.length) console.log(`nothing to archive: no digest signed before ${before.toISOString()} covers entries still in audit.db`);
}

/** One line for the outcome (and one per stretch of missing digests); exit code 1 unless the log verified whole. */
function report(result: VerifyResult, digests: readonly Digest[], exported: number, segments: number): void {
  if (!result.ok) {
    const at = result.firstBad.sequence === undefined ? '' : ` at entry ${result.firstBad.sequence}`;
    console.log(`FAILED${at}: ${result.firstBad.reason}`);
    process.exitCode = 1;
    return;
  }
  for (const stretch of result.missing ?? []) console.log(`MISSING DIGESTS: ${stretch}`);
  for (const stretch of result.late ?? []) console.log(`note: ${stretch}`);
  if (result.missing) process.exitCode = 1;
  const last = digests.at(-1);
  const signed = last ? `last signed digest at ${last.sequence}` : 'no signed digest yet';
  const from = result.start ? `, from entry ${result.start.sequence} (the entries before it archived)` : '';
  const archived = segments ? `, ${segments} archive segment(s) included` : '';
  const kept = exported ? `, ${exported} digest(s) kept elsewhere reached` : '';
  console.log(`${result.missing ? 'incomplete' : 'ok'}: ${result.count} entries${from}${archived}, head ${result.head.sequence} ${result.head.hash}, ${signed}${kept}`);
}

function readPublicKey(path: string): { key: KeyObject; path: string } {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(missing ? `no public key file at ${path} (give one with --public-key FILE)` : `cannot read ${path}: ${(error as Error).message}`);
  }
  const key = parsePublicKey(pem);
  if (!key) throw new Error(`${path} is not an Ed25519 public key in PEM`);
  return { key, path };
}

function parsePublicKey(pem: string): KeyObject | undefined {
  try {
    const key = createPublicKey(pem);
    return key.asymmetricKeyType === 'ed25519' ? key : undefined;
  } catch {
    return undefined;
  }
}

/** The server keeps the key in its settings too: a difference is worth knowing even when the log verifies. */
function warnIfSettingDiffers(stored: string | undefined, key: KeyObject): void {
  if (stored === undefined) return;
  const storedKey = parsePublicKey(stored);
  if (!storedKey || !storedKey.equals(key)) {
    console.error(`warning: the database's ${PUBLIC_KEY_SETTING} setting holds a different key from the one used`);
  }
}

async function tail(client: ClientOptions, opts: TailOptions): Promise<void> {
  const trail = new CloudTrailClient(client);
  // Event IDs printed or passed over, by EventTime, as far back as a poll looks.
  const seen = new Map<string, number>();
  let newest = 0;
  const remember = (event: TrailEvent) => {
    const time = epochSeconds(event.EventTime);
    seen.set(event.EventId, time);
    newest = Math.max(newest, time);
  };
  const print = (events: TrailEvent[]) => {
    for (const event of events.reverse()) {
      console.log(oneLine(event.CloudTrailEvent));
      remember(event);
    }
  };
  const { latest, leftOut } = await trail.newest(opts.lines, opts.follow ? LATE_SECONDS : undefined);
  print(latest);
  leftOut.forEach(remember);
  while (opts.follow) {
    await sleep(POLL_MS);
    const since = Math.max(0, newest - LATE_SECONDS);
    for (const [id, time] of seen) if (time < since) seen.delete(id);
    print((await trail.since(since)).filter((event) => !seen.has(event.EventId)));
  }
}

/** The record compacted onto one line, whatever spacing the server sent it with. */
function oneLine(json: string): string {
  try {
    return JSON.stringify(JSON.parse(json));
  } catch {
    return json.replace(/\s*\n\s*/g, ' ');
  }
}

function epochSeconds(time: number | string): number {
  return typeof time === 'number' ? time : Date.parse(time) / 1000;
}

/** LookupEvents (SigV4 service `cloudtrail`), through the client the other commands use. */
class CloudTrailClient {
  private readonly client: CofferClient;

  constructor(options: ClientOptions) {
    this.client = new CofferClient(cloudTrailPrefix, options, cloudTrailSigningName);
  }

  /**
   * The `count` newest events, newest first; and, `lookBack` seconds back from
   * the newest, the older ones left out, which a follower must not print later.
   */
  async newest(count: number, lookBack?: number): Promise<{ latest: TrailEvent[]; leftOut: TrailEvent[] }> {
    const latest: TrailEvent[] = [];
    const leftOut: TrailEvent[] = [];
    for await (const page of this.pages({})) {
      for (const event of page) {
        if (latest.length < count) latest.push(event);
        else if (lookBack !== undefined && epochSeconds(event.EventTime) >= epochSeconds(latest[0]!.EventTime) - lookBack) leftOut.push(event);
        else return { latest, leftOut };
      }
    }
    return { latest, leftOut };
  }

  /** Every event at or after `startTime` (epoch seconds), newest first. */
  async since(startTime: number): Promise<TrailEvent[]> {
    const events: TrailEvent[] = [];
    for await (const page of this.pages({ StartTime: startTime })) events.push(...page);
    return events;
  }

  private async *pages(query: object): AsyncGenerator<TrailEvent[]> {
    let token: string | undefined;
    do {
      const out = await this.lookupEvents({ ...query, MaxResults: MAX_RESULTS, NextToken: token });
      yield (out.Events as TrailEvent[] | undefined) ?? [];
      token = out.NextToken as string | undefined;
    } while (token);
  }

  private lookupEvents(input: object): Promise<Record<string, unknown>> {
    return this.client.call('LookupEvents', input);
  }
}
