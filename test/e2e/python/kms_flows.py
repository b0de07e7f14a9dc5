#!/usr/bin/env python3
"""KMS flows against a live Coffer server, driven with boto3.

Reads COFFER_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
AWS_DEFAULT_REGION from the environment. Each check runs on its own (one
failure does not hide the others); the script prints one line per check and
exits 1 if any failed.

Run by test/e2e/kms-python-clients.test.ts; by hand:
  COFFER_ENDPOINT=http://127.0.0.1:4566 AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... \
  AWS_DEFAULT_REGION=us-east-1 python3 test/e2e/python/kms_flows.py
"""

import json
import os
import re
import sys
import time
import uuid

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from check_runner import aware, check, eq, run_checks

ENDPOINT = os.environ['COFFER_ENDPOINT']
REGION = os.environ['AWS_DEFAULT_REGION']
# A fresh prefix per run keeps the checks independent of each other and of earlier runs.
RUN = 'py-' + uuid.uuid4().hex[:8]

_client_options = dict(
    endpoint_url=ENDPOINT,
    region_name=REGION,
    aws_access_key_id=os.environ['AWS_ACCESS_KEY_ID'],
    aws_secret_access_key=os.environ['AWS_SECRET_ACCESS_KEY'],
    # No retries: a 5xx or a throttle must show up as a failure, not be hidden.
    config=Config(retries={'max_attempts': 1, 'mode': 'standard'}),
)
kms = boto3.client('kms', **_client_options)
sm = boto3.client('secretsmanager', **_client_options)

UUID = re.compile(r'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')
KEY_MATERIAL_ID = re.compile(r'^[0-9a-f]{64}$')
CONTEXT = {'SecretARN': 'arn:aws:secretsmanager:us-east-1:000000000000:secret:app-AbCdEf', 'purpose': 'py'}

def alias_name(suffix):
    return f'alias/{RUN}-{suffix}'


def expect_error(code, call, *args, message=None, **kwargs):
    """Calls `call`, asserts it fails with `code`, HTTP 400, a request id and (when given) that message."""
    try:
        result = call(*args, **kwargs)
    except ClientError as e:
        actual = e.response['Error']['Code']
        text = e.response['Error'].get('Message')
        assert actual == code, f'expected {code}, got {actual}: {text}'
        meta = e.response['ResponseMetadata']
        assert meta['HTTPStatusCode'] == 400, f'{code}: expected HTTP 400, got {meta["HTTPStatusCode"]}'
        assert meta.get('RequestId'), f'{code}: no RequestId in {meta}'
        if message is not None:
            eq(text, message, f'{code} message')
        return e
    raise AssertionError(f'expected {code}, but the call succeeded: {result}')


def new_key(**kwargs):
    return kms.create_key(**kwargs)['KeyMetadata']


def new_key_with_alias(suffix):
    key = new_key(Description=suffix)
    alias = alias_name(suffix)
    kms.create_alias(AliasName=alias, TargetKeyId=key['KeyId'])
    return key, alias


def alias_arn(alias):
    return f'arn:aws:kms:{REGION}:{ACCOUNT}:{alias}'


def current_material(key_id):
    return kms.describe_key(KeyId=key_id)['KeyMetadata']['CurrentKeyMaterialId']


# The server's account, as its ARNs carry it.
ACCOUNT = new_key()['AWSAccountId']


# ---------------------------------------------------------------------------- keys


