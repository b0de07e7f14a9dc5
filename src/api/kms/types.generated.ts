// GENERATED FILE - DO NOT EDIT.
// Generated from the botocore model kms/service-2.json (API version 2014-11-01)
// by scripts/generate-models.js; re-run `npm run generate-models` to refresh.
// Requests and responses as handlers see them: timestamps in epoch seconds, blobs as base64 text.

/**
 * Each operation's request (`input`: `object` where the model has no input shape, so the
 * body goes unvalidated) and response (`output`: `void` where the model has none).
 */
export interface Operations {
  CancelKeyDeletion: { input: CancelKeyDeletionRequest; output: CancelKeyDeletionResponse };
  ConnectCustomKeyStore: { input: ConnectCustomKeyStoreRequest; output: ConnectCustomKeyStoreResponse };
  CreateAlias: { input: CreateAliasRequest; output: void };
  CreateCustomKeyStore: { input: CreateCustomKeyStoreRequest; output: CreateCustomKeyStoreResponse };
  CreateGrant: { input: CreateGrantRequest; output: CreateGrantResponse };
  CreateKey: { input: CreateKeyRequest; output: CreateKeyResponse };
  Decrypt: { input: DecryptRequest; output: DecryptResponse };
  DeleteAlias: { input: DeleteAliasRequest; output: void };
  DeleteCustomKeyStore: { input: DeleteCustomKeyStoreRequest; output: DeleteCustomKeyStoreResponse };
  DeleteImportedKeyMaterial: { input: DeleteImportedKeyMaterialRequest; output: DeleteImportedKeyMaterialResponse };
  DeriveSharedSecret: { input: DeriveSharedSecretRequest; output: DeriveSharedSecretResponse };
  DescribeCustomKeyStores: { input: DescribeCustomKeyStoresRequest; output: DescribeCustomKeyStoresResponse };
  DescribeKey: { input: DescribeKeyRequest; output: DescribeKeyResponse };
  DisableKey: { input: DisableKeyRequest; output: void };
  DisableKeyRotation: { input: DisableKeyRotationRequest; output: void };
  DisconnectCustomKeyStore: { input: DisconnectCustomKeyStoreRequest; output: DisconnectCustomKeyStoreResponse };
  EnableKey: { input: EnableKeyRequest; output: void };
  EnableKeyRotation: { input: EnableKeyRotationRequest; output: void };
  Encrypt: { input: EncryptRequest; output: EncryptResponse };
  GenerateDataKey: { input: GenerateDataKeyRequest; output: GenerateDataKeyResponse };
  GenerateDataKeyPair: { input: GenerateDataKeyPairRequest; output: GenerateDataKeyPairResponse };
  GenerateDataKeyPairWithoutPlaintext: { input: GenerateDataKeyPairWithoutPlaintextRequest; output: GenerateDataKeyPairWithoutPlaintextResponse };
  GenerateDataKeyWithoutPlaintext: { input: GenerateDataKeyWithoutPlaintextRequest; output: GenerateDataKeyWithoutPlaintextResponse };
  GenerateMac: { input: GenerateMacRequest; output: GenerateMacResponse };
  GenerateRandom: { input: GenerateRandomRequest; output: GenerateRandomResponse };
  GetKeyLastUsage: { input: GetKeyLastUsageRequest; output: GetKeyLastUsageResponse };
  GetKeyPolicy: { input: GetKeyPolicyRequest; output: GetKeyPolicyResponse };
  GetKeyRotationStatus: { input: GetKeyRotationStatusRequest; output: GetKeyRotationStatusResponse };
  GetParametersForImport: { input: GetParametersForImportRequest; output: GetParametersForImportResponse };
  GetPublicKey: { input: GetPublicKeyRequest; output: GetPublicKeyResponse };
  ImportKeyMaterial: { input: ImportKeyMaterialRequest; output: ImportKeyMaterialResponse };
  ListAliases: { input: ListAliasesRequest; output: ListAliasesResponse };
  ListGrants: { input: ListGrantsRequest; output: ListGrantsResponse };
  ListKeyPolicies: { input: ListKeyPoliciesRequest; output: ListKeyPoliciesResponse };
  ListKeyRotations: { input: ListKeyRotationsRequest; output: ListKeyRotationsResponse };
  ListKeys: { input: ListKeysRequest; output: ListKeysResponse };
  ListResourceTags: { input: ListResourceTagsRequest; output: ListResourceTagsResponse };
  ListRetirableGrants: { input: ListRetirableGrantsRequest; output: ListGrantsResponse };
  PutKeyPolicy: { input: PutKeyPolicyRequest; output: void };
  ReEncrypt: { input: ReEncryptRequest; output: ReEncryptResponse };
  ReplicateKey: { input: ReplicateKeyRequest; output: ReplicateKeyResponse };
  RetireGrant: { input: RetireGrantRequest; output: void };
  RevokeGrant: { input: RevokeGrantRequest; output: void };
  RotateKeyOnDemand: { input: RotateKeyOnDemandRequest; output: RotateKeyOnDemandResponse };
  ScheduleKeyDeletion: { input: ScheduleKeyDeletionRequest; output: ScheduleKeyDeletionResponse };
  Sign: { input: SignRequest; output: SignResponse };
  TagResource: { input: TagResourceRequest; output: void };
  UntagResource: { input: UntagResourceRequest; output: void };
  UpdateAlias: { input: UpdateAliasRequest; output: void };
  UpdateCustomKeyStore: { input: UpdateCustomKeyStoreRequest; output: UpdateCustomKeyStoreResponse };
  UpdateKeyDescription: { input: UpdateKeyDescriptionRequest; output: void };
  UpdatePrimaryRegion: { input: UpdatePrimaryRegionRequest; output: void };
  Verify: { input: VerifyRequest; output: VerifyResponse };
  VerifyMac: { input: VerifyMacRequest; output: VerifyMacResponse };
}

