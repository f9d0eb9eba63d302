import type { Kysely, Transaction } from 'kysely';
import type { EntityPlan } from './catalog-plan.js';
import { eventKey, type EventRow } from './catalog-rows.js';
import type { DB } from '../storage/database-schema.js';

/** The stored catalog events as rows, keyed as {@link eventKey} keys them. */
export async function readEventRows(db: Kysely<DB> | Transaction<DB>): Promise<Map<string, EventRow>> {
  const rows = await db.selectFrom('catalog_events').selectAll().execute();
  return new Map(
    rows.map((e) => {
      const key = eventKey(e.directive_id, e.position);
      const row: EventRow = {
        key,
        directiveId: e.directive_id,
        position: e.position,
        dateText: e.date_text,
        day: e.day,
        precision: e.precision,
        at: e.at.toISOString(),
        text: e.text,
        targetIds: e.target_ids,
        indicatorId: e.indicator_id,
        source: e.source,
      };
      return [key, row];
    }),
  );
}

/** Writes a plan's event changes; run after the directives are written (an event references its directive). */
export async function writeEventPlan(db: Transaction<DB>, plan: EntityPlan<EventRow>): Promise<void> {
  for (const e of plan.deleted) {
    await db
      .deleteFrom('catalog_events')
      .where('directive_id', '=', e.directiveId)
      .where('position', '=', e.position)
      .execute();
  }
  for (const e of [...plan.created, ...plan.updated.map((u) => u.after)]) {
    const row = {
      directive_id: e.directiveId,
      position: e.position,
      date_text: e.dateText,
      day: e.day,
      precision: e.precision,
      at: e.at,
      text: e.text,
      target_ids: e.targetIds,
      indicator_id: e.indicatorId,
      source: e.source,
    };
    await db
      .insertInto('catalog_events')
      .values(row)
      .onConflict((oc) => oc.columns(['directive_id', 'position']).doUpdateSet(row))
      .execute();
  }
}
