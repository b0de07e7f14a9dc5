// The audit store contract on SQLite's audit.db (processes of one machine sharing the file) and on
// PostgreSQL (nodes sharing the database), each store in a place of its own.
import { after } from 'node:test';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteAuditChain } from '../../src/audit/sqlite-audit-chain.js';
import { openAuditDatabase } from '../../src/storage/sqlite/audit-database.js';
import { PostgresStorage } from '../../src/storage/postgres/pg-storage.js';
import { tempDir } from '../support/coffer-server.js';
import { throwawayDatabase } from '../support/postgres-database.js';
import { auditContract } from './audit-contract.js';

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

auditContract('SQLite audit.db shared by processes', async () => {
  const dir = tempDir();
  dirs.push(dir);
  const path = join(dir, 'audit.db');
  return {
    open: async () => new SqliteAuditChain(openAuditDatabase(path), true),
    // A pid no process has any more.
    goneOwner: () => `${spawnSync(process.execPath, ['-e', '0']).pid!}:gone`,
    close: async () => undefined,
  };
});

const database = await throwawayDatabase('audit store contract: a PostgreSQL server to test against');
if (database) {
  let schemas = 0;
  auditContract(
    'PostgreSQL shared by nodes',
    async () => {
      const url = database.url(`audit_${++schemas}`);
      // Migrated by the storage; each chain gets a pool of its own, as each node has.
      await (await PostgresStorage.open({ url })).close();
      const nodes: PostgresStorage[] = [];
      return {
        open: async (owner) => {
          const node = await PostgresStorage.open({ url });
          nodes.push(node);
          return node.openAuditChain(owner);
        },
        goneOwner: () => `gone:${schemas}`,
        close: async () => void (await Promise.all(nodes.map((node) => node.close()))),
      };
    },
    () => database.drop(),
  );
}
