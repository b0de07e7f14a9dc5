"""Rotates an API key kept in a secret: an AWS Secrets Manager rotation function.

It is written exactly as for AWS Lambda, in the shape of AWS's rotation templates
(aws-samples/aws-secrets-manager-rotation-lambdas, SecretsManagerRotationTemplate),
and runs unchanged under Coffer as a command rotation function (see README.md).

The secret holds either the bare key or a JSON object with an "api_key" field; the
object's other fields are carried over to the new version.
"""

import json
import logging
import os

import boto3

logger = logging.getLogger()
logger.setLevel(logging.INFO)

KEY_FIELD = "api_key"
KEY_LENGTH = 40


def lambda_handler(event, context):
    """Secrets Manager rotation handler.

    Args:
        event (dict): {"Step": ..., "SecretId": <secret ARN>, "ClientRequestToken": <new version id>,
            "RotationToken": ...}
        context: the Lambda context (not used).

    Raises:
        ValueError: the secret is not set up for this rotation, or the step is unknown.
    """
    arn = event["SecretId"]
    token = event["ClientRequestToken"]
    step = event["Step"]

    # As in AWS's templates: the endpoint comes from SECRETS_MANAGER_ENDPOINT, which Coffer
    # sets for its command functions (on AWS, unset means the regional endpoint).
    service_client = boto3.client("secretsmanager", endpoint_url=os.environ.get("SECRETS_MANAGER_ENDPOINT"))

    # Make sure the version is staged correctly
    metadata = service_client.describe_secret(SecretId=arn)
    if not metadata.get("RotationEnabled"):
        logger.error("Secret %s is not enabled for rotation", arn)
        raise ValueError("Secret %s is not enabled for rotation" % arn)
    versions = metadata["VersionIdsToStages"]
    if token not in versions:
        logger.error("Secret version %s has no stage for rotation of secret %s.", token, arn)
        raise ValueError("Secret version %s has no stage for rotation of secret %s." % (token, arn))
    if "AWSCURRENT" in versions[token]:
        logger.info("Secret version %s already set as AWSCURRENT for secret %s.", token, arn)
        return
    elif "AWSPENDING" not in versions[token]:
        logger.error("Secret version %s not set as AWSPENDING for rotation of secret %s.", token, arn)
        raise ValueError("Secret version %s not set as AWSPENDING for rotation of secret %s." % (token, arn))

    if step == "createSecret":
        create_secret(service_client, arn, token, event.get("RotationToken"))
    elif step == "setSecret":
        set_secret(service_client, arn, token)
    elif step == "testSecret":
        test_secret(service_client, arn, token)
    elif step == "finishSecret":
        finish_secret(service_client, arn, token)
    else:
        raise ValueError("Invalid step parameter")


def create_secret(service_client, arn, token, rotation_token):
    """Stores a new key as the AWSPENDING version, unless an earlier attempt already did."""
    # Make sure the current secret exists
    current = service_client.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")

    try:
        service_client.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")
        logger.info("createSecret: Successfully retrieved secret for %s.", arn)
        return
    except service_client.exceptions.ResourceNotFoundException:
        pass

    new_key = service_client.get_random_password(PasswordLength=KEY_LENGTH, ExcludePunctuation=True)["RandomPassword"]
    request = {
        "SecretId": arn,
        "ClientRequestToken": token,
        "SecretString": with_new_key(current.get("SecretString"), new_key),
        "VersionStages": ["AWSPENDING"],
    }
    if rotation_token and "RotationToken" in service_client.meta.service_model.operation_model("PutSecretValue").input_shape.members:
        # Newer events carry a RotationToken; passing it back ties the write to this rotation
        # (older boto3 versions do not know the parameter).
        request["RotationToken"] = rotation_token
    service_client.put_secret_value(**request)
    logger.info("createSecret: Successfully put secret for ARN %s and version %s.", arn, token)


def set_secret(service_client, arn, token):
    """Registers the pending key with the service that accepts it.

    A no-op in this example. A real function fetches the AWSPENDING value
    (get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")) and calls
    the provider's API to add it as a valid key, leaving the current key valid until
    finishSecret so that clients still holding it keep working.
    """
    logger.info("setSecret: nothing to register for %s version %s.", arn, token)


def test_secret(service_client, arn, token):
    """Checks that the pending key works.

    A no-op in this example. A real function makes one authenticated call to the
    provider with the AWSPENDING key and raises if it is refused.
    """
    logger.info("testSecret: nothing to test for %s version %s.", arn, token)


def finish_secret(service_client, arn, token):
    """Makes the new version AWSCURRENT; the old one becomes AWSPREVIOUS."""
    metadata = service_client.describe_secret(SecretId=arn)
    current_version = None
    for version, stages in metadata["VersionIdsToStages"].items():
        if "AWSCURRENT" in stages:
            if version == token:
                # The correct version is already marked as current, return
                logger.info("finishSecret: Version %s already marked as AWSCURRENT for %s", version, arn)
                return
            current_version = version
            break

    service_client.update_secret_version_stage(
        SecretId=arn, VersionStage="AWSCURRENT", MoveToVersionId=token, RemoveFromVersionId=current_version
    )
    logger.info("finishSecret: Successfully set AWSCURRENT stage to version %s for secret %s.", token, arn)


def with_new_key(current_string, new_key):
    """The new secret string: the current JSON object with its api_key replaced, or else the bare key."""
    try:
        secret = json.loads(current_string) if current_string else None
    except ValueError:
        secret = None
    if not isinstance(secret, dict):
        return new_key
    return json.dumps({**secret, KEY_FIELD: new_key})
