// GENERATED FILE - DO NOT EDIT.
// Generated from the botocore model iam/service-2.json (API version 2010-05-08)
// by scripts/generate-models.js; re-run `npm run generate-models` to refresh.
// Requests and responses as handlers see them: timestamps in epoch seconds, blobs as base64 text.

/**
 * Each operation's request (`input`: `object` where the model has no input shape, so the
 * body goes unvalidated) and response (`output`: `void` where the model has none).
 */
export interface Operations {
  AcceptDelegationRequest: { input: AcceptDelegationRequestRequest; output: void };
  AddClientIDToOpenIDConnectProvider: { input: AddClientIDToOpenIDConnectProviderRequest; output: void };
  AddRoleToInstanceProfile: { input: AddRoleToInstanceProfileRequest; output: void };
  AddUserToGroup: { input: AddUserToGroupRequest; output: void };
  AssociateDelegationRequest: { input: AssociateDelegationRequestRequest; output: void };
  AttachGroupPolicy: { input: AttachGroupPolicyRequest; output: void };
  AttachRolePolicy: { input: AttachRolePolicyRequest; output: void };
  AttachUserPolicy: { input: AttachUserPolicyRequest; output: void };
  ChangePassword: { input: ChangePasswordRequest; output: void };
  CreateAccessKey: { input: CreateAccessKeyRequest; output: CreateAccessKeyResponse };
  CreateAccountAlias: { input: CreateAccountAliasRequest; output: void };
  CreateDelegationRequest: { input: CreateDelegationRequestRequest; output: CreateDelegationRequestResponse };
  CreateGroup: { input: CreateGroupRequest; output: CreateGroupResponse };
  CreateInstanceProfile: { input: CreateInstanceProfileRequest; output: CreateInstanceProfileResponse };
  CreateLoginProfile: { input: CreateLoginProfileRequest; output: CreateLoginProfileResponse };
  CreateOpenIDConnectProvider: { input: CreateOpenIDConnectProviderRequest; output: CreateOpenIDConnectProviderResponse };
  CreatePolicy: { input: CreatePolicyRequest; output: CreatePolicyResponse };
  CreatePolicyVersion: { input: CreatePolicyVersionRequest; output: CreatePolicyVersionResponse };
  CreateRole: { input: CreateRoleRequest; output: CreateRoleResponse };
  CreateSAMLProvider: { input: CreateSAMLProviderRequest; output: CreateSAMLProviderResponse };
  CreateServiceLinkedRole: { input: CreateServiceLinkedRoleRequest; output: CreateServiceLinkedRoleResponse };
  CreateServiceSpecificCredential: { input: CreateServiceSpecificCredentialRequest; output: CreateServiceSpecificCredentialResponse };
  CreateUser: { input: CreateUserRequest; output: CreateUserResponse };
  CreateVirtualMFADevice: { input: CreateVirtualMFADeviceRequest; output: CreateVirtualMFADeviceResponse };
  DeactivateMFADevice: { input: DeactivateMFADeviceRequest; output: void };
  DeleteAccessKey: { input: DeleteAccessKeyRequest; output: void };
  DeleteAccountAlias: { input: DeleteAccountAliasRequest; output: void };
  DeleteAccountPasswordPolicy: { input: object; output: void };
  DeleteGroup: { input: DeleteGroupRequest; output: void };
  DeleteGroupPolicy: { input: DeleteGroupPolicyRequest; output: void };
  DeleteInstanceProfile: { input: DeleteInstanceProfileRequest; output: void };
  DeleteLoginProfile: { input: DeleteLoginProfileRequest; output: void };
  DeleteOpenIDConnectProvider: { input: DeleteOpenIDConnectProviderRequest; output: void };
  DeletePolicy: { input: DeletePolicyRequest; output: void };
  DeletePolicyVersion: { input: DeletePolicyVersionRequest; output: void };
  DeleteRole: { input: DeleteRoleRequest; output: void };
  DeleteRolePermissionsBoundary: { input: DeleteRolePermissionsBoundaryRequest; output: void };
  DeleteRolePolicy: { input: DeleteRolePolicyRequest; output: void };
  DeleteSAMLProvider: { input: DeleteSAMLProviderRequest; output: void };
  DeleteSSHPublicKey: { input: DeleteSSHPublicKeyRequest; output: void };
  DeleteServerCertificate: { input: DeleteServerCertificateRequest; output: void };
  DeleteServiceLinkedRole: { input: DeleteServiceLinkedRoleRequest; output: DeleteServiceLinkedRoleResponse };
  DeleteServiceSpecificCredential: { input: DeleteServiceSpecificCredentialRequest; output: void };
  DeleteSigningCertificate: { input: DeleteSigningCertificateRequest; output: void };
  DeleteUser: { input: DeleteUserRequest; output: void };
  DeleteUserPermissionsBoundary: { input: DeleteUserPermissionsBoundaryRequest; output: void };
  DeleteUserPolicy: { input: DeleteUserPolicyRequest; output: void };
  DeleteVirtualMFADevice: { input: DeleteVirtualMFADeviceRequest; output: void };
  DetachGroupPolicy: { input: DetachGroupPolicyRequest; output: void };
  DetachRolePolicy: { input: DetachRolePolicyRequest; output: void };
  DetachUserPolicy: { input: DetachUserPolicyRequest; output: void };
  DisableOrganizationsRootCredentialsManagement: { input: DisableOrganizationsRootCredentialsManagementRequest; output: DisableOrganizationsRootCredentialsManagementResponse };
  DisableOrganizationsRootSessions: { input: DisableOrganizationsRootSessionsRequest; output: DisableOrganizationsRootSessionsResponse };
  DisableOutboundWebIdentityFederation: { input: object; output: void };
  EnableMFADevice: { input: EnableMFADeviceRequest; output: void };
  EnableOrganizationsRootCredentialsManagement: { input: EnableOrganizationsRootCredentialsManagementRequest; output: EnableOrganizationsRootCredentialsManagementResponse };
  EnableOrganizationsRootSessions: { input: EnableOrganizationsRootSessionsRequest; output: EnableOrganizationsRootSessionsResponse };
  EnableOutboundWebIdentityFederation: { input: object; output: EnableOutboundWebIdentityFederationResponse };
  GenerateCredentialReport: { input: object; output: GenerateCredentialReportResponse };
  GenerateOrganizationsAccessReport: { input: GenerateOrganizationsAccessReportRequest; output: GenerateOrganizationsAccessReportResponse };
  GenerateServiceLastAccessedDetails: { input: GenerateServiceLastAccessedDetailsRequest; output: GenerateServiceLastAccessedDetailsResponse };
  GetAccessKeyLastUsed: { input: GetAccessKeyLastUsedRequest; output: GetAccessKeyLastUsedResponse };
  GetAccountAuthorizationDetails: { input: GetAccountAuthorizationDetailsRequest; output: GetAccountAuthorizationDetailsResponse };
  GetAccountPasswordPolicy: { input: object; output: GetAccountPasswordPolicyResponse };
  GetAccountSummary: { input: object; output: GetAccountSummaryResponse };
  GetContextKeysForCustomPolicy: { input: GetContextKeysForCustomPolicyRequest; output: GetContextKeysForPolicyResponse };
  GetContextKeysForPrincipalPolicy: { input: GetContextKeysForPrincipalPolicyRequest; output: GetContextKeysForPolicyResponse };
  GetCredentialReport: { input: object; output: GetCredentialReportResponse };
  GetDelegationRequest: { input: GetDelegationRequestRequest; output: GetDelegationRequestResponse };
  GetGroup: { input: GetGroupRequest; output: GetGroupResponse };
  GetGroupPolicy: { input: GetGroupPolicyRequest; output: GetGroupPolicyResponse };
  GetHumanReadableSummary: { input: GetHumanReadableSummaryRequest; output: GetHumanReadableSummaryResponse };
  GetInstanceProfile: { input: GetInstanceProfileRequest; output: GetInstanceProfileResponse };
  GetLoginProfile: { input: GetLoginProfileRequest; output: GetLoginProfileResponse };
  GetMFADevice: { input: GetMFADeviceRequest; output: GetMFADeviceResponse };
  GetOpenIDConnectProvider: { input: GetOpenIDConnectProviderRequest; output: GetOpenIDConnectProviderResponse };
  GetOrganizationsAccessReport: { input: GetOrganizationsAccessReportRequest; output: GetOrganizationsAccessReportResponse };
  GetOutboundWebIdentityFederationInfo: { input: object; output: GetOutboundWebIdentityFederationInfoResponse };
  GetPolicy: { input: GetPolicyRequest; output: GetPolicyResponse };
  GetPolicyVersion: { input: GetPolicyVersionRequest; output: GetPolicyVersionResponse };
  GetRole: { input: GetRoleRequest; output: GetRoleResponse };
  GetRolePolicy: { input: GetRolePolicyRequest; output: GetRolePolicyResponse };
  GetSAMLProvider: { input: GetSAMLProviderRequest; output: GetSAMLProviderResponse };
  GetSSHPublicKey: { input: GetSSHPublicKeyRequest; output: GetSSHPublicKeyResponse };
  GetServerCertificate: { input: GetServerCertificateRequest; output: GetServerCertificateResponse };
  GetServiceLastAccessedDetails: { input: GetServiceLastAccessedDetailsRequest; output: GetServiceLastAccessedDetailsResponse };
  GetServiceLastAccessedDetailsWithEntities: { input: GetServiceLastAccessedDetailsWithEntitiesRequest; output: GetServiceLastAccessedDetailsWithEntitiesResponse };
  GetServiceLinkedRoleDeletionStatus: { input: GetServiceLinkedRoleDeletionStatusRequest; output: GetServiceLinkedRoleDeletionStatusResponse };
  GetUser: { input: GetUserRequest; output: GetUserResponse };
  GetUserPolicy: { input: GetUserPolicyRequest; output: GetUserPolicyResponse };
  ListAccessKeys: { input: ListAccessKeysRequest; output: ListAccessKeysResponse };
  ListAccountAliases: { input: ListAccountAliasesRequest; output: ListAccountAliasesResponse };
  ListAttachedGroupPolicies: { input: ListAttachedGroupPoliciesRequest; output: ListAttachedGroupPoliciesResponse };
  ListAttachedRolePolicies: { input: ListAttachedRolePoliciesRequest; output: ListAttachedRolePoliciesResponse };
  ListAttachedUserPolicies: { input: ListAttachedUserPoliciesRequest; output: ListAttachedUserPoliciesResponse };
  ListDelegationRequests: { input: ListDelegationRequestsRequest; output: ListDelegationRequestsResponse };
  ListEntitiesForPolicy: { input: ListEntitiesForPolicyRequest; output: ListEntitiesForPolicyResponse };
  ListGroupPolicies: { input: ListGroupPoliciesRequest; output: ListGroupPoliciesResponse };
  ListGroups: { input: ListGroupsRequest; output: ListGroupsResponse };
  ListGroupsForUser: { input: ListGroupsForUserRequest; output: ListGroupsForUserResponse };
  ListInstanceProfileTags: { input: ListInstanceProfileTagsRequest; output: ListInstanceProfileTagsResponse };
  ListInstanceProfiles: { input: ListInstanceProfilesRequest; output: ListInstanceProfilesResponse };
  ListInstanceProfilesForRole: { input: ListInstanceProfilesForRoleRequest; output: ListInstanceProfilesForRoleResponse };
  ListMFADeviceTags: { input: ListMFADeviceTagsRequest; output: ListMFADeviceTagsResponse };
  ListMFADevices: { input: ListMFADevicesRequest; output: ListMFADevicesResponse };
  ListOpenIDConnectProviderTags: { input: ListOpenIDConnectProviderTagsRequest; output: ListOpenIDConnectProviderTagsResponse };
  ListOpenIDConnectProviders: { input: ListOpenIDConnectProvidersRequest; output: ListOpenIDConnectProvidersResponse };
  ListOrganizationsFeatures: { input: ListOrganizationsFeaturesRequest; output: ListOrganizationsFeaturesResponse };
  ListPolicies: { input: ListPoliciesRequest; output: ListPoliciesResponse };
  ListPoliciesGrantingServiceAccess: { input: ListPoliciesGrantingServiceAccessRequest; output: ListPoliciesGrantingServiceAccessResponse };
  ListPolicyTags: { input: ListPolicyTagsRequest; output: ListPolicyTagsResponse };
  ListPolicyVersions: { input: ListPolicyVersionsRequest; output: ListPolicyVersionsResponse };
  ListRolePolicies: { input: ListRolePoliciesRequest; output: ListRolePoliciesResponse };
  ListRoleTags: { input: ListRoleTagsRequest; output: ListRoleTagsResponse };
  ListRoles: { input: ListRolesRequest; output: ListRolesResponse };
  ListSAMLProviderTags: { input: ListSAMLProviderTagsRequest; output: ListSAMLProviderTagsResponse };
  ListSAMLProviders: { input: ListSAMLProvidersRequest; output: ListSAMLProvidersResponse };
  ListSSHPublicKeys: { input: ListSSHPublicKeysRequest; output: ListSSHPublicKeysResponse };
  ListServerCertificateTags: { input: ListServerCertificateTagsRequest; output: ListServerCertificateTagsResponse };
  ListServerCertificates: { input: ListServerCertificatesRequest; output: ListServerCertificatesResponse };
  ListServiceSpecificCredentials: { input: ListServiceSpecificCredentialsRequest; output: ListServiceSpecificCredentialsResponse };
  ListSigningCertificates: { input: ListSigningCertificatesRequest; output: ListSigningCertificatesResponse };
  ListUserPolicies: { input: ListUserPoliciesRequest; output: ListUserPoliciesResponse };
  ListUserTags: { input: ListUserTagsRequest; output: ListUserTagsResponse };
  ListUsers: { input: ListUsersRequest; output: ListUsersResponse };
  ListVirtualMFADevices: { input: ListVirtualMFADevicesRequest; output: ListVirtualMFADevicesResponse };
  PutGroupPolicy: { input: PutGroupPolicyRequest; output: void };
  PutRolePermissionsBoundary: { input: PutRolePermissionsBoundaryRequest; output: void };
  PutRolePolicy: { input: PutRolePolicyRequest; output: void };
  PutUserPermissionsBoundary: { input: PutUserPermissionsBoundaryRequest; output: void };
  PutUserPolicy: { input: PutUserPolicyRequest; output: void };
  RejectDelegationRequest: { input: RejectDelegationRequestRequest; output: void };
  RemoveClientIDFromOpenIDConnectProvider: { input: RemoveClientIDFromOpenIDConnectProviderRequest; output: void };
  RemoveRoleFromInstanceProfile: { input: RemoveRoleFromInstanceProfileRequest; output: void };
  RemoveUserFromGroup: { input: RemoveUserFromGroupRequest; output: void };
  ResetServiceSpecificCredential: { input: ResetServiceSpecificCredentialRequest; output: ResetServiceSpecificCredentialResponse };
  ResyncMFADevice: { input: ResyncMFADeviceRequest; output: void };
  SendDelegationToken: { input: SendDelegationTokenRequest; output: void };
  SetDefaultPolicyVersion: { input: SetDefaultPolicyVersionRequest; output: void };
  SetSecurityTokenServicePreferences: { input: SetSecurityTokenServicePreferencesRequest; output: void };
  SimulateCustomPolicy: { input: SimulateCustomPolicyRequest; output: SimulatePolicyResponse };
  SimulatePrincipalPolicy: { input: SimulatePrincipalPolicyRequest; output: SimulatePolicyResponse };
  TagInstanceProfile: { input: TagInstanceProfileRequest; output: void };
  TagMFADevice: { input: TagMFADeviceRequest; output: void };
  TagOpenIDConnectProvider: { input: TagOpenIDConnectProviderRequest; output: void };
  TagPolicy: { input: TagPolicyRequest; output: void };
  TagRole: { input: TagRoleRequest; output: void };
  TagSAMLProvider: { input: TagSAMLProviderRequest; output: void };
  TagServerCertificate: { input: TagServerCertificateRequest; output: void };
  TagUser: { input: TagUserRequest; output: void };
  UntagInstanceProfile: { input: UntagInstanceProfileRequest; output: void };
  UntagMFADevice: { input: UntagMFADeviceRequest; output: void };
  UntagOpenIDConnectProvider: { input: UntagOpenIDConnectProviderRequest; output: void };
  UntagPolicy: { input: UntagPolicyRequest; output: void };
  UntagRole: { input: UntagRoleRequest; output: void };
  UntagSAMLProvider: { input: UntagSAMLProviderRequest; output: void };
  UntagServerCertificate: { input: UntagServerCertificateRequest; output: void };
  UntagUser: { input: UntagUserRequest; output: void };
  UpdateAccessKey: { input: UpdateAccessKeyRequest; output: void };
  UpdateAccountPasswordPolicy: { input: UpdateAccountPasswordPolicyRequest; output: void };
  UpdateAssumeRolePolicy: { input: UpdateAssumeRolePolicyRequest; output: void };
  UpdateDelegationRequest: { input: UpdateDelegationRequestRequest; output: void };
  UpdateGroup: { input: UpdateGroupRequest; output: void };
  UpdateLoginProfile: { input: UpdateLoginProfileRequest; output: void };
  UpdateOpenIDConnectProviderThumbprint: { input: UpdateOpenIDConnectProviderThumbprintRequest; output: void };
  UpdateRole: { input: UpdateRoleRequest; output: UpdateRoleResponse };
  UpdateRoleDescription: { input: UpdateRoleDescriptionRequest; output: UpdateRoleDescriptionResponse };
  UpdateSAMLProvider: { input: UpdateSAMLProviderRequest; output: UpdateSAMLProviderResponse };
  UpdateSSHPublicKey: { input: UpdateSSHPublicKeyRequest; output: void };
  UpdateServerCertificate: { input: UpdateServerCertificateRequest; output: void };
  UpdateServiceSpecificCredential: { input: UpdateServiceSpecificCredentialRequest; output: void };
  UpdateSigningCertificate: { input: UpdateSigningCertificateRequest; output: void };
  UpdateUser: { input: UpdateUserRequest; output: void };
  UploadSSHPublicKey: { input: UploadSSHPublicKeyRequest; output: UploadSSHPublicKeyResponse };
  UploadServerCertificate: { input: UploadServerCertificateRequest; output: UploadServerCertificateResponse };
  UploadSigningCertificate: { input: UploadSigningCertificateRequest; output: UploadSigningCertificateResponse };
}

