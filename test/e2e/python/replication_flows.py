#!/usr/bin/env python3
"""Replication across regions against a live Coffer server, driven with boto3.

Reads COFFER_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION (the
primaries' region) and ROTATION_FUNCTION_ARN (a registered rotation function that rotates an
`api_key` field) from the environment. The server must retry failed replicas often
(--sweep-interval 1). Prints one line per check; exits 1 if any failed.

Run by test/e2e/python-clients.test.ts.
"""

import os
import sys
import time
import uuid

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from check_runner import check, eq, run_checks

ENDPOINT = os.environ['COFFER_ENDPOINT']
PRIMARY = os.environ['AWS_DEFAULT_REGION']
EU = 'eu-west-1'
AP = 'ap-south-1'
RUN = 'py-repl-' + uuid.uuid4().hex[:8]
ON_REPLICA = "Operation not permitted on a replica secret. Call must be made in primary secret's region."
SUCCEEDED = 'Replication succeeded'
DEFAULT_KEY = 'alias/aws/secretsmanager'


def client(service, region):
    return boto3.client(
        service,
        endpoint_url=ENDPOINT,
        region_name=region,
        aws_access_key_id=os.environ['AWS_ACCESS_KEY_ID'],
        aws_secret_access_key=os.environ['AWS_SECRET_ACCESS_KEY'],
        config=Config(retries={'max_attempts': 1, 'mode': 'standard'}),
    )


sm = {region: client('secretsmanager', region) for region in (PRIMARY, EU, AP)}
kms = {region: client('kms', region) for region in (PRIMARY, EU, AP)}


def name(suffix):
    return f'{RUN}/{suffix}'


def in_region(arn, region):
    return arn.replace(f':{PRIMARY}:', f':{region}:')


def states(status_list):
    """Region -> (Status, StatusMessage, KmsKeyId)."""
    return {r['Region']: (r['Status'], r.get('StatusMessage'), r.get('KmsKeyId')) for r in status_list}


def value(region, secret_id, **kwargs):
    return sm[region].get_secret_value(SecretId=secret_id, **kwargs)['SecretString']


def expect_error(code, message, call, **kwargs):
    try:
        call(**kwargs)
    except ClientError as e:
        eq(e.response['Error']['Code'], code, 'error code')
        eq(e.response['ResponseMetadata']['HTTPStatusCode'], 400, 'HTTP status')
        if message is not None:
            eq(e.response['Error']['Message'], message, 'error message')
        return
    raise AssertionError(f'expected {code}, but the call succeeded')


def until_replica(arn, region, status, timeout=15):
    deadline = time.monotonic() + timeout
    while True:
        described = sm[PRIMARY].describe_secret(SecretId=arn)
        if states(described['ReplicationStatus']).get(region, (None,))[0] == status:
            return described
        assert time.monotonic() < deadline, f'the replica in {region} is not {status}: {described["ReplicationStatus"]}'
        time.sleep(0.2)


@check
def create_secret_with_replicas():
    n = name('created')
    ap_key = kms[AP].create_key()['KeyMetadata']
    created = sm[PRIMARY].create_secret(Name=n, SecretString='v1', AddReplicaRegions=[{'Region': EU}, {'Region': AP, 'KmsKeyId': ap_key['KeyId']}])
    eq(states(created['ReplicationStatus']), {EU: ('InSync', SUCCEEDED, DEFAULT_KEY), AP: ('InSync', SUCCEEDED, ap_key['KeyId'])}, 'ReplicationStatus')
    for region in (EU, AP):
        replica = sm[region].describe_secret(SecretId=n)
        eq(replica['ARN'], in_region(created['ARN'], region), f'{region} ARN')
        eq(replica['PrimaryRegion'], PRIMARY, f'{region} PrimaryRegion')
        eq(value(region, n), 'v1', f'{region} value')
    eq(sm[AP].describe_secret(SecretId=n)['KmsKeyId'], ap_key['KeyId'], 'the replica key')
    primary = sm[PRIMARY].describe_secret(SecretId=n)
    eq(primary['PrimaryRegion'], PRIMARY, 'PrimaryRegion of the primary')
    eq(states(primary['ReplicationStatus']), states(created['ReplicationStatus']), 'DescribeSecret ReplicationStatus')


