#!/usr/bin/env python3
"""End-to-end flows against a live Coffer server, driven with boto3.

Reads COFFER_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
AWS_DEFAULT_REGION from the environment. Each check runs on its own (one
failure does not hide the others); the script prints one line per check and
exits 1 if any failed.

Run by test/e2e/python-clients.test.ts; by hand:
  COFFER_ENDPOINT=http://127.0.0.1:4566 AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... \
  AWS_DEFAULT_REGION=us-east-1 python3 test/e2e/python/boto3_flows.py
"""

import datetime
import os
import re
import sys
import uuid

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from check_runner import aware, check, eq, run_checks

ENDPOINT = os.environ['COFFER_ENDPOINT']
REGION = os.environ['AWS_DEFAULT_REGION']
# A fresh prefix per run keeps the checks independent of each other and of earlier runs.
RUN = 'py-' + uuid.uuid4().hex[:8]

sm = boto3.client(
    'secretsmanager',
    endpoint_url=ENDPOINT,
    region_name=REGION,
    aws_access_key_id=os.environ['AWS_ACCESS_KEY_ID'],
    aws_secret_access_key=os.environ['AWS_SECRET_ACCESS_KEY'],
    # No retries: a 5xx or a throttle must show up as a failure, not be hidden.
    config=Config(retries={'max_attempts': 1, 'mode': 'standard'}),
)

def name(suffix):
    return f'{RUN}/{suffix}'


def arn_pattern(secret_name):
    return re.compile(rf'^arn:aws:secretsmanager:{re.escape(REGION)}:\d{{12}}:secret:{re.escape(secret_name)}-[A-Za-z0-9]{{6}}$')


def expect_error(code, call, *args, **kwargs):
    """Calls `call`, asserts it fails with `code`, HTTP 400 and a request id; returns the error."""
    try:
        result = call(*args, **kwargs)
    except ClientError as e:
        actual = e.response['Error']['Code']
        assert actual == code, f'expected {code}, got {actual}: {e.response["Error"].get("Message")}'
        meta = e.response['ResponseMetadata']
        assert meta['HTTPStatusCode'] == 400, f'{code}: expected HTTP 400, got {meta["HTTPStatusCode"]}'
        assert meta.get('RequestId'), f'{code}: no RequestId in {meta}'
        assert e.response['Error'].get('Message'), f'{code}: empty error message'
        return e
    raise AssertionError(f'expected {code}, but the call succeeded: {result}')


# ---------------------------------------------------------------------------- create / get


@check
def create_and_get_string_secret():
    n = name('string')
    created = sm.create_secret(Name=n, SecretString='{"user":"app","password":"s3cr3t"}', Description='a string secret')
    assert arn_pattern(n).match(created['ARN']), f'bad ARN {created["ARN"]}'
    eq(created['Name'], n, 'Name')
    assert created.get('VersionId'), 'no VersionId'
    eq(created['ResponseMetadata']['HTTPStatusCode'], 200, 'status')
    assert created['ResponseMetadata'].get('RequestId'), 'no RequestId on success'

    for secret_id in (n, created['ARN']):
        value = sm.get_secret_value(SecretId=secret_id)
        eq(value['SecretString'], '{"user":"app","password":"s3cr3t"}', f'SecretString by {secret_id}')
        assert 'SecretBinary' not in value, 'SecretBinary present on a string secret'
        eq(value['ARN'], created['ARN'], 'ARN')
        eq(value['Name'], n, 'Name')
        eq(value['VersionId'], created['VersionId'], 'VersionId')
        eq(value['VersionStages'], ['AWSCURRENT'], 'VersionStages')
        aware(value['CreatedDate'], 'CreatedDate')

    by_stage = sm.get_secret_value(SecretId=n, VersionStage='AWSCURRENT')
    eq(by_stage['VersionId'], created['VersionId'], 'VersionId by VersionStage')
    by_version = sm.get_secret_value(SecretId=n, VersionId=created['VersionId'])
    eq(by_version['SecretString'], '{"user":"app","password":"s3cr3t"}', 'SecretString by VersionId')


