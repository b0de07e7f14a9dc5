/**
 * The settings of AWS's Secrets Manager Agent that Coffer's agent honours, with AWS's
 * defaults and ranges (its config.rs), so that code written for AWS's agent or the Lambda
 * extension finds the same service.
 */
export interface AgentSettings {
  address: string;
  port: number;
  /** Seconds a value is served without the server's word that it is current (0: no caching). */
  ttlSeconds: number;
  cacheSize: number;
  /** Requests served at once; more are refused with 429. */
  maxConnections: number;
  /** Path-style requests: `<prefix><secret-id>`. */
  pathPrefix: string;
  /** Headers that may carry the SSRF token, in the order looked at. */
  ssrfHeaders: string[];
  /** Environment variables the token is read from, the first one set (a `file://` value names a file). */
  ssrfEnvVariables: string[];
  /** Seconds a value is still served, once due, while the server cannot be reached. */
  maxStaleSeconds: number;
  /** Follow Coffer's change feed (where the endpoint has one). */
  changeFeed: boolean;
}

export const AGENT_DEFAULTS: AgentSettings = {
  address: '127.0.0.1',
  port: 2773,
  ttlSeconds: 300,
  cacheSize: 1000,
  maxConnections: 800,
  pathPrefix: '/v1/',
  ssrfHeaders: ['X-Aws-Parameters-Secrets-Token', 'X-Vault-Token'],
  ssrfEnvVariables: ['AWS_TOKEN', 'AWS_SESSION_TOKEN', 'AWS_CONTAINER_AUTHORIZATION_TOKEN'],
  maxStaleSeconds: 300,
  changeFeed: true,
};

/** AWS's ranges; a value outside one is refused with what is allowed. */
const RANGES: Partial<Record<keyof AgentSettings, [number, number]>> = {
  port: [1024, 65535],
  ttlSeconds: [0, 3600],
  cacheSize: [1, 1000],
  maxConnections: [1, 1000],
  maxStaleSeconds: [0, 86_400],
};

export function checkAgentSettings(settings: AgentSettings): AgentSettings {
  for (const [name, [min, max]] of Object.entries(RANGES) as [keyof AgentSettings, [number, number]][]) {
    const value = settings[name] as number;
    if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be a whole number from ${min} to ${max}, not ${value}`);
  }
  if (!settings.pathPrefix.startsWith('/')) throw new Error('the path prefix must begin with /');
  if (settings.ssrfHeaders.length === 0 || settings.ssrfEnvVariables.length === 0) throw new Error('give at least one SSRF header and one environment variable');
  return settings;
}
