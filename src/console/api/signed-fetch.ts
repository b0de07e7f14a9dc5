import { SignatureV4 } from '@smithy/signature-v4';
import type { Credentials } from './credentials';
import { WebCryptoSha256 } from './web-crypto-sha256';

/** Milliseconds to add to this machine's clock to get the server's, learnt from a refused signature's answer. */
let clockOffset = 0;

export interface SignedRequest {
  credentials: Credentials;
  region: string;
  /** The service of the credential scope (secretsmanager, kms, cloudtrail, iam, sts, coffer). */
  service: string;
  headers: Record<string, string>;
  body: string;
}

/** A signature refused for its time: the server's clock differs from this machine's by more than 5 minutes. */
const SKEWED = /Signature (expired|not yet current)/;

/**
 * POSTs to this server's API, signed with SigV4 in the browser by the AWS SDK's own signer: the keys
 * never leave the page, only the signature does. A request refused for clock skew is signed again
 * once with the server's time, as the AWS SDKs do.
 */
export async function signedFetch(request: SignedRequest): Promise<Response> {
  const response = await send(request);
  if (response.status !== 403 && response.status !== 400) return response;
  const text = await response.clone().text();
  const serverDate = Date.parse(response.headers.get('date') ?? '');
  if (!SKEWED.test(text) || Number.isNaN(serverDate)) return response;
  clockOffset = serverDate - Date.now();
  return send(request);
}

async function send({ credentials, region, service, headers, body }: SignedRequest): Promise<Response> {
  const signer = new SignatureV4({ credentials, region, service, sha256: WebCryptoSha256, applyChecksum: false });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: location.protocol,
      hostname: location.hostname,
      path: '/',
      query: {},
      headers: { ...headers, host: location.host },
      body,
    },
    { signingDate: new Date(Date.now() + clockOffset) },
  );
  // The browser sets Host itself (to the same value); it may not be given to fetch.
  const { host: _host, ...sent } = signed.headers;
  return fetch('/', { method: 'POST', headers: sent, body, credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer' });
}