export interface AcceptDelegationRequestRequest {
  DelegationRequestId: string;
}

export type AccessAdvisorUsageGranularityType = 'SERVICE_LEVEL' | 'ACTION_LEVEL';

export interface AccessDetail {
  ServiceName: string;
  ServiceNamespace: string;
  Region?: string;
  EntityPath?: string;
  LastAuthenticatedTime?: number;
  TotalAuthenticatedEntities?: number;
}

export interface AccessKey {
  UserName: string;
  AccessKeyId: string;
  Status: statusType;
  SecretAccessKey: string;
  CreateDate?: number;
}

export interface AccessKeyLastUsed {
  LastUsedDate?: number;
  ServiceName: string;
  Region: string;
}

export interface AccessKeyMetadata {
  UserName?: string;
  AccessKeyId?: string;
  Status?: statusType;
  CreateDate?: number;
}

export interface AddClientIDToOpenIDConnectProviderRequest {
  OpenIDConnectProviderArn: string;
  ClientID: string;
}

export interface AddRoleToInstanceProfileRequest {
  InstanceProfileName: string;
  RoleName: string;
}

export interface AddUserToGroupRequest {
  GroupName: string;
  UserName: string;
}

export interface AssociateDelegationRequestRequest {
  DelegationRequestId: string;
}