@check
def create_and_get_binary_secret():
    n = name('binary')
    payload = bytes(range(256)) + b'\x00\xff\x00'
    created = sm.create_secret(Name=n, SecretBinary=payload)
    value = sm.get_secret_value(SecretId=created['ARN'])
    eq(value['SecretBinary'], payload, 'SecretBinary')
    assert 'SecretString' not in value, 'SecretString present on a binary secret'


@check
def create_secret_without_value_has_no_current_version():
    n = name('empty')
    created = sm.create_secret(Name=n)
    assert 'VersionId' not in created, f'VersionId on a value-less secret: {created.get("VersionId")}'
    expect_error('ResourceNotFoundException', sm.get_secret_value, SecretId=n)
    assert 'VersionIdsToStages' not in sm.describe_secret(SecretId=n), 'VersionIdsToStages on a value-less secret'


@check
def create_is_idempotent_per_client_request_token():
    n = name('idempotent')
    token = str(uuid.uuid4())
    first = sm.create_secret(Name=n, SecretString='one', ClientRequestToken=token)
    again = sm.create_secret(Name=n, SecretString='one', ClientRequestToken=token)
    eq((again['ARN'], again['VersionId']), (first['ARN'], token), 'repeated CreateSecret')
    expect_error('ResourceExistsException', sm.create_secret, Name=n, SecretString='two', ClientRequestToken=token)
    expect_error('ResourceExistsException', sm.create_secret, Name=n, SecretString='one')


@check
def missing_secret_errors():
    expect_error('ResourceNotFoundException', sm.get_secret_value, SecretId=name('does-not-exist'))
    expect_error('ResourceNotFoundException', sm.describe_secret, SecretId=name('does-not-exist'))
    expect_error('ResourceNotFoundException', sm.put_secret_value, SecretId=name('does-not-exist'), SecretString='x')
    expect_error('ResourceNotFoundException', sm.delete_secret, SecretId=name('does-not-exist'))
    expect_error('ResourceNotFoundException', sm.get_secret_value,
                 SecretId=f'arn:aws:secretsmanager:{REGION}:000000000000:secret:{name("nope")}-AbCdEf')


@check
def secret_id_forms():
    n = name('ids')
    arn = sm.create_secret(Name=n, SecretString='x')['ARN']
    # A partial ARN (no random suffix) resolves by name; a name with the suffix appended does not.
    eq(sm.get_secret_value(SecretId=arn[:-7])['ARN'], arn, 'partial ARN')
    expect_error('ResourceNotFoundException', sm.get_secret_value, SecretId=n + arn[-7:])


@check
def value_shape_errors():
    n = name('value-shape')
    expect_error('InvalidParameterException', sm.create_secret, Name=n, SecretString='x', SecretBinary=b'x')
    sm.create_secret(Name=n, SecretString='x')
    expect_error('InvalidRequestException', sm.put_secret_value, SecretId=n)


# ---------------------------------------------------------------------------- versions and labels


@check
def put_moves_current_and_previous():
    n = name('put')
    v1 = sm.create_secret(Name=n, SecretString='v1')['VersionId']
    put = sm.put_secret_value(SecretId=n, SecretString='v2')
    v2 = put['VersionId']
    assert v2 and v2 != v1, 'PutSecretValue made no new version'
    eq(put['VersionStages'], ['AWSCURRENT'], 'VersionStages of the put')
    eq(sm.get_secret_value(SecretId=n)['SecretString'], 'v2', 'current after put')
    previous = sm.get_secret_value(SecretId=n, VersionStage='AWSPREVIOUS')
    eq((previous['SecretString'], previous['VersionId'], previous['VersionStages']), ('v1', v1, ['AWSPREVIOUS']), 'AWSPREVIOUS')

    # Same token, same value: no new version. Same token, other value: refused.
    again = sm.put_secret_value(SecretId=n, SecretString='v2', ClientRequestToken=v2)
    eq(again['VersionId'], v2, 'idempotent put')
    expect_error('ResourceExistsException', sm.put_secret_value, SecretId=n, SecretString='other', ClientRequestToken=v2)

    # A custom label only: AWSCURRENT stays put.
    staged = sm.put_secret_value(SecretId=n, SecretString='v3', VersionStages=['STAGED'])
    eq(staged['VersionStages'], ['STAGED'], 'VersionStages of a staged put')
    eq(sm.get_secret_value(SecretId=n)['SecretString'], 'v2', 'current after a staged put')
    eq(sm.get_secret_value(SecretId=n, VersionStage='STAGED')['SecretString'], 'v3', 'STAGED value')
    expect_error('InvalidRequestException', sm.get_secret_value, SecretId=n, VersionId=v1, VersionStage='AWSCURRENT')


