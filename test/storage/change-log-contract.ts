/**
 * The change log part of the storage contract: what the change feed reads. Every storage records
 * the secret changes its units note, in commit order, once, after a cursor it hands out; a
 * rolled-back unit's notes are never read.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SecretChange, Storage } from '../../src/storage/index.js';
import { InvalidCursorError } from '../../src/storage/secret-changes.js';

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:';

function change(name: string, type: SecretChange['type'] = 'VersionCreated', secretId = 1): SecretChange {
  return { type, secretId, arn: `${ARN}${name}-AbCdEf`, name, versionId: `v-${name}`, stages: { [`v-${name}`]: ['AWSCURRENT'] } };
}

const note = (storage: Storage, ...changes: SecretChange[]) =>
  storage.transaction(async (tx) => {
    for (const c of changes) tx.noteSecretChange(c);
  });

/** Every change after `cursor`, page by page until a read finds nothing; returns them and the final cursor. */
export async function readAll(storage: Storage, cursor: string, limit = 100): Promise<{ names: string[]; cursor: string }> {
  const names: string[] = [];
  for (;;) {
    const page = await storage.readSecretChanges(cursor, limit);
    names.push(...page.changes.map((c) => c.name));
    cursor = page.cursor;
    if (!page.more && page.changes.length === 0) return { names, cursor };
  }
}

export function changeLogContract(open: () => Promise<Storage>): void {
  describe('change log', () => {
    const it = (title: string, body: (storage: Storage) => Promise<void>) =>
      test(title, async () => {
        const storage = await open();
        try {
          await body(storage);
        } finally {
          await storage.close();
        }
      });

    it('without a cursor: none, and a cursor from which the noted changes come in commit order, each once, as noted', async (storage) => {
      await note(storage, change('before'));
      const start = await storage.readSecretChanges(undefined, 100);
      assert.deepEqual(start.changes, []);
      assert.equal(start.more, false);
      const before = Date.now();
      await note(storage, change('one'));
      await note(storage, change('two', 'StagesChanged'), change('three', 'SecretDeleted', 2));
      const page = await storage.readSecretChanges(start.cursor, 100);
      assert.deepEqual(page.changes.map((c) => c.name), ['one', 'two', 'three']);
      const { recordedAt, ...first } = page.changes[0]!;
      assert.deepEqual(first, change('one'));
      assert.ok(recordedAt >= before - 1000 && recordedAt <= Date.now() + 1000, `recorded at ${recordedAt}`);
      assert.equal(page.changes[2]!.type, 'SecretDeleted');
      const again = await storage.readSecretChanges(page.cursor, 100);
      assert.deepEqual(again.changes, [], 'nothing twice');
      assert.deepEqual((await storage.readSecretChanges(start.cursor, 100)).changes.length, 3, 'a cursor can be read again');
    });

    it('a rolled-back unit notes nothing; writes that note no change move the cursor past themselves only', async (storage) => {
      const { cursor } = await storage.readSecretChanges(undefined, 10);
      await assert.rejects(
        storage.transaction(async (tx) => {
          tx.noteSecretChange(change('rolled-back'));
          throw new Error('boom');
        }),
        /boom/,
      );
      await storage.settings.set('unrelated', 'x');
      await note(storage, change('kept'));
      assert.deepEqual((await readAll(storage, cursor)).names, ['kept']);
    });

    it('pages of `limit` changes say there are more, and together hold every change once, in order', async (storage) => {
      const { cursor } = await storage.readSecretChanges(undefined, 10);
      const names = Array.from({ length: 7 }, (_, i) => `n${i}`);
      for (const name of names.slice(0, 3)) await note(storage, change(name));
      await note(storage, ...names.slice(3).map((name) => change(name)));
      const first = await storage.readSecretChanges(cursor, 3);
      assert.equal(first.changes.length, 3);
      assert.equal(first.more, true);
      // Written while paging: read after the pages of the earlier window.
      await note(storage, change('late'));
      assert.deepEqual((await readAll(storage, first.cursor, 3)).names, [...names.slice(3), 'late']);
    });

    it('a unit that commits after a read, though it started before it, is read next: nothing missed, nothing twice', async (storage) => {
      const { cursor } = await storage.readSecretChanges(undefined, 10);
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let noted!: () => void;
      const started = new Promise<void>((resolve) => (noted = resolve));
      const slow = storage.transaction(async (tx) => {
        tx.noteSecretChange(change('slow'));
        await tx.settings.set('slow', 'yes');
        noted();
        await gate;
      });
      await started;
      const fast = note(storage, change('fast'));
      // PostgreSQL commits the later unit first and reads while the first is open; SQLite runs
      // the later unit after the open one, and reads once units have ended.
      await Promise.race([fast, delay(100)]);
      const reading = storage.readSecretChanges(cursor, 10);
      await Promise.race([reading, delay(100)]);
      release();
      const during = await reading;
      await Promise.all([slow, fast]);
      const after = await readAll(storage, during.cursor);
      const seen = [...during.changes.map((c) => c.name), ...after.names];
      assert.deepEqual([...seen].sort(), ['fast', 'slow']);
    });

    it('a cursor it did not make is refused', async (storage) => {
      for (const cursor of ['', 'x', 's-1', 'p', 'p!!', `p${Buffer.from('{"t":1}').toString('base64url')}`, 's1e3']) {
        await assert.rejects(storage.readSecretChanges(cursor, 10), InvalidCursorError, cursor);
      }
    });
  });
}
