#!/usr/bin/env python3
"""IAM and STS flows against a live Coffer server, driven with boto3 (query protocol, XML).

Reads COFFER_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (the administrator, i.e. the
account root) and AWS_DEFAULT_REGION. Each check runs on its own; the script prints one line per
check and exits 1 if any failed.

Run by test/e2e/iam-sts-python-clients.test.ts; by hand:
  COFFER_ENDPOINT=http://127.0.0.1:4566 AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... \
  AWS_DEFAULT_REGION=us-east-1 python3 test/e2e/python/iam_flows.py
"""

import json
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
RUN = 'py-' + uuid.uuid4().hex[:8]
NO_RETRIES = Config(retries={'max_attempts': 1, 'mode': 'standard'})


def client(service, access_key_id=None, secret_access_key=None, session_token=None):
    """A client signing as the administrator, or as the given credentials."""
    return boto3.client(
        service,
        endpoint_url=ENDPOINT,
        region_name=REGION,
        aws_access_key_id=access_key_id or os.environ['AWS_ACCESS_KEY_ID'],
        aws_secret_access_key=secret_access_key or os.environ['AWS_SECRET_ACCESS_KEY'],
        aws_session_token=session_token,
        config=NO_RETRIES,
    )


iam = client('iam')
sts = client('sts')
ACCOUNT = sts.get_caller_identity()['Account']


def expect_error(code, status, call, *args, message=None, **kwargs):
    """Calls `call`, asserts it fails with `code` and that HTTP status (and message), with a request id."""
    try:
        result = call(*args, **kwargs)
    except ClientError as e:
        eq(e.response['Error']['Code'], code, 'error code')
        eq(e.response['ResponseMetadata']['HTTPStatusCode'], status, f'{code} HTTP status')
        assert e.response['ResponseMetadata'].get('RequestId'), f'{code}: no RequestId'
        if message is not None:
            eq(e.response['Error']['Message'], message, f'{code} message')
        return e
    raise AssertionError(f'expected {code}, but the call succeeded: {result}')


def name(suffix):
    return f'{RUN}-{suffix}'


def allow(action, resource='*'):
    return json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': action, 'Resource': resource}]})


def trust(principal):
    return json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Principal': {'AWS': principal}, 'Action': 'sts:AssumeRole'}]})


def user_with_key(suffix):
    """A new user and a key of its own: (user, access key)."""
    user = iam.create_user(UserName=name(suffix))['User']
    key = iam.create_access_key(UserName=user['UserName'])['AccessKey']
    return user, key


def as_key(service, key):
    return client(service, key['AccessKeyId'], key['SecretAccessKey'])


def as_session(service, credentials):
    return client(service, credentials['AccessKeyId'], credentials['SecretAccessKey'], credentials['SessionToken'])


# ---------------------------------------------------------------------------- STS identity


@check
def caller_identity_of_the_administrator_is_the_root_user():
    me = sts.get_caller_identity()
    eq(me['Arn'], f'arn:aws:iam::{ACCOUNT}:root', 'Arn')
    eq(me['UserId'], ACCOUNT, 'UserId')
    assert me['ResponseMetadata']['RequestId'], 'no RequestId'


@check
def a_new_users_key_signs_as_that_user():
    user, key = user_with_key('signer')
    assert re.match(r'^AIDA[A-Z2-7]{17}$', user['UserId']), user['UserId']
    eq(user['Arn'], f'arn:aws:iam::{ACCOUNT}:user/{user["UserName"]}', 'Arn')
    aware(user['CreateDate'], 'CreateDate')
    assert re.match(r'^AKIA', key['AccessKeyId']), key['AccessKeyId']
    me = as_key('sts', key).get_caller_identity()
    eq((me['Arn'], me['UserId'], me['Account']), (user['Arn'], user['UserId'], ACCOUNT), 'caller identity')
    # A new user may do nothing until a policy allows it; then GetUser without a name is about the caller.
    expect_error('AccessDenied', 403, as_key('iam', key).get_user)
    self_only = {'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': 'iam:GetUser', 'Resource': 'arn:aws:iam::*:user/${aws:username}'}]}
    iam.put_user_policy(UserName=user['UserName'], PolicyName='self', PolicyDocument=json.dumps(self_only))
    eq(as_key('iam', key).get_user()['User']['UserName'], user['UserName'], 'GetUser without a name')
    expect_error('AccessDenied', 403, as_key('iam', key).get_user, UserName=name('someone-else'))