@check
def changes_reach_replicas():
    n = name('changes')
    sm[PRIMARY].create_secret(Name=n, SecretString='v1', AddReplicaRegions=[{'Region': EU}])
    sm[PRIMARY].put_secret_value(SecretId=n, SecretString='v2')
    sm[PRIMARY].update_secret(SecretId=n, Description='described')
    sm[PRIMARY].tag_resource(SecretId=n, Tags=[{'Key': 'env', 'Value': 'prod'}])
    eq(value(EU, n), 'v2', 'the new value')
    eq(value(EU, n, VersionStage='AWSPREVIOUS'), 'v1', 'the previous value')
    replica, primary = sm[EU].describe_secret(SecretId=n), sm[PRIMARY].describe_secret(SecretId=n)
    eq(replica['VersionIdsToStages'], primary['VersionIdsToStages'], 'labels')
    eq(replica['Description'], 'described', 'description')
    eq(replica['Tags'], [{'Key': 'env', 'Value': 'prod'}], 'tags')


@check
def rotation_of_the_primary_reaches_the_replica():
    n = name('rotated')
    sm[PRIMARY].create_secret(Name=n, SecretString='{"api_key": "original"}', AddReplicaRegions=[{'Region': EU}])
    version = sm[PRIMARY].rotate_secret(SecretId=n, RotationLambdaARN=os.environ['ROTATION_FUNCTION_ARN'], RotationRules={'AutomaticallyAfterDays': 30})['VersionId']
    deadline = time.monotonic() + 120
    while 'AWSPENDING' in sm[PRIMARY].describe_secret(SecretId=n)['VersionIdsToStages'].get(version, ['AWSPENDING']):
        assert time.monotonic() < deadline, 'the rotation did not finish'
        time.sleep(0.2)
    eq(sm[EU].describe_secret(SecretId=n)['VersionIdsToStages'][version], ['AWSCURRENT'], 'the rotated version is current in the replica')
    rotated = value(EU, n)
    eq(rotated, value(PRIMARY, n), 'the replica holds the rotated value')
    assert 'original' not in rotated, rotated
    eq(value(EU, n, VersionStage='AWSPREVIOUS'), '{"api_key": "original"}', 'the replica keeps the previous value')


@check
def replicas_are_read_only():
    n = name('read-only')
    sm[PRIMARY].create_secret(Name=n, SecretString='v1', AddReplicaRegions=[{'Region': EU}])
    eu = sm[EU]
    expect_error('InvalidParameterException', ON_REPLICA, eu.put_secret_value, SecretId=n, SecretString='x')
    expect_error('InvalidParameterException', ON_REPLICA, eu.update_secret, SecretId=n, Description='x')
    expect_error('InvalidParameterException', ON_REPLICA, eu.tag_resource, SecretId=n, Tags=[{'Key': 'k', 'Value': 'v'}])
    expect_error('InvalidParameterException', ON_REPLICA, eu.delete_secret, SecretId=n)
    expect_error('InvalidParameterException', ON_REPLICA, eu.rotate_secret, SecretId=n)
    eq(value(EU, n), 'v1', 'unchanged')


@check
def replication_errors():
    n = name('errors')
    expect_error('InvalidParameterException', 'Invalid replica region.', sm[PRIMARY].create_secret, Name=n, SecretString='v', AddReplicaRegions=[{'Region': PRIMARY}])
    expect_error('ResourceNotFoundException', None, sm[PRIMARY].describe_secret, SecretId=n)
    arn = sm[PRIMARY].create_secret(Name=n, SecretString='v', AddReplicaRegions=[{'Region': EU}, {'Region': AP}])['ARN']
    expect_error('InvalidParameterException', 'Invalid replica region.', sm[PRIMARY].replicate_secret_to_regions, SecretId=n, AddReplicaRegions=[{'Region': PRIMARY}])
    expect_error('InvalidParameterException', f"You can't delete secret {arn} that still has replica regions [{EU}, {AP}].", sm[PRIMARY].delete_secret, SecretId=n)


