// Command sdk_flows drives a live Coffer server with the AWS SDK for Go v2: the Secrets Manager,
// KMS, STS and CloudTrail calls the README promises (replication and an IAM role for AssumeRole
// included). It reads COFFER_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION and,
// when set, ROTATION_FUNCTION_ARN (a registered function that rotates an `api_key` field). Each
// check runs on its own; one line per check; exit status 1 if any failed.
//
// Run by test/e2e/go-sdk.test.ts, built offline from Debian's golang-github-aws-aws-sdk-go-v2-dev:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o sdk-flows test/e2e/go/sdk_flows.go
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

const (
	account       = "000000000000"
	replicaRegion = "eu-west-1"
	otherRegion   = "ap-south-1"
)

var (
	ctx      = context.Background()
	endpoint = os.Getenv("COFFER_ENDPOINT")
	region   = os.Getenv("AWS_REGION")
	keys     = credentials.NewStaticCredentialsProvider(os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"), "")
	run      = "go-" + randomHex(4)
	sm       = secretsmanager.NewFromConfig(configFor(region, keys))
	km       = kms.NewFromConfig(configFor(region, keys))
)

// --- the runner ---------------------------------------------------------------------------------

type failure struct{ message string }

type check struct {
	name string
	fn   func()
}

var checks []check

func register(name string, fn func()) { checks = append(checks, check{name, fn}) }

func fail(format string, args ...interface{}) { panic(failure{fmt.Sprintf(format, args...)}) }

func runCheck(c check) (message string) {
	defer func() {
		if r := recover(); r != nil {
			if f, ok := r.(failure); ok {
				message = f.message
			} else {
				message = fmt.Sprint(r)
			}
		}
	}()
	c.fn()
	return ""
}

func main() {
	fmt.Printf("Go SDK v2 flows against %s (region %s, prefix %s)\n", endpoint, region, run)
	var failed []string
	for _, c := range checks {
		if message := runCheck(c); message != "" {
			failed = append(failed, c.name)
			fmt.Printf("FAIL  %s: %s\n", c.name, message)
		} else {
			fmt.Printf("ok    %s\n", c.name)
		}
	}
	fmt.Printf("%d/%d checks passed\n", len(checks)-len(failed), len(checks))
	if len(failed) > 0 {
		fmt.Println("failed: " + strings.Join(failed, ", "))
		os.Exit(1)
	}
}

// --- helpers ------------------------------------------------------------------------------------

// configFor is an SDK configuration for the server in `region`: every service's endpoint is the
// server, signed for the region; no retries, so that a fault shows as one.
func configFor(region string, provider aws.CredentialsProvider) aws.Config {
	resolver := aws.EndpointResolverWithOptionsFunc(func(service, signingRegion string, options ...interface{}) (aws.Endpoint, error) {
		return aws.Endpoint{URL: endpoint, HostnameImmutable: true, SigningRegion: signingRegion}, nil
	})
	cfg, err := config.LoadDefaultConfig(ctx,
		config.WithRegion(region),
		config.WithCredentialsProvider(provider),
		config.WithEndpointResolverWithOptions(resolver),
		config.WithRetryMaxAttempts(1),
	)
	must(err)
	return cfg
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

func name(suffix string) string { return run + "/" + suffix }

func must(err error) {
	if err != nil {
		fail("unexpected error: %v", err)
	}
}

func eq(actual, expected interface{}, what string) {
	if !reflect.DeepEqual(actual, expected) {
		fail("%s: expected %#v, got %#v", what, expected, actual)
	}
}

// expectError checks that err is the AWS error `code` with HTTP status 400 and, unless empty, `message`.
func expectError(err error, code, message string) {
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		fail("expected %s, got %v", code, err)
	}
	eq(apiErr.ErrorCode(), code, "error code")
	if message != "" {
		eq(apiErr.ErrorMessage(), message, code+" message")
	}
	var response *awshttp.ResponseError
	if !errors.As(err, &response) {
		fail("%s: no HTTP response in %v", code, err)
	}
	eq(response.HTTPStatusCode(), 400, code+" HTTP status")
}

// expectAccessDenied checks a refusal of the query protocol (IAM, STS): AccessDenied, HTTP 403.
func expectAccessDenied(err error, message string) {
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		fail("expected AccessDenied, got %v", err)
	}
	eq(apiErr.ErrorCode(), "AccessDenied", "error code")
	eq(apiErr.ErrorMessage(), message, "AccessDenied message")
	var response *awshttp.ResponseError
	if !errors.As(err, &response) || response.HTTPStatusCode() != 403 {
		fail("AccessDenied: expected HTTP 403 in %v", err)
	}
}