export type AlgorithmSpec = 'RSAES_PKCS1_V1_5' | 'RSAES_OAEP_SHA_1' | 'RSAES_OAEP_SHA_256' | 'RSA_AES_KEY_WRAP_SHA_1' | 'RSA_AES_KEY_WRAP_SHA_256' | 'SM2PKE';

export interface AliasListEntry {
  AliasName?: string;
  AliasArn?: string;
  TargetKeyId?: string;
  CreationDate?: number;
  LastUpdatedDate?: number;
}

export interface CancelKeyDeletionRequest {
  KeyId: string;
}

export interface CancelKeyDeletionResponse {
  KeyId?: string;
}

export interface ConnectCustomKeyStoreRequest {
  CustomKeyStoreId: string;
}

export interface ConnectCustomKeyStoreResponse {}

export type ConnectionErrorCodeType = 'INVALID_CREDENTIALS' | 'CLUSTER_NOT_FOUND' | 'NETWORK_ERRORS' | 'INTERNAL_ERROR' | 'INSUFFICIENT_CLOUDHSM_HSMS' | 'USER_LOCKED_OUT' | 'USER_NOT_FOUND' | 'USER_LOGGED_IN' | 'SUBNET_NOT_FOUND' | 'INSUFFICIENT_FREE_ADDRESSES_IN_SUBNET' | 'XKS_PROXY_ACCESS_DENIED' | 'XKS_PROXY_NOT_REACHABLE' | 'XKS_VPC_ENDPOINT_SERVICE_NOT_FOUND' | 'XKS_PROXY_INVALID_RESPONSE' | 'XKS_PROXY_INVALID_CONFIGURATION' | 'XKS_VPC_ENDPOINT_SERVICE_INVALID_CONFIGURATION' | 'XKS_PROXY_TIMED_OUT' | 'XKS_PROXY_INVALID_TLS_CONFIGURATION';

export type ConnectionStateType = 'CONNECTED' | 'CONNECTING' | 'FAILED' | 'DISCONNECTED' | 'DISCONNECTING';

export interface CreateAliasRequest {
  AliasName: string;
  TargetKeyId: string;
}

