import { tagMap, type ContextValue } from '../iam/policy/index.js';
import type { RequestTarget } from './operation.js';

/** A tag as a request gives it: Secrets Manager's model leaves both members optional. */
interface RequestTag {
  Key?: string;
  Value?: string;
}

/**
 * A request's condition keys with its tags: `tags` (a tagging request's Tags) give
 * aws:RequestTag/* and aws:TagKeys; `tagKeys` (UntagResource's TagKeys) give aws:TagKeys alone.
 */
export function withRequestTags(
  context: Record<string, ContextValue>,
  tags: readonly RequestTag[] | undefined,
  tagKeys?: readonly string[],
): Pick<RequestTarget, 'requestTags' | 'context'> {
  // A tag without a key is refused by the operation itself, once authorized.
  if (tags) return { requestTags: tagMap(tags as readonly Required<RequestTag>[]), context };
  if (tagKeys) return { context: { ...context, 'aws:TagKeys': tagKeys } };
  return { context };
}
