/**
 * Unseal shares are verified against the server's own record of them: a share
 * forged with a valid encoding (its checksum is unkeyed) is refused by itself,
 * naming it, and neither resets nor poisons the progress; the real share with
 * the same x is still taken. Progress is tied to a nonce that another caller
 * must match.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { startServer } from '../support/coffer-server.js';
import { rawClientFor } from '../support/raw-client.js';

function forgedShare(threshold: number, x: number): string {
  const body = `coffer-share-1.${threshold}.${x}.${randomBytes(32).toString('base64url')}`;
  return `${body}.${createHash('sha256').update(body).digest().subarray(0, 4).toString('base64url')}`;
}

test('a forged share is refused by itself and the real shares still unseal', async () => {
  const server = await startServer({ args: ['--root-key-provider', 'shamir'] });
  const raw = rawClientFor(server);
  const call = (operation: string, body: object) => raw.call(`CofferOperator.${operation}`, body, { sign: false });
  try {
    const init = await call('Initialize', { Shares: 5, Threshold: 3 });
    assert.equal(init.status, 200, init.text);
    const shares = init.json.Shares as string[];

    const first = await call('Unseal', { Share: shares[1] });
    assert.equal(first.json.progress, 1, first.text);
    const nonce = first.json.nonce as string;
    assert.ok(nonce, 'the unseal in progress has a nonce');

    const forged = await call('Unseal', { Share: forgedShare(3, 1) });
    assert.equal(forged.status, 400, forged.text);
    assert.match(forged.text, /share 1 is not one of this server's unseal shares/);

    const otherNonce = await call('Unseal', { Share: shares[2], Nonce: 'someone-else' });
    assert.equal(otherNonce.status, 400, otherNonce.text);
    assert.match(otherNonce.text, /nonce/);

    const status = await call('GetSealStatus', {});
    assert.equal(status.json.progress, 1, 'neither the forged share nor the wrong nonce changed the progress');
    assert.equal(status.json.nonce, nonce);

    assert.equal((await call('Unseal', { Share: shares[0], Nonce: nonce })).json.progress, 2, 'the real x=1 share is taken');
    const unsealed = await call('Unseal', { Share: shares[3] });
    assert.equal(unsealed.status, 200, unsealed.text);
    assert.equal(unsealed.json.sealed, false);
  } finally {
    await server.stop();
    rmSync(dirname(server.dataDir), { recursive: true, force: true });
  }
});
