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
      .select(['t.source', 't.note', 'r.name as region_name'])
      .where('t.id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    const milestones = await this.db
      .selectFrom('target_milestones')
      .select('due_date')
      .where('target_id', '=', id)
      .orderBy('deadline')
      .execute();
    return {
      source: row.source,
      note: row.note,
      regionName: row.region_name,
      milestoneDues: milestones.map((m) => m.due_date),
    };
  }

  async series(indicatorId: string, regionId: number, asOf: Date, limit: number): Promise<SeriesPage> {
    const key = this.db
      .selectFrom('observations')
      .where('indicator_id', '=', indicatorId)
      .where('region_id', '=', regionId)
      .where('dims', '=', sql<never>`'{}'::jsonb`);
    const [rows, counts] = await Promise.all([
      key
        .select(['observed_at', 'value', 'note', 'batch_id', 'recorded_at'])
        .where('observed_at', '<=', asOf)
        .orderBy('observed_at', 'desc')
        .limit(limit)
        .execute(),
      key
        .select([
          sql<number>`count(*) filter (where observed_at <= ${asOf})::int`.as('known'),
          sql<number>`count(*) filter (where observed_at > ${asOf})::int`.as('later'),
        ])
        .executeTakeFirstOrThrow(),
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
    return { observations, earlier: counts.known - observations.length, later: counts.later };
  }

  async statusChanges(targetId: string, asOf: Date, limit: number): Promise<StatusChange[]> {
    const rows = await this.db
      .selectFrom('target_status_changes')
      .select(['as_of', 'from_status', 'to_status', 'recorded_at'])
      .where('target_id', '=', targetId)
      .where('as_of', '<=', asOf)
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

  async latestByRegion(indicatorId: string, asOf: Date): Promise<Map<number, Point>> {
    const rows = await sql<{ region_id: number; observed_at: Date; value: number }>`
      select distinct on (region_id) region_id, observed_at, value
      from observations
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
