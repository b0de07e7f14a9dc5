import { parsePolicy, type CompiledPolicy, type PolicyKind } from './policy-document.js';

/** Distinct documents kept: a server sees few, and each text compiles the same. */
const DEFAULT_LIMIT = 2048;

/**
 * Compiled policies by document text, so that a policy used by many callers or
 * requests is parsed once. The text of a cached record is the same string each
 * time, so its hash is computed once too.
 */
export class PolicyCache {
  private readonly byDocument = new Map<string, CompiledPolicy>();

  /** `fallback`: what a document that no longer parses stands for; without one, it throws. */
  constructor(
    private readonly kind: PolicyKind,
    private readonly fallback?: CompiledPolicy,
    private readonly limit = DEFAULT_LIMIT,
  ) {}

  get(document: string): CompiledPolicy {
    let policy = this.byDocument.get(document);
    if (!policy) {
      policy = this.compile(document);
      if (this.byDocument.size >= this.limit) this.byDocument.clear();
      this.byDocument.set(document, policy);
    }
    return policy;
  }

  private compile(document: string): CompiledPolicy {
    if (!this.fallback) return parsePolicy(document, this.kind);
    try {
      return parsePolicy(document, this.kind);
    } catch {
      return this.fallback;
    }
  }
}