export interface CreateCustomKeyStoreRequest {
  CustomKeyStoreName: string;
  CloudHsmClusterId?: string;
  TrustAnchorCertificate?: string;
  KeyStorePassword?: string;
  CustomKeyStoreType?: CustomKeyStoreType;
  XksProxyUriEndpoint?: string;
  XksProxyUriPath?: string;
  XksProxyVpcEndpointServiceName?: string;
  XksProxyVpcEndpointServiceOwner?: string;
  XksProxyAuthenticationCredential?: XksProxyAuthenticationCredentialType;
  XksProxyConnectivity?: XksProxyConnectivityType;
}

export interface CreateCustomKeyStoreResponse {
  CustomKeyStoreId?: string;
}

export interface CreateGrantRequest {
  KeyId: string;
  GranteePrincipal: string;
  RetiringPrincipal?: string;
  Operations: GrantOperation[];
  Constraints?: GrantConstraints;
  GrantTokens?: string[];
  Name?: string;
  DryRun?: boolean;
}

export interface CreateGrantResponse {
  GrantToken?: string;
  GrantId?: string;
}

export interface CreateKeyRequest {
  Policy?: string;
  Description?: string;
  KeyUsage?: KeyUsageType;
  CustomerMasterKeySpec?: CustomerMasterKeySpec;
  KeySpec?: KeySpec;
  Origin?: OriginType;
  CustomKeyStoreId?: string;
  BypassPolicyLockoutSafetyCheck?: boolean;
  Tags?: Tag[];
  MultiRegion?: boolean;
  XksKeyId?: string;
}

export interface CreateKeyResponse {
  KeyMetadata?: KeyMetadata;
}

export type CustomKeyStoreType = 'AWS_CLOUDHSM' | 'EXTERNAL_KEY_STORE';

export interface CustomKeyStoresListEntry {
  CustomKeyStoreId?: string;
  CustomKeyStoreName?: string;
  CloudHsmClusterId?: string;
  TrustAnchorCertificate?: string;
  ConnectionState?: ConnectionStateType;
  ConnectionErrorCode?: ConnectionErrorCodeType;
  CreationDate?: number;
  CustomKeyStoreType?: CustomKeyStoreType;
  XksProxyConfiguration?: XksProxyConfigurationType;
}

export type CustomerMasterKeySpec = 'RSA_2048' | 'RSA_3072' | 'RSA_4096' | 'ECC_NIST_P256' | 'ECC_NIST_P384' | 'ECC_NIST_P521' | 'ECC_SECG_P256K1' | 'SYMMETRIC_DEFAULT' | 'HMAC_224' | 'HMAC_256' | 'HMAC_384' | 'HMAC_512' | 'SM2';

export type DataKeyPairSpec = 'RSA_2048' | 'RSA_3072' | 'RSA_4096' | 'ECC_NIST_P256' | 'ECC_NIST_P384' | 'ECC_NIST_P521' | 'ECC_SECG_P256K1' | 'SM2' | 'ECC_NIST_EDWARDS25519';

export type DataKeySpec = 'AES_256' | 'AES_128';

export interface DecryptRequest {
  CiphertextBlob?: string;
  EncryptionContext?: Record<string, string>;
  GrantTokens?: string[];
  KeyId?: string;
  EncryptionAlgorithm?: EncryptionAlgorithmSpec;
  Recipient?: RecipientInfo;
  DryRun?: boolean;
  DryRunModifiers?: DryRunModifierType[];
}

export interface DecryptResponse {
  KeyId?: string;
  Plaintext?: string;
  EncryptionAlgorithm?: EncryptionAlgorithmSpec;
  CiphertextForRecipient?: string;
  KeyMaterialId?: string;
}

export interface DeleteAliasRequest {
  AliasName: string;
}

export interface DeleteCustomKeyStoreRequest {
  CustomKeyStoreId: string;
}

export interface DeleteCustomKeyStoreResponse {}

export interface DeleteImportedKeyMaterialRequest {
  KeyId: string;
  KeyMaterialId?: string;
}

export interface DeleteImportedKeyMaterialResponse {
  KeyId?: string;
  KeyMaterialId?: string;
}

export interface DeriveSharedSecretRequest {
  KeyId: string;
  KeyAgreementAlgorithm: KeyAgreementAlgorithmSpec;
  PublicKey: string;
  GrantTokens?: string[];
  DryRun?: boolean;
  Recipient?: RecipientInfo;
}