@check
def update_secret_value_and_description():
    n = name('update')
    v1 = sm.create_secret(Name=n, SecretString='v1', Description='before')['VersionId']
    meta_only = sm.update_secret(SecretId=n, Description='after')
    assert 'VersionId' not in meta_only, 'UpdateSecret with only a description made a version'
    eq(sm.describe_secret(SecretId=n)['Description'], 'after', 'Description')

    updated = sm.update_secret(SecretId=n, SecretString='v2')
    v2 = updated['VersionId']
    assert v2 and v2 != v1, 'UpdateSecret with a value made no version'
    eq(sm.get_secret_value(SecretId=n)['SecretString'], 'v2', 'value after update')
    eq(sm.get_secret_value(SecretId=n, VersionStage='AWSPREVIOUS')['VersionId'], v1, 'AWSPREVIOUS after update')


@check
def describe_secret_shape():
    n = name('describe')
    created = sm.create_secret(Name=n, SecretString='x', Description='described', Tags=[{'Key': 'team', 'Value': 'core'}])
    d = sm.describe_secret(SecretId=created['ARN'])
    eq((d['ARN'], d['Name'], d['Description']), (created['ARN'], n, 'described'), 'identity')
    eq(d['Tags'], [{'Key': 'team', 'Value': 'core'}], 'Tags')
    eq(d['VersionIdsToStages'], {created['VersionId']: ['AWSCURRENT']}, 'VersionIdsToStages')
    aware(d['CreatedDate'], 'CreatedDate')
    aware(d['LastChangedDate'], 'LastChangedDate')
    assert 'KmsKeyId' not in d, f'KmsKeyId shown for the default key: {d.get("KmsKeyId")}'
    assert 'DeletedDate' not in d, 'DeletedDate on a live secret'
    sm.get_secret_value(SecretId=n)
    aware(sm.describe_secret(SecretId=n)['LastAccessedDate'], 'LastAccessedDate after a read')


@check
def list_secret_version_ids_and_deprecated_versions():
    n = name('versions')
    v1 = sm.create_secret(Name=n, SecretString='v1')['VersionId']
    v2 = sm.put_secret_value(SecretId=n, SecretString='v2')['VersionId']
    v3 = sm.put_secret_value(SecretId=n, SecretString='v3')['VersionId']
    listed = sm.list_secret_version_ids(SecretId=n)
    eq(listed['Name'], n, 'Name')
    stages = {v['VersionId']: v['VersionStages'] for v in listed['Versions']}
    eq(stages, {v3: ['AWSCURRENT'], v2: ['AWSPREVIOUS']}, 'labelled versions')
    for v in listed['Versions']:
        aware(v['CreatedDate'], 'CreatedDate')
    everything = sm.list_secret_version_ids(SecretId=n, IncludeDeprecated=True)['Versions']
    deprecated = [v for v in everything if v['VersionId'] == v1]
    assert len(deprecated) == 1, f'deprecated version missing with IncludeDeprecated: {everything}'
    assert 'VersionStages' not in deprecated[0], f'deprecated version has labels: {deprecated[0]}'
    eq(sm.get_secret_value(SecretId=n, VersionId=v1)['SecretString'], 'v1', 'deprecated version by VersionId')

    page = sm.list_secret_version_ids(SecretId=n, MaxResults=1)
    eq(len(page['Versions']), 1, 'page size')
    assert page.get('NextToken'), 'no NextToken with more versions left'
    rest = sm.list_secret_version_ids(SecretId=n, MaxResults=1, NextToken=page['NextToken'])
    assert rest['Versions'][0]['VersionId'] != page['Versions'][0]['VersionId'], 'second page repeats the first'