func secretString(client *secretsmanager.Client, id string, stage string) string {
	input := &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)}
	if stage != "" {
		input.VersionStage = aws.String(stage)
	}
	out, err := client.GetSecretValue(ctx, input)
	must(err)
	return aws.ToString(out.SecretString)
}

func createSecret(input *secretsmanager.CreateSecretInput) *secretsmanager.CreateSecretOutput {
	out, err := sm.CreateSecret(ctx, input)
	must(err)
	return out
}

func untilToday(t *time.Time, what string) {
	today := time.Now().UTC().Truncate(24 * time.Hour)
	if t == nil || !t.Equal(today) {
		fail("%s: expected %v, got %v", what, today, t)
	}
}

// --- Secrets Manager ----------------------------------------------------------------------------

func init() {
	register("secrets: create, get, put, update, describe, versions, labels, tags", func() {
		n := name("app/db")
		created := createSecret(&secretsmanager.CreateSecretInput{
			Name: aws.String(n), SecretString: aws.String("v1"), Description: aws.String("go"),
			Tags: []smtypes.Tag{{Key: aws.String("env"), Value: aws.String("go")}},
		})
		pattern := regexp.MustCompile(fmt.Sprintf(`^arn:aws:secretsmanager:%s:%s:secret:%s-[A-Za-z0-9]{6}$`, region, account, regexp.QuoteMeta(n)))
		if !pattern.MatchString(aws.ToString(created.ARN)) {
			fail("ARN %s", aws.ToString(created.ARN))
		}
		got, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: created.ARN})
		must(err)
		eq(aws.ToString(got.SecretString), "v1", "first value")
		eq(got.VersionStages, []string{"AWSCURRENT"}, "stages")
		eq(aws.ToString(got.VersionId), aws.ToString(created.VersionId), "VersionId")

		put, err := sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(n), SecretString: aws.String("v2")})
		must(err)
		eq(put.VersionStages, []string{"AWSCURRENT"}, "PutSecretValue stages")
		eq(secretString(sm, n, "AWSPREVIOUS"), "v1", "AWSPREVIOUS")
		_, err = sm.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{SecretId: aws.String(n), Description: aws.String("changed"), SecretBinary: []byte{0, 1, 255}})
		must(err)
		binary, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(n)})
		must(err)
		eq(binary.SecretBinary, []byte{0, 1, 255}, "binary value")

		_, err = sm.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{SecretId: aws.String(n), VersionStage: aws.String("blue"), MoveToVersionId: created.VersionId})
		must(err)
		described, err := sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(n)})
		must(err)
		eq(aws.ToString(described.Description), "changed", "Description")
		eq(described.VersionIdsToStages[aws.ToString(created.VersionId)], []string{"blue"}, "the first version's labels")
		eq(described.VersionIdsToStages[aws.ToString(put.VersionId)], []string{"AWSPREVIOUS"}, "the second version's labels")
		untilToday(described.LastAccessedDate, "LastAccessedDate")

		versions, err := sm.ListSecretVersionIds(ctx, &secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String(n), IncludeDeprecated: aws.Bool(true)})
		must(err)
		eq(len(versions.Versions), 3, "versions")
		for _, v := range versions.Versions {
			eq(v.KmsKeyIds, []string{"DefaultEncryptionKey"}, "KmsKeyIds")
			if aws.ToString(v.VersionId) == aws.ToString(created.VersionId) {
				untilToday(v.LastAccessedDate, "the first version's LastAccessedDate")
			}
		}

		_, err = sm.TagResource(ctx, &secretsmanager.TagResourceInput{SecretId: aws.String(n), Tags: []smtypes.Tag{{Key: aws.String("team"), Value: aws.String("core")}}})
		must(err)
		_, err = sm.UntagResource(ctx, &secretsmanager.UntagResourceInput{SecretId: aws.String(n), TagKeys: []string{"env", "team"}})
		must(err)
		untagged, err := sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(n)})
		must(err)
		eq(untagged.Tags, []smtypes.Tag{}, "every tag removed")
	})

	register("secrets: ListSecrets filters and pages", func() {
		prefix := name("listed/")
		for _, s := range []string{"a", "b", "c"} {
			createSecret(&secretsmanager.CreateSecretInput{Name: aws.String(prefix + s), SecretString: aws.String(s), Description: aws.String(map[string]string{"a": "alpha", "b": "bravo", "c": "charlie"}[s])})
		}
		var names []string
		pages := secretsmanager.NewListSecretsPaginator(sm, &secretsmanager.ListSecretsInput{
			MaxResults: aws.Int32(1), SortOrder: smtypes.SortOrderTypeAsc,
			Filters: []smtypes.Filter{{Key: smtypes.FilterNameStringTypeName, Values: []string{prefix}}},
		})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			must(err)
			for _, s := range page.SecretList {
				names = append(names, aws.ToString(s.Name))
			}
		}
		eq(names, []string{prefix + "a", prefix + "b", prefix + "c"}, "paged names")
		byDescription, err := sm.ListSecrets(ctx, &secretsmanager.ListSecretsInput{Filters: []smtypes.Filter{
			{Key: smtypes.FilterNameStringTypeName, Values: []string{prefix}},
			{Key: smtypes.FilterNameStringTypeDescription, Values: []string{"bravo"}},
		}})
		must(err)
		eq(len(byDescription.SecretList), 1, "description filter")
		eq(aws.ToString(byDescription.SecretList[0].Name), prefix+"b", "description filter")
	})

	register("secrets: errors as AWS gives them", func() {
		_, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name("missing"))})
		expectError(err, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
		n := name("errors")
		createSecret(&secretsmanager.CreateSecretInput{Name: aws.String(n), SecretString: aws.String("x")})
		_, err = sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(n), SecretString: aws.String("y")})
		expectError(err, "ResourceExistsException", "")
		_, err = sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(n), SecretString: aws.String("a"), SecretBinary: []byte("b")})
		expectError(err, "InvalidParameterException", "")
		_, err = sm.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String(n)})
		expectError(err, "InvalidRequestException", "No Lambda rotation function ARN is associated with this secret.")
		_, err = sm.CancelRotateSecret(ctx, &secretsmanager.CancelRotateSecretInput{SecretId: aws.String(n)})
		expectError(err, "InvalidRequestException", "")
	})

	register("secrets: DeleteSecret with a recovery window, RestoreSecret, forced deletion", func() {
		n := name("deleted")
		createSecret(&secretsmanager.CreateSecretInput{Name: aws.String(n), SecretString: aws.String("x")})
		deleted, err := sm.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String(n), RecoveryWindowInDays: aws.Int64(7)})
		must(err)
		if deleted.DeletionDate == nil || deleted.DeletionDate.Before(time.Now().Add(6*24*time.Hour)) {
			fail("DeletionDate %v", deleted.DeletionDate)
		}
		_, err = sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(n)})
		expectError(err, "InvalidRequestException", "You can't perform this operation on the secret because it was marked for deletion.")
		_, err = sm.RestoreSecret(ctx, &secretsmanager.RestoreSecretInput{SecretId: aws.String(n)})
		must(err)
		eq(secretString(sm, n, ""), "x", "restored value")
		_, err = sm.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String(n), ForceDeleteWithoutRecovery: aws.Bool(true)})
		must(err)
		_, err = sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(n)})
		expectError(err, "ResourceNotFoundException", "")
	})

	register("secrets: GetRandomPassword and resource policies", func() {
		password, err := sm.GetRandomPassword(ctx, &secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(40), ExcludePunctuation: aws.Bool(true)})
		must(err)
		if !regexp.MustCompile(`^[A-Za-z0-9]{40}$`).MatchString(aws.ToString(password.RandomPassword)) {
			fail("RandomPassword %q", aws.ToString(password.RandomPassword))
		}
		n := name("policy")
		createSecret(&secretsmanager.CreateSecretInput{Name: aws.String(n), SecretString: aws.String("x")})
		policy := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:root"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`, account)
		valid, err := sm.ValidateResourcePolicy(ctx, &secretsmanager.ValidateResourcePolicyInput{ResourcePolicy: aws.String(policy)})
		must(err)
		eq(valid.PolicyValidationPassed, true, "PolicyValidationPassed")
		_, err = sm.PutResourcePolicy(ctx, &secretsmanager.PutResourcePolicyInput{SecretId: aws.String(n), ResourcePolicy: aws.String(policy)})
		must(err)
		got, err := sm.GetResourcePolicy(ctx, &secretsmanager.GetResourcePolicyInput{SecretId: aws.String(n)})
		must(err)
		eq(aws.ToString(got.ResourcePolicy), policy, "ResourcePolicy")
		_, err = sm.DeleteResourcePolicy(ctx, &secretsmanager.DeleteResourcePolicyInput{SecretId: aws.String(n)})
		must(err)
	})

	register("secrets: a rotation through a registered function", func() {
		function := os.Getenv("ROTATION_FUNCTION_ARN")
		if function == "" {
			fmt.Println("      (no rotation function given: RotateSecret is checked for its errors only)")
			return
		}
		n := name("rotated")
		createSecret(&secretsmanager.CreateSecretInput{Name: aws.String(n), SecretString: aws.String(`{"api_key": "original"}`)})
		started, err := sm.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String(n), RotationLambdaARN: aws.String(function), RotationRules: &smtypes.RotationRulesType{AutomaticallyAfterDays: aws.Int64(30)}})
		must(err)
		deadline := time.Now().Add(2 * time.Minute)
		for {
			described, err := sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(n)})
			must(err)
			if reflect.DeepEqual(described.VersionIdsToStages[aws.ToString(started.VersionId)], []string{"AWSCURRENT"}) {
				eq(aws.ToBool(described.RotationEnabled), true, "RotationEnabled")
				break
			}
			if time.Now().After(deadline) {
				fail("the rotation did not finish: %v", described.VersionIdsToStages)
			}
			time.Sleep(200 * time.Millisecond)
		}
		if strings.Contains(secretString(sm, n, ""), "original") {
			fail("the value was not rotated")
		}
	})

	register("secrets: replication to other regions", func() {
		n := name("replicated")
		replica := secretsmanager.NewFromConfig(configFor(replicaRegion, keys))
		created := createSecret(&secretsmanager.CreateSecretInput{Name: aws.String(n), SecretString: aws.String("v1"), AddReplicaRegions: []smtypes.ReplicaRegionType{{Region: aws.String(replicaRegion)}}})
		eq(len(created.ReplicationStatus), 1, "ReplicationStatus")
		eq(created.ReplicationStatus[0].Status, smtypes.StatusTypeInSync, "Status")
		eq(aws.ToString(created.ReplicationStatus[0].StatusMessage), "Replication succeeded", "StatusMessage")
		_, err := sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(n), SecretString: aws.String("v2")})
		must(err)
		eq(secretString(replica, n, ""), "v2", "the replica's value")
		described, err := replica.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(n)})
		must(err)
		eq(aws.ToString(described.PrimaryRegion), region, "PrimaryRegion")
		eq(aws.ToString(described.ARN), strings.Replace(aws.ToString(created.ARN), ":"+region+":", ":"+replicaRegion+":", 1), "replica ARN")
		_, err = replica.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(n), SecretString: aws.String("x")})
		expectError(err, "InvalidParameterException", "Operation not permitted on a replica secret. Call must be made in primary secret's region.")

		more, err := sm.ReplicateSecretToRegions(ctx, &secretsmanager.ReplicateSecretToRegionsInput{SecretId: aws.String(n), AddReplicaRegions: []smtypes.ReplicaRegionType{{Region: aws.String(otherRegion)}}})
		must(err)
		eq(len(more.ReplicationStatus), 2, "two replicas")
		inRegion, err := replica.ListSecrets(ctx, &secretsmanager.ListSecretsInput{Filters: []smtypes.Filter{
			{Key: smtypes.FilterNameStringTypeName, Values: []string{n}},
			{Key: smtypes.FilterNameStringTypePrimaryRegion, Values: []string{region}},
		}})
		must(err)
		eq(len(inRegion.SecretList), 1, "primary-region filter")
		_, err = sm.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String(n)})
		expectError(err, "InvalidParameterException", fmt.Sprintf("You can't delete secret %s that still has replica regions [%s, %s].", aws.ToString(created.ARN), replicaRegion, otherRegion))
		removed, err := sm.RemoveRegionsFromReplication(ctx, &secretsmanager.RemoveRegionsFromReplicationInput{SecretId: aws.String(n), RemoveReplicaRegions: []string{otherRegion}})
		must(err)
		eq(len(removed.ReplicationStatus), 1, "after RemoveRegionsFromReplication")
		stopped, err := replica.StopReplicationToReplica(ctx, &secretsmanager.StopReplicationToReplicaInput{SecretId: aws.String(n)})
		must(err)
		eq(aws.ToString(stopped.ARN), aws.ToString(described.ARN), "promoted ARN")
		_, err = sm.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String(n), ForceDeleteWithoutRecovery: aws.Bool(true)})
		must(err)
	})
}

