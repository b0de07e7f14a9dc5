import type { RotationFunctionRepository } from '../repositories.js';
import type { RotationFunctionRecord } from '../stored-records.js';
import { functionParams, toFunction, type FunctionRow } from '../rows/rotation-function-rows.js';
import { sql, type Queryable } from './pg-statement.js';

const STATEMENTS = {
  find: sql('SELECT * FROM rotation_functions WHERE account = ? AND region = ? AND name = ?'),
  findByArn: sql('SELECT * FROM rotation_functions WHERE arn = ?'),
  list: sql('SELECT * FROM rotation_functions WHERE account = ? AND region = ? ORDER BY name'),
  insert: sql(`INSERT INTO rotation_functions (account, region, name, arn, kind, url, command, timeout_seconds,
    sealed_signing_key, role_arn, created_at, updated_at) VALUES (@account, @region, @name, @arn, @kind, @url, @command,
    @timeoutSeconds, @sealedSigningKey, @roleArn, @createdAt, @updatedAt)`),
  update: sql(`UPDATE rotation_functions SET kind = @kind, url = @url, command = @command,
    timeout_seconds = @timeoutSeconds, sealed_signing_key = @sealedSigningKey, role_arn = @roleArn, updated_at = @updatedAt
    WHERE account = @account AND region = @region AND name = @name`),
  delete: sql('DELETE FROM rotation_functions WHERE account = ? AND region = ? AND name = ?'),
  all: sql('SELECT * FROM rotation_functions ORDER BY arn'),
};

export class PgRotationFunctionRepository implements RotationFunctionRepository {
  constructor(private readonly db: Queryable) {}

  async find(account: string, region: string, name: string): Promise<RotationFunctionRecord | undefined> {
    const row = await STATEMENTS.find.get<FunctionRow>(this.db, [account, region, name]);
    return row && toFunction(row);
  }

  async findByArn(arn: string): Promise<RotationFunctionRecord | undefined> {
    const row = await STATEMENTS.findByArn.get<FunctionRow>(this.db, [arn]);
    return row && toFunction(row);
  }

  async list(account: string, region: string): Promise<RotationFunctionRecord[]> {
    return (await STATEMENTS.list.all<FunctionRow>(this.db, [account, region])).map(toFunction);
  }

  async insert(fn: RotationFunctionRecord): Promise<void> {
    await STATEMENTS.insert.run(this.db, functionParams(fn));
  }

  async update(fn: RotationFunctionRecord): Promise<void> {
    await STATEMENTS.update.run(this.db, functionParams(fn));
  }

  async delete(account: string, region: string, name: string): Promise<void> {
    await STATEMENTS.delete.run(this.db, [account, region, name]);
  }

  async all(): Promise<RotationFunctionRecord[]> {
    return (await STATEMENTS.all.all<FunctionRow>(this.db)).map(toFunction);
  }
}