export interface AttachGroupPolicyRequest {
  GroupName: string;
  PolicyArn: string;
}

export interface AttachRolePolicyRequest {
  RoleName: string;
  PolicyArn: string;
}

export interface AttachUserPolicyRequest {
  UserName: string;
  PolicyArn: string;
}

export interface AttachedPermissionsBoundary {
  PermissionsBoundaryType?: PermissionsBoundaryAttachmentType;
  PermissionsBoundaryArn?: string;
}

export interface AttachedPolicy {
  PolicyName?: string;
  PolicyArn?: string;
}

export interface ChangePasswordRequest {
  OldPassword: string;
  NewPassword: string;
}

export interface ContextEntry {
  ContextKeyName?: string;
  ContextKeyValues?: string[];
  ContextKeyType?: ContextKeyTypeEnum;
}

export type ContextKeyTypeEnum = 'string' | 'stringList' | 'numeric' | 'numericList' | 'boolean' | 'booleanList' | 'ip' | 'ipList' | 'binary' | 'binaryList' | 'date' | 'dateList';

export interface CreateAccessKeyRequest {
  UserName?: string;
}

export interface CreateAccessKeyResponse {
  AccessKey: AccessKey;
}

export interface CreateAccountAliasRequest {
  AccountAlias: string;
}

export interface CreateDelegationRequestRequest {
  OwnerAccountId?: string;
  Description: string;
  Permissions: DelegationPermission;
  RequestMessage?: string;
  RequestorWorkflowId: string;
  RedirectUrl?: string;
  NotificationChannel: string;
  SessionDuration: number;
  OnlySendByOwner?: boolean;
}

export interface CreateDelegationRequestResponse {
  ConsoleDeepLink?: string;
  DelegationRequestId?: string;
}

export interface CreateGroupRequest {
  Path?: string;
  GroupName: string;
}

export interface CreateGroupResponse {
  Group: Group;
}

export interface CreateInstanceProfileRequest {
  InstanceProfileName: string;
  Path?: string;
  Tags?: Tag[];
}

export interface CreateInstanceProfileResponse {
  InstanceProfile: InstanceProfile;
}

export interface CreateLoginProfileRequest {
  UserName?: string;
  Password?: string;
  PasswordResetRequired?: boolean;
}

export interface CreateLoginProfileResponse {
  LoginProfile: LoginProfile;
}

export interface CreateOpenIDConnectProviderRequest {
  Url: string;
  ClientIDList?: string[];
  ThumbprintList?: string[];
  Tags?: Tag[];
}

export interface CreateOpenIDConnectProviderResponse {
  OpenIDConnectProviderArn?: string;
  Tags?: Tag[];
}

export interface CreatePolicyRequest {
  PolicyName: string;
  Path?: string;
  PolicyDocument: string;
  Description?: string;
  Tags?: Tag[];
}

export interface CreatePolicyResponse {
  Policy?: Policy;
}

export interface CreatePolicyVersionRequest {
  PolicyArn: string;
  PolicyDocument: string;
  SetAsDefault?: boolean;
}

export interface CreatePolicyVersionResponse {
  PolicyVersion?: PolicyVersion;
}

export interface CreateRoleRequest {
  Path?: string;
  RoleName: string;
  AssumeRolePolicyDocument: string;
  Description?: string;
  MaxSessionDuration?: number;
  PermissionsBoundary?: string;
  Tags?: Tag[];
}

export interface CreateRoleResponse {
  Role: Role;
}

export interface CreateSAMLProviderRequest {
  SAMLMetadataDocument: string;
  Name: string;
  Tags?: Tag[];
  AssertionEncryptionMode?: assertionEncryptionModeType;
  AddPrivateKey?: string;
}

export interface CreateSAMLProviderResponse {
  SAMLProviderArn?: string;
  Tags?: Tag[];
}

export interface CreateServiceLinkedRoleRequest {
  AWSServiceName: string;
  Description?: string;
  CustomSuffix?: string;
}

export interface CreateServiceLinkedRoleResponse {
  Role?: Role;
}

export interface CreateServiceSpecificCredentialRequest {
  UserName: string;
  ServiceName: string;
  CredentialAgeDays?: number;
}

export interface CreateServiceSpecificCredentialResponse {
  ServiceSpecificCredential?: ServiceSpecificCredential;
}

export interface CreateUserRequest {
  Path?: string;
  UserName: string;
  PermissionsBoundary?: string;
  Tags?: Tag[];
}

export interface CreateUserResponse {
  User?: User;
}

export interface CreateVirtualMFADeviceRequest {
  Path?: string;
  VirtualMFADeviceName: string;
  Tags?: Tag[];
}

export interface CreateVirtualMFADeviceResponse {
  VirtualMFADevice: VirtualMFADevice;
}

export interface DeactivateMFADeviceRequest {
  UserName?: string;
  SerialNumber: string;
}

export interface DelegationPermission {
  PolicyTemplateArn?: string;
  Parameters?: PolicyParameter[];
}

export interface DelegationRequest {
  DelegationRequestId?: string;
  OwnerAccountId?: string;
  Description?: string;
  RequestMessage?: string;
  Permissions?: DelegationPermission;
  PermissionPolicy?: string;
  RolePermissionRestrictionArns?: string[];
  OwnerId?: string;
  ApproverId?: string;
  State?: stateType;
  ExpirationTime?: number;
  RequestorId?: string;
  RequestorName?: string;
  CreateDate?: number;
  SessionDuration?: number;
  RedirectUrl?: string;
  Notes?: string;
  RejectionReason?: string;
  OnlySendByOwner?: boolean;
  UpdatedTime?: number;
}

