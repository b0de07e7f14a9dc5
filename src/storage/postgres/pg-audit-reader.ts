import pg from 'pg';
import type { AuditChainRecord, AuditDigestRecord } from '../stored-records.js';
import { connectionConfig, redactedUrl, type PostgresOptions } from './pg-connection.js';
import { PgAuditRepository } from './pg-audit-repository.js';
import { PgSettingsRepository } from './pg-settings-repository.js';

/** Entries read per query: a long log is never held in memory at once. */
const PAGE_SIZE = 5_000;

/**
 * The audit log of a PostgreSQL store, read for `coffer audit verify` on a
 * connection of its own in one read-only REPEATABLE READ transaction: the
 * chain, its digests and the settings as they were at the first read,
 * whatever the nodes append meanwhile.
 */
export class PgAuditReader {
  private readonly audit: PgAuditRepository;
  private readonly settings: PgSettingsRepository;

  private constructor(private readonly client: pg.Client) {
    this.audit = new PgAuditRepository(client);
    this.settings = new PgSettingsRepository(client);
  }

  static async open(options: PostgresOptions): Promise<PgAuditReader> {
    const client = new pg.Client(connectionConfig(options).pool);
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      return new PgAuditReader(client);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw new Error(`PostgreSQL storage ${redactedUrl(options.url)}: ${(error as Error).message}`, { cause: error });
    }
  }

  digests(): Promise<AuditDigestRecord[]> {
    return this.audit.digests();
  }

  setting(name: string): Promise<string | undefined> {
    return this.settings.get(name);
  }

  /** Every entry in sequence order, a page at a time. */
  async *entries(): AsyncGenerator<AuditChainRecord> {
    for (let after = 0; ; ) {
      const page = await this.audit.entries(after, PAGE_SIZE);
      yield* page;
      if (page.length < PAGE_SIZE) return;
      after = page.at(-1)!.sequence;
    }
  }

  async close(): Promise<void> {
    await this.client.query('COMMIT').catch(() => undefined);
    await this.client.end();
  }
}
