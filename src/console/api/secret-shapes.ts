/** The Secrets Manager answers the console reads (the fields it shows). Dates are epoch seconds. */
export interface Tag {
  Key: string;
  Value: string;
}

export interface RotationRules {
  AutomaticallyAfterDays?: number;
  Duration?: string;
  ScheduleExpression?: string;
}

export interface SecretSummary {
  ARN: string;
  Name: string;
  Description?: string;
  KmsKeyId?: string;
  RotationEnabled?: boolean;
  RotationLambdaARN?: string;
  RotationRules?: RotationRules;
  LastRotatedDate?: number;
  LastChangedDate?: number;
  LastAccessedDate?: number;
  DeletedDate?: number;
  NextRotationDate?: number;
  CreatedDate?: number;
  Tags?: Tag[];
}

export interface SecretDescription extends SecretSummary {
  VersionIdsToStages?: Record<string, string[]>;
}

export interface SecretVersion {
  VersionId: string;
  VersionStages?: string[];
  CreatedDate?: number;
  LastAccessedDate?: number;
  KmsKeyIds?: string[];
}

export interface SecretValue {
  ARN: string;
  VersionId: string;
  SecretString?: string;
  SecretBinary?: string;
  VersionStages?: string[];
}
