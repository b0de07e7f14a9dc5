import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileArnPattern } from '../../../src/iam/policy/arn-pattern.js';
import { cidrContains, parseCidr, parseIpAddress } from '../../../src/iam/policy/ip-cidr.js';
import { parsePolicyDate } from '../../../src/iam/policy/policy-date.js';
import { parseTemplate } from '../../../src/iam/policy/policy-variables.js';
import { compileGlob } from '../../../src/iam/policy/wildcard.js';

const glob = (pattern: string, value: string, foldCase = false) =>
  compileGlob(pattern, foldCase).matches(value, 0, value.length);

test('globs: * spans any run, ? one character, the rest is literal', () => {
  assert.ok(glob('a*b*c', 'aXbYc'));
  assert.ok(!glob('a*b*c', 'aXbY'));
  assert.ok(glob('*', ''));
  assert.ok(glob('a**', 'a'));
  assert.ok(glob('*ab*ab*', 'xabyab'));
  assert.ok(!glob('*ab*ab*', 'xab'));
  assert.ok(!glob('a*a', 'a'));
  assert.ok(glob('a*a', 'aa'));
  assert.ok(glob('a?c', 'abc'));
  assert.ok(!glob('a?c', 'ac'));
  assert.ok(glob('*.txt', 'notes.txt'));
  assert.ok(!glob('*.txt', 'notes.txt.bak'));
  assert.ok(glob('a.b', 'a.b'));
  assert.ok(!glob('a.b', 'aXb'), 'regex characters are literal');
});

test('globs: folding case is the caller lower-casing both sides', () => {
  assert.ok(glob('SecretsManager:Get*', 'secretsmanager:getsecretvalue', true));
  assert.ok(!glob('SecretsManager:Get*', 'secretsmanager:getsecretvalue'));
});

test('globs: a slice of the value can be matched without cutting it out', () => {
  const value = 'arn:aws:iam::1:user/alice';
  assert.ok(compileGlob('user/*').matches(value, value.indexOf('user'), value.length));
  assert.ok(!compileGlob('user/*').matches(value, 0, value.length));
});

test('ARN patterns: wildcards stay within their part, except in the resource part', () => {
  const arn = (pattern: string, value: string) => compileArnPattern(parseTemplate(pattern, true)).matches(value);
  assert.ok(arn('*', 'anything:at:all'));
  assert.ok(arn('arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket/a:b'));
  assert.ok(arn('arn:aws:s3:::*', 'arn:aws:s3:::bucket'));
  assert.ok(!arn('arn:aws:secretsmanager:*:secret:*', 'arn:aws:secretsmanager:us-east-1:111122223333:secret:x'));
  assert.ok(!arn('arn:aws:sns:us-east-1:1:topic', 'arn:aws:sns:us-east-1:1'), 'too few parts');
});

test('ARN patterns resolve variables to literal text', () => {
  const pattern = compileArnPattern(parseTemplate('arn:aws:iam::*:user/${aws:username}', true));
  const keys = new Map([['aws:username', 'a*']]);
  assert.ok(pattern.matches('arn:aws:iam::1:user/a*', keys));
  assert.ok(!pattern.matches('arn:aws:iam::1:user/abc', keys), 'a * inside a variable value is no wildcard');
});

test('policy variables: escapes, defaults, and text that only looks like a variable', () => {
  assert.deepEqual(parseTemplate('a${*}b', true), [
    { kind: 'text', value: 'a' },
    { kind: 'literal', value: '*' },
    { kind: 'text', value: 'b' },
  ]);
  assert.deepEqual(parseTemplate("${aws:PrincipalTag/Team, 'none'}", true), [
    { kind: 'var', ref: { key: 'aws:principaltag/team', fallback: 'none' } },
  ]);
  assert.deepEqual(parseTemplate('${not a variable}', true), [{ kind: 'text', value: '${not a variable}' }]);
  assert.deepEqual(parseTemplate('${aws:username}', false), [{ kind: 'text', value: '${aws:username}' }]);
});

test('IP addresses: IPv4, IPv6 with ::, embedded IPv4, and IPv4-mapped clients', () => {
  const contains = (cidr: string, ip: string) => {
    const block = parseCidr(cidr);
    assert.ok(block, cidr);
    const address = new Uint16Array(8);
    const family = parseIpAddress(ip, address);
    return family !== 0 && cidrContains(block, family, address);
  };
  assert.ok(contains('10.0.0.0/8', '10.255.255.255'));
  assert.ok(!contains('10.0.0.0/8', '11.0.0.0'));
  assert.ok(contains('203.0.113.5/24', '203.0.113.200'), 'host bits in the block are ignored');
  assert.ok(contains('0.0.0.0/0', '198.51.100.1'));
  assert.ok(contains('203.0.113.0/24', '::ffff:203.0.113.9'), 'dual-stack sockets report IPv4 clients this way');
  assert.ok(contains('fe80::/10', 'febf::1'));
  assert.ok(!contains('fe80::/10', 'fec0::1'));
  assert.ok(contains('::1', '::1'));
  assert.ok(contains('1::8', '1:0:0:0:0:0:0:8'));
  assert.ok(contains('2001:db8::1.2.3.4/128', '2001:db8::102:304'));
  assert.ok(contains('2001:DB8::/32', '2001:db8:ffff::'), 'hex digits ignore case');
  assert.ok(!contains('::/0', '10.0.0.1'), 'families do not mix');
  assert.ok(!contains('10.0.0.0/8', 'not-an-ip'));
});

test('IP addresses: malformed blocks are refused', () => {
  for (const bad of ['1.2.3', '1.2.3.4.5', '256.1.1.1', '1.2.3.4/33', '1.2.3.4/', '::1::2', '1:2:3:4:5:6:7:8:9', 'g::1', '12345::', ':1::', '1::2:3:4:5:6:7:8']) {
    assert.equal(parseCidr(bad), undefined, bad);
  }
});

test('dates: W3C ISO 8601 forms and epoch seconds', () => {
  const at = Date.UTC(2030, 0, 15, 12, 0, 0);
  assert.equal(parsePolicyDate('2030-01-15T12:00:00Z'), at);
  assert.equal(parsePolicyDate('2030-01-15T12:00Z'), at);
  assert.equal(parsePolicyDate('2030-01-15T13:30:00+01:30'), at);
  assert.equal(parsePolicyDate('2030-01-15T12:00:00.250Z'), at + 250);
  assert.equal(parsePolicyDate('2030-01-15'), Date.UTC(2030, 0, 15));
  assert.equal(parsePolicyDate('2030-01'), Date.UTC(2030, 0, 1));
  assert.equal(parsePolicyDate(String(at / 1000)), at);
  assert.ok(Number.isNaN(parsePolicyDate('15/01/2030')));
  assert.ok(Number.isNaN(parsePolicyDate('2030-02-30T25:00:00Z')));
});
