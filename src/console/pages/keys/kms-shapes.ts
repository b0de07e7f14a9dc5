/** The KMS answers the console reads. Dates are epoch seconds. */
export interface KeyMetadata {
  KeyId: string;
  Arn: string;
  Description?: string;
  KeyState: string;
  Enabled: boolean;
  CreationDate?: number;
  DeletionDate?: number;
  KeyManager?: string;
  KeySpec?: string;
  KeyUsage?: string;
}

export interface Alias {
  AliasName: string;
  AliasArn?: string;
  TargetKeyId?: string;
}
