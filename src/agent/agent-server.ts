import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { SecretCache } from '../client/index.js';
import { AgentRequestError, parseGetQuery, parsePathQuery, type AgentQuery } from './agent-query.js';
import { errorAnswer, valueBody, type AgentAnswer } from './agent-response.js';
import type { AgentSettings } from './agent-settings.js';

const GET_PATH = '/secretsmanager/get';

/**
 * AWS's Secrets Manager Agent protocol over a SecretCache: `GET /secretsmanager/get?secretId=…`
 * and `GET <prefix><secret-id>` answer GetSecretValue's body; `/ping` answers `healthy`.
 * Requests are checked in AWS's order: the connection limit (429), then a forwarded request
 * (`X-Forwarded-For`: 400) or a missing or wrong SSRF token (403), then the method (405).
 */
export class AgentServer {
  private readonly server: Server;
  private readonly headers: string[];
  private readonly token: Buffer;
  private serving = 0;

  constructor(
    private readonly cache: SecretCache,
    private readonly settings: AgentSettings,
    token: string,
    private readonly logger: Logger,
  ) {
    this.token = Buffer.from(token);
    this.headers = settings.ssrfHeaders.map((name) => name.toLowerCase());
    this.server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => void this.handle(req, res));
  }

  listen(): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.settings.port, this.settings.address, () => resolve(this.server.address() as AddressInfo));
    });
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.serving++;
    try {
      const answer = await this.answer(req);
      res.writeHead(answer.status, { 'Content-Length': Buffer.byteLength(answer.body) });
      res.end(answer.body);
    } finally {
      this.serving--;
    }
  }

  private async answer(req: IncomingMessage): Promise<AgentAnswer> {
    const url = req.url ?? '/';
    const mark = url.indexOf('?');
    const path = mark < 0 ? url : url.slice(0, mark);
    const search = mark < 0 ? '' : url.slice(mark + 1);
    const health = path === '/ping';
    // Health checks get a little room beyond the limit, as in AWS's agent.
    if (this.serving > this.settings.maxConnections + (health ? 2 : 0)) return { status: 429, body: 'Connection limit exceeded' };
    if (!health) {
      if (req.headers['x-forwarded-for'] !== undefined) {
        this.logger.warn('refused a request with an X-Forwarded-For header');
        return { status: 400, body: 'Forwarded' };
      }
      if (!this.hasToken(req)) {
        this.logger.warn('refused a request without the SSRF token');
        return { status: 403, body: 'Bad Token' };
      }
    }
    if (req.method !== 'GET') return { status: 405, body: 'Not allowed' };
    if (health) return { status: 200, body: 'healthy' };
    try {
      if (path === GET_PATH) return await this.value(parseGetQuery(search));
      if (path.startsWith(this.settings.pathPrefix)) return await this.value(parsePathQuery(path, search, this.settings.pathPrefix));
      return { status: 404, body: 'Not found' };
    } catch (error) {
      if (error instanceof AgentRequestError) return { status: error.status, body: error.message };
      throw error;
    }
  }

  private hasToken(req: IncomingMessage): boolean {
    for (const name of this.headers) {
      const value = req.headers[name];
      if (typeof value !== 'string') continue;
      const given = Buffer.from(value);
      if (given.length === this.token.length && timingSafeEqual(given, this.token)) return true;
    }
    return false;
  }

  private async value({ secretId, versionId, versionStage, refreshNow }: AgentQuery): Promise<AgentAnswer> {
    try {
      return { status: 200, body: valueBody(await this.cache.getSecretValue(secretId, { versionId, versionStage, refreshNow })) };
    } catch (error) {
      const answer = errorAnswer(error);
      if (answer.status >= 500) this.logger.error({ secretId, err: error }, 'reading a secret failed');
      return answer;
    }
  }
}
