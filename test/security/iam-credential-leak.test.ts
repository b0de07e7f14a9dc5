/**
 * Credentials IAM and STS hand out — a user's secret access key, a session's
 * secret key and session token — are shown once, in the answer, and are
 * written nowhere: not in coffer.db, audit.db (the audit records), the JSON
 * Lines audit file, the log or stderr, raw or as they travel form-encoded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, tempDir } from '../support/coffer-server.js';
import { rawClientFor, type RawCredentials } from '../support/raw-client.js';

const FORM = 'application/x-www-form-urlencoded; charset=utf-8';
const element = (xml: string, name: string): string => {
  const match = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
  assert.ok(match, `no <${name}> in ${xml}`);
  return match[1]!.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>');
};

test('secret keys and session tokens issued by IAM and STS appear in no file, record or log line', async () => {
  const auditFile = join(tempDir(), 'audit.jsonl');
  const server = await startServer({ args: ['--audit-file', auditFile] });
  const raw = rawClientFor(server);
  const call = async (service: 'iam' | 'sts', params: Record<string, string>, credentials?: RawCredentials): Promise<string> => {
    const version = service === 'iam' ? '2010-05-08' : '2011-06-15';
    const res = await raw.send({
      body: new URLSearchParams({ ...params, Version: version }).toString(),
      headers: { 'Content-Type': FORM },
      sign: { service, ...(credentials ? { credentials } : {}) },
    });
    assert.equal(res.status, 200, res.text);
    return res.text;
  };
  const secrets: string[] = [];
  let keyId: string;
  try {
    const user = element(await call('iam', { Action: 'CreateUser', UserName: 'leak-user' }), 'Arn');
    const key = await call('iam', { Action: 'CreateAccessKey', UserName: 'leak-user' });
    keyId = element(key, 'AccessKeyId');
    const userCredentials = { accessKeyId: keyId, secretAccessKey: element(key, 'SecretAccessKey') };
    secrets.push(userCredentials.secretAccessKey);
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: user }, Action: 'sts:AssumeRole' }] };
    const role = element(await call('iam', { Action: 'CreateRole', RoleName: 'leak-role', AssumeRolePolicyDocument: JSON.stringify(trust) }), 'Arn');

    const assumed = await call('sts', { Action: 'AssumeRole', RoleArn: role, RoleSessionName: 'leak' }, userCredentials);
    const session = { accessKeyId: element(assumed, 'AccessKeyId'), secretAccessKey: element(assumed, 'SecretAccessKey'), sessionToken: element(assumed, 'SessionToken') };
    const token = await call('sts', { Action: 'GetSessionToken', DurationSeconds: '900' }, userCredentials);
    secrets.push(session.secretAccessKey, session.sessionToken, element(token, 'SecretAccessKey'), element(token, 'SessionToken'));
    // The session signs a call: its token travels in a header of a recorded request.
    assert.match(await call('sts', { Action: 'GetCallerIdentity' }, session), /assumed-role\/leak-role\/leak/);
    // A valid token with a bad signature: the error shows the canonical request, never the token in it.
    const badSignature = await raw.call('ListSecrets', {}, { sign: { credentials: { ...session, secretAccessKey: 'not-the-key' } } });
    assert.equal(badSignature.status, 400, badSignature.text);
    assert.equal(badSignature.json?.__type, 'InvalidSignatureException', badSignature.text);
    assert.match(badSignature.json.message, /x-amz-security-token:<redacted>/);
    assert.ok(!badSignature.text.includes(session.sessionToken), 'the session token is not echoed');
  } finally {
    assert.equal(await server.stop(), 0);
  }

  const haystacks = new Map<string, Buffer>([
    ['log file', readFileSync(server.logFile)],
    ['server stderr', Buffer.from(server.stderr())],
    ['audit file', readFileSync(auditFile)],
  ]);
  for (const name of readdirSync(server.dataDir)) {
    const path = join(server.dataDir, name);
    if (statSync(path).isFile() && name !== 'credentials') haystacks.set(`data/${name}`, readFileSync(path));
  }
  assert.ok(haystacks.has('data/audit.db') && haystacks.has('data/coffer.db'));
  const found: string[] = [];
  for (const [where, bytes] of haystacks) {
    for (const [i, secret] of secrets.entries()) {
      for (const form of new Set([secret, encodeURIComponent(secret)])) if (bytes.includes(form)) found.push(`credential ${i} in ${where}`);
    }
  }
  assert.deepEqual(found, []);
  // Control: what is not secret, the user's access key id, is found in the audit records by the same search.
  assert.ok(haystacks.get('audit file')!.includes(keyId!), 'the audit file names the access key id');
});
