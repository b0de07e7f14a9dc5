import type { RotationFunctionRepository } from '../repositories.js';
import type { RotationFunctionRecord } from '../stored-records.js';
import { ROTATION_FUNCTIONS } from '../rows/rotation-function-rows.js';
import { sql, type Queryable } from './pg-statement.js';

const STATEMENTS = {
  find: sql('SELECT * FROM rotation_functions WHERE account = ? AND region = ? AND name = ?'),
  findByArn: sql('SELECT * FROM rotation_functions WHERE arn = ?'),
  list: sql('SELECT * FROM rotation_functions WHERE account = ? AND region = ? ORDER BY name'),
  insert: sql(ROTATION_FUNCTIONS.insert()),
  update: sql(ROTATION_FUNCTIONS.update('account = @account AND region = @region AND name = @name')),
  delete: sql('DELETE FROM rotation_functions WHERE account = ? AND region = ? AND name = ?'),
  all: sql('SELECT * FROM rotation_functions ORDER BY arn'),
};

export class PgRotationFunctionRepository implements RotationFunctionRepository {
  constructor(private readonly db: Queryable) {}

  async find(account: string, region: string, name: string): Promise<RotationFunctionRecord | undefined> {
    return ROTATION_FUNCTIONS.readOne(await STATEMENTS.find.get(this.db, [account, region, name]));
  }

  async findByArn(arn: string): Promise<RotationFunctionRecord | undefined> {
    return ROTATION_FUNCTIONS.readOne(await STATEMENTS.findByArn.get(this.db, [arn]));
  }

  async list(account: string, region: string): Promise<RotationFunctionRecord[]> {
    return ROTATION_FUNCTIONS.readAll(await STATEMENTS.list.all(this.db, [account, region]));
  }

  async insert(fn: RotationFunctionRecord): Promise<void> {
    await STATEMENTS.insert.run(this.db, ROTATION_FUNCTIONS.params(fn, 'postgres'));
  }

  async update(fn: RotationFunctionRecord): Promise<void> {
    await STATEMENTS.update.run(this.db, ROTATION_FUNCTIONS.params(fn, 'postgres'));
  }

  async delete(account: string, region: string, name: string): Promise<void> {
    await STATEMENTS.delete.run(this.db, [account, region, name]);
  }

  async all(): Promise<RotationFunctionRecord[]> {
    return ROTATION_FUNCTIONS.readAll(await STATEMENTS.all.all(this.db));
  }
}
