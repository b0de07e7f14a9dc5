import pg from 'pg';

/**
 * The session advisory lock by which one server holds the database. It lives as long as its
 * connection: when the database goes away the lock goes with it, and `held` takes it again on
 * a new connection once the database is back (refusing if another server took it meanwhile).
 */
export class ServerLock {
  private client?: pg.Client;
  private taking?: Promise<void>;

  private constructor(
    private readonly config: pg.ClientConfig,
    private readonly schema: string,
  ) {}

  static async take(config: pg.ClientConfig, schema: string): Promise<ServerLock> {
    const lock = new ServerLock(config, schema);
    await lock.held();
    return lock;
  }

  /** Resolves once this server holds the lock: at once while its connection stands, else on a new one. */
  held(): Promise<void> {
    if (this.client) return Promise.resolve();
    this.taking ??= this.connect().finally(() => (this.taking = undefined));
    return this.taking;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(this.config);
    // The lock is gone with its connection: the next unit of work takes it again first.
    const lost = () => {
      if (this.client === client) this.client = undefined;
    };
    client.on('error', lost);
    client.on('end', lost);
    try {
      await client.connect();
      const { rows } = await client.query<{ held: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS held', [`coffer-server:${this.schema}`]);
      if (!rows[0]!.held) {
        const schema = this.schema === 'public' ? '' : ` (schema ${this.schema})`;
        // lock_not_available: the database cannot be written by this server, as when it is unreachable.
        throw Object.assign(new Error(`another Coffer server is using this PostgreSQL database${schema}: a database serves one server`), { code: '55P03' });
      }
      this.client = client;
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
  }

  async release(): Promise<void> {
    await this.taking?.catch(() => undefined);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
