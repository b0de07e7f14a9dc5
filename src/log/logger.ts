import { pino, type Logger } from 'pino';

/** Structured JSON logs; buffered writes so logging stays off the request's critical path. */
export function createLogger(level: string, file?: string): Logger {
  const destination = pino.destination({ dest: file ?? 1, sync: false, mkdir: true });
  return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}

export function flushLogger(logger: Logger): void {
  logger.flush();
}
