import type { AuditReader } from '../../audit/audit-log.js';

export interface CloudTrailApiDeps {
  audit: AuditReader;
}