// --- KMS ----------------------------------------------------------------------------------------

func newKey(description string) kmstypes.KeyMetadata {
	out, err := km.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String(description), Tags: []kmstypes.Tag{{TagKey: aws.String("run"), TagValue: aws.String(run)}}})
	must(err)
	return *out.KeyMetadata
}

func init() {
	register("kms: keys and aliases", func() {
		key := newKey("go key")
		eq(key.KeyState, kmstypes.KeyStateEnabled, "KeyState")
		eq(key.KeyManager, kmstypes.KeyManagerTypeCustomer, "KeyManager")
		alias := "alias/" + strings.ReplaceAll(name("key"), "/", "-")
		_, err := km.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(alias), TargetKeyId: key.KeyId})
		must(err)
		for _, id := range []string{aws.ToString(key.KeyId), aws.ToString(key.Arn), alias} {
			described, err := km.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
			must(err)
			eq(aws.ToString(described.KeyMetadata.KeyId), aws.ToString(key.KeyId), "DescribeKey "+id)
		}
		_, err = km.UpdateKeyDescription(ctx, &kms.UpdateKeyDescriptionInput{KeyId: key.KeyId, Description: aws.String("described again")})
		must(err)
		found := false
		pages := kms.NewListKeysPaginator(km, &kms.ListKeysInput{Limit: aws.Int32(2)})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			must(err)
			for _, k := range page.Keys {
				found = found || aws.ToString(k.KeyId) == aws.ToString(key.KeyId)
			}
		}
		eq(found, true, "ListKeys lists the key")
		aliases, err := km.ListAliases(ctx, &kms.ListAliasesInput{KeyId: key.KeyId})
		must(err)
		eq(len(aliases.Aliases), 1, "ListAliases for the key")
		other := newKey("go other key")
		_, err = km.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String(alias), TargetKeyId: other.KeyId})
		must(err)
		moved, err := km.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(alias)})
		must(err)
		eq(aws.ToString(moved.KeyMetadata.KeyId), aws.ToString(other.KeyId), "the alias moved")
		_, err = km.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String(alias)})
		must(err)
		missing := "mrk-" + randomHex(16)
		_, err = km.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(missing)})
		expectError(err, "NotFoundException", fmt.Sprintf("Key 'arn:aws:kms:%s:%s:key/%s' does not exist", region, account, missing))
	})

	register("kms: Encrypt, Decrypt, ReEncrypt, data keys, GenerateRandom", func() {
		key, other := newKey("go crypto"), newKey("go crypto other")
		encryptionContext := map[string]string{"purpose": "go"}
		encrypted, err := km.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyId, Plaintext: []byte("hello go"), EncryptionContext: encryptionContext})
		must(err)
		eq(aws.ToString(encrypted.KeyId), aws.ToString(key.Arn), "Encrypt KeyId")
		decrypted, err := km.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: encryptionContext})
		must(err)
		eq(decrypted.Plaintext, []byte("hello go"), "Plaintext")
		_, err = km.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: map[string]string{"purpose": "other"}})
		expectError(err, "InvalidCiphertextException", "")
		moved, err := km.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: encrypted.CiphertextBlob, SourceEncryptionContext: encryptionContext, DestinationKeyId: other.KeyId})
		must(err)
		eq(aws.ToString(moved.KeyId), aws.ToString(other.Arn), "ReEncrypt KeyId")
		dataKey, err := km.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: key.KeyId, KeySpec: kmstypes.DataKeySpecAes256})
		must(err)
		eq(len(dataKey.Plaintext), 32, "data key length")
		opened, err := km.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: dataKey.CiphertextBlob})
		must(err)
		eq(bytes.Equal(opened.Plaintext, dataKey.Plaintext), true, "the data key decrypts to itself")
		_, err = km.GenerateDataKeyWithoutPlaintext(ctx, &kms.GenerateDataKeyWithoutPlaintextInput{KeyId: key.KeyId, NumberOfBytes: aws.Int32(16)})
		must(err)
		random, err := km.GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: aws.Int32(24)})
		must(err)
		eq(len(random.Plaintext), 24, "GenerateRandom length")
	})

	register("kms: states, rotation, deletion, tags and policies", func() {
		key := newKey("go lifecycle")
		_, err := km.DisableKey(ctx, &kms.DisableKeyInput{KeyId: key.KeyId})
		must(err)
		_, err = km.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyId, Plaintext: []byte("x")})
		expectError(err, "DisabledException", aws.ToString(key.Arn)+" is disabled.")
		_, err = km.EnableKey(ctx, &kms.EnableKeyInput{KeyId: key.KeyId})
		must(err)
		_, err = km.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: key.KeyId})
		must(err)
		status, err := km.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: key.KeyId})
		must(err)
		eq(status.KeyRotationEnabled, true, "KeyRotationEnabled")
		_, err = km.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: key.KeyId})
		must(err)

		_, err = km.TagResource(ctx, &kms.TagResourceInput{KeyId: key.KeyId, Tags: []kmstypes.Tag{{TagKey: aws.String("team"), TagValue: aws.String("core")}}})
		must(err)
		_, err = km.UntagResource(ctx, &kms.UntagResourceInput{KeyId: key.KeyId, TagKeys: []string{"run"}})
		must(err)
		tags, err := km.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: key.KeyId})
		must(err)
		eq(len(tags.Tags), 1, "tags")
		eq(aws.ToString(tags.Tags[0].TagKey), "team", "tag key")
		policies, err := km.ListKeyPolicies(ctx, &kms.ListKeyPoliciesInput{KeyId: key.KeyId})
		must(err)
		eq(policies.PolicyNames, []string{"default"}, "PolicyNames")
		policy, err := km.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: key.KeyId, PolicyName: aws.String("default")})
		must(err)
		_, err = km.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: key.KeyId, PolicyName: aws.String("default"), Policy: policy.Policy})
		must(err)

		scheduled, err := km.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: key.KeyId, PendingWindowInDays: aws.Int32(7)})
		must(err)
		eq(scheduled.KeyState, kmstypes.KeyStatePendingDeletion, "KeyState after ScheduleKeyDeletion")
		_, err = km.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: key.KeyId})
		must(err)
		after, err := km.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: key.KeyId})
		must(err)
		eq(after.KeyMetadata.KeyState, kmstypes.KeyStateDisabled, "KeyState after CancelKeyDeletion")
	})
}

