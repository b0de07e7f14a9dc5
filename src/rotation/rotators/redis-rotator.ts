/**
 * Redis (and Valkey) ACL users for the built-in single-user rotator. AWS has no template
 * for a self-managed Redis; its ElastiCache template rotates the password of the user
 * named in the secret, which here the user does itself through ACL SETUSER.
 */
import { createClient } from 'redis';
import { CONNECT_TIMEOUT_MS, STATEMENT_TIMEOUT_MS, type DatabaseEngine, type Session } from './database-engine.js';

/** What a session uses of a connected client. */
interface RedisConnection {
  sendCommand(args: string[], options: { timeout: number }): Promise<unknown>;
  close(): Promise<void>;
  destroy(): void;
}

export const redisEngine: DatabaseEngine = {
  // A Redis secret need not name an engine; TLS listens on its own port, so it is used only when `ssl` asks.
  family: { engines: ['redis', 'valkey'], engineOptional: true, defaultPort: 6379, defaultTls: 'disable' },
  isCredentialRejection: (error) => /^WRONGPASS\b/.test(error instanceof Error ? error.message : ''),

  async connect(secret, tls) {
    const client = createClient({
      // With TLS, Node checks the certificate against the system CAs and the host name.
      socket: tls
        ? { host: secret.host, port: secret.port, tls: true, connectTimeout: CONNECT_TIMEOUT_MS, reconnectStrategy: false }
        : { host: secret.host, port: secret.port, connectTimeout: CONNECT_TIMEOUT_MS, reconnectStrategy: false },
      username: secret.username,
      password: secret.password,
    });
    // Failures also come back from connect() and each command; unheard, the event would end the process.
    client.on('error', () => {});
    try {
      await client.connect();
    } catch (error) {
      if (client.isOpen) client.destroy();
      throw error;
    }
    return new RedisSession(client, secret.username);
  },
};

class RedisSession implements Session {
  /** AUTH always checks the password (a `nopass` user aside, which the new password ends). */
  readonly passwordVerified = true;

  constructor(
    private readonly client: RedisConnection,
    private readonly username: string,
  ) {}

  async ping(): Promise<void> {
    await this.command(['PING']);
  }

  /** Replaces the user's passwords with the new one; its other rules (keys, commands, channels) stay. */
  async changeOwnPassword(password: string): Promise<void> {
    await this.command(['ACL', 'SETUSER', this.username, 'on', 'resetpass', `>${password}`]);
  }

  async close(): Promise<void> {
    await this.client.close().catch(() => this.client.destroy());
  }

  private async command(args: string[]): Promise<void> {
    await this.client.sendCommand(args, { timeout: STATEMENT_TIMEOUT_MS });
  }
}
