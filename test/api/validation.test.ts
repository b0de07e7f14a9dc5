import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateInput } from '../../src/api/validation.js';
import { shapes, operations, targetPrefix, signingName } from '../../src/api/secretsmanager/model.generated.js';
import * as kms from '../../src/api/kms/model.generated.js';
import { ServiceError } from '../../src/errors/service-error.js';

function rejects(shapeName: string, input: unknown, code: string, message: string | RegExp): void {
  assert.throws(
    () => validateInput(shapes, shapeName, input),
    (err: unknown) => {
      assert.ok(err instanceof ServiceError, 'expected a ServiceError');
      assert.equal(err.code, code);
      assert.equal(err.status, 400);
      assert.equal(err.messageKey, 'message');
      if (typeof message === 'string') assert.equal(err.message, message);
      else assert.match(err.message, message);
      return true;
    },
  );
}

const validation = (...errors: string[]) =>
  `${errors.length} validation error${errors.length === 1 ? '' : 's'} detected: ${errors.join('; ')}`;

test('generated models expose metadata, operations and input shapes only', () => {
  assert.equal(targetPrefix, 'secretsmanager');
  assert.equal(signingName, 'secretsmanager');
  assert.deepEqual(operations.GetSecretValue, { input: 'GetSecretValueRequest', output: 'GetSecretValueResponse' });
  assert.ok(shapes.GetSecretValueRequest);
  assert.equal(shapes.GetSecretValueResponse, undefined);
  assert.equal(kms.targetPrefix, 'TrentService');
  assert.equal(kms.signingName, 'kms');
  assert.ok(kms.shapes[kms.operations.Decrypt.input!]);
});

test('a valid body is returned as an equal copy', () => {
  const input = { SecretId: 'db/prod', VersionStage: 'AWSCURRENT' };
  const out = validateInput(shapes, 'GetSecretValueRequest', input);
  assert.deepEqual(out, input);
  assert.notEqual(out, input);
});

test('empty body object with no required members is accepted', () => {
  assert.deepEqual(validateInput(shapes, 'ListSecretsRequest', {}), {});
});

for (const body of [null, [], 'x', 42, true]) {
  test(`non-object body ${JSON.stringify(body)} is a SerializationException`, () => {
    rejects('ListSecretsRequest', body, 'SerializationException', 'The request body must be a JSON object.');
  });
}

test('unknown members are dropped, nested ones too', () => {
  const out = validateInput(shapes, 'ListSecretsRequest', {
    Bogus: 1,
    MaxResults: 5,
    Filters: [{ Key: 'name', Values: ['a'], Extra: true }],
  });
  assert.deepEqual(out, { MaxResults: 5, Filters: [{ Key: 'name', Values: ['a'] }] });
});

test('null members are treated as absent and dropped', () => {
  const out = validateInput(shapes, 'GetSecretValueRequest', { SecretId: 's', VersionId: null, VersionStage: null });
  assert.deepEqual(out, { SecretId: 's' });
});

test('required member missing', () => {
  rejects('GetSecretValueRequest', {}, 'ValidationException',
    validation("Value null at 'secretId' failed to satisfy constraint: Member must not be null"));
});

test('required member given as null', () => {
  rejects('GetSecretValueRequest', { SecretId: null }, 'ValidationException',
    validation("Value null at 'secretId' failed to satisfy constraint: Member must not be null"));
});

test('string where a number is expected', () => {
  rejects('DeleteSecretRequest', { SecretId: 's', RecoveryWindowInDays: '7' }, 'SerializationException',
    "Value of 'RecoveryWindowInDays' must be a number (integer), not a string.");
});

test('fractional number for a long', () => {
  rejects('DeleteSecretRequest', { SecretId: 's', RecoveryWindowInDays: 7.5 }, 'SerializationException',
    "Value of 'RecoveryWindowInDays' must be a number (integer), not a fractional number.");
});

test('integer out of 32-bit range', () => {
  rejects('ListSecretsRequest', { MaxResults: 2 ** 31 }, 'SerializationException',
    "Value of 'MaxResults' is out of range for an integer.");
});

