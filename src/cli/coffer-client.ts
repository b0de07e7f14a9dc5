import type { Command } from 'commander';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { RequestSigner } from '../http/sigv4-signer.js';
import { apiOptions, type ClientOptions } from './api-options.js';

export { failsInOneLine, type ClientOptions } from './api-options.js';

/**
 * Calls an AWS JSON 1.1 API of the server (`<targetPrefix>.<Operation>`; SigV4
 * service `coffer` for Coffer's own APIs) the way the AWS CLI reaches a
 * service: the endpoint from `--endpoint-url` or AWS_ENDPOINT_URL, credentials
 * from the standard AWS chain (environment, AWS_PROFILE / shared files, ...).
 */
export class CofferClient {
  private readonly endpoint: URL;
  private readonly region: string;
  /** Resolved once: a follower calls every second. */
  private credentials?: ReturnType<ReturnType<typeof defaultProvider>>;

  constructor(
    private readonly targetPrefix: string,
    private readonly options: ClientOptions,
    private readonly signingService = 'coffer',
  ) {
    const url = options.endpointUrl ?? process.env.AWS_ENDPOINT_URL;
    if (!url) throw new Error('give the server with --endpoint-url or AWS_ENDPOINT_URL');
    this.endpoint = new URL(url);
    this.region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  }

  /** `signed` false: seal status, init and unseal work while the server's access keys are sealed. */
  call(operation: string, input: object = {}, signed = true): Promise<Record<string, unknown>> {
    return this.send(operation, JSON.stringify(input), signed);
  }

  private async send(operation: string, body: string, signed: boolean): Promise<Record<string, unknown>> {
    const target = `${this.targetPrefix}.${operation}`;
    const headers: Record<string, string> = { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': target };
    if (signed) {
      this.credentials ??= defaultProvider({ profile: this.options.profile })();
      const credentials = await this.credentials;
      if (credentials.sessionToken) throw new Error('temporary credentials (a session token) are not accepted here');
      const request = new RequestSigner(credentials, this.region, this.signingService).sign(this.endpoint.host, target, body);
      // fetch sets Host and Content-Length itself.
      for (const [name, value] of request.headers) if (name !== 'Host' && name !== 'Content-Length') headers[name] = value;
    }
    const response = await fetch(new URL('/', this.endpoint), { method: 'POST', headers, body });
    const text = await response.text();
    const parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    if (!response.ok) throw new Error(`${String(parsed.__type ?? response.status)}: ${String(parsed.message ?? parsed.Message ?? text)}`);
    return parsed;
  }
}

/** A command group for one of Coffer's APIs, with the options the AWS CLI uses to find the server and credentials. */
export function apiCommandGroup(program: Command, name: string, description: string): Command {
  return apiOptions(program.command(name).description(description));
}