export interface DeriveSharedSecretResponse {
  KeyId?: string;
  SharedSecret?: string;
  CiphertextForRecipient?: string;
  KeyAgreementAlgorithm?: KeyAgreementAlgorithmSpec;
  KeyOrigin?: OriginType;
}

export interface DescribeCustomKeyStoresRequest {
  CustomKeyStoreId?: string;
  CustomKeyStoreName?: string;
  Limit?: number;
  Marker?: string;
}

export interface DescribeCustomKeyStoresResponse {
  CustomKeyStores?: CustomKeyStoresListEntry[];
  NextMarker?: string;
  Truncated?: boolean;
}

export interface DescribeKeyRequest {
  KeyId: string;
  GrantTokens?: string[];
}

export interface DescribeKeyResponse {
  KeyMetadata?: KeyMetadata;
}

export interface DisableKeyRequest {
  KeyId: string;
}

export interface DisableKeyRotationRequest {
  KeyId: string;
}

export interface DisconnectCustomKeyStoreRequest {
  CustomKeyStoreId: string;
}

export interface DisconnectCustomKeyStoreResponse {}

export type DryRunModifierType = 'IGNORE_CIPHERTEXT';

export interface EnableKeyRequest {
  KeyId: string;
}

export interface EnableKeyRotationRequest {
  KeyId: string;
  RotationPeriodInDays?: number;
}

export interface EncryptRequest {
  KeyId: string;
  Plaintext: string;
  EncryptionContext?: Record<string, string>;
  GrantTokens?: string[];
  EncryptionAlgorithm?: EncryptionAlgorithmSpec;
  DryRun?: boolean;
}

export interface EncryptResponse {
  CiphertextBlob?: string;
  KeyId?: string;
  EncryptionAlgorithm?: EncryptionAlgorithmSpec;
}

export type EncryptionAlgorithmSpec = 'SYMMETRIC_DEFAULT' | 'RSAES_OAEP_SHA_1' | 'RSAES_OAEP_SHA_256' | 'SM2PKE';

export type ExpirationModelType = 'KEY_MATERIAL_EXPIRES' | 'KEY_MATERIAL_DOES_NOT_EXPIRE';

export interface GenerateDataKeyPairRequest {
  EncryptionContext?: Record<string, string>;
  KeyId: string;
  KeyPairSpec: DataKeyPairSpec;
  GrantTokens?: string[];
  Recipient?: RecipientInfo;
  DryRun?: boolean;
}

export interface GenerateDataKeyPairResponse {
  PrivateKeyCiphertextBlob?: string;
  PrivateKeyPlaintext?: string;
  PublicKey?: string;
  KeyId?: string;
  KeyPairSpec?: DataKeyPairSpec;
  CiphertextForRecipient?: string;
  KeyMaterialId?: string;
}

export interface GenerateDataKeyPairWithoutPlaintextRequest {
  EncryptionContext?: Record<string, string>;
  KeyId: string;
  KeyPairSpec: DataKeyPairSpec;
  GrantTokens?: string[];
  DryRun?: boolean;
}

export interface GenerateDataKeyPairWithoutPlaintextResponse {
  PrivateKeyCiphertextBlob?: string;
  PublicKey?: string;
  KeyId?: string;
  KeyPairSpec?: DataKeyPairSpec;
  KeyMaterialId?: string;
}

export interface GenerateDataKeyRequest {
  KeyId: string;
  EncryptionContext?: Record<string, string>;
  NumberOfBytes?: number;
  KeySpec?: DataKeySpec;
  GrantTokens?: string[];
  Recipient?: RecipientInfo;
  DryRun?: boolean;
}

export interface GenerateDataKeyResponse {
  CiphertextBlob?: string;
  Plaintext?: string;
  KeyId?: string;
  CiphertextForRecipient?: string;
  KeyMaterialId?: string;
}

export interface GenerateDataKeyWithoutPlaintextRequest {
  KeyId: string;
  EncryptionContext?: Record<string, string>;
  KeySpec?: DataKeySpec;
  NumberOfBytes?: number;
  GrantTokens?: string[];
  DryRun?: boolean;
}

