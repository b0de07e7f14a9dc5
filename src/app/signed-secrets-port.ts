import { X509Certificate } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import { ServiceError } from '../errors/service-error.js';
import { RequestSigner, type SigningCredentials } from '../http/sigv4-signer.js';
import type { SecretsPort } from '../rotation/rotation-function.js';
import { secretsPortOver } from '../rotation/secrets-port.js';

export interface SignedPortOptions {
  /** The server's own endpoint (http or https). */
  endpoint: string;
  region: string;
  credentials: SigningCredentials;
  /** For an https endpoint: the server's own certificate (PEM), which the answering server must present. */
  certificate?: Buffer;
}

/**
 * The Secrets Manager API as any client reaches it: each call a SigV4-signed request
 * to the server's own endpoint, with the rotation's credentials. So a built-in
 * rotator's calls are validated, authorized and audited like every caller's.
 */
export function signedSecretsPort(options: SignedPortOptions): SecretsPort {
  const endpoint = new URL(options.endpoint);
  const call = async <T>(operation: string, input: object): Promise<T> => {
    const target = `secretsmanager.${operation}`;
    // Signed per call: a signature is accepted for five minutes only, and a rotation may last longer.
    const signed = new RequestSigner(options.credentials, options.region, 'secretsmanager').sign(endpoint.host, target, JSON.stringify(input));
    const { status, body } = await post(endpoint, Object.fromEntries(signed.headers), signed.body, options.certificate);
    const parsed = (body ? JSON.parse(body) : {}) as Record<string, unknown>;
    if (status === 200) return parsed as T;
    // The error the API answered, rethrown as the ServiceError it names.
    const code = String(parsed.__type ?? `HTTP ${status}`).replace(/^.*#/, '');
    throw new ServiceError(code, String(parsed.Message ?? parsed.message ?? body), { status });
  };
  return secretsPortOver(call);
}

/**
 * One POST to the server itself. Over https the peer must present the server's own certificate,
 * byte for byte (trusted as its own root when self-signed): that is the identity checked,
 * whatever names the certificate carries.
 */
function post(url: URL, headers: Record<string, string>, body: string, certificate: Buffer | undefined): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const options = { method: 'POST', host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port, path: '/', headers };
    const own = certificate && new X509Certificate(certificate);
    const req =
      url.protocol === 'https:'
        ? httpsRequest({
            ...options,
            ca: [...rootCertificates, ...(own ? [own.toString()] : [])],
            checkServerIdentity: (_host, peer) => (own && peer.raw.equals(own.raw) ? undefined : new Error(`${url.origin} did not present this server's certificate`)),
          })
        : httpRequest(options);
    req.setTimeout(60_000, () => req.destroy(new Error(`no answer from ${url.origin} within 60 s`)));
    req.once('error', reject);
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('error', reject);
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.end(body);
  });
}