@check
def an_inactive_key_is_an_invalid_client_token():
    user, key = user_with_key('inactive')
    iam.update_access_key(UserName=user['UserName'], AccessKeyId=key['AccessKeyId'], Status='Inactive')
    listed = iam.list_access_keys(UserName=user['UserName'])['AccessKeyMetadata']
    eq([(k['AccessKeyId'], k['Status']) for k in listed], [(key['AccessKeyId'], 'Inactive')], 'ListAccessKeys')
    expect_error('InvalidClientTokenId', 403, as_key('sts', key).get_caller_identity, message='The security token included in the request is invalid.')
    iam.update_access_key(UserName=user['UserName'], AccessKeyId=key['AccessKeyId'], Status='Active')
    eq(as_key('sts', key).get_caller_identity()['Arn'], user['Arn'], 'Arn once active again')


@check
def session_token_credentials_sign_as_the_user():
    user, key = user_with_key('session')
    credentials = as_key('sts', key).get_session_token(DurationSeconds=900)['Credentials']
    assert credentials['AccessKeyId'].startswith('ASIA'), credentials['AccessKeyId']
    aware(credentials['Expiration'], 'Expiration')
    eq(as_session('sts', credentials).get_caller_identity()['Arn'], user['Arn'], 'Arn')


# ---------------------------------------------------------------------------- IAM errors


@check
def iam_errors_have_their_codes_and_statuses():
    missing = name('missing')
    expect_error('NoSuchEntity', 404, iam.get_user, UserName=missing, message=f'The user with name {missing} cannot be found.')
    user, key = user_with_key('errors')
    expect_error('EntityAlreadyExists', 409, iam.create_user, UserName=user['UserName'].upper())
    expect_error('DeleteConflict', 409, iam.delete_user, UserName=user['UserName'], message='Cannot delete entity, must delete access keys first.')
    expect_error('ValidationError', 400, iam.create_user, UserName='no spaces allowed')
    expect_error('MalformedPolicyDocument', 400, iam.put_user_policy, UserName=user['UserName'], PolicyName='p', PolicyDocument='{"Statement":')
    iam.create_access_key(UserName=user['UserName'])
    expect_error('LimitExceeded', 409, iam.create_access_key, UserName=user['UserName'], message='Cannot exceed quota for AccessKeysPerUser: 2')
    expect_error('InvalidAction', 400, iam.create_login_profile, UserName=user['UserName'], Password='Passw0rd!Passw0rd')
    for k in iam.list_access_keys(UserName=user['UserName'])['AccessKeyMetadata']:
        iam.delete_access_key(UserName=user['UserName'], AccessKeyId=k['AccessKeyId'])
    iam.delete_user(UserName=user['UserName'])
    expect_error('NoSuchEntity', 404, iam.get_user, UserName=user['UserName'])


@check
def list_users_paginates_with_marker():
    names = {iam.create_user(UserName=name(f'page-{i}'), Path=f'/{RUN}/')['User']['UserName'] for i in range(3)}
    first = iam.list_users(PathPrefix=f'/{RUN}/', MaxItems=2)
    eq((len(first['Users']), first['IsTruncated']), (2, True), 'first page')
    pages = iam.get_paginator('list_users').paginate(PathPrefix=f'/{RUN}/', PaginationConfig={'PageSize': 1})
    eq({u['UserName'] for page in pages for u in page['Users']}, names, 'paginated users')


