import type { AuditLog } from '../audit/audit-log.js';
import type { RotationScheduler } from '../rotation/rotation-scheduler.js';
import type { Sweeper } from './sweeper.js';

export interface BackgroundWork {
  sweeper: Sweeper;
  scheduler: RotationScheduler;
  audit: AuditLog;
  sweepIntervalMs: number;
  digestIntervalMs: number;
  /** How long audit records stay in the lookup index and audit.db, and where older segments are archived. */
  retention: { retentionMs: number; archiveDir?: string };
}

/**
 * What starts when this process becomes the runner of background work (it
 * took the lease) and stops when it no longer is: the sweeper, the rotation
 * scheduler, audit digest signing and audit retention. The sweeper and scheduler write through
 * storage fenced by that lease.
 */
export function whileRunner(work: BackgroundWork): (held: boolean) => Promise<void> {
  return async (held) => {
    if (held) {
      work.audit.startDigests(work.digestIntervalMs);
      work.audit.startRetention(work.sweepIntervalMs, work.retention.retentionMs, work.retention.archiveDir);
      work.sweeper.start(work.sweepIntervalMs);
      work.scheduler.start();
    } else {
      work.audit.stopDigests();
      work.audit.stopRetention();
      await work.sweeper.stop();
      await work.scheduler.stop();
    }
  };
}