test('number where a string is expected', () => {
  rejects('GetSecretValueRequest', { SecretId: 123 }, 'SerializationException',
    "Value of 'SecretId' must be a string, not an integer.");
});

test('non-boolean for a boolean', () => {
  rejects('DeleteSecretRequest', { SecretId: 's', ForceDeleteWithoutRecovery: 'true' }, 'SerializationException',
    "Value of 'ForceDeleteWithoutRecovery' must be a boolean, not a string.");
});

test('object where a list is expected', () => {
  rejects('ListSecretsRequest', { Filters: { Key: 'name' } }, 'SerializationException',
    "Value of 'Filters' must be an array, not an object.");
});

test('list where a structure is expected', () => {
  rejects('RotateSecretRequest', { SecretId: 's', RotationRules: [] }, 'SerializationException',
    "Value of 'RotationRules' must be an object, not an array.");
});

test('type error inside a nested list names the JSON path', () => {
  rejects('ListSecretsRequest', { Filters: [{ Key: 'name', Values: ['ok', 5] }] }, 'SerializationException',
    "Value of 'Filters[0].Values[1]' must be a string, not an integer.");
});

test('serialization errors win over constraint errors', () => {
  rejects('ListSecretsRequest', { MaxResults: 0, SortOrder: 1 }, 'SerializationException', /SortOrder/);
});

test('string too long: exact AWS message', () => {
  const id = 'x'.repeat(2049);
  rejects('GetSecretValueRequest', { SecretId: id }, 'ValidationException',
    validation(`Value '${id}' at 'secretId' failed to satisfy constraint: Member must have length less than or equal to 2048`));
});

test('string too short', () => {
  rejects('GetSecretValueRequest', { SecretId: '' }, 'ValidationException',
    validation("Value '' at 'secretId' failed to satisfy constraint: Member must have length greater than or equal to 1"));
});

test('string length counts code points, not UTF-16 units', () => {
  const emoji = '\u{1F600}'.repeat(128); // 256 UTF-16 units, 128 code points
  assert.deepEqual(validateInput(shapes, 'TagResourceRequest', { SecretId: 's', Tags: [{ Key: emoji }] }).Tags, [{ Key: emoji }]);
  rejects('TagResourceRequest', { SecretId: 's', Tags: [{ Key: emoji + '\u{1F600}' }] }, 'ValidationException',
    /at 'tags\.1\.member\.key' failed to satisfy constraint: Member must have length less than or equal to 128$/);
  // 32 code points of 2 units each: min 32 satisfied only when counted as code points.
  assert.ok(validateInput(shapes, 'GetSecretValueRequest', { SecretId: 's', VersionId: '\u{1F600}'.repeat(32) }));
  rejects('GetSecretValueRequest', { SecretId: 's', VersionId: '\u{1F600}'.repeat(31) }, 'ValidationException',
    /at 'versionId' failed to satisfy constraint: Member must have length greater than or equal to 32$/);
});

test('numeric range below min', () => {
  rejects('ListSecretsRequest', { MaxResults: 0 }, 'ValidationException',
    validation("Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"));
});

test('numeric range above max', () => {
  rejects('GetRandomPasswordRequest', { PasswordLength: 5000 }, 'ValidationException',
    validation("Value '5000' at 'passwordLength' failed to satisfy constraint: Member must have value less than or equal to 4096"));
});

test('enum violation lists the allowed values', () => {
  rejects('ListSecretsRequest', { SortOrder: 'up' }, 'ValidationException',
    validation("Value 'up' at 'sortOrder' failed to satisfy constraint: Member must satisfy enum value set: [asc, desc]"));
});

test('pattern violation (whole-string match, Java semantics)', () => {
  rejects('RotateSecretRequest', { SecretId: 's', RotationRules: { Duration: '2x' } }, 'ValidationException',
    validation("Value '2x' at 'rotationRules.duration' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9]+h"));
  // An unanchored search would accept this; Java's matches() does not.
  rejects('RotateSecretRequest', { SecretId: 's', RotationRules: { Duration: 'x2h' } }, 'ValidationException',
    /Value 'x2h' at 'rotationRules.duration' .*pattern: \[0-9\]\+h$/);
  assert.deepEqual(validateInput(shapes, 'RotateSecretRequest', { SecretId: 's', RotationRules: { Duration: '4h' } }).RotationRules, { Duration: '4h' });
});

