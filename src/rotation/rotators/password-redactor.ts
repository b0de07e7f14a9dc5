import { reason } from './database-engine.js';

const MASK = '********';

/**
 * Collects every password a rotation step handles and scrubs them from the error the
 * step ends with: a server may echo part of a statement back ("... near '<password>'").
 */
export class PasswordRedactor {
  private readonly passwords = new Set<string>();

  hide(password: string): void {
    if (password !== '') this.passwords.add(password);
  }

  /**
   * A fresh Error carrying only the scrubbed message and the error's code: drivers attach
   * the statement text (with the password) to their errors, so nothing else is copied.
   */
  scrub(error: unknown): Error {
    let message = reason(error);
    // Longest first, so a password that contains another is masked whole.
    for (const password of [...this.passwords].sort((a, b) => b.length - a.length)) {
      message = message.split(password).join(MASK);
    }
    const scrubbed = new Error(message);
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === 'string') Object.assign(scrubbed, { code });
    return scrubbed;
  }
}