@check
def update_secret_version_stage_moves_labels():
    n = name('stage')
    v1 = sm.create_secret(Name=n, SecretString='v1')['VersionId']
    v2 = sm.put_secret_value(SecretId=n, SecretString='v2')['VersionId']

    # Roll back: AWSCURRENT to v1 (must name v2 as the holder); AWSPREVIOUS follows to v2.
    expect_error('InvalidParameterException', sm.update_secret_version_stage,
                 SecretId=n, VersionStage='AWSCURRENT', MoveToVersionId=v1)
    moved = sm.update_secret_version_stage(SecretId=n, VersionStage='AWSCURRENT', MoveToVersionId=v1, RemoveFromVersionId=v2)
    eq(moved['Name'], n, 'Name')
    eq(sm.get_secret_value(SecretId=n)['SecretString'], 'v1', 'current after rollback')
    eq(sm.get_secret_value(SecretId=n, VersionStage='AWSPREVIOUS')['VersionId'], v2, 'AWSPREVIOUS after rollback')

    # A custom label: attach, read by it, detach.
    sm.update_secret_version_stage(SecretId=n, VersionStage='CANARY', MoveToVersionId=v2)
    eq(sm.get_secret_value(SecretId=n, VersionStage='CANARY')['SecretString'], 'v2', 'CANARY value')
    eq(sorted(sm.describe_secret(SecretId=n)['VersionIdsToStages'][v2]), ['AWSPREVIOUS', 'CANARY'], 'labels of v2')
    sm.update_secret_version_stage(SecretId=n, VersionStage='CANARY', RemoveFromVersionId=v2)
    expect_error('ResourceNotFoundException', sm.get_secret_value, SecretId=n, VersionStage='CANARY')

    expect_error('InvalidParameterException', sm.update_secret_version_stage,
                 SecretId=n, VersionStage='AWSCURRENT', RemoveFromVersionId=v1)
    expect_error('InvalidParameterException', sm.update_secret_version_stage,
                 SecretId=n, VersionStage='AWSCURRENT', MoveToVersionId=str(uuid.uuid4()), RemoveFromVersionId=v1)


# ---------------------------------------------------------------------------- listing


@check
def list_secrets_with_filters_and_paginator():
    prefix = name('list/')
    names = [f'{prefix}{i:02d}' for i in range(7)]
    for i, n in enumerate(names):
        sm.create_secret(Name=n, SecretString=f'value {i}', Tags=[{'Key': 'parity', 'Value': 'even' if i % 2 == 0 else 'odd'}])
    sm.create_secret(Name=name('other'), SecretString='not listed')

    one_page = sm.list_secrets(Filters=[{'Key': 'name', 'Values': [prefix]}])
    eq(sorted(s['Name'] for s in one_page['SecretList']), names, 'name filter')
    assert 'NextToken' not in one_page, 'NextToken on the last page'
    entry = one_page['SecretList'][0]
    assert arn_pattern(entry['Name']).match(entry['ARN']), f'bad ARN in list: {entry["ARN"]}'
    eq(list(entry['SecretVersionsToStages'].values()), [['AWSCURRENT']], 'SecretVersionsToStages')
    assert 'SecretString' not in entry, 'list entry carries a value'

    odd = sm.list_secrets(Filters=[{'Key': 'name', 'Values': [prefix]}, {'Key': 'tag-value', 'Values': ['odd']}])
    eq(sorted(s['Name'] for s in odd['SecretList']), names[1::2], 'name AND tag-value filters')

    pages = list(sm.get_paginator('list_secrets').paginate(
        Filters=[{'Key': 'name', 'Values': [prefix]}], PaginationConfig={'PageSize': 2}))
    assert len(pages) >= 4, f'expected at least 4 pages of 2, got {len(pages)}'
    seen = [s['Name'] for p in pages for s in p['SecretList']]
    eq(sorted(seen), names, 'paginated names (no duplicates, none missing)')
    for p in pages:
        assert len(p['SecretList']) <= 2, f'page larger than PageSize: {len(p["SecretList"])}'

    descending = sm.list_secrets(Filters=[{'Key': 'name', 'Values': [prefix]}], SortOrder='desc', SortBy='name')
    eq([s['Name'] for s in descending['SecretList']], sorted(names, reverse=True), 'SortBy=name desc')

    expect_error('InvalidNextTokenException', sm.list_secrets, NextToken='not-a-real-token')


# ---------------------------------------------------------------------------- tags