test('pattern that is only valid without the u flag still applies', () => {
  const ok = { Filters: [{ Key: 'name', Values: ['!prod/db'] }] };
  assert.deepEqual(validateInput(shapes, 'ListSecretsRequest', ok), ok);
  rejects('ListSecretsRequest', { Filters: [{ Key: 'name', Values: ['a$b'] }] }, 'ValidationException',
    validation("Value 'a$b' at 'filters.1.member.values.1.member' failed to satisfy constraint: Member must satisfy regular expression pattern: ^\\!?[a-zA-Z0-9 :_@\\/\\+\\=\\.\\-\\!]*$"));
});

test('several errors are counted and joined with "; " in model order', () => {
  rejects('ListSecretsRequest', { SortOrder: 'up', MaxResults: 101 }, 'ValidationException',
    validation(
      "Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100",
      "Value 'up' at 'sortOrder' failed to satisfy constraint: Member must satisfy enum value set: [asc, desc]",
    ));
});

test('nested list element path and list length wording', () => {
  rejects('ListSecretsRequest', { Filters: [{ Key: 'name', Values: ['a'] }, { Key: 'name', Values: [] }] }, 'ValidationException',
    validation("Value '[]' at 'filters.2.member.values' failed to satisfy constraint: Member must have length greater than or equal to 1"));
});

test('list element count above max shows the list Java-style', () => {
  const values = Array.from({ length: 11 }, (_, i) => `v${i}`);
  rejects('ListSecretsRequest', { Filters: [{ Key: 'name', Values: values }] }, 'ValidationException',
    validation(`Value '[${values.join(', ')}]' at 'filters.1.member.values' failed to satisfy constraint: Member must have length less than or equal to 10`));
});

test('enum inside a list element', () => {
  rejects('ListSecretsRequest', { Filters: [{ Key: 'bogus' }] }, 'ValidationException',
    validation("Value 'bogus' at 'filters.1.member.key' failed to satisfy constraint: Member must satisfy enum value set: [description, name, tag-key, tag-value, primary-region, owning-service, all]"));
});

test('required member inside a list element (KMS Tag)', () => {
  assert.throws(() => validateInput(kms.shapes, 'TagResourceRequest', { KeyId: 'k', Tags: [{ TagKey: 'a', TagValue: 'b' }, { TagKey: 'c' }] }), {
    code: 'ValidationException',
    message: validation("Value null at 'tags.2.member.tagValue' failed to satisfy constraint: Member must not be null"),
  });
});

test('null list elements are dropped before validation', () => {
  const out = validateInput(shapes, 'UntagResourceRequest', { SecretId: 's', TagKeys: [null, 'a', null] });
  assert.deepEqual(out, { SecretId: 's', TagKeys: ['a'] });
});

test('sensitive string value is omitted from the message', () => {
  rejects('PutSecretValueRequest', { SecretId: 's', SecretString: '' }, 'ValidationException',
    validation("Value at 'secretString' failed to satisfy constraint: Member must have length greater than or equal to 1"));
});

test('sensitive pattern and length errors omit the value', () => {
  rejects('PutSecretValueRequest', { SecretId: 's', RotationToken: 'bad token!' }, 'ValidationException',
    validation(
      "Value at 'rotationToken' failed to satisfy constraint: Member must have length greater than or equal to 36",
      "Value at 'rotationToken' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9\\-]+$",
    ));
});

test('blob: valid base64 is kept as the string', () => {
  const out = validateInput(shapes, 'PutSecretValueRequest', { SecretId: 's', SecretBinary: 'AAECAw==' });
  assert.equal(out.SecretBinary, 'AAECAw==');
});

test('blob: non-string is a SerializationException', () => {
  rejects('PutSecretValueRequest', { SecretId: 's', SecretBinary: [1, 2] }, 'SerializationException',
    "Value of 'SecretBinary' must be a base64-encoded string, not an array.");
});

