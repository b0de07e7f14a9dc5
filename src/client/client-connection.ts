import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Connection } from './signed-json-request.js';

interface EndpointParts {
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
}

/** What the SDK's resolved configuration offers beyond its typed surface: the endpoint set by environment or config file. */
interface ConfiguredEndpoint {
  serviceConfiguredEndpoint?: () => Promise<string | undefined>;
}

/**
 * How to reach the client's endpoint as it does, for Coffer's own APIs: its endpoint (given to
 * the client, or by AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_SECRETS_MANAGER or the config file),
 * region and credentials. Undefined where the client resolves AWS's own endpoints: AWS has no
 * change feed.
 */
export async function clientConnection(client: SecretsManagerClient): Promise<(() => Promise<Connection>) | undefined> {
  const config = client.config as typeof client.config & ConfiguredEndpoint;
  let url: string | undefined;
  if (config.endpoint) {
    const { protocol, hostname, port, path } = (await config.endpoint()) as EndpointParts;
    url = `${protocol}//${hostname.includes(':') ? `[${hostname}]` : hostname}${port ? `:${port}` : ''}${path}`;
  } else {
    url = await config.serviceConfiguredEndpoint?.();
  }
  if (!url) return undefined;
  const endpoint = new URL(url);
  return async () => ({ endpoint, region: await config.region(), credentials: await config.credentials() });
}
