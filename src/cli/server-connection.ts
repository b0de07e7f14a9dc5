import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createWriteStream, readFileSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { SigningCredentials } from '../http/sigv4-signer.js';
import { readProfile, sharedFiles, type ProfileSettings } from './aws-profile.js';

import type { ClientOptions } from './api-options.js';

/** How long a call may take before the command gives up on the server. */
const CALL_TIMEOUT_MS = 60_000;

/** Environment variables that make the SDK's credential chain worth asking (beyond keys in a shared file). */
const CHAIN_VARIABLES = ['AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_WEB_IDENTITY_TOKEN_FILE'];

/** Settings of a profile that only the SDK's chain can turn into credentials. */
const CHAIN_SETTINGS = /^(credential_process|sso_|role_arn|web_identity_token_file|source_profile|credential_source)/m;

/**
 * Where a command's requests go and who signs them, found the way the AWS CLI finds them:
 * the endpoint from `--endpoint-url`, AWS_ENDPOINT_URL or the profile's `endpoint_url`;
 * the region from `--region`, AWS_REGION, AWS_DEFAULT_REGION or the profile; credentials
 * from the environment or the profile (and the SDK's chain for what only it understands).
 * Each failure says what was tried and what to do.
 */
export class ServerConnection {
  readonly endpoint: URL;
  readonly region: string;
  private readonly profile: ProfileSettings;
  private readonly endpointSource: string;
  private readonly ca?: Buffer;
  private credentials?: Promise<SigningCredentials>;

  constructor(private readonly options: ClientOptions) {
    this.profile = readProfile(options.profile);
    const files = sharedFiles();
    const [url, source] = options.endpointUrl
      ? [options.endpointUrl, '--endpoint-url']
      : process.env.AWS_ENDPOINT_URL
        ? [process.env.AWS_ENDPOINT_URL, 'AWS_ENDPOINT_URL']
        : [this.profile.endpointUrl, `the endpoint_url of profile "${this.profile.name}" in ${files.config}`];
    if (!url) {
      throw new Error(
        `no Coffer server given: looked at --endpoint-url, AWS_ENDPOINT_URL and the endpoint_url of profile "${this.profile.name}" in ${files.config}. ` +
          'Run `coffer configure --data-dir DIR` once (DIR: the server\'s data directory), or give --endpoint-url URL.',
      );
    }
    try {
      this.endpoint = new URL(url);
    } catch {
      throw new Error(`${source} is not a URL: '${url}'`);
    }
    this.endpointSource = source;
    this.region = options.region ?? (process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || this.profile.region || 'us-east-1');
    const caFile = process.env.AWS_CA_BUNDLE || this.profile.caBundle;
    if (caFile) this.ca = readFileSync(caFile);
  }

  /** The key pair requests are signed with; rejects with where it looked when there is none. */
  signingCredentials(): Promise<SigningCredentials> {
    this.credentials ??= this.findCredentials();
    return this.credentials;
  }

  private async findCredentials(): Promise<SigningCredentials> {
    const env = process.env;
    // As in the AWS CLI: keys in the environment win over a profile, unless --profile names one.
    if (!this.options.profile && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
      return { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) };
    }
    const { accessKeyId, secretAccessKey, sessionToken } = this.profile;
    if (accessKeyId && secretAccessKey) return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
    if (this.needsChain()) {
      // Loaded only here: the SDK's chain costs a noticeable share of a command's start.
      const { defaultProvider } = await import('@aws-sdk/credential-provider-node');
      try {
        return await defaultProvider({ profile: this.profile.name })();
      } catch (error) {
        throw new Error(`${this.noCredentials()} (the AWS credential chain said: ${(error as Error).message})`);
      }
    }
    throw new Error(this.noCredentials());
  }

  private needsChain(): boolean {
    if (CHAIN_VARIABLES.some((name) => process.env[name])) return true;
    const files = sharedFiles();
    const text = (path: string) => {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return '';
      }
    };
    return CHAIN_SETTINGS.test(text(files.config)) || CHAIN_SETTINGS.test(text(files.credentials));
  }

  private noCredentials(): string {
    const files = sharedFiles();
    return (
      `no credentials found: looked at AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, and for profile "${this.profile.name}" in ${files.credentials} and ${files.config}. ` +
      "Run `coffer configure --data-dir DIR` once (DIR: the server's data directory, whose credentials file holds the administrator's key), or name a profile with --profile."
    );
  }

  /**
   * POSTs `body` to the server; rejects with a message that says why the server could not be
   * reached. A successful answer goes to the file `saveTo` when given (created private), else is returned.
   */
  post(headers: Record<string, string>, body: string, saveTo?: string): Promise<{ status: number; text: string }> {
    const url = new URL('/', this.endpoint);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, { method: 'POST', headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) }, ...(this.ca ? { ca: this.ca } : {}) }, (res) => {
        if (saveTo && res.statusCode === 200) {
          pipeline(res, createWriteStream(saveTo, { mode: 0o600 })).then(
            () => resolve({ status: 200, text: '' }),
            (error: NodeJS.ErrnoException) => reject(error.code?.startsWith('E') && error.syscall ? new Error(`cannot write ${saveTo}: ${error.message}`) : this.unreachable(error)),
          );
          return;
        }
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', (error) => reject(this.unreachable(error)));
      });
      req.setTimeout(CALL_TIMEOUT_MS, () => req.destroy(Object.assign(new Error('no answer'), { code: 'ETIMEDOUT' })));
      req.on('error', (error) => reject(this.unreachable(error)));
      req.end(body);
    });
  }

  private unreachable(error: NodeJS.ErrnoException): Error {
    const where = `the Coffer server at ${this.endpoint.origin} (from ${this.endpointSource})`;
    const fix = 'Start it with `coffer server`, or give the right address with --endpoint-url or `coffer configure`.';
    switch (error.code) {
      case 'ECONNREFUSED':
        return new Error(`cannot reach ${where}: nothing listens there (connection refused). ${fix}`);
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return new Error(`cannot reach ${where}: the host name ${this.endpoint.hostname} is not known. ${fix}`);
      case 'ETIMEDOUT':
        return new Error(`${where} did not answer within ${CALL_TIMEOUT_MS / 1000} s: is it overloaded, or is a firewall in the way?`);
      case 'ECONNRESET':
      case 'EPROTO':
        return new Error(`${where} closed the connection (${error.code}): does it serve ${this.endpoint.protocol === 'https:' ? 'HTTPS' : 'plain HTTP'} there?`);
      default:
        if (/certificate|self.signed|CERT_/i.test(`${error.code} ${error.message}`)) {
          return new Error(`${where} presented a certificate this machine does not trust (${error.message}): give its CA with \`coffer configure --ca-bundle FILE\` or AWS_CA_BUNDLE.`);
        }
        return new Error(`cannot reach ${where}: ${error.message}`);
    }
  }
}