for (const bad of ['AAECAw', 'AAE=CAw=', 'AA*C', 'AAECAw==\n', 'AAEC Aw==']) {
  test(`blob: invalid base64 ${JSON.stringify(bad)} is a SerializationException`, () => {
    rejects('PutSecretValueRequest', { SecretId: 's', SecretBinary: bad }, 'SerializationException',
      "Value of 'SecretBinary' is not valid base64.");
  });
}

test('blob length is measured in decoded bytes', () => {
  const max = Buffer.alloc(65536).toString('base64');
  assert.ok(validateInput(shapes, 'PutSecretValueRequest', { SecretId: 's', SecretBinary: max }));
  rejects('PutSecretValueRequest', { SecretId: 's', SecretBinary: Buffer.alloc(65537).toString('base64') }, 'ValidationException',
    validation("Value at 'secretBinary' failed to satisfy constraint: Member must have length less than or equal to 65536"));
  rejects('PutSecretValueRequest', { SecretId: 's', SecretBinary: '' }, 'ValidationException',
    validation("Value at 'secretBinary' failed to satisfy constraint: Member must have length greater than or equal to 1"));
});

test('non-sensitive blob is shown as AWS prints a ByteBuffer (KMS model)', () => {
  assert.throws(
    () => validateInput(kms.shapes, 'DecryptRequest', { CiphertextBlob: '' }),
    { code: 'ValidationException', message: validation("Value 'java.nio.HeapByteBuffer[pos=0 lim=0 cap=0]' at 'ciphertextBlob' failed to satisfy constraint: Member must have length greater than or equal to 1") },
  );
});

test('timestamps are JSON numbers', () => {
  // No Secrets Manager input has a timestamp, so check the rule on a tiny synthetic model.
  const model = { Req: { type: 'structure', members: { At: 'Ts' } }, Ts: { type: 'timestamp' } } as const;
  const m = model as unknown as Parameters<typeof validateInput>[0];
  assert.deepEqual(validateInput(m, 'Req', { At: 1700000000.5 }), { At: 1700000000.5 });
  assert.throws(() => validateInput(m, 'Req', { At: '2024-01-01' }), {
    code: 'SerializationException',
    message: "Value of 'At' must be a number (epoch seconds), not a string.",
  });
});

test('map: entries validated, nulls dropped, __proto__ key kept as data', () => {
  const body = JSON.parse('{"KeyId":"k","Plaintext":"AA==","EncryptionContext":{"a":"1","b":null,"__proto__":"x"}}');
  const out = validateInput(kms.shapes, 'EncryptRequest', body);
  const ctx = out.EncryptionContext as Record<string, unknown>;
  assert.deepEqual(Object.keys(ctx), ['a', '__proto__']);
  assert.equal(Object.getPrototypeOf(ctx), Object.prototype);
  assert.throws(() => validateInput(kms.shapes, 'EncryptRequest', { KeyId: 'k', Plaintext: 'AA==', EncryptionContext: { a: 1 } }), {
    code: 'SerializationException',
    message: `Value of 'EncryptionContext["a"]' must be a string, not an integer.`,
  });
});

test('KMS enum and grant token list limits', () => {
  assert.throws(
    () => validateInput(kms.shapes, 'EncryptRequest', { KeyId: 'k', Plaintext: 'AA==', EncryptionAlgorithm: 'AES' }),
    { code: 'ValidationException', message: /^1 validation error detected: Value 'AES' at 'encryptionAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: \[SYMMETRIC_DEFAULT, / },
  );
  assert.throws(
    () => validateInput(kms.shapes, 'EncryptRequest', { KeyId: 'k', Plaintext: 'AA==', GrantTokens: Array(11).fill('t') }),
    { code: 'ValidationException', message: /at 'grantTokens' failed to satisfy constraint: Member must have length less than or equal to 10$/ },
  );
});

test('unknown shape name is a programming error, not a ServiceError', () => {
  assert.throws(() => validateInput(shapes, 'NoSuchRequest', {}), (err: unknown) => !(err instanceof ServiceError));
});