// --- STS (and the IAM role it assumes) ------------------------------------------------------------

func init() {
	register("sts: GetCallerIdentity, GetSessionToken, AssumeRole", func() {
		client := sts.NewFromConfig(configFor(region, keys))
		identity, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		must(err)
		eq(aws.ToString(identity.Account), account, "Account")
		eq(aws.ToString(identity.Arn), "arn:aws:iam::"+account+":root", "Arn")

		session, err := client.GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(900)})
		must(err)
		c := session.Credentials
		temporary := credentials.NewStaticCredentialsProvider(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
		again, err := sts.NewFromConfig(configFor(region, temporary)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		must(err)
		eq(aws.ToString(again.Arn), aws.ToString(identity.Arn), "the session's caller")

		readable := createSecret(&secretsmanager.CreateSecretInput{Name: aws.String(name("role/readable")), SecretString: aws.String("for the role")})
		hidden := createSecret(&secretsmanager.CreateSecretInput{Name: aws.String(name("role/hidden")), SecretString: aws.String("not for the role")})
		// The account trusts its IAM policies to say who assumes the role: here a user allowed to (the root may not, as in AWS).
		roleName := strings.ReplaceAll(name("reader"), "/", "-")
		directory := iam.NewFromConfig(configFor(region, keys))
		trust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:root"},"Action":"sts:AssumeRole"}]}`, account)
		role, err := directory.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(roleName), AssumeRolePolicyDocument: aws.String(trust)})
		must(err)
		allow := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"%s"}]}`, aws.ToString(readable.ARN))
		_, err = directory.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(roleName), PolicyName: aws.String("read-one"), PolicyDocument: aws.String(allow)})
		must(err)
		_, err = client.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: role.Role.Arn, RoleSessionName: aws.String("as-root")})
		expectAccessDenied(err, "Roles may not be assumed by root accounts.")
		userName := roleName + "-user"
		_, err = directory.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(userName)})
		must(err)
		mayAssume := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"%s"}]}`, aws.ToString(role.Role.Arn))
		_, err = directory.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(userName), PolicyName: aws.String("assume-reader"), PolicyDocument: aws.String(mayAssume)})
		must(err)
		userKey, err := directory.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(userName)})
		must(err)
		asUser := credentials.NewStaticCredentialsProvider(aws.ToString(userKey.AccessKey.AccessKeyId), aws.ToString(userKey.AccessKey.SecretAccessKey), "")
		assumed, err := sts.NewFromConfig(configFor(region, asUser)).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: role.Role.Arn, RoleSessionName: aws.String("go-session")})
		must(err)
		eq(aws.ToString(assumed.AssumedRoleUser.Arn), fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/go-session", account, roleName), "AssumedRoleUser")
		r := assumed.Credentials
		asRole := configFor(region, credentials.NewStaticCredentialsProvider(aws.ToString(r.AccessKeyId), aws.ToString(r.SecretAccessKey), aws.ToString(r.SessionToken)))
		who, err := sts.NewFromConfig(asRole).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		must(err)
		eq(aws.ToString(who.Arn), aws.ToString(assumed.AssumedRoleUser.Arn), "the role session's caller")
		roleSecrets := secretsmanager.NewFromConfig(asRole)
		eq(secretString(roleSecrets, aws.ToString(readable.ARN), ""), "for the role", "what the role may read")
		_, err = roleSecrets.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: hidden.ARN})
		expectError(err, "AccessDeniedException", "")
	})
}