@check
def tag_and_untag():
    n = name('tags')
    arn = sm.create_secret(Name=n, SecretString='x', Tags=[{'Key': 'a', 'Value': '1'}])['ARN']
    sm.tag_resource(SecretId=arn, Tags=[{'Key': 'b', 'Value': '2'}, {'Key': 'a', 'Value': 'one'}])
    tags = {t['Key']: t['Value'] for t in sm.describe_secret(SecretId=n)['Tags']}
    eq(tags, {'a': 'one', 'b': '2'}, 'tags after TagResource')
    tagged = sm.list_secrets(Filters=[{'Key': 'tag-key', 'Values': ['b']}, {'Key': 'name', 'Values': [n]}])['SecretList']
    eq([s['Name'] for s in tagged], [n], 'tag-key filter')
    sm.untag_resource(SecretId=n, TagKeys=['a'])
    eq(sm.describe_secret(SecretId=n)['Tags'], [{'Key': 'b', 'Value': '2'}], 'tags after UntagResource')
    sm.untag_resource(SecretId=n, TagKeys=['b'])
    # AWS keeps an emptied tag list: Tags is [] (a secret never tagged has no Tags key).
    eq(sm.describe_secret(SecretId=n)['Tags'], [], 'Tags after removing them all')
    untagged = name('untagged')
    sm.create_secret(Name=untagged, SecretString='x')
    assert 'Tags' not in sm.describe_secret(SecretId=untagged), 'Tags on a secret never tagged'
    expect_error('ResourceNotFoundException', sm.tag_resource, SecretId=name('no-such'), Tags=[{'Key': 'k', 'Value': 'v'}])


# ---------------------------------------------------------------------------- batch read and passwords


@check
def batch_get_secret_value():
    a = sm.create_secret(Name=name('batch/a'), SecretString='A')
    b = sm.create_secret(Name=name('batch/b'), SecretBinary=b'\x01\x02')
    missing = name('batch/missing')
    out = sm.batch_get_secret_value(SecretIdList=[a['Name'], b['ARN'], missing])
    values = {v['Name']: v for v in out['SecretValues']}
    eq(sorted(values), [a['Name'], b['Name']], 'SecretValues names')
    eq(values[a['Name']]['SecretString'], 'A', 'batch string value')
    eq(values[b['Name']]['SecretBinary'], b'\x01\x02', 'batch binary value')
    eq(values[a['Name']]['VersionStages'], ['AWSCURRENT'], 'batch VersionStages')
    eq([(e['SecretId'], e['ErrorCode']) for e in out['Errors']], [(missing, 'ResourceNotFoundException')], 'Errors')

    by_filter = sm.batch_get_secret_value(Filters=[{'Key': 'name', 'Values': [name('batch/')]}])
    eq(sorted(v['Name'] for v in by_filter['SecretValues']), [a['Name'], b['Name']], 'batch by filter')

    expect_error('InvalidParameterException', sm.batch_get_secret_value,
                 SecretIdList=[a['Name']], Filters=[{'Key': 'name', 'Values': ['x']}])


@check
def get_random_password():
    default = sm.get_random_password()['RandomPassword']
    eq(len(default), 32, 'default length')
    alnum = sm.get_random_password(PasswordLength=20, ExcludePunctuation=True)['RandomPassword']
    assert re.fullmatch(r'[A-Za-z0-9]{20}', alnum), f'not 20 alphanumerics: {alnum!r}'
    digits = sm.get_random_password(PasswordLength=50, ExcludeLowercase=True, ExcludeUppercase=True,
                                    ExcludePunctuation=True, ExcludeCharacters='0123')['RandomPassword']
    assert re.fullmatch(r'[4-9]{50}', digits), f'not 50 digits from 4-9: {digits!r}'
    assert sm.get_random_password()['RandomPassword'] != default, 'two passwords are equal'
    expect_error('InvalidParameterException', sm.get_random_password, PasswordLength=3)
    spaced = sm.get_random_password(PasswordLength=200, IncludeSpace=True, ExcludePunctuation=True)['RandomPassword']
    assert ' ' in spaced and re.fullmatch(r'[A-Za-z0-9 ]{200}', spaced), f'IncludeSpace: {spaced!r}'