export interface DeleteAccessKeyRequest {
  UserName?: string;
  AccessKeyId: string;
}

export interface DeleteAccountAliasRequest {
  AccountAlias: string;
}

export interface DeleteGroupPolicyRequest {
  GroupName: string;
  PolicyName: string;
}

export interface DeleteGroupRequest {
  GroupName: string;
}

export interface DeleteInstanceProfileRequest {
  InstanceProfileName: string;
}

export interface DeleteLoginProfileRequest {
  UserName?: string;
}

export interface DeleteOpenIDConnectProviderRequest {
  OpenIDConnectProviderArn: string;
}

export interface DeletePolicyRequest {
  PolicyArn: string;
}

export interface DeletePolicyVersionRequest {
  PolicyArn: string;
  VersionId: string;
}

export interface DeleteRolePermissionsBoundaryRequest {
  RoleName: string;
}

export interface DeleteRolePolicyRequest {
  RoleName: string;
  PolicyName: string;
}

export interface DeleteRoleRequest {
  RoleName: string;
}

export interface DeleteSAMLProviderRequest {
  SAMLProviderArn: string;
}

export interface DeleteSSHPublicKeyRequest {
  UserName: string;
  SSHPublicKeyId: string;
}

export interface DeleteServerCertificateRequest {
  ServerCertificateName: string;
}

export interface DeleteServiceLinkedRoleRequest {
  RoleName: string;
}

export interface DeleteServiceLinkedRoleResponse {
  DeletionTaskId: string;
}

export interface DeleteServiceSpecificCredentialRequest {
  UserName?: string;
  ServiceSpecificCredentialId: string;
}

export interface DeleteSigningCertificateRequest {
  UserName?: string;
  CertificateId: string;
}

export interface DeleteUserPermissionsBoundaryRequest {
  UserName: string;
}

export interface DeleteUserPolicyRequest {
  UserName: string;
  PolicyName: string;
}

export interface DeleteUserRequest {
  UserName: string;
}

export interface DeleteVirtualMFADeviceRequest {
  SerialNumber: string;
}

export interface DeletionTaskFailureReasonType {
  Reason?: string;
  RoleUsageList?: RoleUsageType[];
}

export type DeletionTaskStatusType = 'SUCCEEDED' | 'IN_PROGRESS' | 'FAILED' | 'NOT_STARTED';

export interface DetachGroupPolicyRequest {
  GroupName: string;
  PolicyArn: string;
}

export interface DetachRolePolicyRequest {
  RoleName: string;
  PolicyArn: string;
}

export interface DetachUserPolicyRequest {
  UserName: string;
  PolicyArn: string;
}

export interface DisableOrganizationsRootCredentialsManagementRequest {}

export interface DisableOrganizationsRootCredentialsManagementResponse {
  OrganizationId?: string;
  EnabledFeatures?: FeatureType[];
}

export interface DisableOrganizationsRootSessionsRequest {}

export interface DisableOrganizationsRootSessionsResponse {
  OrganizationId?: string;
  EnabledFeatures?: FeatureType[];
}

export interface EnableMFADeviceRequest {
  UserName: string;
  SerialNumber: string;
  AuthenticationCode1: string;
  AuthenticationCode2: string;
}

export interface EnableOrganizationsRootCredentialsManagementRequest {}

export interface EnableOrganizationsRootCredentialsManagementResponse {
  OrganizationId?: string;
  EnabledFeatures?: FeatureType[];
}

export interface EnableOrganizationsRootSessionsRequest {}

export interface EnableOrganizationsRootSessionsResponse {
  OrganizationId?: string;
  EnabledFeatures?: FeatureType[];
}

export interface EnableOutboundWebIdentityFederationResponse {
  IssuerIdentifier?: string;
}

export interface EntityDetails {
  EntityInfo: EntityInfo;
  LastAuthenticated?: number;
}

export interface EntityInfo {
  Arn: string;
  Name: string;
  Type: policyOwnerEntityType;
  Id: string;
  Path?: string;
}

export type EntityType = 'User' | 'Role' | 'Group' | 'LocalManagedPolicy' | 'AWSManagedPolicy';

export interface ErrorDetails {
  Message: string;
  Code: string;
}

export interface EvaluationResult {
  EvalActionName: string;
  EvalResourceName?: string;
  EvalDecision: PolicyEvaluationDecisionType;
  MatchedStatements?: Statement[];
  MissingContextValues?: string[];
  OrganizationsDecisionDetail?: OrganizationsDecisionDetail;
  PermissionsBoundaryDecisionDetail?: PermissionsBoundaryDecisionDetail;
  EvalDecisionDetails?: Record<string, PolicyEvaluationDecisionType>;
  ResourceSpecificResults?: ResourceSpecificResult[];
}

export type FeatureType = 'RootCredentialsManagement' | 'RootSessions';

export interface GenerateCredentialReportResponse {
  State?: ReportStateType;
  Description?: string;
}

export interface GenerateOrganizationsAccessReportRequest {
  EntityPath: string;
  OrganizationsPolicyId?: string;
}

export interface GenerateOrganizationsAccessReportResponse {
  JobId?: string;
}

export interface GenerateServiceLastAccessedDetailsRequest {
  Arn: string;
  Granularity?: AccessAdvisorUsageGranularityType;
}

export interface GenerateServiceLastAccessedDetailsResponse {
  JobId?: string;
}

export interface GetAccessKeyLastUsedRequest {
  AccessKeyId: string;
}

export interface GetAccessKeyLastUsedResponse {
  UserName?: string;
  AccessKeyLastUsed?: AccessKeyLastUsed;
}

export interface GetAccountAuthorizationDetailsRequest {
  Filter?: EntityType[];
  MaxItems?: number;
  Marker?: string;
}

export interface GetAccountAuthorizationDetailsResponse {
  UserDetailList?: UserDetail[];
  GroupDetailList?: GroupDetail[];
  RoleDetailList?: RoleDetail[];
  Policies?: ManagedPolicyDetail[];
  IsTruncated?: boolean;
  Marker?: string;
}

export interface GetAccountPasswordPolicyResponse {
  PasswordPolicy: PasswordPolicy;
}

export interface GetAccountSummaryResponse {
  SummaryMap?: Record<string, number>;
}

export interface GetContextKeysForCustomPolicyRequest {
  PolicyInputList: string[];
}

export interface GetContextKeysForPolicyResponse {
  ContextKeyNames?: string[];
}

export interface GetContextKeysForPrincipalPolicyRequest {
  PolicySourceArn: string;
  PolicyInputList?: string[];
}

export interface GetCredentialReportResponse {
  Content?: string;
  ReportFormat?: ReportFormatType;
  GeneratedTime?: number;
}

export interface GetDelegationRequestRequest {
  DelegationRequestId: string;
  DelegationPermissionCheck?: boolean;
}

export interface GetDelegationRequestResponse {
  DelegationRequest?: DelegationRequest;
  PermissionCheckStatus?: permissionCheckStatusType;
  PermissionCheckResult?: permissionCheckResultType;
}

export interface GetGroupPolicyRequest {
  GroupName: string;
  PolicyName: string;
}

export interface GetGroupPolicyResponse {
  GroupName: string;
  PolicyName: string;
  PolicyDocument: string;
}

export interface GetGroupRequest {
  GroupName: string;
  Marker?: string;
  MaxItems?: number;
}

export interface GetGroupResponse {
  Group: Group;
  Users: User[];
  IsTruncated?: boolean;
  Marker?: string;
}

export interface GetHumanReadableSummaryRequest {
  EntityArn: string;
  Locale?: string;
}

export interface GetHumanReadableSummaryResponse {
  SummaryContent?: string;
  Locale?: string;
  SummaryState?: summaryStateType;
}

export interface GetInstanceProfileRequest {
  InstanceProfileName: string;
}

export interface GetInstanceProfileResponse {
  InstanceProfile: InstanceProfile;
}

export interface GetLoginProfileRequest {
  UserName?: string;
}

export interface GetLoginProfileResponse {
  LoginProfile: LoginProfile;
}

export interface GetMFADeviceRequest {
  SerialNumber: string;
  UserName?: string;
}