@check
def name_taken_in_the_replica_region():
    n = name('clash')
    sm[EU].create_secret(Name=n, SecretString='theirs')
    sm[PRIMARY].create_secret(Name=n, SecretString='ours')
    failed = sm[PRIMARY].replicate_secret_to_regions(SecretId=n, AddReplicaRegions=[{'Region': EU}])
    eq(states(failed['ReplicationStatus']), {EU: ('Failed', 'Secret with this name already exists in this region', DEFAULT_KEY)}, 'clash')
    eq(value(EU, n), 'theirs', 'left alone')
    forced = sm[PRIMARY].replicate_secret_to_regions(SecretId=n, AddReplicaRegions=[{'Region': EU}], ForceOverwriteReplicaSecret=True)
    eq(states(forced['ReplicationStatus']), {EU: ('InSync', SUCCEEDED, DEFAULT_KEY)}, 'forced')
    eq(value(EU, n), 'ours', 'overwritten')


@check
def disabled_replica_key_fails_then_recovers():
    n = name('disabled-key')
    ap_key = kms[AP].create_key()['KeyMetadata']
    arn = sm[PRIMARY].create_secret(Name=n, SecretString='v1', AddReplicaRegions=[{'Region': EU}, {'Region': AP, 'KmsKeyId': ap_key['Arn']}])['ARN']
    kms[AP].disable_key(KeyId=ap_key['KeyId'])
    sm[PRIMARY].put_secret_value(SecretId=n, SecretString='v2')
    now = states(sm[PRIMARY].describe_secret(SecretId=n)['ReplicationStatus'])
    eq(now[AP], ('Failed', f"Secrets Manager can't encrypt the protected secret text using the provided KMS key. {ap_key['Arn']} is disabled.", ap_key['Arn']), 'the disabled replica')
    eq(now[EU][0], 'InSync', 'the other replica')
    eq(value(EU, n), 'v2', 'the other replica follows')
    eq(list(sm[AP].describe_secret(SecretId=n)['VersionIdsToStages'].values()), [['AWSCURRENT']], 'the failed replica keeps what it had')
    kms[AP].enable_key(KeyId=ap_key['KeyId'])
    until_replica(arn, AP, 'InSync')
    eq(value(AP, n), 'v2', 'the recovered replica')


@check
def primary_region_filter_and_read_dates():
    n = name('filtered')
    sm[PRIMARY].create_secret(Name=n, SecretString='x', AddReplicaRegions=[{'Region': EU}])
    value(EU, n)
    listed = sm[EU].list_secrets(Filters=[{'Key': 'name', 'Values': [n]}, {'Key': 'primary-region', 'Values': [PRIMARY]}])['SecretList']
    eq([(s['Name'], s['PrimaryRegion']) for s in listed], [(n, PRIMARY)], 'listed replica')
    eq(sm[PRIMARY].list_secrets(Filters=[{'Key': 'name', 'Values': [n]}, {'Key': 'primary-region', 'Values': [EU]}])['SecretList'], [], 'no primary in eu-west-1')
    read = sm[PRIMARY].describe_secret(SecretId=n)['ReplicationStatus'][0]
    assert read['LastAccessedDate'].tzinfo is not None, read


@check
def remove_and_stop_replication():
    n = name('removed')
    arn = sm[PRIMARY].create_secret(Name=n, SecretString='v1', AddReplicaRegions=[{'Region': EU}, {'Region': AP}])['ARN']
    removed = sm[PRIMARY].remove_regions_from_replication(SecretId=n, RemoveReplicaRegions=[AP])
    eq(list(states(removed['ReplicationStatus'])), [EU], 'left after removal')
    expect_error('ResourceNotFoundException', None, sm[AP].describe_secret, SecretId=n)
    eq(sm[EU].stop_replication_to_replica(SecretId=n)['ARN'], in_region(arn, EU), 'promoted ARN')
    assert 'PrimaryRegion' not in sm[EU].describe_secret(SecretId=n), 'a promoted replica names no primary'
    sm[EU].put_secret_value(SecretId=n, SecretString='its own')
    eq(value(EU, n), 'its own', 'writable once promoted')
    sm[PRIMARY].delete_secret(SecretId=n, ForceDeleteWithoutRecovery=True)


if __name__ == '__main__':
    sys.exit(run_checks(f'replication flows against {ENDPOINT} (primary region {PRIMARY}, prefix {RUN})', __file__))
