/** IAM answers as the query protocol gives them: every value is text. */
export interface IamUser {
  UserName: string;
  UserId: string;
  Arn: string;
  CreateDate: string;
}

export interface IamGroup {
  GroupName: string;
  Arn: string;
  CreateDate: string;
}

export interface IamRole {
  RoleName: string;
  Arn: string;
  CreateDate: string;
  Description?: string;
  AssumeRolePolicyDocument?: string;
  MaxSessionDuration?: string;
}

export interface IamPolicy {
  PolicyName: string;
  Arn: string;
  AttachmentCount?: string;
  CreateDate: string;
  DefaultVersionId?: string;
  Description?: string;
}

export interface AccessKey {
  AccessKeyId: string;
  Status: 'Active' | 'Inactive';
  CreateDate: string;
  SecretAccessKey?: string;
}

/** The kinds of IAM identity that hold policies, as IAM's action names spell them (AttachUserPolicy…). */
export type PolicyHolder = 'User' | 'Group' | 'Role';