export interface GenerateDataKeyWithoutPlaintextResponse {
  CiphertextBlob?: string;
  KeyId?: string;
  KeyMaterialId?: string;
}

export interface GenerateMacRequest {
  Message: string;
  KeyId: string;
  MacAlgorithm: MacAlgorithmSpec;
  GrantTokens?: string[];
  DryRun?: boolean;
}

export interface GenerateMacResponse {
  Mac?: string;
  MacAlgorithm?: MacAlgorithmSpec;
  KeyId?: string;
}

export interface GenerateRandomRequest {
  NumberOfBytes?: number;
  CustomKeyStoreId?: string;
  Recipient?: RecipientInfo;
}

export interface GenerateRandomResponse {
  Plaintext?: string;
  CiphertextForRecipient?: string;
}

export interface GetKeyLastUsageRequest {
  KeyId: string;
}

export interface GetKeyLastUsageResponse {
  KeyId?: string;
  KeyLastUsage?: KeyLastUsageData;
  TrackingStartDate?: number;
  KeyCreationDate?: number;
}

export interface GetKeyPolicyRequest {
  KeyId: string;
  PolicyName?: string;
}

export interface GetKeyPolicyResponse {
  Policy?: string;
  PolicyName?: string;
}

export interface GetKeyRotationStatusRequest {
  KeyId: string;
}

export interface GetKeyRotationStatusResponse {
  KeyRotationEnabled?: boolean;
  KeyId?: string;
  RotationPeriodInDays?: number;
  NextRotationDate?: number;
  OnDemandRotationStartDate?: number;
}

export interface GetParametersForImportRequest {
  KeyId: string;
  WrappingAlgorithm: AlgorithmSpec;
  WrappingKeySpec: WrappingKeySpec;
}

export interface GetParametersForImportResponse {
  KeyId?: string;
  ImportToken?: string;
  PublicKey?: string;
  ParametersValidTo?: number;
}

export interface GetPublicKeyRequest {
  KeyId: string;
  GrantTokens?: string[];
}

export interface GetPublicKeyResponse {
  KeyId?: string;
  PublicKey?: string;
  CustomerMasterKeySpec?: CustomerMasterKeySpec;
  KeySpec?: KeySpec;
  KeyUsage?: KeyUsageType;
  EncryptionAlgorithms?: EncryptionAlgorithmSpec[];
  SigningAlgorithms?: SigningAlgorithmSpec[];
  KeyAgreementAlgorithms?: KeyAgreementAlgorithmSpec[];
}

export interface GrantConstraints {
  EncryptionContextSubset?: Record<string, string>;
  EncryptionContextEquals?: Record<string, string>;
}

export interface GrantListEntry {
  KeyId?: string;
  GrantId?: string;
  Name?: string;
  CreationDate?: number;
  GranteePrincipal?: string;
  RetiringPrincipal?: string;
  IssuingAccount?: string;
  Operations?: GrantOperation[];
  Constraints?: GrantConstraints;
}

export type GrantOperation = 'Decrypt' | 'Encrypt' | 'GenerateDataKey' | 'GenerateDataKeyWithoutPlaintext' | 'ReEncryptFrom' | 'ReEncryptTo' | 'Sign' | 'Verify' | 'GetPublicKey' | 'CreateGrant' | 'RetireGrant' | 'DescribeKey' | 'GenerateDataKeyPair' | 'GenerateDataKeyPairWithoutPlaintext' | 'GenerateMac' | 'VerifyMac' | 'DeriveSharedSecret';

export interface ImportKeyMaterialRequest {
  KeyId: string;
  ImportToken: string;
  EncryptedKeyMaterial: string;
  ValidTo?: number;
  ExpirationModel?: ExpirationModelType;
  ImportType?: ImportType;
  KeyMaterialDescription?: string;
  KeyMaterialId?: string;
}

export interface ImportKeyMaterialResponse {
  KeyId?: string;
  KeyMaterialId?: string;
}

export type ImportState = 'IMPORTED' | 'PENDING_IMPORT';

export type ImportType = 'NEW_KEY_MATERIAL' | 'EXISTING_KEY_MATERIAL';

