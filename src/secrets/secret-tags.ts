import { SecretsErrors } from '../errors/service-error.js';
import type { Tag } from '../storage/index.js';

const MAX_TAGS = 50;

/** AWS's tag rules: at most 50, unique keys, `aws:` reserved. Returns the tags in a stored form. */
export function validateTags(tags: Tag[]): Tag[] {
  if (tags.length > MAX_TAGS) {
    throw SecretsErrors.invalidParameter(`A secret can have at most ${MAX_TAGS} tags.`);
  }
  const seen = new Set<string>();
  for (const tag of tags) {
    if (tag.Key === undefined || tag.Key.length === 0) throw SecretsErrors.invalidParameter('A tag key must not be empty.');
    if (tag.Key.toLowerCase().startsWith('aws:')) {
      throw SecretsErrors.invalidParameter(`Invalid tag key ${tag.Key}: the aws: prefix is reserved for AWS use.`);
    }
    if (seen.has(tag.Key)) throw SecretsErrors.invalidParameter(`Duplicate tag key ${tag.Key}.`);
    seen.add(tag.Key);
  }
  return tags.map((t) => ({ Key: t.Key, Value: t.Value ?? '' }));
}
