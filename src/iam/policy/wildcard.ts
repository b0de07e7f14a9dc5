import type { ContextKeys } from './authorization-request.js';
import { type TemplateToken, type VariableRef, parseTemplate, resolveVariable } from './policy-variables.js';

/** One character, for `?`. */
const ANY_ONE = 0;
type Piece = string | typeof ANY_ONE | VariableRef;
/** The pieces between two stars: fixed-length once variables are resolved. */
type Chunk = Piece[];

const EMPTY_KEYS: ContextKeys = new Map();

/** The common shapes get a test of their own; every glob is one class so call sites stay monomorphic. */
const enum Shape {
  Literal,
  Everything,
  Prefix,
  /** No star, but `?` or variables: still one fixed length. */
  Fixed,
  Starred,
}

/**
 * A `*` / `?` pattern, compiled once. Matching works on a slice of the value so that ARN
 * segments need no substring; it allocates nothing, variables included.
 */
export class Glob {
  private readonly shape: Shape;
  /** The whole pattern (Literal) or its head (Prefix), when that is plain text. */
  private readonly text: string;
  private readonly head: Chunk;
  private readonly middles: readonly Chunk[];
  private readonly tail: Chunk;

  constructor(chunks: Chunk[]) {
    this.head = chunks[0]!;
    this.tail = chunks[chunks.length - 1]!;
    this.middles = chunks.slice(1, -1).filter((chunk) => chunk.length > 0);
    const plainHead = this.head.length === 0 ? '' : this.head.length === 1 ? this.head[0] : undefined;
    this.text = typeof plainHead === 'string' ? plainHead : '';
    if (chunks.length === 1) this.shape = typeof plainHead === 'string' ? Shape.Literal : Shape.Fixed;
    else if (this.middles.length > 0 || this.tail.length > 0 || typeof plainHead !== 'string') this.shape = Shape.Starred;
    else this.shape = plainHead === '' ? Shape.Everything : Shape.Prefix;
  }

  matches(value: string, start: number, end: number, keys: ContextKeys = EMPTY_KEYS): boolean {
    switch (this.shape) {
      case Shape.Literal:
        if (start === 0 && end === value.length) return value === this.text;
        return end - start === this.text.length && regionEquals(value, start, this.text);
      case Shape.Everything:
        return true;
      case Shape.Prefix:
        return end - start >= this.text.length && regionEquals(value, start, this.text);
      case Shape.Fixed:
        return matchAt(this.head, value, start, end, keys) === end;
      case Shape.Starred:
        return this.matchStarred(value, start, end, keys);
    }
  }

  private matchStarred(value: string, start: number, end: number, keys: ContextKeys): boolean {
    let at = matchAt(this.head, value, start, end, keys);
    // Taking each middle chunk at its leftmost place is never worse: the stars around it absorb the rest.
    for (let i = 0; at >= 0 && i < this.middles.length; i++) at = findLeftmost(this.middles[i]!, value, at, end, keys);
    if (at < 0) return false;
    const tailLength = lengthOf(this.tail, keys);
    return tailLength >= 0 && end - tailLength >= at && matchAt(this.tail, value, end - tailLength, end, keys) === end;
  }
}

/** A plain-text pattern (no variables); `foldCase` lower-cases it, for values the caller lower-cases too. */
export function compileGlob(pattern: string, foldCase = false): Glob {
  return compileGlobTokens(parseTemplate(pattern, false), foldCase);
}

export function compileGlobTokens(tokens: readonly TemplateToken[], foldCase = false): Glob {
  const chunks: Chunk[] = [[]];
  // Literal runs are gathered and joined once: strings grown by `+=` stay ropes in V8, slow to scan.
  let run: string[] = [];
  const flush = () => {
    if (run.length > 0) chunks[chunks.length - 1]!.push(run.join(''));
    run = [];
  };
  for (const token of tokens) {
    if (token.kind === 'var') {
      flush();
      chunks[chunks.length - 1]!.push(token.ref);
    } else if (token.kind === 'literal') run.push(foldCase ? token.value.toLowerCase() : token.value);
    else {
      for (const ch of foldCase ? token.value.toLowerCase() : token.value) {
        if (ch === '*' || ch === '?') flush();
        if (ch === '*') chunks.push([]);
        else if (ch === '?') chunks[chunks.length - 1]!.push(ANY_ONE);
        else run.push(ch);
      }
    }
  }
  flush();
  return new Glob(chunks);
}

/** `value.startsWith(text, at)` as a loop the optimizing compiler inlines, where startsWith stays a builtin call. */
function regionEquals(value: string, at: number, text: string): boolean {
  for (let i = 0; i < text.length; i++) if (value.charCodeAt(at + i) !== text.charCodeAt(i)) return false;
  return true;
}

/** Where the chunk ends when laid at `at`, or -1. */
function matchAt(chunk: Chunk, value: string, at: number, end: number, keys: ContextKeys): number {
  for (const piece of chunk) {
    if (piece === ANY_ONE) {
      if (at >= end) return -1;
      at++;
      continue;
    }
    const text = typeof piece === 'string' ? piece : resolveVariable(piece, keys);
    if (text === undefined || at + text.length > end || !regionEquals(value, at, text)) return -1;
    at += text.length;
  }
  return at;
}

function findLeftmost(chunk: Chunk, value: string, from: number, end: number, keys: ContextKeys): number {
  const first = chunk[0];
  for (let at = from; at <= end; at++) {
    if (typeof first === 'string') {
      at = value.indexOf(first, at);
      if (at < 0 || at + first.length > end) return -1;
    }
    const after = matchAt(chunk, value, at, end, keys);
    if (after >= 0) return after;
  }
  return -1;
}

function lengthOf(chunk: Chunk, keys: ContextKeys): number {
  let length = 0;
  for (const piece of chunk) {
    if (piece === ANY_ONE) length++;
    else {
      const text = typeof piece === 'string' ? piece : resolveVariable(piece, keys);
      if (text === undefined) return -1;
      length += text.length;
    }
  }
  return length;
}
