import type { Command } from 'commander';
import { RequestSigner } from '../http/sigv4-signer.js';
import { readQueryAnswer, type QueryValue } from './query-answer.js';
import { ServerConnection } from './server-connection.js';
import { apiOptions, type ClientOptions } from './api-options.js';

export { failsInOneLine, type ClientOptions } from './api-options.js';

/** An error answer of the server: its AWS error code and message. */
export class ServerError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

/**
 * Calls an AWS JSON 1.1 API of the server (`<targetPrefix>.<Operation>`; SigV4
 * service `coffer` for Coffer's own APIs) the way the AWS CLI reaches a
 * service (see ServerConnection).
 */
export class CofferClient {
  private connection?: ServerConnection;

  constructor(
    private readonly targetPrefix: string,
    private readonly options: ClientOptions,
    private readonly signingService = 'coffer',
  ) {}

  /** `signed` false: seal status, init and unseal work while the server's access keys are sealed. `saveTo`: a file answer goes there. */
  async call(operation: string, input: object = {}, signed = true, saveTo?: string): Promise<Record<string, unknown>> {
    this.connection ??= new ServerConnection(this.options);
    const connection = this.connection;
    const target = `${this.targetPrefix}.${operation}`;
    const body = JSON.stringify(input);
    const headers: Record<string, string> = { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': target };
    if (signed) {
      const credentials = await connection.signingCredentials();
      const request = new RequestSigner(credentials, connection.region, this.signingService).sign(connection.endpoint.host, target, body);
      for (const [name, value] of request.headers) if (name !== 'Content-Length') headers[name] = value;
    }
    const response = await connection.post(headers, body, saveTo);
    const parsed = parseJson(response.text);
    if (response.status >= 300) {
      const code = String(parsed.__type ?? response.status).replace(/^.*#/, '');
      throw new ServerError(code, String(parsed.message ?? parsed.Message ?? response.text));
    }
    return parsed;
  }
}

function parseJson(text: string): Record<string, unknown> {
  if (!text) return {};
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { message: text };
  }
}

const QUERY_VERSIONS = { iam: '2010-05-08', sts: '2011-06-15' } as const;

/** Calls IAM or STS over the AWS query protocol (form-encoded requests, XML answers). */
export class QueryClient {
  private connection?: ServerConnection;

  constructor(
    private readonly service: keyof typeof QUERY_VERSIONS,
    private readonly options: ClientOptions,
  ) {}

  /** The `<Action>Result` element of the answer, as a value. */
  async call(action: string, params: Record<string, string | undefined> = {}): Promise<{ [name: string]: QueryValue }> {
    this.connection ??= new ServerConnection(this.options);
    const connection = this.connection;
    const form: Record<string, string> = { Action: action, Version: QUERY_VERSIONS[this.service] };
    for (const [key, value] of Object.entries(params)) if (value !== undefined) form[key] = value;
    const signer = new RequestSigner(await connection.signingCredentials(), connection.region, this.service);
    const request = signer.signForm(connection.endpoint.host, form);
    const headers = Object.fromEntries(request.headers.filter(([name]) => name !== 'Content-Length'));
    const response = await connection.post(headers, request.body);
    const answer = readQueryAnswer(response.text);
    if (response.status >= 300) {
      const error = (answer.Error ?? {}) as { [name: string]: QueryValue };
      throw new ServerError(String(error.Code ?? response.status), String(error.Message ?? response.text));
    }
    const result = answer[`${action}Result`];
    return typeof result === 'object' && !Array.isArray(result) ? result : {};
  }
}

/** A query answer's list (an empty list comes as an empty element). */
export function queryList(value: QueryValue | undefined): { [name: string]: QueryValue }[] {
  return Array.isArray(value) ? (value as { [name: string]: QueryValue }[]) : [];
}

/** A command group for one of Coffer's APIs, with the options the AWS CLI uses to find the server and credentials. */
export function apiCommandGroup(program: Command, name: string, description: string): Command {
  return apiOptions(program.command(name).description(description));
}
