import type { DataDirMarks } from './data-dir-marks.js';
import type { Storage } from './repositories.js';

/** A store opened for a server, with what the checks of its files found at start. */
export interface OpenedStore {
  storage: Storage;
  /** High-water marks the audit log carries into its own file, where the store and the log are files side by side. */
  marks?: DataDirMarks;
  /** What --accept-data-loss let through, one sentence each (empty when nothing was missing). */
  accepted: string[];
  /** Records the first start as complete: from then on, a missing or emptied file is refused. */
  completeFirstStart(): void;
}