// --- CloudTrail ---------------------------------------------------------------------------------

func init() {
	register("cloudtrail: LookupEvents finds this program's calls, and pages", func() {
		n := name("audited")
		created := createSecret(&secretsmanager.CreateSecretInput{Name: aws.String(n), SecretString: aws.String("x")})
		secretString(sm, n, "")
		trail := cloudtrail.NewFromConfig(configFor(region, keys))
		byResource := []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyResourceName, AttributeValue: created.ARN}}
		events, err := trail.LookupEvents(ctx, &cloudtrail.LookupEventsInput{LookupAttributes: byResource})
		must(err)
		var names []string
		for _, e := range events.Events {
			names = append(names, aws.ToString(e.EventName))
			eq(aws.ToString(e.EventSource), "secretsmanager.amazonaws.com", "EventSource")
			if e.EventTime == nil || time.Since(*e.EventTime) > 10*time.Minute {
				fail("EventTime %v", e.EventTime)
			}
			if !strings.Contains(aws.ToString(e.CloudTrailEvent), aws.ToString(e.EventId)) {
				fail("CloudTrailEvent does not carry its EventId")
			}
		}
		eq(names, []string{"GetSecretValue", "CreateSecret"}, "events, newest first")
		var paged []string
		pages := cloudtrail.NewLookupEventsPaginator(trail, &cloudtrail.LookupEventsInput{LookupAttributes: byResource, MaxResults: aws.Int32(1)})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			must(err)
			for _, e := range page.Events {
				paged = append(paged, aws.ToString(e.EventName))
			}
		}
		eq(paged, names, "paged events")
		_, err = trail.LookupEvents(ctx, &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(51)})
		expectError(err, "InvalidMaxResultsException", "")
	})
}