@check
def create_key_metadata_defaults():
    key = new_key()
    assert UUID.match(key['KeyId']), key['KeyId']
    eq(key['Arn'], f'arn:aws:kms:{REGION}:{ACCOUNT}:key/{key["KeyId"]}', 'Arn')
    aware(key['CreationDate'], 'CreationDate')
    assert KEY_MATERIAL_ID.match(key['CurrentKeyMaterialId']), key['CurrentKeyMaterialId']
    expected = {
        'Enabled': True,
        'Description': '',
        'KeyUsage': 'ENCRYPT_DECRYPT',
        'KeyState': 'Enabled',
        'Origin': 'AWS_KMS',
        'KeyManager': 'CUSTOMER',
        'CustomerMasterKeySpec': 'SYMMETRIC_DEFAULT',
        'KeySpec': 'SYMMETRIC_DEFAULT',
        'EncryptionAlgorithms': ['SYMMETRIC_DEFAULT'],
        'MultiRegion': False,
    }
    for field, value in expected.items():
        eq(key.get(field), value, field)
    eq(set(key), set(expected) | {'AWSAccountId', 'KeyId', 'Arn', 'CreationDate', 'CurrentKeyMaterialId'}, 'KeyMetadata members')


@check
def describe_key_by_every_identifier():
    key, alias = new_key_with_alias('describe')
    for key_id in (key['KeyId'], key['Arn'], alias, alias_arn(alias)):
        eq(kms.describe_key(KeyId=key_id)['KeyMetadata'], key, f'DescribeKey({key_id})')


@check
def describe_missing_keys():
    missing = str(uuid.uuid4())
    expect_error('NotFoundException', kms.describe_key, KeyId=missing,
                 message=f"Key 'arn:aws:kms:{REGION}:{ACCOUNT}:key/{missing}' does not exist")
    expect_error('NotFoundException', kms.describe_key, KeyId='alias/py-never',
                 message=f'Alias {alias_arn("alias/py-never")} is not found.')
    expect_error('NotFoundException', kms.describe_key, KeyId='fake-key-id', message="Invalid keyId 'fake-key-id'")
    mrk = 'mrk-' + uuid.uuid4().hex
    expect_error('NotFoundException', kms.describe_key, KeyId=mrk,
                 message=f"Key 'arn:aws:kms:{REGION}:{ACCOUNT}:key/{mrk}' does not exist")


@check
def aws_managed_secretsmanager_key():
    managed = kms.describe_key(KeyId='alias/aws/secretsmanager')['KeyMetadata']
    eq(managed['KeyManager'], 'AWS', 'KeyManager')
    eq(managed['KeyState'], 'Enabled', 'KeyState')
    eq(kms.describe_key(KeyId='alias/aws/secretsmanager')['KeyMetadata']['KeyId'], managed['KeyId'], 'same key twice')


@check
def list_keys_paginator():
    made = {new_key()['KeyId'] for _ in range(3)}
    pages = list(kms.get_paginator('list_keys').paginate(PaginationConfig={'PageSize': 2}))
    assert len(pages) > 1, 'PageSize 2 gave a single page'
    listed = [k['KeyId'] for page in pages for k in page['Keys']]
    eq(len(listed), len(set(listed)), 'keys listed once')
    assert made <= set(listed), f'not listed: {made - set(listed)}'


# ---------------------------------------------------------------------------- aliases


@check
def aliases_create_list_update_delete():
    key, alias = new_key_with_alias('aliases')
    second = alias_name('aliases-2')
    kms.create_alias(AliasName=second, TargetKeyId=key['Arn'])
    by_key = kms.list_aliases(KeyId=key['KeyId'])['Aliases']
    eq(sorted(a['AliasName'] for a in by_key), sorted([alias, second]), 'ListAliases(KeyId)')
    for entry in by_key:
        eq(entry['AliasArn'], alias_arn(entry['AliasName']), 'AliasArn')
        eq(entry['TargetKeyId'], key['KeyId'], 'TargetKeyId')
        aware(entry['CreationDate'], 'CreationDate')

    everything = kms.get_paginator('list_aliases').paginate(PaginationConfig={'PageSize': 1}).build_full_result()
    names = [a['AliasName'] for a in everything['Aliases']]
    assert alias in names and second in names, 'paginated ListAliases misses an alias'
    eq(len(names), len(set(names)), 'aliases listed once')

    other = new_key()
    kms.update_alias(AliasName=second, TargetKeyId=other['KeyId'])
    eq(kms.describe_key(KeyId=second)['KeyMetadata']['KeyId'], other['KeyId'], 'UpdateAlias target')
    kms.delete_alias(AliasName=second)
    expect_error('NotFoundException', kms.describe_key, KeyId=second)
    expect_error('AlreadyExistsException', kms.create_alias, AliasName=alias, TargetKeyId=other['KeyId'])