export interface GetMFADeviceResponse {
  UserName?: string;
  SerialNumber: string;
  EnableDate?: number;
  Certifications?: Record<string, string>;
}

export interface GetOpenIDConnectProviderRequest {
  OpenIDConnectProviderArn: string;
}

export interface GetOpenIDConnectProviderResponse {
  Url?: string;
  ClientIDList?: string[];
  ThumbprintList?: string[];
  CreateDate?: number;
  Tags?: Tag[];
}

export interface GetOrganizationsAccessReportRequest {
  JobId: string;
  MaxItems?: number;
  Marker?: string;
  SortKey?: sortKeyType;
}

export interface GetOrganizationsAccessReportResponse {
  JobStatus: jobStatusType;
  JobCreationDate: number;
  JobCompletionDate?: number;
  NumberOfServicesAccessible?: number;
  NumberOfServicesNotAccessed?: number;
  AccessDetails?: AccessDetail[];
  IsTruncated?: boolean;
  Marker?: string;
  ErrorDetails?: ErrorDetails;
}

export interface GetOutboundWebIdentityFederationInfoResponse {
  IssuerIdentifier?: string;
  JwtVendingEnabled?: boolean;
}

export interface GetPolicyRequest {
  PolicyArn: string;
}

export interface GetPolicyResponse {
  Policy?: Policy;
}

export interface GetPolicyVersionRequest {
  PolicyArn: string;
  VersionId: string;
}

export interface GetPolicyVersionResponse {
  PolicyVersion?: PolicyVersion;
}

export interface GetRolePolicyRequest {
  RoleName: string;
  PolicyName: string;
}

export interface GetRolePolicyResponse {
  RoleName: string;
  PolicyName: string;
  PolicyDocument: string;
}

export interface GetRoleRequest {
  RoleName: string;
}

export interface GetRoleResponse {
  Role: Role;
}

export interface GetSAMLProviderRequest {
  SAMLProviderArn: string;
}

export interface GetSAMLProviderResponse {
  SAMLProviderUUID?: string;
  SAMLMetadataDocument?: string;
  CreateDate?: number;
  ValidUntil?: number;
  Tags?: Tag[];
  AssertionEncryptionMode?: assertionEncryptionModeType;
  PrivateKeyList?: SAMLPrivateKey[];
}

export interface GetSSHPublicKeyRequest {
  UserName: string;
  SSHPublicKeyId: string;
  Encoding: encodingType;
}

export interface GetSSHPublicKeyResponse {
  SSHPublicKey?: SSHPublicKey;
}

export interface GetServerCertificateRequest {
  ServerCertificateName: string;
}

export interface GetServerCertificateResponse {
  ServerCertificate: ServerCertificate;
}

export interface GetServiceLastAccessedDetailsRequest {
  JobId: string;
  MaxItems?: number;
  Marker?: string;
}

export interface GetServiceLastAccessedDetailsResponse {
  JobStatus: jobStatusType;
  JobType?: AccessAdvisorUsageGranularityType;
  JobCreationDate: number;
  ServicesLastAccessed: ServiceLastAccessed[];
  JobCompletionDate: number;
  IsTruncated?: boolean;
  Marker?: string;
  Error?: ErrorDetails;
}

export interface GetServiceLastAccessedDetailsWithEntitiesRequest {
  JobId: string;
  ServiceNamespace: string;
  MaxItems?: number;
  Marker?: string;
}

export interface GetServiceLastAccessedDetailsWithEntitiesResponse {
  JobStatus: jobStatusType;
  JobCreationDate: number;
  JobCompletionDate: number;
  EntityDetailsList: EntityDetails[];
  IsTruncated?: boolean;
  Marker?: string;
  Error?: ErrorDetails;
}

export interface GetServiceLinkedRoleDeletionStatusRequest {
  DeletionTaskId: string;
}

export interface GetServiceLinkedRoleDeletionStatusResponse {
  Status: DeletionTaskStatusType;
  Reason?: DeletionTaskFailureReasonType;
}

export interface GetUserPolicyRequest {
  UserName: string;
  PolicyName: string;
}

export interface GetUserPolicyResponse {
  UserName: string;
  PolicyName: string;
  PolicyDocument: string;
}

export interface GetUserRequest {
  UserName?: string;
}

export interface GetUserResponse {
  User: User;
}

export interface Group {
  Path: string;
  GroupName: string;
  GroupId: string;
  Arn: string;
  CreateDate: number;
}

export interface GroupDetail {
  Path?: string;
  GroupName?: string;
  GroupId?: string;
  Arn?: string;
  CreateDate?: number;
  GroupPolicyList?: PolicyDetail[];
  AttachedManagedPolicies?: AttachedPolicy[];
}

export interface InstanceProfile {
  Path: string;
  InstanceProfileName: string;
  InstanceProfileId: string;
  Arn: string;
  CreateDate: number;
  Roles: Role[];
  Tags?: Tag[];
}

export interface ListAccessKeysRequest {
  UserName?: string;
  Marker?: string;
  MaxItems?: number;
}

export interface ListAccessKeysResponse {
  AccessKeyMetadata: AccessKeyMetadata[];
  IsTruncated?: boolean;
  Marker?: string;
}

export interface ListAccountAliasesRequest {
  Marker?: string;
  MaxItems?: number;
}

export interface ListAccountAliasesResponse {
  AccountAliases: string[];
  IsTruncated?: boolean;
  Marker?: string;
}

export interface ListAttachedGroupPoliciesRequest {
  GroupName: string;
  PathPrefix?: string;
  Marker?: string;
  MaxItems?: number;
}

export interface ListAttachedGroupPoliciesResponse {
  AttachedPolicies?: AttachedPolicy[];
  IsTruncated?: boolean;
  Marker?: string;
}

export interface ListAttachedRolePoliciesRequest {
  RoleName: string;
  PathPrefix?: string;
  Marker?: string;
  MaxItems?: number;
}

export interface ListAttachedRolePoliciesResponse {
  AttachedPolicies?: AttachedPolicy[];
  IsTruncated?: boolean;
  Marker?: string;
}

export interface ListAttachedUserPoliciesRequest {
  UserName: string;
  PathPrefix?: string;
  Marker?: string;
  MaxItems?: number;
}

export interface ListAttachedUserPoliciesResponse {
  AttachedPolicies?: AttachedPolicy[];
  IsTruncated?: boolean;
  Marker?: string;
}

export interface ListDelegationRequestsRequest {
  OwnerId?: string;
  Marker?: string;
  MaxItems?: number;
}

export interface ListDelegationRequestsResponse {
  DelegationRequests?: DelegationRequest[];
  Marker?: string;
  isTruncated?: boolean;
}

export interface ListEntitiesForPolicyRequest {
  PolicyArn: string;
  EntityFilter?: EntityType;
  PathPrefix?: string;
  PolicyUsageFilter?: PolicyUsageType;
  Marker?: string;
  MaxItems?: number;
}

export interface ListEntitiesForPolicyResponse {
  PolicyGroups?: PolicyGroup[];
  PolicyUsers?: PolicyUser[];
  PolicyRoles?: PolicyRole[];
  IsTruncated?: boolean;
  Marker?: string;
}

export interface ListGroupPoliciesRequest {
  GroupName: string;
  Marker?: string;
  MaxItems?: number;
}

export interface ListGroupPoliciesResponse {
  PolicyNames: string[];
  IsTruncated?: boolean;
  Marker?: string;
}

export interface ListGroupsForUserRequest {
  UserName: string;
  Marker?: string;
  MaxItems?: number;
}

export interface ListGroupsForUserResponse {
  Groups: Group[];
  IsTruncated?: boolean;
  Marker?: string;
}

export interface ListGroupsRequest {
  PathPrefix?: string;
  Marker?: string;
  MaxItems?: number;
}

export interface ListGroupsResponse {
  Groups: Group[];
  IsTruncated?: boolean;
  Marker?: string;
}

export interface ListInstanceProfileTagsRequest {
  InstanceProfileName: string;
  Marker?: string;
  MaxItems?: number;
}

export interface ListInstanceProfileTagsResponse {
  Tags: Tag[];
  IsTruncated?: boolean;
  Marker?: string;
}

export interface ListInstanceProfilesForRoleRequest {
  RoleName: string;
  Marker?: string;
  MaxItems?: number;
}

export interface ListInstanceProfilesForRoleResponse {
  InstanceProfiles: InstanceProfile[];
  IsTruncated?: boolean;
  Marker?: string;
}

