type Source = string | ArrayBuffer | ArrayBufferView;

/** The data as bytes of its own (Web Crypto takes no view of a shared buffer). */
function bytes(data: Source): Uint8Array<ArrayBuffer> {
  if (typeof data === 'string') return new TextEncoder().encode(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

/**
 * SHA-256, or HMAC-SHA256 when given a secret, for the SDK's SigV4 signer, on the browser's own
 * Web Crypto: no hashing code in the bundle. Browsers offer it only in secure contexts (HTTPS, or
 * a loopback address), which is where a console taking secret keys belongs.
 */
export class WebCryptoSha256 {
  private chunks: Uint8Array<ArrayBuffer>[] = [];

  constructor(private readonly secret?: Source) {}

  update(data: Source): void {
    this.chunks.push(bytes(data));
  }

  async digest(): Promise<Uint8Array> {
    const data = new Uint8Array(this.chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const chunk of this.chunks) {
      data.set(chunk, at);
      at += chunk.length;
    }
    if (this.secret === undefined) return new Uint8Array(await crypto.subtle.digest('SHA-256', data));
    const key = await crypto.subtle.importKey('raw', bytes(this.secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    return new Uint8Array(await crypto.subtle.sign('HMAC', key, data));
  }

  reset(): void {
    this.chunks = [];
  }
}
