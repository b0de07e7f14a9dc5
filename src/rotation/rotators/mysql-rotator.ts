/** MySQL and MariaDB for the built-in rotators, as AWS's RDS MySQL and MariaDB templates do it. */
import mysql from 'mysql2/promise';
import { CONNECT_TIMEOUT_MS, type AdminDatabaseEngine, type AdminSession } from './database-engine.js';

/** ER_ACCESS_DENIED_ERROR: the server refused the credentials. */
const ACCESS_DENIED = 1045;

export const mysqlEngine: AdminDatabaseEngine = {
  family: { engines: ['mysql', 'mariadb'], defaultPort: 3306, defaultTls: 'prefer' },
  // MariaDB allows 80 characters; MySQL 5.7 and later 32.
  maxUsernameLength: (engine) => (engine === 'mariadb' ? 80 : 32),
  isCredentialRejection: (error) => (error as { errno?: unknown } | null)?.errno === ACCESS_DENIED,

  async connect(secret, tls) {
    const connection = await mysql.createConnection({
      host: secret.host,
      port: secret.port,
      user: secret.username,
      password: secret.password,
      database: secret.dbname,
      // Verified against the system CAs and the host name, as the templates' ssl={'ca': ...}.
      ssl: tls ? { rejectUnauthorized: true, verifyIdentity: true } : undefined,
      connectTimeout: CONNECT_TIMEOUT_MS,
    });
    // A connection lost while idle surfaces on the next query; unheard, the event would end the process.
    connection.on('error', () => {});
    return new MysqlSession(connection);
  },
};

/**
 * Accounts are `'<user>'@'%'`, as the templates create and alter them. Values go through the
 * driver's escaping (`?`), as the templates pass them to pymysql.
 */
class MysqlSession implements AdminSession {
  /** Every MySQL login over TCP checks the account's password. */
  readonly passwordVerified = true;
  private passwordSyntax?: Promise<string>;

  constructor(private readonly connection: mysql.Connection) {}

  async ping(): Promise<void> {
    await this.connection.query('SELECT 1');
  }

  // SET PASSWORD, not ALTER USER: MariaDB lets a user without CREATE USER change only its own
  // password that way.
  async changeOwnPassword(password: string): Promise<void> {
    await this.connection.query(`SET PASSWORD = ${await this.passwordExpression()}`, [password]);
  }

  async setCloneUserPassword(user: string, password: string, model: string): Promise<void> {
    const existing = await this.rows("SELECT 1 FROM mysql.user WHERE User = ? AND Host = '%'", [user]);
    if (existing.length === 0) await this.connection.query("CREATE USER ?@'%' IDENTIFIED BY ?", [user, password]);
    for (const [grant] of await this.rows("SHOW GRANTS FOR ?@'%'", [model])) {
      await this.connection.query(grantToClone(String(grant), model, user));
    }
    await this.copyTlsRequirement(model, user);
    await this.connection.query(`SET PASSWORD FOR ?@'%' = ${await this.passwordExpression()}`, [user, password]);
  }

  async close(): Promise<void> {
    await this.connection.end().catch(() => this.connection.destroy());
  }

  /** The original user's REQUIRE SSL/X509/CIPHER... also binds the clone. */
  private async copyTlsRequirement(model: string, clone: string): Promise<void> {
    const [row] = await this.rows("SELECT ssl_type, ssl_cipher, x509_issuer, x509_subject FROM mysql.user WHERE User = ? AND Host = '%'", [model]);
    const [type, cipher, issuer, subject] = (row ?? []).map((value) => (value == null ? '' : String(value)));
    if (type === 'ANY') return this.requireOf(clone, 'SSL', []);
    if (type === 'X509') return this.requireOf(clone, 'X509', []);
    if (type === 'SPECIFIED') {
      const parts = [
        ['CIPHER', cipher],
        ['ISSUER', issuer],
        ['SUBJECT', subject],
      ].filter(([, value]) => value);
      return this.requireOf(clone, parts.map(([name]) => `${name} ?`).join(' AND ') || 'SSL', parts.map(([, value]) => value!));
    }
    return this.requireOf(clone, 'NONE', []);
  }

  private async requireOf(user: string, requirement: string, values: string[]): Promise<void> {
    await this.connection.query(`ALTER USER ?@'%' REQUIRE ${requirement}`, [user, ...values]);
  }

  /** How SET PASSWORD takes a plain password: MariaDB and MySQL 5 hash it with PASSWORD(), MySQL 8 and later refuse that. */
  private passwordExpression(): Promise<string> {
    this.passwordSyntax ??= this.rows('SELECT VERSION()', []).then(([[version]]) =>
      /mariadb/i.test(String(version)) || String(version).startsWith('5.') ? 'PASSWORD(?)' : '?',
    );
    return this.passwordSyntax;
  }

  private async rows(sql: string, values: unknown[]): Promise<unknown[][]> {
    const [rows] = await this.connection.query<mysql.RowDataPacket[][]>({ sql, rowsAsArray: true }, values);
    return rows;
  }
}

/**
 * One row of SHOW GRANTS for `model`, addressed to `clone` instead. The grantee is cut off
 * with whatever follows it (a password hash, REQUIRE clauses) except WITH GRANT/ADMIN OPTION;
 * MariaDB's `SET DEFAULT ROLE r FOR model` rows are carried over the same way.
 */
export function grantToClone(grant: string, model: string, clone: string): string {
  const target = `${mysql.escape(clone)}@'%'`;
  for (const grantee of accountSpellings(model)) {
    for (const keyword of [' TO ', ' FOR ']) {
      const at = grant.indexOf(keyword + grantee);
      if (at < 0) continue;
      const option = /\bWITH (GRANT|ADMIN) OPTION\b/i.exec(grant.slice(at + keyword.length + grantee.length))?.[0];
      return `${grant.slice(0, at)}${keyword}${target}${option ? ` ${option}` : ''}`;
    }
  }
  // The row itself is not quoted: the USAGE row carries the user's password hash.
  throw new Error(`SHOW GRANTS for user ${model} returned a statement that does not name the account '${model}'@'%'; its grants cannot be copied to ${clone}.`);
}

/** How SHOW GRANTS writes `'<user>'@'%'`: backquoted (MariaDB, MySQL 8) or single-quoted (MySQL 5.7). */
function accountSpellings(user: string): string[] {
  return [`\`${user.replaceAll('`', '``')}\`@\`%\``, `'${user.replaceAll("'", "\\'")}'@'%'`];
}