@check
def user_tags():
    user = iam.create_user(UserName=name('tags'), Tags=[{'Key': 'team', 'Value': 'blue'}])['User']
    eq(user['Tags'], [{'Key': 'team', 'Value': 'blue'}], 'Tags')
    iam.tag_user(UserName=user['UserName'], Tags=[{'Key': 'env', 'Value': 'prod'}])
    iam.untag_user(UserName=user['UserName'], TagKeys=['team'])
    eq(iam.list_user_tags(UserName=user['UserName'])['Tags'], [{'Key': 'env', 'Value': 'prod'}], 'ListUserTags')


# ---------------------------------------------------------------------------- groups and policies


@check
def groups_and_membership():
    user = iam.create_user(UserName=name('member'))['User']
    group = iam.create_group(GroupName=name('group'))['Group']
    assert group['GroupId'].startswith('AGPA'), group['GroupId']
    iam.add_user_to_group(GroupName=group['GroupName'], UserName=user['UserName'])
    eq([u['UserName'] for u in iam.get_group(GroupName=group['GroupName'])['Users']], [user['UserName']], 'GetGroup users')
    eq([g['GroupName'] for g in iam.list_groups_for_user(UserName=user['UserName'])['Groups']], [group['GroupName']], 'ListGroupsForUser')
    expect_error('DeleteConflict', 409, iam.delete_group, GroupName=group['GroupName'])
    iam.remove_user_from_group(GroupName=group['GroupName'], UserName=user['UserName'])
    iam.delete_group(GroupName=group['GroupName'])
    expect_error('NoSuchEntity', 404, iam.get_group, GroupName=group['GroupName'])


@check
def inline_policies_round_trip_url_encoded_documents():
    user = iam.create_user(UserName=name('inline'))['User']
    document = allow('secretsmanager:GetSecretValue', 'arn:aws:secretsmanager:*:*:secret:a b&c')
    iam.put_user_policy(UserName=user['UserName'], PolicyName='read', PolicyDocument=document)
    got = iam.get_user_policy(UserName=user['UserName'], PolicyName='read')
    eq(got['PolicyDocument'], json.loads(document), 'PolicyDocument (decoded by boto3)')
    eq(iam.list_user_policies(UserName=user['UserName'])['PolicyNames'], ['read'], 'ListUserPolicies')
    iam.delete_user_policy(UserName=user['UserName'], PolicyName='read')
    expect_error('NoSuchEntity', 404, iam.get_user_policy, UserName=user['UserName'], PolicyName='read')


@check
def managed_policies_attach_detach_list():
    user = iam.create_user(UserName=name('managed'))['User']
    document = allow('kms:Decrypt')
    policy = iam.create_policy(PolicyName=name('policy'), PolicyDocument=document, Description='decrypt')['Policy']
    eq(policy['Arn'], f'arn:aws:iam::{ACCOUNT}:policy/{policy["PolicyName"]}', 'Arn')
    eq((policy['DefaultVersionId'], policy['AttachmentCount']), ('v1', 0), 'new policy')
    iam.attach_user_policy(UserName=user['UserName'], PolicyArn=policy['Arn'])
    attached = iam.list_attached_user_policies(UserName=user['UserName'])['AttachedPolicies']
    eq(attached, [{'PolicyName': policy['PolicyName'], 'PolicyArn': policy['Arn']}], 'ListAttachedUserPolicies')
    eq(iam.get_policy(PolicyArn=policy['Arn'])['Policy']['AttachmentCount'], 1, 'AttachmentCount')
    version = iam.get_policy_version(PolicyArn=policy['Arn'], VersionId='v1')['PolicyVersion']
    eq((version['Document'], version['IsDefaultVersion']), (json.loads(document), True), 'PolicyVersion')
    listed = iam.list_policies(Scope='Local', OnlyAttached=True)['Policies']
    assert policy['Arn'] in [p['Arn'] for p in listed], 'attached policy not listed'
    entities = iam.list_entities_for_policy(PolicyArn=policy['Arn'])
    eq([u['UserName'] for u in entities['PolicyUsers']], [user['UserName']], 'ListEntitiesForPolicy')
    expect_error('DeleteConflict', 409, iam.delete_policy, PolicyArn=policy['Arn'])
    iam.detach_user_policy(UserName=user['UserName'], PolicyArn=policy['Arn'])
    expect_error('NoSuchEntity', 404, iam.detach_user_policy, UserName=user['UserName'], PolicyArn=policy['Arn'])
    iam.delete_policy(PolicyArn=policy['Arn'])
    expect_error('NoSuchEntity', 404, iam.get_policy, PolicyArn=policy['Arn'])


