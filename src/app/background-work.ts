import type { AuditLog } from '../audit/audit-log.js';
import type { RotationScheduler } from '../rotation/rotation-scheduler.js';
import type { Sweeper } from './sweeper.js';

export interface BackgroundWork {
  sweeper: Sweeper;
  scheduler: RotationScheduler;
  audit: AuditLog;
  sweepIntervalMs: number;
  digestIntervalMs: number;
}

/**
 * What starts when this process becomes the runner of background work (it
 * took the lease) and stops when it no longer is: the sweeper, the rotation
 * scheduler and audit digest signing. The sweeper and scheduler write through
 * storage fenced by that lease.
 */
export function whileRunner(work: BackgroundWork): (held: boolean) => Promise<void> {
  return async (held) => {
    if (held) {
      work.audit.startDigests(work.digestIntervalMs);
      work.sweeper.start(work.sweepIntervalMs);
      work.scheduler.start();
    } else {
      work.audit.stopDigests();
      await work.sweeper.stop();
      await work.scheduler.stop();
    }
  };
}
