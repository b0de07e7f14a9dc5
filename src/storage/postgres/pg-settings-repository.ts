import type { SettingsRepository } from '../repositories.js';
import { sql, type Queryable } from './pg-statement.js';

const STATEMENTS = {
  get: sql('SELECT value FROM settings WHERE name = ?'),
  set: sql('INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value'),
};

export class PgSettingsRepository implements SettingsRepository {
  constructor(private readonly db: Queryable) {}

  async get(name: string): Promise<string | undefined> {
    return (await STATEMENTS.get.get<{ value: string }>(this.db, [name]))?.value;
  }

  async set(name: string, value: string): Promise<void> {
    await STATEMENTS.set.run(this.db, [name, value]);
  }
}