# ---------------------------------------------------------------------------- roles and AssumeRole


@check
def assume_role_and_use_the_session():
    user, key = user_with_key('assumer')
    role = iam.create_role(RoleName=name('role'), AssumeRolePolicyDocument=trust(user['Arn']), MaxSessionDuration=7200)['Role']
    assert role['RoleId'].startswith('AROA'), role['RoleId']
    eq(iam.get_role(RoleName=role['RoleName'])['Role']['AssumeRolePolicyDocument'], json.loads(trust(user['Arn'])), 'trust policy')
    eq(iam.get_role(RoleName=role['RoleName'])['Role']['MaxSessionDuration'], 7200, 'MaxSessionDuration')
    user_sts = as_key('sts', key)
    assumed = user_sts.assume_role(RoleArn=role['Arn'], RoleSessionName='py-session', DurationSeconds=900)
    session_arn = f'arn:aws:sts::{ACCOUNT}:assumed-role/{role["RoleName"]}/py-session'
    eq(assumed['AssumedRoleUser'], {'AssumedRoleId': f'{role["RoleId"]}:py-session', 'Arn': session_arn}, 'AssumedRoleUser')
    credentials = assumed['Credentials']
    aware(credentials['Expiration'], 'Expiration')
    me = as_session('sts', credentials).get_caller_identity()
    eq((me['Arn'], me['UserId']), (session_arn, f'{role["RoleId"]}:py-session'), 'session identity')
    # The session has the role's permissions: none yet, then ListSecrets once a role policy allows it.
    expect_error('AccessDeniedException', 400, as_session('secretsmanager', credentials).list_secrets)
    lister = {'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': 'secretsmanager:ListSecrets', 'Resource': '*'}]}
    iam.put_role_policy(RoleName=role['RoleName'], PolicyName='list', PolicyDocument=json.dumps(lister))
    as_session('secretsmanager', credentials).list_secrets()
    tampered = dict(credentials, SessionToken=credentials['SessionToken'][:-4] + 'AAAA')
    expect_error('InvalidClientTokenId', 403, as_session('sts', tampered).get_caller_identity)
    no_token = dict(credentials, SessionToken=None)
    expect_error('InvalidClientTokenId', 403, as_session('sts', no_token).get_caller_identity)


@check
def a_session_policy_narrows_the_role():
    user, key = user_with_key('narrowed')
    role = iam.create_role(RoleName=name('wide-role'), AssumeRolePolicyDocument=trust(user['Arn']))['Role']
    iam.put_role_policy(RoleName=role['RoleName'], PolicyName='all', PolicyDocument=allow('secretsmanager:*'))
    sm = client('secretsmanager')
    kept = sm.create_secret(Name=name('narrow/kept'), SecretString='kept-value')
    other = sm.create_secret(Name=name('narrow/other'), SecretString='other-value')
    user_sts = as_key('sts', key)
    wide = user_sts.assume_role(RoleArn=role['Arn'], RoleSessionName='wide')['Credentials']
    eq(as_session('secretsmanager', wide).get_secret_value(SecretId=other['ARN'])['SecretString'], 'other-value', 'the role reads both')
    narrowed = user_sts.assume_role(RoleArn=role['Arn'], RoleSessionName='narrow', Policy=allow('secretsmanager:GetSecretValue', kept['ARN']))['Credentials']
    session = as_session('secretsmanager', narrowed)
    eq(session.get_secret_value(SecretId=kept['ARN'])['SecretString'], 'kept-value', 'allowed by role and session policy')
    error = expect_error('AccessDeniedException', 400, session.get_secret_value, SecretId=other['ARN'])
    assert error.response['Error']['Message'].endswith('because no session policy allows the secretsmanager:GetSecretValue action'), error.response['Error']['Message']
    expect_error('AccessDeniedException', 400, session.list_secrets)