export interface ListInstanceProfilesRequest {
  PathPrefix?: string;
  Marker?: string;
  MaxItems?: number;
}

export interface ListInstanceProfilesResponse {
  InstanceProfiles: InstanceProfile[];
  IsTruncated?: boolean;
  Marker?: string;
}

export interface ListMFADeviceTagsRequest {
  SerialNumber: string;
  Marker?: string;
  MaxItems?: number;
}

export interface ListMFADeviceTagsResponse {
  Tags: Tag[];
  IsTruncated?: boolean;
  Marker?: string;
}

export interface ListMFADevicesRequest {
  UserName?: string;
  Marker?: string;
  MaxItems?: number;
}

export interface ListMFADevicesResponse {
  MFADevices: MFADevice[];
  IsTruncated?: boolean;
  Marker?: string;
}

export interface ListOpenIDConnectProviderTagsRequest {
  OpenIDConnectProviderArn: string;
  Marker?: string;
  MaxItems?: number;
}

export interface ListOpenIDConnectProviderTagsResponse {
  Tags: Tag[];
  IsTruncated?: boolean;
  Marker?: string;
}

export interface ListOpenIDConnectProvidersRequest {}

export interface ListOpenIDConnectProvidersResponse {
  OpenIDConnectProviderList?: OpenIDConnectProviderListEntry[];
}

export interface ListOrganizationsFeaturesRequest {}

export interface ListOrganizationsFeaturesResponse {
  OrganizationId?: string;
  EnabledFeatures?: FeatureType[];
}

export interface ListPoliciesGrantingServiceAccessEntry {
  ServiceNamespace?: string;
  Policies?: PolicyGrantingServiceAccess[];
}

export interface ListPoliciesGrantingServiceAccessRequest {
  Marker?: string;
  Arn: string;
  ServiceNamespaces: string[];
}

export interface ListPoliciesGrantingServiceAccessResponse {
  PoliciesGrantingServiceAccess: ListPoliciesGrantingServiceAccessEntry[];
  IsTruncated?: boolean;
  Marker?: string;
}

export interface ListPoliciesRequest {
  Scope?: policyScopeType;
  OnlyAttached?: boolean;
  PathPrefix?: string;
  PolicyUsageFilter?: PolicyUsageType;
  Marker?: string;
  MaxItems?: number;
}

export interface ListPoliciesResponse {
  Policies?: Policy[];
  IsTruncated?: boolean;
  Marker?: string;
}

export interface ListPolicyTagsRequest {
  PolicyArn: string;
  Marker?: string;
  MaxItems?: number;
}

export interface ListPolicyTagsResponse {
  Tags: Tag[];
  IsTruncated?: boolean;
  Marker?: string;
}

export interface ListPolicyVersionsRequest {
  PolicyArn: string;
  Marker?: string;
  MaxItems?: number;
}

export interface ListPolicyVersionsResponse {
  Versions?: PolicyVersion[];
  IsTruncated?: boolean;
  Marker?: string;
}

export interface ListRolePoliciesRequest {
  RoleName: string;
  Marker?: string;
  MaxItems?: number;
}

export interface ListRolePoliciesResponse {
  PolicyNames: string[];
  IsTruncated?: boolean;
  Marker?: string;
}

export interface ListRoleTagsRequest {
  RoleName: string;
  Marker?: string;
  MaxItems?: number;
}

export interface ListRoleTagsResponse {
  Tags: Tag[];
  IsTruncated?: boolean;
  Marker?: string;
}

export interface ListRolesRequest {
  PathPrefix?: string;
  Marker?: string;
  MaxItems?: number;
}

export interface ListRolesResponse {
  Roles: Role[];
  IsTruncated?: boolean;
  Marker?: string;
}

export interface ListSAMLProviderTagsRequest {
  SAMLProviderArn: string;
  Marker?: string;
  MaxItems?: number;
}

export interface ListSAMLProviderTagsResponse {
  Tags: Tag[];
  IsTruncated?: boolean;
  Marker?: string;
}

export interface ListSAMLProvidersRequest {}

export interface ListSAMLProvidersResponse {
  SAMLProviderList?: SAMLProviderListEntry[];
}

export interface ListSSHPublicKeysRequest {
  UserName?: string;
  Marker?: string;
  MaxItems?: number;
}

export interface ListSSHPublicKeysResponse {
  SSHPublicKeys?: SSHPublicKeyMetadata[];
  IsTruncated?: boolean;
  Marker?: string;
}

export interface ListServerCertificateTagsRequest {
  ServerCertificateName: string;
  Marker?: string;
  MaxItems?: number;
}

export interface ListServerCertificateTagsResponse {
  Tags: Tag[];
  IsTruncated?: boolean;
  Marker?: string;
}

export interface ListServerCertificatesRequest {
  PathPrefix?: string;
  Marker?: string;
  MaxItems?: number;
}

export interface ListServerCertificatesResponse {
  ServerCertificateMetadataList: ServerCertificateMetadata[];
  IsTruncated?: boolean;
  Marker?: string;
}

export interface ListServiceSpecificCredentialsRequest {
  UserName?: string;
  ServiceName?: string;
  AllUsers?: boolean;
  Marker?: string;
  MaxItems?: number;
}

export interface ListServiceSpecificCredentialsResponse {
  ServiceSpecificCredentials?: ServiceSpecificCredentialMetadata[];
  Marker?: string;
  IsTruncated?: boolean;
}

export interface ListSigningCertificatesRequest {
  UserName?: string;
  Marker?: string;
  MaxItems?: number;
}

export interface ListSigningCertificatesResponse {
  Certificates: SigningCertificate[];
  IsTruncated?: boolean;
  Marker?: string;
}

export interface ListUserPoliciesRequest {
  UserName: string;
  Marker?: string;
  MaxItems?: number;
}

export interface ListUserPoliciesResponse {
  PolicyNames: string[];
  IsTruncated?: boolean;
  Marker?: string;
}

export interface ListUserTagsRequest {
  UserName: string;
  Marker?: string;
  MaxItems?: number;
}

export interface ListUserTagsResponse {
  Tags: Tag[];
  IsTruncated?: boolean;
  Marker?: string;
}

export interface ListUsersRequest {
  PathPrefix?: string;
  Marker?: string;
  MaxItems?: number;
}

export interface ListUsersResponse {
  Users: User[];
  IsTruncated?: boolean;
  Marker?: string;
}

export interface ListVirtualMFADevicesRequest {
  AssignmentStatus?: assignmentStatusType;
  Marker?: string;
  MaxItems?: number;
}

export interface ListVirtualMFADevicesResponse {
  VirtualMFADevices: VirtualMFADevice[];
  IsTruncated?: boolean;
  Marker?: string;
}

export interface LoginProfile {
  UserName: string;
  CreateDate: number;
  PasswordResetRequired?: boolean;
}

export interface MFADevice {
  UserName: string;
  SerialNumber: string;
  EnableDate: number;
}

export interface ManagedPolicyDetail {
  PolicyName?: string;
  PolicyId?: string;
  Arn?: string;
  Path?: string;
  DefaultVersionId?: string;
  AttachmentCount?: number;
  PermissionsBoundaryUsageCount?: number;
  IsAttachable?: boolean;
  Description?: string;
  CreateDate?: number;
  UpdateDate?: number;
  PolicyVersionList?: PolicyVersion[];
}

export interface OpenIDConnectProviderListEntry {
  Arn?: string;
}

export interface OrganizationsDecisionDetail {
  AllowedByOrganizations?: boolean;
}

export interface PasswordPolicy {
  MinimumPasswordLength?: number;
  RequireSymbols?: boolean;
  RequireNumbers?: boolean;
  RequireUppercaseCharacters?: boolean;
  RequireLowercaseCharacters?: boolean;
  AllowUsersToChangePassword?: boolean;
  ExpirePasswords?: boolean;
  MaxPasswordAge?: number;
  PasswordReusePrevention?: number;
  HardExpiry?: boolean;
}

export type PermissionsBoundaryAttachmentType = 'PermissionsBoundaryPolicy';

export interface PermissionsBoundaryDecisionDetail {
  AllowedByPermissionsBoundary?: boolean;
}

export interface Policy {
  PolicyName?: string;
  PolicyId?: string;
  Arn?: string;
  Path?: string;
  DefaultVersionId?: string;
  AttachmentCount?: number;
  PermissionsBoundaryUsageCount?: number;
  IsAttachable?: boolean;
  Description?: string;
  CreateDate?: number;
  UpdateDate?: number;
  Tags?: Tag[];
}

