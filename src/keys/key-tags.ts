import { KmsErrors } from './kms-errors.js';
import type { Tag } from '../storage/index.js';

const MAX_TAGS = 50;

/** KMS's wire form of a tag. */
export interface KmsTag {
  TagKey: string;
  TagValue: string;
}

/** Adds or replaces tags, with KMS's checks: no `aws:` keys, no key twice in one request, at most 50. */
export function mergeKeyTags(existing: Tag[], added: KmsTag[]): Tag[] {
  const seen = new Set<string>();
  for (const { TagKey } of added) {
    if (TagKey.toLowerCase().startsWith('aws:')) throw KmsErrors.tag('Tags beginning with aws: are reserved');
    if (seen.has(TagKey)) throw KmsErrors.tag('Duplicate tag keys');
    seen.add(TagKey);
  }
  const merged = new Map(existing.map((t) => [t.Key, t.Value]));
  for (const { TagKey, TagValue } of added) merged.set(TagKey, TagValue);
  if (merged.size > MAX_TAGS) throw KmsErrors.tag('Too many tags');
  return [...merged].map(([Key, Value]) => ({ Key, Value }));
}

export function removeKeyTags(existing: Tag[], keys: string[]): Tag[] {
  const removed = new Set(keys);
  return existing.filter((t) => !removed.has(t.Key));
}

export function toKmsTags(tags: Tag[]): KmsTag[] {
  return tags.map((t) => ({ TagKey: t.Key, TagValue: t.Value }));
}