# ---------------------------------------------------------------------------- deletion


@check
def delete_with_recovery_window_and_restore():
    n = name('delete/recover')
    arn = sm.create_secret(Name=n, SecretString='keep me')['ARN']
    before = datetime.datetime.now(datetime.timezone.utc)
    deleted = sm.delete_secret(SecretId=n, RecoveryWindowInDays=7)
    eq((deleted['ARN'], deleted['Name']), (arn, n), 'DeleteSecret identity')
    aware(deleted['DeletionDate'], 'DeletionDate')
    delta = deleted['DeletionDate'] - before
    assert abs(delta - datetime.timedelta(days=7)) < datetime.timedelta(minutes=5), f'DeletionDate is {delta} away, not 7 days'

    aware(sm.describe_secret(SecretId=n)['DeletedDate'], 'DeletedDate')
    expect_error('InvalidRequestException', sm.get_secret_value, SecretId=n)
    expect_error('InvalidRequestException', sm.put_secret_value, SecretId=n, SecretString='x')
    expect_error('InvalidRequestException', sm.create_secret, Name=n, SecretString='x')
    expect_error('InvalidRequestException', sm.delete_secret, SecretId=n)
    expect_error('InvalidRequestException', sm.update_secret, SecretId=n, SecretString='x')
    expect_error('InvalidRequestException', sm.tag_resource, SecretId=n, Tags=[{'Key': 'k', 'Value': 'v'}])
    expect_error('InvalidRequestException', sm.untag_resource, SecretId=n, TagKeys=['k'])
    listed = sm.list_secrets(Filters=[{'Key': 'name', 'Values': [n]}])['SecretList']
    eq(listed, [], 'deleted secret in ListSecrets')
    planned = sm.list_secrets(Filters=[{'Key': 'name', 'Values': [n]}], IncludePlannedDeletion=True)['SecretList']
    eq([s['Name'] for s in planned], [n], 'IncludePlannedDeletion')

    restored = sm.restore_secret(SecretId=arn)
    eq((restored['ARN'], restored['Name']), (arn, n), 'RestoreSecret identity')
    eq(sm.get_secret_value(SecretId=n)['SecretString'], 'keep me', 'value after restore')
    assert 'DeletedDate' not in sm.describe_secret(SecretId=n), 'DeletedDate after restore'


@check
def bad_recovery_windows():
    n = name('delete/bad-window')
    sm.create_secret(Name=n, SecretString='x')
    for days in (3, 31):
        expect_error('InvalidParameterException', sm.delete_secret, SecretId=n, RecoveryWindowInDays=days)
    expect_error('InvalidParameterException', sm.delete_secret, SecretId=n, RecoveryWindowInDays=7, ForceDeleteWithoutRecovery=True)
    eq(sm.get_secret_value(SecretId=n)['SecretString'], 'x', 'secret survives refused deletes')


@check
def force_delete():
    n = name('delete/force')
    arn = sm.create_secret(Name=n, SecretString='gone')['ARN']
    out = sm.delete_secret(SecretId=n, ForceDeleteWithoutRecovery=True)
    eq(out['Name'], n, 'Name')
    aware(out['DeletionDate'], 'DeletionDate')
    expect_error('ResourceNotFoundException', sm.describe_secret, SecretId=arn)
    expect_error('ResourceNotFoundException', sm.get_secret_value, SecretId=n)
    # AWS: force-deleting a missing secret is not an error.
    sm.delete_secret(SecretId=n, ForceDeleteWithoutRecovery=True)
    # The name is free again, under a new ARN.
    again = sm.create_secret(Name=n, SecretString='new')
    assert again['ARN'] != arn, 'a re-created secret reused the old ARN'

    scheduled = name('delete/force-scheduled')
    sm.create_secret(Name=scheduled, SecretString='x')
    sm.delete_secret(SecretId=scheduled, RecoveryWindowInDays=30)
    sm.delete_secret(SecretId=scheduled, ForceDeleteWithoutRecovery=True)
    expect_error('ResourceNotFoundException', sm.describe_secret, SecretId=scheduled)


if __name__ == '__main__':
    sys.exit(run_checks(f'boto3 flows against {ENDPOINT} (region {REGION}, prefix {RUN})', __file__))
