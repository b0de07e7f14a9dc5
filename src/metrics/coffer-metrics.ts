import { AggregatorRegistry, Counter, Gauge, Histogram, collectDefaultMetrics, register } from 'prom-client';

/** What the gauges read when scraped: the state of this process's server. */
export interface MetricsSources {
  sealed: () => boolean | Promise<boolean>;
  /** Audit records waiting to be written or being written. */
  auditQueueDepth: () => number;
  auditWritable: () => boolean;
  databaseWritable: () => boolean;
  /** Lookups of the in-memory caches of stored data (secrets, keys, access keys, policies) since start. */
  cacheLookups: () => { hits: number; misses: number };
}

/** Seconds: from a cached read (well under a millisecond) to a request that waits on a slow database. */
const REQUEST_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Seconds: an audit batch is one transaction with a full sync. */
const COMMIT_BUCKETS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 5];

/**
 * Coffer's Prometheus metrics, in prom-client's global registry (so that a cluster's primary
 * can aggregate its workers'), with the process metrics prom-client collects by default.
 * One set per process: the server that enables metrics fills it.
 */
export class CofferMetrics {
  private static instance?: CofferMetrics;
  private sources?: MetricsSources;

  readonly requests = new Counter({ name: 'coffer_requests_total', help: 'Requests answered, by service, operation and HTTP status', labelNames: ['service', 'operation', 'status'] as const });
  readonly requestDuration = new Histogram({
    name: 'coffer_request_duration_seconds',
    help: 'Time from a request to its answer (its audit record durable), by service, operation and HTTP status',
    labelNames: ['service', 'operation', 'status'] as const,
    buckets: REQUEST_BUCKETS,
  });
  readonly auditCommit = new Histogram({ name: 'coffer_audit_commit_duration_seconds', help: 'Time to write and sync one batch of audit records', labelNames: ['outcome'] as const, buckets: COMMIT_BUCKETS });
  readonly auditRecords = new Counter({ name: 'coffer_audit_records_total', help: 'Audit records written (or failed), in batches', labelNames: ['outcome'] as const });
  readonly rotations = new Counter({ name: 'coffer_rotations_total', help: 'Secret rotations that ended, by outcome', labelNames: ['outcome'] as const });
  readonly storageErrors = new Counter({ name: 'coffer_storage_errors_total', help: 'Writes the database refused or could not make (each shuts changes until a probe succeeds)' });

  private constructor() {
    collectDefaultMetrics({ prefix: 'coffer_' });
    const sources = () => this.sources;
    new Gauge({
      name: 'coffer_sealed',
      help: '1 while the server is sealed (it serves nothing until unsealed), else 0',
      aggregator: 'max',
      async collect() {
        const s = sources();
        if (s) this.set((await s.sealed()) ? 1 : 0);
      },
    });
    new Gauge({
      name: 'coffer_audit_queue_depth',
      help: 'Audit records waiting to be written or being written',
      collect() {
        const s = sources();
        if (s) this.set(s.auditQueueDepth());
      },
    });
    new Gauge({
      name: 'coffer_writable',
      help: '1 while the store takes writes, 0 from a failed write until a probe succeeds',
      labelNames: ['store'] as const,
      aggregator: 'min',
      collect() {
        const s = sources();
        if (!s) return;
        this.set({ store: 'audit' }, s.auditWritable() ? 1 : 0);
        this.set({ store: 'database' }, s.databaseWritable() ? 1 : 0);
      },
    });
    new Counter({
      name: 'coffer_cache_lookups_total',
      help: 'Lookups of the in-memory caches of stored data, by result (hit ratio: hits / all)',
      labelNames: ['result'] as const,
      collect() {
        const s = sources();
        if (!s) return;
        const { hits, misses } = s.cacheLookups();
        this.reset();
        this.inc({ result: 'hit' }, hits);
        this.inc({ result: 'miss' }, misses);
      },
    });
  }

  /** This process's metrics, made on first use. In a cluster worker, also answers the primary's requests for them. */
  static forProcess(options: { clusterWorker?: boolean } = {}): CofferMetrics {
    CofferMetrics.instance ??= new CofferMetrics();
    // Its constructor adds the listener through which the primary collects this worker's metrics.
    if (options.clusterWorker) new AggregatorRegistry();
    return CofferMetrics.instance;
  }

  watch(sources: MetricsSources): void {
    this.sources = sources;
  }

  observeRequest(service: string, operation: string, status: number, seconds: number): void {
    const labels = { service, operation, status: String(status) };
    this.requests.inc(labels);
    this.requestDuration.observe(labels, seconds);
  }

  observeAuditBatch(records: number, seconds: number, ok: boolean): void {
    const outcome = ok ? 'written' : 'failed';
    this.auditCommit.observe({ outcome }, seconds);
    this.auditRecords.inc({ outcome }, records);
  }

  /** Rotations are counted from the records the audit log gets of them. */
  observeRecord(record: { eventName?: string; eventType?: string }): void {
    if (record.eventType !== 'AwsServiceEvent') return;
    if (record.eventName === 'RotationSucceeded') this.rotations.inc({ outcome: 'succeeded' });
    else if (record.eventName === 'RotationFailed') this.rotations.inc({ outcome: 'failed' });
  }

  /** The text a scrape gets, and its content type. */
  static async scrape(): Promise<{ body: string; contentType: string }> {
    return { body: await register.metrics(), contentType: register.contentType };
  }
}

/** In a cluster's primary: every worker's metrics, aggregated. */
export function clusterScrape(): () => Promise<{ body: string; contentType: string }> {
  const aggregator = new AggregatorRegistry();
  return async () => ({ body: await aggregator.clusterMetrics(), contentType: aggregator.contentType });
}
