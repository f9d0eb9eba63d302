import type { Kysely } from 'kysely';
import type { DB } from '../storage/database-schema.js';

/** Small named facts the process must remember across restarts (e.g. "the demo data was loaded"). */
export class StateRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async get<T extends object>(key: string): Promise<T | undefined> {
    const row = await this.db.selectFrom('pacer_state').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value as T | undefined;
  }

  /** Sets `key` unless it is already set; returns whether this call set it. */
  async setOnce(key: string, value: object): Promise<boolean> {
    const result = await this.db
      .insertInto('pacer_state')
      .values({ key, value: JSON.stringify(value) })
      .onConflict((oc) => oc.column('key').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }
}