@check
def invalid_alias_names():
    key = new_key()
    expect_error('ValidationException', kms.create_alias, AliasName='no-prefix', TargetKeyId=key['KeyId'],
                 message='Alias must start with the prefix "alias/". Please see '
                         'https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html')
    expect_error('ValidationException', kms.create_alias, AliasName='alias/a:b', TargetKeyId=key['KeyId'],
                 message='alias/a:b contains invalid characters for an alias')


# ---------------------------------------------------------------------------- crypto


@check
def encrypt_decrypt_with_context():
    key, alias = new_key_with_alias('crypto')
    plaintext = bytes(range(256)) * 4
    out = kms.encrypt(KeyId=alias, Plaintext=plaintext, EncryptionContext=CONTEXT)
    eq(out['KeyId'], key['Arn'], 'Encrypt KeyId')
    eq(out['EncryptionAlgorithm'], 'SYMMETRIC_DEFAULT', 'EncryptionAlgorithm')
    blob = out['CiphertextBlob']

    opened = kms.decrypt(CiphertextBlob=blob, EncryptionContext=dict(reversed(list(CONTEXT.items()))))
    eq(opened['Plaintext'], plaintext, 'Plaintext')
    eq(opened['KeyId'], key['Arn'], 'Decrypt KeyId')
    eq(opened['KeyMaterialId'], key['CurrentKeyMaterialId'], 'KeyMaterialId')

    # A wrong context and a damaged blob both answer with an empty message.
    expect_error('InvalidCiphertextException', kms.decrypt, CiphertextBlob=blob, message='')
    expect_error('InvalidCiphertextException', kms.decrypt, CiphertextBlob=blob,
                 EncryptionContext={**CONTEXT, 'purpose': 'other'}, message='')
    damaged = bytearray(blob)
    damaged[len(damaged) // 2] ^= 1
    expect_error('InvalidCiphertextException', kms.decrypt, CiphertextBlob=bytes(damaged), EncryptionContext=CONTEXT, message='')

    expect_error('IncorrectKeyException', kms.decrypt, CiphertextBlob=blob, EncryptionContext=CONTEXT, KeyId=new_key()['KeyId'],
                 message='The key ID in the request does not identify a CMK that can perform this operation.')
    expect_error('ValidationException', kms.encrypt, KeyId=key['KeyId'], Plaintext=b'x' * 4097)


@check
def re_encrypt_to_another_key():
    source = new_key()
    destination = new_key()
    blob = kms.encrypt(KeyId=source['KeyId'], Plaintext=b'moving', EncryptionContext=CONTEXT)['CiphertextBlob']
    out = kms.re_encrypt(CiphertextBlob=blob, SourceEncryptionContext=CONTEXT, DestinationKeyId=destination['Arn'],
                         DestinationEncryptionContext={'stage': 'new'})
    eq(out['SourceKeyId'], source['Arn'], 'SourceKeyId')
    eq(out['KeyId'], destination['Arn'], 'KeyId')
    eq(kms.decrypt(CiphertextBlob=out['CiphertextBlob'], EncryptionContext={'stage': 'new'})['Plaintext'], b'moving', 'Plaintext')


@check
def generate_data_keys_and_random():
    key = new_key()
    for spec, size in ((dict(KeySpec='AES_256'), 32), (dict(KeySpec='AES_128'), 16), (dict(NumberOfBytes=7), 7)):
        out = kms.generate_data_key(KeyId=key['Arn'], EncryptionContext=CONTEXT, **spec)
        eq(len(out['Plaintext']), size, f'data key size for {spec}')
        eq(out['KeyId'], key['Arn'], 'KeyId')
        eq(kms.decrypt(CiphertextBlob=out['CiphertextBlob'], EncryptionContext=CONTEXT)['Plaintext'], out['Plaintext'], 'data key blob')
    bare = kms.generate_data_key_without_plaintext(KeyId=key['KeyId'], KeySpec='AES_256')
    assert 'Plaintext' not in bare, 'GenerateDataKeyWithoutPlaintext returned a Plaintext'
    eq(len(kms.decrypt(CiphertextBlob=bare['CiphertextBlob'])['Plaintext']), 32, 'data key size')
    expect_error('ValidationException', kms.generate_data_key, KeyId=key['KeyId'])
    expect_error('ValidationException', kms.generate_data_key, KeyId=key['KeyId'], KeySpec='AES_256', NumberOfBytes=32)

    eq(len(kms.generate_random(NumberOfBytes=64)['Plaintext']), 64, 'GenerateRandom size')
    expect_error('ValidationException', kms.generate_random, NumberOfBytes=1025,
                 message="1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: "
                         'Member must have value less than or equal to 1024')


@check
def dry_run():
    key = new_key()
    expect_error('DryRunOperationException', kms.encrypt, KeyId=key['KeyId'], Plaintext=b'x', DryRun=True,
                 message='The request would have succeeded, but the DryRun option is set.')


# ---------------------------------------------------------------------------- key states, rotation, tags


@check
def disable_enable_schedule_cancel():
    key = new_key()
    kms.disable_key(KeyId=key['KeyId'])
    expect_error('DisabledException', kms.encrypt, KeyId=key['KeyId'], Plaintext=b'x', message=f'{key["Arn"]} is disabled.')
    kms.enable_key(KeyId=key['Arn'])
    kms.encrypt(KeyId=key['KeyId'], Plaintext=b'x')

    scheduled = kms.schedule_key_deletion(KeyId=key['KeyId'], PendingWindowInDays=7)
    eq(scheduled['KeyId'], key['Arn'], 'ScheduleKeyDeletion KeyId')
    eq(scheduled['KeyState'], 'PendingDeletion', 'KeyState')
    eq(scheduled['PendingWindowInDays'], 7, 'PendingWindowInDays')
    aware(scheduled['DeletionDate'], 'DeletionDate')
    expect_error('KMSInvalidStateException', kms.encrypt, KeyId=key['KeyId'], Plaintext=b'x',
                 message=f'{key["Arn"]} is pending deletion.')
    expect_error('ValidationException', kms.schedule_key_deletion, KeyId=new_key()['KeyId'], PendingWindowInDays=31)
    eq(kms.cancel_key_deletion(KeyId=key['KeyId'])['KeyId'], key['Arn'], 'CancelKeyDeletion KeyId')
    eq(kms.describe_key(KeyId=key['KeyId'])['KeyMetadata']['KeyState'], 'Disabled', 'state after CancelKeyDeletion')


@check
def rotation():
    key = new_key()
    eq(kms.get_key_rotation_status(KeyId=key['KeyId'])['KeyRotationEnabled'], False, 'rotation of a new key')
    kms.enable_key_rotation(KeyId=key['KeyId'], RotationPeriodInDays=90)
    status = kms.get_key_rotation_status(KeyId=key['KeyId'])
    eq(status['KeyRotationEnabled'], True, 'KeyRotationEnabled')
    eq(status['RotationPeriodInDays'], 90, 'RotationPeriodInDays')
    aware(status['NextRotationDate'], 'NextRotationDate')
    expect_error('ValidationException', kms.enable_key_rotation, KeyId=key['KeyId'], RotationPeriodInDays=2561)

    original = key['CurrentKeyMaterialId']
    old_blob = kms.encrypt(KeyId=key['KeyId'], Plaintext=b'old')['CiphertextBlob']
    eq(kms.rotate_key_on_demand(KeyId=key['KeyId'])['KeyId'], key['Arn'], 'RotateKeyOnDemand KeyId')
    deadline = time.monotonic() + 10
    while current_material(key['KeyId']) == original:
        assert time.monotonic() < deadline, 'key material did not change within 10 s of RotateKeyOnDemand'
        time.sleep(0.1)
    rotated = current_material(key['KeyId'])

    old = kms.decrypt(CiphertextBlob=old_blob)
    eq(old['Plaintext'], b'old', 'old ciphertext after rotation')
    eq(old['KeyMaterialId'], original, 'old KeyMaterialId')
    new_blob = kms.encrypt(KeyId=key['KeyId'], Plaintext=b'new')['CiphertextBlob']
    eq(kms.decrypt(CiphertextBlob=new_blob)['KeyMaterialId'], rotated, 'new KeyMaterialId')

    rotations = kms.list_key_rotations(KeyId=key['KeyId'])['Rotations']
    eq([(r['KeyMaterialId'], r['RotationType']) for r in rotations], [(rotated, 'ON_DEMAND')], 'ListKeyRotations')
    aware(rotations[0]['RotationDate'], 'RotationDate')

    kms.disable_key_rotation(KeyId=key['KeyId'])
    eq(kms.get_key_rotation_status(KeyId=key['KeyId'])['KeyRotationEnabled'], False, 'after DisableKeyRotation')


@check
def tags():
    key = new_key(Tags=[{'TagKey': 'team', 'TagValue': 'payments'}])
    kms.tag_resource(KeyId=key['KeyId'], Tags=[{'TagKey': 'env', 'TagValue': 'prod'}, {'TagKey': 'team', 'TagValue': 'core'}])
    listed = kms.list_resource_tags(KeyId=key['Arn'])
    eq(sorted((t['TagKey'], t['TagValue']) for t in listed['Tags']), [('env', 'prod'), ('team', 'core')], 'tags')
    eq(listed['Truncated'], False, 'Truncated')
    kms.untag_resource(KeyId=key['KeyId'], TagKeys=['team', 'absent'])
    eq(kms.list_resource_tags(KeyId=key['KeyId'])['Tags'], [{'TagKey': 'env', 'TagValue': 'prod'}], 'after UntagResource')
    expect_error('TagException', kms.tag_resource, KeyId=key['KeyId'], Tags=[{'TagKey': 'aws:x', 'TagValue': 'y'}],
                 message='Tags beginning with aws: are reserved')


@check
def key_policy():
    policy = kms.get_key_policy(KeyId=new_key()['KeyId'], PolicyName='default')
    eq(policy['PolicyName'], 'default', 'PolicyName')
    statements = json.loads(policy['Policy'])['Statement']
    eq([(st['Effect'], st['Principal'], st['Action']) for st in statements],
       [('Allow', {'AWS': f'arn:aws:iam::{ACCOUNT}:root'}, 'kms:*')], 'default key policy')
    expect_error('MalformedPolicyDocumentException', kms.create_key, Policy='{not json')


# ---------------------------------------------------------------------------- secrets under a customer key


@check
def secret_under_customer_key():
    key, alias = new_key_with_alias('secret')
    name = f'{RUN}/cmk-secret'
    sm.create_secret(Name=name, SecretString='under a customer key', KmsKeyId=alias)
    eq(sm.get_secret_value(SecretId=name)['SecretString'], 'under a customer key', 'SecretString')
    assert sm.describe_secret(SecretId=name).get('KmsKeyId'), 'DescribeSecret has no KmsKeyId'
    kms.disable_key(KeyId=key['KeyId'])
    try:
        error = expect_error('DecryptionFailure', sm.get_secret_value, SecretId=name)
        assert 'disabled' in error.response['Error']['Message'], error.response['Error']['Message']
        expect_error('EncryptionFailure', sm.put_secret_value, SecretId=name, SecretString='new')
    finally:
        kms.enable_key(KeyId=key['KeyId'])
    eq(sm.get_secret_value(SecretId=name)['SecretString'], 'under a customer key', 'SecretString after EnableKey')


if __name__ == '__main__':
    sys.exit(run_checks(f'boto3 KMS flows against {ENDPOINT} (region {REGION}, prefix {RUN})', __file__))
