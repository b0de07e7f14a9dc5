import { reason } from './database-engine.js';

const MASK = '********';

/**
 * A password this long is masked wherever it appears: such a string does not turn up inside
 * other words by chance. A shorter one ("x", "admin") is masked only where it stands as a word
 * of its own, so that the message keeps the words that merely share its letters.
 */
const MASK_EVERYWHERE_LENGTH = 8;

const WORD_CHARACTER = /[\p{L}\p{N}_]/u;

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
      message = maskPassword(message, password);
    }
    const scrubbed = new Error(message);
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === 'string') Object.assign(scrubbed, { code });
    return scrubbed;
  }
}

/** `message` with each occurrence of `password` masked, unless a short password sits inside a longer word. */
export function maskPassword(message: string, password: string): string {
  const everywhere = [...password].length >= MASK_EVERYWHERE_LENGTH;
  // A side of the password that is itself punctuation cannot run into a neighbouring word.
  const gluesBefore = WORD_CHARACTER.test(password.at(0)!);
  const gluesAfter = WORD_CHARACTER.test(password.at(-1)!);
  let out = '';
  let from = 0;
  for (let at = message.indexOf(password); at >= 0; at = message.indexOf(password, at + 1)) {
    if (at < from) continue;
    const end = at + password.length;
    const insideWord = (gluesBefore && at > 0 && WORD_CHARACTER.test(message[at - 1]!)) || (gluesAfter && end < message.length && WORD_CHARACTER.test(message[end]!));
    if (!everywhere && insideWord) continue;
    out += message.slice(from, at) + MASK;
    from = end;
  }
  return out + message.slice(from);
}
