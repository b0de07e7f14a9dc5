import { homedir } from 'node:os';
import { join } from 'node:path';
import type { SigningCredentials } from '../http/sigv4-signer.js';
import { readIniFile, type IniFile } from './ini-file.js';
import type { Connection } from './signed-json-request.js';

/** What the command line gives; the rest comes from the environment and the shared files. */
export interface AwsSettingsInput {
  endpointUrl?: string;
  region?: string;
  profile?: string;
}

/** The config file's keys that make a profile's credentials something other than keys written in a file. */
const INDIRECT = ['role_arn', 'credential_process', 'credential_source', 'web_identity_token_file', 'sso_session', 'sso_start_url'];

/**
 * The endpoint, region and credentials a program uses as the AWS CLI finds them:
 * - endpoint: `--endpoint-url`, AWS_ENDPOINT_URL_SECRETS_MANAGER, AWS_ENDPOINT_URL, then the
 *   profile's `services` section (`secretsmanager = endpoint_url = …`) and its `endpoint_url`
 *   (the last four unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true);
 * - region: `--region`, AWS_REGION, AWS_DEFAULT_REGION, the profile's `region`;
 * - profile: `--profile`, AWS_PROFILE, `default`;
 * - credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (with AWS_SESSION_TOKEN) unless a
 *   profile is named; a profile's keys written in the credentials or config file; anything
 *   else (roles, SSO, processes, container and instance credentials) through the AWS SDK's own
 *   chain, loaded only then.
 */
export class AwsSettings {
  private readonly env: NodeJS.ProcessEnv;
  private readonly profile: string;
  private config?: IniFile;
  private credentialsFile?: IniFile;

  constructor(
    private readonly input: AwsSettingsInput = {},
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.env = env;
    this.profile = input.profile ?? env.AWS_PROFILE ?? 'default';
  }

  endpoint(service = 'secretsmanager', envName = 'SECRETS_MANAGER'): URL {
    const configured = this.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === 'true' ? undefined : this.configuredEndpoint(service, envName);
    const url = this.input.endpointUrl ?? configured;
    if (!url) throw new Error('give the server with --endpoint-url or AWS_ENDPOINT_URL');
    return new URL(url);
  }

  region(): string {
    return this.input.region ?? this.env.AWS_REGION ?? this.env.AWS_DEFAULT_REGION ?? this.profileSetting('region') ?? this.fileCredential('region') ?? 'us-east-1';
  }

  async credentials(): Promise<SigningCredentials> {
    const named = this.input.profile !== undefined || this.env.AWS_PROFILE !== undefined;
    const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = this.env;
    if (!named && accessKeyId && secretAccessKey) return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
    const written = this.writtenKeys();
    if (written) return written;
    const { defaultProvider } = await import('@aws-sdk/credential-provider-node');
    const found = await defaultProvider({ profile: this.profile })();
    return { accessKeyId: found.accessKeyId, secretAccessKey: found.secretAccessKey, ...(found.sessionToken ? { sessionToken: found.sessionToken } : {}) };
  }

  async connection(): Promise<Connection> {
    return { endpoint: this.endpoint(), region: this.region(), credentials: await this.credentials() };
  }

  private configuredEndpoint(service: string, envName: string): string | undefined {
    const services = this.profileSetting('services');
    return (
      this.env[`AWS_ENDPOINT_URL_${envName}`] ??
      this.env.AWS_ENDPOINT_URL ??
      (services ? this.configFile().get(`services ${services}`)?.get(`${service}.endpoint_url`) : undefined) ??
      this.profileSetting('endpoint_url')
    );
  }

  /** The profile's keys when they are written in a file and the profile names no other source. */
  private writtenKeys(): SigningCredentials | undefined {
    if (INDIRECT.some((key) => this.profileSetting(key) !== undefined)) return undefined;
    const read = (key: string) => this.fileCredential(key) ?? this.profileSetting(key);
    const accessKeyId = read('aws_access_key_id');
    const secretAccessKey = read('aws_secret_access_key');
    if (!accessKeyId || !secretAccessKey) return undefined;
    const sessionToken = read('aws_session_token');
    return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
  }

  private profileSetting(key: string): string | undefined {
    const section = this.profile === 'default' ? 'default' : `profile ${this.profile}`;
    return this.configFile().get(section)?.get(key);
  }

  private fileCredential(key: string): string | undefined {
    this.credentialsFile ??= readIniFile(this.env.AWS_SHARED_CREDENTIALS_FILE ?? join(homedir(), '.aws', 'credentials'));
    return this.credentialsFile.get(this.profile)?.get(key);
  }

  private configFile(): IniFile {
    this.config ??= readIniFile(this.env.AWS_CONFIG_FILE ?? join(homedir(), '.aws', 'config'));
    return this.config;
  }
}
