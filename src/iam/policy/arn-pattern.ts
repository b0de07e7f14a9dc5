import type { ContextKeys } from './authorization-request.js';
import { type TemplateToken, constantOf } from './policy-variables.js';
import { type Glob, compileGlobTokens } from './wildcard.js';

/**
 * An ARN pattern, for the Resource element and the Arn condition operators. AWS matches each of
 * the six colon-separated parts on its own, so a wildcard never spans a colon except in the
 * last part (the resource id, which may hold colons itself). A pattern with fewer parts, like
 * `*`, lets its last part take the rest of the value.
 */
export interface ArnPattern {
  matches(value: string, keys?: ContextKeys): boolean;
}

const ARN_PARTS = 6;

export function compileArnPattern(tokens: readonly TemplateToken[]): ArnPattern {
  const constant = constantOf(tokens);
  if (constant !== undefined && !/[*?]/.test(constant)) {
    return { matches: (value) => value === constant };
  }
  const segments = splitSegments(tokens).map((segment) => compileGlobTokens(segment));
  return { matches: (value, keys) => matchSegments(segments, value, keys) };
}

function matchSegments(segments: readonly Glob[], value: string, keys: ContextKeys | undefined): boolean {
  let start = 0;
  const last = segments.length - 1;
  for (let i = 0; i < last; i++) {
    // A loop the optimizing compiler inlines, where indexOf stays a builtin call: these parts are short.
    let colon = start;
    while (colon < value.length && value.charCodeAt(colon) !== 58) colon++;
    if (colon === value.length || !segments[i]!.matches(value, start, colon, keys)) return false;
    start = colon + 1;
  }
  return segments[last]!.matches(value, start, value.length, keys);
}

/** Cuts the tokens at the first five colons of the pattern's plain text. */
function splitSegments(tokens: readonly TemplateToken[]): TemplateToken[][] {
  const segments: TemplateToken[][] = [[]];
  for (const token of tokens) {
    if (token.kind !== 'text') {
      segments[segments.length - 1]!.push(token);
      continue;
    }
    const pieces = token.value.split(':');
    pieces.forEach((piece, i) => {
      if (i > 0) {
        if (segments.length < ARN_PARTS) segments.push([]);
        else piece = `:${piece}`;
      }
      if (piece) segments[segments.length - 1]!.push({ kind: 'text', value: piece });
    });
  }
  return segments;
}
