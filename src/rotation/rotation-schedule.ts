import type { SecretRotation } from '../storage/index.js';
import { nextRotationDate, nextRotationWindow, parseRotationRules, randomTimeInWindow } from './rotation-rules.js';

/**
 * The next scheduled rotation of a secret whose rotation is enabled: a random
 * moment inside the next window (when the scheduler starts it) and the
 * window's end (what DescribeSecret reports as NextRotationDate). `from` is the
 * last rotation, or now for a secret never rotated.
 */
export function scheduleNext(rotation: SecretRotation, from: number, random: () => number = Math.random): SecretRotation {
  if (!rotation.enabled || !rotation.rules) return { ...rotation, nextRotationAt: undefined, nextRotationDate: undefined };
  const plan = parseRotationRules(rotation.rules);
  return {
    ...rotation,
    nextRotationAt: randomTimeInWindow(nextRotationWindow(plan, from), random).getTime(),
    nextRotationDate: nextRotationDate(plan, from).getTime(),
  };
}
