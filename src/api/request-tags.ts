import { tagMap, type ContextValue } from '../iam/policy/index.js';
import type { RequestTarget } from './operation.js';

/**
 * A request's condition keys with its tags: `tags` (a tagging request's Tags) give
 * aws:RequestTag/* and aws:TagKeys; `tagKeys` (UntagResource's TagKeys) give aws:TagKeys alone.
 */
export function withRequestTags(
  context: Record<string, ContextValue>,
  tags: readonly { Key: string; Value: string }[] | undefined,
  tagKeys?: unknown,
): Pick<RequestTarget, 'requestTags' | 'context'> {
  if (tags) return { requestTags: tagMap(tags), context };
  if (Array.isArray(tagKeys)) return { context: { ...context, 'aws:TagKeys': tagKeys as string[] } };
  return { context };
}