@check
def assume_role_refusals():
    user, key = user_with_key('refused')
    role = iam.create_role(RoleName=name('account-trust'), AssumeRolePolicyDocument=trust(f'arn:aws:iam::{ACCOUNT}:root'))['Role']
    user_sts = as_key('sts', key)
    expect_error('AccessDenied', 403, user_sts.assume_role, RoleArn=role['Arn'], RoleSessionName='sess',
                 message=f'User: {user["Arn"]} is not authorized to perform: sts:AssumeRole on resource: {role["Arn"]}')
    iam.put_user_policy(UserName=user['UserName'], PolicyName='assume', PolicyDocument=allow('sts:AssumeRole', role['Arn']))
    user_sts.assume_role(RoleArn=role['Arn'], RoleSessionName='sess')
    expect_error('ValidationError', 400, user_sts.assume_role, RoleArn=role['Arn'], RoleSessionName='sess', DurationSeconds=7200,
                 message='The requested DurationSeconds exceeds the MaxSessionDuration set for this role.')
    expect_error('ValidationError', 400, user_sts.assume_role, RoleArn=role['Arn'], RoleSessionName='bad name')
    expect_error('AccessDenied', 403, user_sts.assume_role, RoleArn=role['Arn'] + '-none', RoleSessionName='sess')
    expect_error('AccessDenied', 403, sts.assume_role, RoleArn=role['Arn'], RoleSessionName='sess', message='Roles may not be assumed by root accounts.')
    expect_error('DeleteConflict', 409, iam.delete_user, UserName=user['UserName'])


@check
def role_policies_and_update_trust():
    role = iam.create_role(RoleName=name('policies'), AssumeRolePolicyDocument=trust(f'arn:aws:iam::{ACCOUNT}:root'), Path='/svc/')['Role']
    eq(role['Arn'], f'arn:aws:iam::{ACCOUNT}:role/svc/{role["RoleName"]}', 'Arn with path')
    iam.put_role_policy(RoleName=role['RoleName'], PolicyName='p', PolicyDocument=allow('kms:*'))
    eq(iam.get_role_policy(RoleName=role['RoleName'], PolicyName='p')['PolicyDocument'], json.loads(allow('kms:*')), 'GetRolePolicy')
    iam.update_assume_role_policy(RoleName=role['RoleName'], PolicyDocument=trust('*'))
    eq(iam.get_role(RoleName=role['RoleName'])['Role']['AssumeRolePolicyDocument']['Statement'][0]['Principal'], {'AWS': '*'}, 'updated trust')
    expect_error('MalformedPolicyDocument', 400, iam.update_assume_role_policy, RoleName=role['RoleName'], PolicyDocument=allow('s3:*'))
    assert role['RoleName'] in [r['RoleName'] for r in iam.list_roles(PathPrefix='/svc/')['Roles']], 'ListRoles'
    iam.delete_role_policy(RoleName=role['RoleName'], PolicyName='p')
    iam.delete_role(RoleName=role['RoleName'])
    expect_error('NoSuchEntity', 404, iam.get_role, RoleName=role['RoleName'])


if __name__ == '__main__':
    sys.exit(run_checks(f'boto3 IAM and STS flows against {ENDPOINT} (region {REGION}, prefix {RUN})', __file__))
