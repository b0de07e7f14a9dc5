/** PostgreSQL (and Aurora PostgreSQL) for the built-in rotators, as AWS's RDS PostgreSQL templates do it. */
import pg from 'pg';
import { CONNECT_TIMEOUT_MS, STATEMENT_TIMEOUT_MS, type AdminDatabaseEngine, type AdminSession } from './database-engine.js';

/** SQLSTATE invalid_password: the server refused the credentials. */
const INVALID_PASSWORD = '28P01';
/** NAMEDATALEN - 1: longer role names are truncated by the server. */
const MAX_ROLE_NAME_LENGTH = 63;

export const postgresEngine: AdminDatabaseEngine = {
  family: { engines: ['postgres', 'aurora-postgresql'], defaultPort: 5432, defaultTls: 'prefer' },
  maxUsernameLength: () => MAX_ROLE_NAME_LENGTH,
  isCredentialRejection: (error) => (error as { code?: unknown } | null)?.code === INVALID_PASSWORD,

  async connect(secret, tls) {
    let passwordAsked = false;
    const client = new pg.Client({
      host: secret.host,
      port: secret.port,
      user: secret.username,
      database: secret.dbname ?? 'postgres',
      // Asked for only when the server authenticates by password: what tells a real check from `trust`.
      password: () => {
        passwordAsked = true;
        return secret.password;
      },
      // Verified against the system CAs and the host name, as the templates' sslmode=verify-full.
      ssl: tls ? { rejectUnauthorized: true } : false,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      statement_timeout: STATEMENT_TIMEOUT_MS,
      application_name: 'coffer-rotation',
    });
    // A connection lost while idle surfaces on the next query; unheard, the event would end the process.
    client.on('error', () => {});
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    return new PostgresSession(client, secret.username, passwordAsked);
  },
};

class PostgresSession implements AdminSession {
  constructor(
    private readonly client: pg.Client,
    private readonly username: string,
    readonly passwordVerified: boolean,
  ) {}

  async ping(): Promise<void> {
    await this.client.query('SELECT 1');
  }

  // Utility statements take no bind parameters: names and passwords are quoted as the templates'
  // quote_ident and format() do.
  async changeOwnPassword(password: string): Promise<void> {
    await this.client.query(`ALTER USER ${this.client.escapeIdentifier(this.username)} WITH PASSWORD ${this.client.escapeLiteral(password)}`);
  }

  /** The template's way: a new role gets LOGIN, the password and membership in the original user's role. */
  async setCloneUserPassword(user: string, password: string, model: string): Promise<void> {
    const role = this.client.escapeIdentifier(user);
    const literal = this.client.escapeLiteral(password);
    await this.client.query('BEGIN');
    try {
      const existing = await this.client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [user]);
      if (existing.rowCount === 0) {
        await this.client.query(`CREATE ROLE ${role} WITH LOGIN PASSWORD ${literal}`);
        await this.client.query(`GRANT ${this.client.escapeIdentifier(model)} TO ${role}`);
      } else {
        await this.client.query(`ALTER USER ${role} WITH PASSWORD ${literal}`);
      }
      await this.client.query('COMMIT');
    } catch (error) {
      await this.client.query('ROLLBACK').catch(() => {});
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => {});
  }
}