export interface PolicyDetail {
  PolicyName?: string;
  PolicyDocument?: string;
}

export type PolicyEvaluationDecisionType = 'allowed' | 'explicitDeny' | 'implicitDeny';

export interface PolicyGrantingServiceAccess {
  PolicyName: string;
  PolicyType: policyType;
  PolicyArn?: string;
  EntityType?: policyOwnerEntityType;
  EntityName?: string;
}

export interface PolicyGroup {
  GroupName?: string;
  GroupId?: string;
}

export interface PolicyParameter {
  Name?: string;
  Values?: string[];
  Type?: PolicyParameterTypeEnum;
}

export type PolicyParameterTypeEnum = 'string' | 'stringList';

export interface PolicyRole {
  RoleName?: string;
  RoleId?: string;
}

export type PolicySourceType = 'user' | 'group' | 'role' | 'aws-managed' | 'user-managed' | 'resource' | 'none';

export type PolicyUsageType = 'PermissionsPolicy' | 'PermissionsBoundary';

export interface PolicyUser {
  UserName?: string;
  UserId?: string;
}

export interface PolicyVersion {
  Document?: string;
  VersionId?: string;
  IsDefaultVersion?: boolean;
  CreateDate?: number;
}

export interface Position {
  Line?: number;
  Column?: number;
}

export interface PutGroupPolicyRequest {
  GroupName: string;
  PolicyName: string;
  PolicyDocument: string;
}

export interface PutRolePermissionsBoundaryRequest {
  RoleName: string;
  PermissionsBoundary: string;
}

export interface PutRolePolicyRequest {
  RoleName: string;
  PolicyName: string;
  PolicyDocument: string;
}

export interface PutUserPermissionsBoundaryRequest {
  UserName: string;
  PermissionsBoundary: string;
}

export interface PutUserPolicyRequest {
  UserName: string;
  PolicyName: string;
  PolicyDocument: string;
}

export interface RejectDelegationRequestRequest {
  DelegationRequestId: string;
  Notes?: string;
}

export interface RemoveClientIDFromOpenIDConnectProviderRequest {
  OpenIDConnectProviderArn: string;
  ClientID: string;
}

export interface RemoveRoleFromInstanceProfileRequest {
  InstanceProfileName: string;
  RoleName: string;
}

export interface RemoveUserFromGroupRequest {
  GroupName: string;
  UserName: string;
}

export type ReportFormatType = "text/csv";

export type ReportStateType = 'STARTED' | 'INPROGRESS' | 'COMPLETE';

export interface ResetServiceSpecificCredentialRequest {
  UserName?: string;
  ServiceSpecificCredentialId: string;
}

export interface ResetServiceSpecificCredentialResponse {
  ServiceSpecificCredential?: ServiceSpecificCredential;
}

export interface ResourceSpecificResult {
  EvalResourceName: string;
  EvalResourceDecision: PolicyEvaluationDecisionType;
  MatchedStatements?: Statement[];
  MissingContextValues?: string[];
  EvalDecisionDetails?: Record<string, PolicyEvaluationDecisionType>;
  PermissionsBoundaryDecisionDetail?: PermissionsBoundaryDecisionDetail;
}

export interface ResyncMFADeviceRequest {
  UserName: string;
  SerialNumber: string;
  AuthenticationCode1: string;
  AuthenticationCode2: string;
}

export interface Role {
  Path: string;
  RoleName: string;
  RoleId: string;
  Arn: string;
  CreateDate: number;
  AssumeRolePolicyDocument?: string;
  Description?: string;
  MaxSessionDuration?: number;
  PermissionsBoundary?: AttachedPermissionsBoundary;
  Tags?: Tag[];
  RoleLastUsed?: RoleLastUsed;
}

export interface RoleDetail {
  Path?: string;
  RoleName?: string;
  RoleId?: string;
  Arn?: string;
  CreateDate?: number;
  AssumeRolePolicyDocument?: string;
  InstanceProfileList?: InstanceProfile[];
  RolePolicyList?: PolicyDetail[];
  AttachedManagedPolicies?: AttachedPolicy[];
  PermissionsBoundary?: AttachedPermissionsBoundary;
  Tags?: Tag[];
  RoleLastUsed?: RoleLastUsed;
}

export interface RoleLastUsed {
  LastUsedDate?: number;
  Region?: string;
}

export interface RoleUsageType {
  Region?: string;
  Resources?: string[];
}

export interface SAMLPrivateKey {
  KeyId?: string;
  Timestamp?: number;
}

export interface SAMLProviderListEntry {
  Arn?: string;
  ValidUntil?: number;
  CreateDate?: number;
}

export interface SSHPublicKey {
  UserName: string;
  SSHPublicKeyId: string;
  Fingerprint: string;
  SSHPublicKeyBody: string;
  Status: statusType;
  UploadDate?: number;
}

export interface SSHPublicKeyMetadata {
  UserName: string;
  SSHPublicKeyId: string;
  Status: statusType;
  UploadDate: number;
}

export interface SendDelegationTokenRequest {
  DelegationRequestId: string;
}

export interface ServerCertificate {
  ServerCertificateMetadata: ServerCertificateMetadata;
  CertificateBody: string;
  CertificateChain?: string;
  Tags?: Tag[];
}

export interface ServerCertificateMetadata {
  Path: string;
  ServerCertificateName: string;
  ServerCertificateId: string;
  Arn: string;
  UploadDate?: number;
  Expiration?: number;
}

export interface ServiceLastAccessed {
  ServiceName: string;
  LastAuthenticated?: number;
  ServiceNamespace: string;
  LastAuthenticatedEntity?: string;
  LastAuthenticatedRegion?: string;
  TotalAuthenticatedEntities?: number;
  TrackedActionsLastAccessed?: TrackedActionLastAccessed[];
}

export interface ServiceSpecificCredential {
  CreateDate: number;
  ExpirationDate?: number;
  ServiceName: string;
  ServiceUserName?: string;
  ServicePassword?: string;
  ServiceCredentialAlias?: string;
  ServiceCredentialSecret?: string;
  ServiceSpecificCredentialId: string;
  UserName: string;
  Status: statusType;
}

export interface ServiceSpecificCredentialMetadata {
  UserName: string;
  Status: statusType;
  ServiceUserName?: string;
  ServiceCredentialAlias?: string;
  CreateDate: number;
  ExpirationDate?: number;
  ServiceSpecificCredentialId: string;
  ServiceName: string;
}

export interface SetDefaultPolicyVersionRequest {
  PolicyArn: string;
  VersionId: string;
}

export interface SetSecurityTokenServicePreferencesRequest {
  GlobalEndpointTokenVersion: globalEndpointTokenVersion;
}

export interface SigningCertificate {
  UserName: string;
  CertificateId: string;
  CertificateBody: string;
  Status: statusType;
  UploadDate?: number;
}

export interface SimulateCustomPolicyRequest {
  PolicyInputList: string[];
  PermissionsBoundaryPolicyInputList?: string[];
  ActionNames: string[];
  ResourceArns?: string[];
  ResourcePolicy?: string;
  ResourceOwner?: string;
  CallerArn?: string;
  ContextEntries?: ContextEntry[];
  ResourceHandlingOption?: string;
  MaxItems?: number;
  Marker?: string;
}

export interface SimulatePolicyResponse {
  EvaluationResults?: EvaluationResult[];
  IsTruncated?: boolean;
  Marker?: string;
}

export interface SimulatePrincipalPolicyRequest {
  PolicySourceArn: string;
  PolicyInputList?: string[];
  PermissionsBoundaryPolicyInputList?: string[];
  ActionNames: string[];
  ResourceArns?: string[];
  ResourcePolicy?: string;
  ResourceOwner?: string;
  CallerArn?: string;
  ContextEntries?: ContextEntry[];
  ResourceHandlingOption?: string;
  MaxItems?: number;
  Marker?: string;
}

export interface Statement {
  SourcePolicyId?: string;
  SourcePolicyType?: PolicySourceType;
  StartPosition?: Position;
  EndPosition?: Position;
}

export interface Tag {
  Key: string;
  Value: string;
}

export interface TagInstanceProfileRequest {
  InstanceProfileName: string;
  Tags: Tag[];
}

export interface TagMFADeviceRequest {
  SerialNumber: string;
  Tags: Tag[];
}

