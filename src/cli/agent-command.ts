import type { Command } from 'commander';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SecretCache } from '../client/index.js';
import { AgentServer } from '../agent/agent-server.js';
import { AGENT_DEFAULTS, checkAgentSettings, type AgentSettings } from '../agent/agent-settings.js';
import { readSsrfToken } from '../agent/ssrf-token.js';
import { createLogger } from '../log/logger.js';
import { onStopSignal } from './server-lifecycle.js';
import { apiOptions, failsInOneLine, type ClientOptions } from './api-options.js';

const whole = (value: string): number => (/^\d+$/.test(value) ? Number(value) : NaN);
const list = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

interface AgentOptions extends ClientOptions {
  address: string;
  port: number;
  ttl: number;
  cacheSize: number;
  maxConn: number;
  pathPrefix: string;
  maxStale: number;
  ssrfHeader?: string[];
  ssrfEnvVariable?: string[];
  changeFeed: boolean;
  logLevel: string;
  logFile?: string;
}

/** `coffer agent`: AWS's Secrets Manager Agent protocol on a local port, kept fresh by Coffer's change feed. */
export function registerAgentCommand(program: Command): void {
  const d = AGENT_DEFAULTS;
  apiOptions(program.command('agent').description("serve AWS's Secrets Manager Agent protocol locally (GET /secretsmanager/get?secretId=…), kept fresh from Coffer's change feed"))
    .option('--address <address>', 'address to listen on', d.address)
    .option('--port <port>', 'port to listen on, 1024 to 65535', whole, d.port)
    .option('--ttl <seconds>', 'seconds a value is served without word from the server that it is current, 0 to 3600 (0: no caching)', whole, d.ttlSeconds)
    .option('--cache-size <n>', 'values kept at most, 1 to 1000', whole, d.cacheSize)
    .option('--max-conn <n>', 'requests served at once, 1 to 1000; more get 429', whole, d.maxConnections)
    .option('--path-prefix <prefix>', 'prefix of path-style requests (<prefix><secret-id>)', d.pathPrefix)
    .option('--max-stale <seconds>', 'seconds a value is still served, once due, while the server cannot be reached', whole, d.maxStaleSeconds)
    .option('--ssrf-header <name>', `header carrying the SSRF token (repeatable; default ${d.ssrfHeaders.join(', ')})`, list)
    .option('--ssrf-env-variable <name>', `environment variable holding the token or file://PATH (repeatable; default ${d.ssrfEnvVariables.join(', ')})`, list)
    .option('--no-change-feed', "refresh by TTL only, without Coffer's change feed")
    .option('--log-level <level>', 'trace, debug, info, warn or error', 'info')
    .option('--log-file <file>', 'write logs to a file instead of standard output')
    .action(
      failsInOneLine(async (opts: AgentOptions) => {
        const settings: AgentSettings = checkAgentSettings({
          address: opts.address,
          port: opts.port,
          ttlSeconds: opts.ttl,
          cacheSize: opts.cacheSize,
          maxConnections: opts.maxConn,
          pathPrefix: opts.pathPrefix,
          ssrfHeaders: opts.ssrfHeader ?? d.ssrfHeaders,
          ssrfEnvVariables: opts.ssrfEnvVariable ?? d.ssrfEnvVariables,
          maxStaleSeconds: opts.maxStale,
          changeFeed: opts.changeFeed,
        });
        const token = readSsrfToken(settings.ssrfEnvVariables);
        const logger = createLogger(opts.logLevel, opts.logFile);
        const client = new SecretsManagerClient({
          ...(opts.endpointUrl ? { endpoint: opts.endpointUrl } : {}),
          ...(opts.region ? { region: opts.region } : {}),
          ...(opts.profile ? { credentials: defaultProvider({ profile: opts.profile }) } : {}),
          // Its reads show in the audit log (and CloudTrail) as the agent's.
          customUserAgent: 'coffer-agent',
        });
        const cache = new SecretCache({ client, ttlSeconds: settings.ttlSeconds, maxEntries: settings.cacheSize, maxStaleSeconds: settings.maxStaleSeconds, changeFeed: settings.changeFeed });
        const server = new AgentServer(cache, settings, token, logger);
        const address = await server.listen();
        void cache.start().then(() => logger.info({ changeFeed: cache.following }, cache.following ? 'following the change feed' : 'no change feed: values are refreshed by TTL'));
        console.error(`coffer agent listening on http://${address.address}:${address.port}`);
        onStopSignal(async () => {
          await server.close();
          await cache.close();
          logger.flush();
          process.exit(0);
        });
      }),
    );
}
