/** A secret value as GetSecretValue returns it, without the SDK's response metadata. */
export interface SecretValue {
  ARN: string;
  Name: string;
  VersionId: string;
  SecretString?: string;
  SecretBinary?: Uint8Array;
  VersionStages: string[];
  CreatedDate?: Date;
}

/** What a caller asks for: a secret (name, ARN or partial ARN) and a version by label or id. */
export interface SecretRequest {
  secretId: string;
  versionStage?: string;
  versionId?: string;
}

/** One cached answer: what was asked, the value, and when the read that got it began. */
export interface CacheEntry {
  request: SecretRequest;
  value: SecretValue;
  fetchedAt: number;
}

/** The label an entry follows: the one asked for, AWSCURRENT when neither a label nor an id was. */
export function followedStage(request: SecretRequest): string | undefined {
  return request.versionStage ?? (request.versionId === undefined ? 'AWSCURRENT' : undefined);
}

export function requestKey({ secretId, versionStage, versionId }: SecretRequest): string {
  return `${secretId}\n${versionStage ?? ''}\n${versionId ?? ''}`;
}

/**
 * Cached answers, least recently used first, found by what was asked and by the secret's ARN
 * (what a change names). At most `maxEntries`: the least recently used goes first.
 */
export class CacheEntries {
  private readonly entries = new Map<string, CacheEntry>();
  private readonly byArn = new Map<string, Set<string>>();

  constructor(private readonly maxEntries: number) {}

  /** The entry, marked as just used. */
  use(key: string): CacheEntry | undefined {
    const entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  set(key: string, entry: CacheEntry): void {
    this.delete(key);
    this.entries.set(key, entry);
    let keys = this.byArn.get(entry.value.ARN);
    if (!keys) this.byArn.set(entry.value.ARN, (keys = new Set()));
    keys.add(key);
    if (this.entries.size > this.maxEntries) this.delete(this.entries.keys().next().value!);
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    const keys = this.byArn.get(entry.value.ARN)!;
    keys.delete(key);
    if (keys.size === 0) this.byArn.delete(entry.value.ARN);
  }

  /** The entries of one secret, with their keys. */
  ofSecret(arn: string): [string, CacheEntry][] {
    return [...(this.byArn.get(arn) ?? [])].map((key) => [key, this.entries.get(key)!]);
  }

  clear(): void {
    this.entries.clear();
    this.byArn.clear();
  }
}