export interface TagOpenIDConnectProviderRequest {
  OpenIDConnectProviderArn: string;
  Tags: Tag[];
}

export interface TagPolicyRequest {
  PolicyArn: string;
  Tags: Tag[];
}

export interface TagRoleRequest {
  RoleName: string;
  Tags: Tag[];
}

export interface TagSAMLProviderRequest {
  SAMLProviderArn: string;
  Tags: Tag[];
}

export interface TagServerCertificateRequest {
  ServerCertificateName: string;
  Tags: Tag[];
}

export interface TagUserRequest {
  UserName: string;
  Tags: Tag[];
}

export interface TrackedActionLastAccessed {
  ActionName?: string;
  LastAccessedEntity?: string;
  LastAccessedTime?: number;
  LastAccessedRegion?: string;
}

export interface UntagInstanceProfileRequest {
  InstanceProfileName: string;
  TagKeys: string[];
}

export interface UntagMFADeviceRequest {
  SerialNumber: string;
  TagKeys: string[];
}

export interface UntagOpenIDConnectProviderRequest {
  OpenIDConnectProviderArn: string;
  TagKeys: string[];
}

export interface UntagPolicyRequest {
  PolicyArn: string;
  TagKeys: string[];
}

export interface UntagRoleRequest {
  RoleName: string;
  TagKeys: string[];
}

export interface UntagSAMLProviderRequest {
  SAMLProviderArn: string;
  TagKeys: string[];
}

export interface UntagServerCertificateRequest {
  ServerCertificateName: string;
  TagKeys: string[];
}

export interface UntagUserRequest {
  UserName: string;
  TagKeys: string[];
}

export interface UpdateAccessKeyRequest {
  UserName?: string;
  AccessKeyId: string;
  Status: statusType;
}

export interface UpdateAccountPasswordPolicyRequest {
  MinimumPasswordLength?: number;
  RequireSymbols?: boolean;
  RequireNumbers?: boolean;
  RequireUppercaseCharacters?: boolean;
  RequireLowercaseCharacters?: boolean;
  AllowUsersToChangePassword?: boolean;
  MaxPasswordAge?: number;
  PasswordReusePrevention?: number;
  HardExpiry?: boolean;
}

export interface UpdateAssumeRolePolicyRequest {
  RoleName: string;
  PolicyDocument: string;
}

export interface UpdateDelegationRequestRequest {
  DelegationRequestId: string;
  Notes?: string;
}

export interface UpdateGroupRequest {
  GroupName: string;
  NewPath?: string;
  NewGroupName?: string;
}

export interface UpdateLoginProfileRequest {
  UserName: string;
  Password?: string;
  PasswordResetRequired?: boolean;
}

export interface UpdateOpenIDConnectProviderThumbprintRequest {
  OpenIDConnectProviderArn: string;
  ThumbprintList: string[];
}

export interface UpdateRoleDescriptionRequest {
  RoleName: string;
  Description: string;
}

export interface UpdateRoleDescriptionResponse {
  Role?: Role;
}

export interface UpdateRoleRequest {
  RoleName: string;
  Description?: string;
  MaxSessionDuration?: number;
}

export interface UpdateRoleResponse {}

export interface UpdateSAMLProviderRequest {
  SAMLMetadataDocument?: string;
  SAMLProviderArn: string;
  AssertionEncryptionMode?: assertionEncryptionModeType;
  AddPrivateKey?: string;
  RemovePrivateKey?: string;
}

export interface UpdateSAMLProviderResponse {
  SAMLProviderArn?: string;
}

export interface UpdateSSHPublicKeyRequest {
  UserName: string;
  SSHPublicKeyId: string;
  Status: statusType;
}

export interface UpdateServerCertificateRequest {
  ServerCertificateName: string;
  NewPath?: string;
  NewServerCertificateName?: string;
}

export interface UpdateServiceSpecificCredentialRequest {
  UserName?: string;
  ServiceSpecificCredentialId: string;
  Status: statusType;
}

export interface UpdateSigningCertificateRequest {
  UserName?: string;
  CertificateId: string;
  Status: statusType;
}

export interface UpdateUserRequest {
  UserName: string;
  NewPath?: string;
  NewUserName?: string;
}

export interface UploadSSHPublicKeyRequest {
  UserName: string;
  SSHPublicKeyBody: string;
}

export interface UploadSSHPublicKeyResponse {
  SSHPublicKey?: SSHPublicKey;
}

export interface UploadServerCertificateRequest {
  Path?: string;
  ServerCertificateName: string;
  CertificateBody: string;
  PrivateKey: string;
  CertificateChain?: string;
  Tags?: Tag[];
}

export interface UploadServerCertificateResponse {
  ServerCertificateMetadata?: ServerCertificateMetadata;
  Tags?: Tag[];
}

export interface UploadSigningCertificateRequest {
  UserName?: string;
  CertificateBody: string;
}

export interface UploadSigningCertificateResponse {
  Certificate: SigningCertificate;
}

export interface User {
  Path: string;
  UserName: string;
  UserId: string;
  Arn: string;
  CreateDate: number;
  PasswordLastUsed?: number;
  PermissionsBoundary?: AttachedPermissionsBoundary;
  Tags?: Tag[];
}

export interface UserDetail {
  Path?: string;
  UserName?: string;
  UserId?: string;
  Arn?: string;
  CreateDate?: number;
  UserPolicyList?: PolicyDetail[];
  GroupList?: string[];
  AttachedManagedPolicies?: AttachedPolicy[];
  PermissionsBoundary?: AttachedPermissionsBoundary;
  Tags?: Tag[];
}

export interface VirtualMFADevice {
  SerialNumber: string;
  Base32StringSeed?: string;
  QRCodePNG?: string;
  User?: User;
  EnableDate?: number;
  Tags?: Tag[];
}

export type assertionEncryptionModeType = 'Required' | 'Allowed';

export type assignmentStatusType = 'Assigned' | 'Unassigned' | 'Any';

export type encodingType = 'SSH' | 'PEM';

export type globalEndpointTokenVersion = 'v1Token' | 'v2Token';

export type jobStatusType = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

export type permissionCheckResultType = 'ALLOWED' | 'DENIED' | 'UNSURE';

export type permissionCheckStatusType = 'COMPLETE' | 'IN_PROGRESS' | 'FAILED';

export type policyOwnerEntityType = 'USER' | 'ROLE' | 'GROUP';

export type policyScopeType = 'All' | 'AWS' | 'Local';

export type policyType = 'INLINE' | 'MANAGED';

export type sortKeyType = 'SERVICE_NAMESPACE_ASCENDING' | 'SERVICE_NAMESPACE_DESCENDING' | 'LAST_AUTHENTICATED_TIME_ASCENDING' | 'LAST_AUTHENTICATED_TIME_DESCENDING';

export type stateType = 'UNASSIGNED' | 'ASSIGNED' | 'PENDING_APPROVAL' | 'FINALIZED' | 'ACCEPTED' | 'REJECTED' | 'EXPIRED';

export type statusType = 'Active' | 'Inactive' | 'Expired';

export type summaryKeyType = 'Users' | 'UsersQuota' | 'Groups' | 'GroupsQuota' | 'ServerCertificates' | 'ServerCertificatesQuota' | 'UserPolicySizeQuota' | 'GroupPolicySizeQuota' | 'GroupsPerUserQuota' | 'SigningCertificatesPerUserQuota' | 'AccessKeysPerUserQuota' | 'MFADevices' | 'MFADevicesInUse' | 'AccountMFAEnabled' | 'AccountAccessKeysPresent' | 'AccountPasswordPresent' | 'AccountSigningCertificatesPresent' | 'AttachedPoliciesPerGroupQuota' | 'AttachedPoliciesPerRoleQuota' | 'AttachedPoliciesPerUserQuota' | 'Policies' | 'PoliciesQuota' | 'PolicySizeQuota' | 'PolicyVersionsInUse' | 'PolicyVersionsInUseQuota' | 'VersionsPerPolicyQuota' | 'GlobalEndpointTokenVersion' | 'AssumeRolePolicySizeQuota' | 'InstanceProfiles' | 'InstanceProfilesQuota' | 'Providers' | 'RolePolicySizeQuota' | 'Roles' | 'RolesQuota';

export type summaryStateType = 'AVAILABLE' | 'NOT_AVAILABLE' | 'NOT_SUPPORTED' | 'FAILED';