export type IncludeKeyMaterial = 'ALL_KEY_MATERIAL' | 'ROTATIONS_ONLY';

export type KeyAgreementAlgorithmSpec = 'ECDH';

export type KeyEncryptionMechanism = 'RSAES_OAEP_SHA_256';

export interface KeyLastUsageData {
  Operation?: KeyLastUsageTrackingOperation;
  Timestamp?: number;
  CloudTrailEventId?: string;
  KmsRequestId?: string;
}

export type KeyLastUsageTrackingOperation = 'Decrypt' | 'DeriveSharedSecret' | 'Encrypt' | 'GenerateDataKey' | 'GenerateDataKeyPair' | 'GenerateDataKeyPairWithoutPlaintext' | 'GenerateDataKeyWithoutPlaintext' | 'GenerateMac' | 'ReEncrypt' | 'Sign' | 'Verify' | 'VerifyMac';

export interface KeyListEntry {
  KeyId?: string;
  KeyArn?: string;
}

export type KeyManagerType = 'AWS' | 'CUSTOMER';

export type KeyMaterialState = 'NON_CURRENT' | 'CURRENT' | 'PENDING_ROTATION' | 'PENDING_MULTI_REGION_IMPORT_AND_ROTATION';

export interface KeyMetadata {
  AWSAccountId?: string;
  KeyId: string;
  Arn?: string;
  CreationDate?: number;
  Enabled?: boolean;
  Description?: string;
  KeyUsage?: KeyUsageType;
  KeyState?: KeyState;
  DeletionDate?: number;
  ValidTo?: number;
  Origin?: OriginType;
  CustomKeyStoreId?: string;
  CloudHsmClusterId?: string;
  ExpirationModel?: ExpirationModelType;
  KeyManager?: KeyManagerType;
  CustomerMasterKeySpec?: CustomerMasterKeySpec;
  KeySpec?: KeySpec;
  EncryptionAlgorithms?: EncryptionAlgorithmSpec[];
  SigningAlgorithms?: SigningAlgorithmSpec[];
  KeyAgreementAlgorithms?: KeyAgreementAlgorithmSpec[];
  MultiRegion?: boolean;
  MultiRegionConfiguration?: MultiRegionConfiguration;
  PendingDeletionWindowInDays?: number;
  MacAlgorithms?: MacAlgorithmSpec[];
  XksKeyConfiguration?: XksKeyConfigurationType;
  CurrentKeyMaterialId?: string;
}

export type KeySpec = 'RSA_2048' | 'RSA_3072' | 'RSA_4096' | 'ECC_NIST_P256' | 'ECC_NIST_P384' | 'ECC_NIST_P521' | 'ECC_SECG_P256K1' | 'SYMMETRIC_DEFAULT' | 'HMAC_224' | 'HMAC_256' | 'HMAC_384' | 'HMAC_512' | 'SM2' | 'ML_DSA_44' | 'ML_DSA_65' | 'ML_DSA_87' | 'ECC_NIST_EDWARDS25519';

export type KeyState = 'Creating' | 'Enabled' | 'Disabled' | 'PendingDeletion' | 'PendingImport' | 'PendingReplicaDeletion' | 'Unavailable' | 'Updating';

export type KeyUsageType = 'SIGN_VERIFY' | 'ENCRYPT_DECRYPT' | 'GENERATE_VERIFY_MAC' | 'KEY_AGREEMENT';

export interface ListAliasesRequest {
  KeyId?: string;
  Limit?: number;
  Marker?: string;
}

export interface ListAliasesResponse {
  Aliases?: AliasListEntry[];
  NextMarker?: string;
  Truncated?: boolean;
}

export interface ListGrantsRequest {
  Limit?: number;
  Marker?: string;
  KeyId: string;
  GrantId?: string;
  GranteePrincipal?: string;
}

export interface ListGrantsResponse {
  Grants?: GrantListEntry[];
  NextMarker?: string;
  Truncated?: boolean;
}

export interface ListKeyPoliciesRequest {
  KeyId: string;
  Limit?: number;
  Marker?: string;
}

export interface ListKeyPoliciesResponse {
  PolicyNames?: string[];
  NextMarker?: string;
  Truncated?: boolean;
}

