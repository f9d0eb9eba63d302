import { eventConcerns } from '../domain/catalog/catalog-events.js';
import { directiveTextFields, storedTranslations } from '../domain/catalog/catalog-text.js';
import { sql, type Kysely } from 'kysely';
import type { Point } from '../domain/evaluation/region-rollup.js';
import type {
  DirectiveRecord,
  ScorecardStore,
  SeriesObservation,
  SeriesPage,
  StatusChange,
  TargetDescription,
} from './scorecard-service.js';
import { observationsKnownAt } from '../observations/observations-known-at-sql.js';
import type { DB } from '../storage/database-schema.js';

/**
 * {@link ScorecardStore}: per-target reads, each one indexed query (the observations' primary key, the revisions' and
 * status changes' indexes).
 */
export class ScorecardRepository implements ScorecardStore {
  constructor(private readonly db: Kysely<DB>) {}

  async directives(): Promise<DirectiveRecord[]> {
    const rows = await this.db
      .selectFrom('directives')
      .select(['id', 'title', 'issuer', 'issued', 'timezone', 'url', 'translations'])
      .orderBy('id')
      .execute();
    return rows.map((d) => ({ ...d, translations: storedTranslations(directiveTextFields, d.translations) }));
  }

  async describeTarget(id: string): Promise<TargetDescription | undefined> {
    const row = await this.db
      .selectFrom('targets as t')
      .innerJoin('regions as r', 'r.id', 't.region_id')
      .select(['t.source', 't.note', 'r.name as region_name', 't.directive_id', 't.indicator_id'])
      .where('t.id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    const [milestones, events] = await Promise.all([
      this.db
        .selectFrom('target_milestones')
        .select('due_date')
        .where('target_id', '=', id)
        .orderBy('deadline')
        .execute(),
      this.db
        .selectFrom('catalog_events')
        .selectAll()
        .where('directive_id', '=', row.directive_id)
        .orderBy('at')
        .orderBy('position')
        .execute(),
    ]);
    const target = { id, directiveId: row.directive_id, indicatorId: row.indicator_id };
    return {
      source: row.source,
      note: row.note,
      regionName: row.region_name,
      milestoneDues: milestones.map((m) => m.due_date),
      events: events
        .filter((e) =>
          eventConcerns(
            { ...e, directiveId: e.directive_id, targetIds: e.target_ids, indicatorId: e.indicator_id },
            target,
          ),
        )
        .map((e) => ({
          at: e.at.getTime(),
          day: e.day,
          dateText: e.date_text,
          precision: e.precision,
          text: e.text,
          source: e.source,
        })),
    };
  }

  async series(indicatorId: string, regionId: number, asOf: Date, limit: number, knownAt?: Date): Promise<SeriesPage> {
    const from = sql`${observationsKnownAt(knownAt, 'o')}
      where o.indicator_id = ${indicatorId} and o.region_id = ${regionId} and o.dims = '{}'::jsonb`;
    const [{ rows }, { rows: counts }] = await Promise.all([
      sql<{ observed_at: Date; value: number; note: string | null; batch_id: number | null; recorded_at: Date }>`
        select o.observed_at, o.value, o.note, o.batch_id, o.recorded_at from ${from} and o.observed_at <= ${asOf}
        order by o.observed_at desc limit ${limit}`.execute(this.db),
      sql<{ known: number; later: number }>`
        select count(*) filter (where o.observed_at <= ${asOf})::int as known,
               count(*) filter (where o.observed_at > ${asOf})::int as later
        from ${from}`.execute(this.db),
    ]);
    rows.reverse();
    const observations: SeriesObservation[] = rows.map((r) => ({
      at: r.observed_at.getTime(),
      value: r.value,
      note: r.note,
      batchId: r.batch_id,
      recordedAt: r.recorded_at.getTime(),
      revisions: [],
    }));
    if (observations.length > 0) {
      const revisions = await this.db
        .selectFrom('observation_revisions')
        .select(['observed_at', 'old_value', 'new_value', 'revised_at'])
        .where('indicator_id', '=', indicatorId)
        .where('region_id', '=', regionId)
        .where('dims', '=', sql<never>`'{}'::jsonb`)
        .where('observed_at', '>=', new Date(observations[0]!.at))
        .where('observed_at', '<=', asOf)
        // As known at an instant: the revisions made by then (the value shown is the one they led to).
        .$if(knownAt !== undefined, (q) => q.where('revised_at', '<', new Date(knownAt!.getTime() + 1)))
        .orderBy('observed_at')
        .orderBy('revised_at')
        .orderBy('id')
        .execute();
      const byAt = new Map(observations.map((o) => [o.at, o]));
      const warnings = await this.db
        .selectFrom('observation_warnings')
        .select(['observed_at', 'code', 'value', 'previous_value', 'previous_observed_at', 'pace_per_day'])
        .where('indicator_id', '=', indicatorId)
        .where('region_id', '=', regionId)
        .where('dims', '=', sql<never>`'{}'::jsonb`)
        .where('observed_at', '>=', new Date(observations[0]!.at))
        .where('observed_at', '<=', asOf)
        .execute();
      for (const w of warnings) {
        const o = byAt.get(w.observed_at.getTime());
        // A flag describes the value it was raised on; a later rewrite of the same value keeps it current.
        if (o && o.value === w.value)
          o.warning = {
            code: w.code,
            at: o.at,
            value: w.value,
            previousAt: w.previous_observed_at.getTime(),
            previousValue: w.previous_value,
            pacePerDay: w.pace_per_day,
          };
      }
      for (const v of revisions)
        byAt
          .get(v.observed_at.getTime())
          ?.revisions.push({ oldValue: v.old_value, newValue: v.new_value, revisedAt: v.revised_at.getTime() });
    }
    return { observations, earlier: counts[0]!.known - observations.length, later: counts[0]!.later };
  }

  async statusChanges(targetId: string, asOf: Date, limit: number, knownAt?: Date): Promise<StatusChange[]> {
    const rows = await this.db
      .selectFrom('target_status_changes')
      .select(['as_of', 'from_status', 'to_status', 'recorded_at'])
      .where('target_id', '=', targetId)
      .where('as_of', '<=', asOf)
      .$if(knownAt !== undefined, (q) => q.where('recorded_at', '<', new Date(knownAt!.getTime() + 1)))
      .orderBy('as_of', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      asOf: r.as_of.getTime(),
      from: r.from_status,
      to: r.to_status,
      recordedAt: r.recorded_at.getTime(),
    }));
  }

  async latestByRegion(indicatorId: string, asOf: Date, knownAt?: Date): Promise<Map<number, Point>> {
    const rows = await sql<{ region_id: number; observed_at: Date; value: number }>`
      select distinct on (region_id) region_id, observed_at, value
      from ${observationsKnownAt(knownAt, 'o')}
      where indicator_id = ${indicatorId} and dims = '{}'::jsonb and observed_at <= ${asOf}
      order by region_id, observed_at desc`.execute(this.db);
    return new Map(rows.rows.map((r) => [r.region_id, { at: r.observed_at.getTime(), value: r.value }]));
  }

  async catalogVersion(): Promise<number> {
    const row = await this.db
      .selectFrom('catalog_applies')
      .select((eb) => eb.fn.max('id').as('id'))
      .executeTakeFirst();
    return Number(row?.id ?? 0);
  }
}
