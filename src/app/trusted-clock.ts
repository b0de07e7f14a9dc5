import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';

/** A step larger than this between two readings is a jump; NTP's slewing stays far below it. */
const JUMP_TOLERANCE_MS = 5_000;

/**
 * The wall clock as time-based destruction may trust it. Every reading is
 * compared with the monotonic clock, which no one can set: when the wall clock
 * moved by more than the monotonic one (a step forward or back, a resume from
 * suspend), it is not trusted until it has kept pace for the steady period.
 * Nor is it at start, before it was seen keeping pace: a clock set wrong at
 * boot is often corrected minutes later.
 */
export class TrustedClock {
  private lastWall: number;
  private lastMono: number;
  /** Monotonic time since which the wall clock has kept pace. */
  private steadySince: number;
  private jumped = false;

  constructor(
    private readonly wall: () => number,
    private readonly steadyMs: number,
    private readonly logger: Logger,
    private readonly mono: () => number = () => performance.now(),
  ) {
    this.lastWall = wall();
    this.lastMono = this.steadySince = mono();
  }

  /** The wall clock's time if it can be trusted now; undefined while destruction must wait. */
  now(): number | undefined {
    const wall = this.wall();
    const mono = this.mono();
    const jumpMs = wall - this.lastWall - (mono - this.lastMono);
    this.lastWall = wall;
    this.lastMono = mono;
    if (Math.abs(jumpMs) > JUMP_TOLERANCE_MS) {
      this.steadySince = mono;
      this.jumped = true;
      this.logger.warn(
        { jumpMs: Math.round(jumpMs), steadySeconds: this.steadyMs / 1000 },
        'the wall clock jumped: purges and other time-based deletion wait until it has kept pace with the monotonic clock for the steady period',
      );
    }
    if (mono - this.steadySince < this.steadyMs) return undefined;
    if (this.jumped) {
      this.jumped = false;
      this.logger.info('the wall clock has kept pace since it jumped: time-based deletion resumes');
    }
    return wall;
  }
}