export interface ListKeyRotationsRequest {
  KeyId: string;
  IncludeKeyMaterial?: IncludeKeyMaterial;
  Limit?: number;
  Marker?: string;
}

export interface ListKeyRotationsResponse {
  Rotations?: RotationsListEntry[];
  NextMarker?: string;
  Truncated?: boolean;
}

export interface ListKeysRequest {
  Limit?: number;
  Marker?: string;
}

export interface ListKeysResponse {
  Keys?: KeyListEntry[];
  NextMarker?: string;
  Truncated?: boolean;
}

export interface ListResourceTagsRequest {
  KeyId: string;
  Limit?: number;
  Marker?: string;
}

export interface ListResourceTagsResponse {
  Tags?: Tag[];
  NextMarker?: string;
  Truncated?: boolean;
}

export interface ListRetirableGrantsRequest {
  Limit?: number;
  Marker?: string;
  RetiringPrincipal: string;
}

export type MacAlgorithmSpec = 'HMAC_SHA_224' | 'HMAC_SHA_256' | 'HMAC_SHA_384' | 'HMAC_SHA_512';

export type MessageType = 'RAW' | 'DIGEST' | 'EXTERNAL_MU';

export interface MultiRegionConfiguration {
  MultiRegionKeyType?: MultiRegionKeyType;
  PrimaryKey?: MultiRegionKey;
  ReplicaKeys?: MultiRegionKey[];
}

export interface MultiRegionKey {
  Arn?: string;
  Region?: string;
}

export type MultiRegionKeyType = 'PRIMARY' | 'REPLICA';

export type OriginType = 'AWS_KMS' | 'EXTERNAL' | 'AWS_CLOUDHSM' | 'EXTERNAL_KEY_STORE';

export interface PutKeyPolicyRequest {
  KeyId: string;
  PolicyName?: string;
  Policy: string;
  BypassPolicyLockoutSafetyCheck?: boolean;
}

export interface ReEncryptRequest {
  CiphertextBlob?: string;
  SourceEncryptionContext?: Record<string, string>;
  SourceKeyId?: string;
  DestinationKeyId: string;
  DestinationEncryptionContext?: Record<string, string>;
  SourceEncryptionAlgorithm?: EncryptionAlgorithmSpec;
  DestinationEncryptionAlgorithm?: EncryptionAlgorithmSpec;
  GrantTokens?: string[];
  DryRun?: boolean;
  DryRunModifiers?: DryRunModifierType[];
}

export interface ReEncryptResponse {
  CiphertextBlob?: string;
  SourceKeyId?: string;
  KeyId?: string;
  SourceEncryptionAlgorithm?: EncryptionAlgorithmSpec;
  DestinationEncryptionAlgorithm?: EncryptionAlgorithmSpec;
  SourceKeyMaterialId?: string;
  DestinationKeyMaterialId?: string;
}

export interface RecipientInfo {
  KeyEncryptionAlgorithm?: KeyEncryptionMechanism;
  AttestationDocument?: string;
}

export interface ReplicateKeyRequest {
  KeyId: string;
  ReplicaRegion: string;
  Policy?: string;
  BypassPolicyLockoutSafetyCheck?: boolean;
  Description?: string;
  Tags?: Tag[];
}

export interface ReplicateKeyResponse {
  ReplicaKeyMetadata?: KeyMetadata;
  ReplicaPolicy?: string;
  ReplicaTags?: Tag[];
}

export interface RetireGrantRequest {
  GrantToken?: string;
  KeyId?: string;
  GrantId?: string;
  DryRun?: boolean;
}

export interface RevokeGrantRequest {
  KeyId: string;
  GrantId: string;
  DryRun?: boolean;
}

export interface RotateKeyOnDemandRequest {
  KeyId: string;
}

export interface RotateKeyOnDemandResponse {
  KeyId?: string;
}

export type RotationType = 'AUTOMATIC' | 'ON_DEMAND';

export interface RotationsListEntry {
  KeyId?: string;
  KeyMaterialId?: string;
  KeyMaterialDescription?: string;
  ImportState?: ImportState;
  KeyMaterialState?: KeyMaterialState;
  ExpirationModel?: ExpirationModelType;
  ValidTo?: number;
  RotationDate?: number;
  RotationType?: RotationType;
}

export interface ScheduleKeyDeletionRequest {
  KeyId: string;
  PendingWindowInDays?: number;
}

export interface ScheduleKeyDeletionResponse {
  KeyId?: string;
  DeletionDate?: number;
  KeyState?: KeyState;
  PendingWindowInDays?: number;
}

export interface SignRequest {
  KeyId: string;
  Message: string;
  MessageType?: MessageType;
  GrantTokens?: string[];
  SigningAlgorithm: SigningAlgorithmSpec;
  DryRun?: boolean;
}

export interface SignResponse {
  KeyId?: string;
  Signature?: string;
  SigningAlgorithm?: SigningAlgorithmSpec;
}

export type SigningAlgorithmSpec = 'RSASSA_PSS_SHA_256' | 'RSASSA_PSS_SHA_384' | 'RSASSA_PSS_SHA_512' | 'RSASSA_PKCS1_V1_5_SHA_256' | 'RSASSA_PKCS1_V1_5_SHA_384' | 'RSASSA_PKCS1_V1_5_SHA_512' | 'ECDSA_SHA_256' | 'ECDSA_SHA_384' | 'ECDSA_SHA_512' | 'SM2DSA' | 'ML_DSA_SHAKE_256' | 'ED25519_SHA_512' | 'ED25519_PH_SHA_512';

export interface Tag {
  TagKey: string;
  TagValue: string;
}

export interface TagResourceRequest {
  KeyId: string;
  Tags: Tag[];
}

export interface UntagResourceRequest {
  KeyId: string;
  TagKeys: string[];
}

export interface UpdateAliasRequest {
  AliasName: string;
  TargetKeyId: string;
}

export interface UpdateCustomKeyStoreRequest {
  CustomKeyStoreId: string;
  NewCustomKeyStoreName?: string;
  KeyStorePassword?: string;
  CloudHsmClusterId?: string;
  XksProxyUriEndpoint?: string;
  XksProxyUriPath?: string;
  XksProxyVpcEndpointServiceName?: string;
  XksProxyVpcEndpointServiceOwner?: string;
  XksProxyAuthenticationCredential?: XksProxyAuthenticationCredentialType;
  XksProxyConnectivity?: XksProxyConnectivityType;
}

export interface UpdateCustomKeyStoreResponse {}

export interface UpdateKeyDescriptionRequest {
  KeyId: string;
  Description: string;
}

export interface UpdatePrimaryRegionRequest {
  KeyId: string;
  PrimaryRegion: string;
}

export interface VerifyMacRequest {
  Message: string;
  KeyId: string;
  MacAlgorithm: MacAlgorithmSpec;
  Mac: string;
  GrantTokens?: string[];
  DryRun?: boolean;
}

export interface VerifyMacResponse {
  KeyId?: string;
  MacValid?: boolean;
  MacAlgorithm?: MacAlgorithmSpec;
}

export interface VerifyRequest {
  KeyId: string;
  Message: string;
  MessageType?: MessageType;
  Signature: string;
  SigningAlgorithm: SigningAlgorithmSpec;
  GrantTokens?: string[];
  DryRun?: boolean;
}

export interface VerifyResponse {
  KeyId?: string;
  SignatureValid?: boolean;
  SigningAlgorithm?: SigningAlgorithmSpec;
}

export type WrappingKeySpec = 'RSA_2048' | 'RSA_3072' | 'RSA_4096' | 'SM2';

export interface XksKeyConfigurationType {
  Id?: string;
}

export interface XksProxyAuthenticationCredentialType {
  AccessKeyId: string;
  RawSecretAccessKey: string;
}

export interface XksProxyConfigurationType {
  Connectivity?: XksProxyConnectivityType;
  AccessKeyId?: string;
  UriEndpoint?: string;
  UriPath?: string;
  VpcEndpointServiceName?: string;
  VpcEndpointServiceOwner?: string;
}

export type XksProxyConnectivityType = 'PUBLIC_ENDPOINT' | 'VPC_ENDPOINT_SERVICE';
