import { sql, type Kysely } from 'kysely';
import type { Language, TargetReason, TargetStatus } from '../conventions.js';
import { languages, notifyChannels } from '../conventions.js';
import { indicatorTextFields, storedTranslations, targetTextFields } from '../domain/catalog/catalog-text.js';
import type { Point } from '../domain/evaluation/region-rollup.js';
import type { WindowFit } from '../domain/evaluation/target-evaluation.js';
import type {
  DirectFacts,
  EvaluationStore,
  IndicatorRecord,
  RegionRecord,
  RunNotice,
  TargetRecord,
  TargetResult,
} from './evaluation-store.js';
import { newestKnownAt, observationsKnownAt } from '../observations/observations-known-at-sql.js';
import type { DB } from '../storage/database-schema.js';
import { TargetReachRepository } from './target-reach-repository.js';

const ms = (d: Date | null) => (d ? d.getTime() : null);

/** The reason a stored run without one is read with: the usual reason of its status. */
const legacyReason: Record<TargetStatus, TargetReason> = {
  achieved: 'target_met',
  missed: 'deadline_passed',
  no_data: 'no_report',
  on_track: 'forecast_meets',
  at_risk: 'forecast_short',
  off_track: 'forecast_short',
};

/**
 * The newest value (no dims) at or before `asOf` of the series `s` names, as known at `knownAt`: one index probe
 * backwards (two, merged, as known at an instant).
 */
const newestAtOrBefore = (asOf: Date, knownAt: Date | undefined) => sql`cross join lateral (
        ${newestKnownAt(
          knownAt,
          sql`o.indicator_id = s.indicator_id and o.region_id = s.region_id and o.dims = '{}'::jsonb
            and o.observed_at <= ${asOf}`,
        )}
      ) l`;

/** One target's row of the direct-facts aggregate: first instants meeting the target value from each side. */
interface WindowFitRow {
  id: string;
  n: number;
  slope: number | null;
  intercept: number | null;
  mean_x: number | null;
  sxx: number | null;
  syy: number | null;
  sxy: number | null;
}

/** The columns of a stored result besides its run, target and instant (copied as they are from a base run). */
const copiedColumns =
  'status, achieved_late, achieved_at, current_value, current_observed_at, current_source, expected_value, ' +
  'progress_ratio, expected_progress_ratio, projected_value, forecast_now_value, projected_completion_at, ' +
  'coverage_ratio, reason, explanation, value_at_deadline, partial, attainment_probability, projected_low, ' +
  'projected_high';

/** {@link EvaluationStore}: a few set-based queries per evaluation, never one per target. */
export class EvaluationRepository implements EvaluationStore {
  private readonly reach: TargetReachRepository;

  constructor(
    private readonly db: Kysely<DB>,
    /**
     * `exclusive`: serialize runs across processes (PostgreSQL; PGlite has one process and one connection).
     * `unseenMarginMs`: how far back a batch may have finished yet be unseen by a statement (default a minute).
     * `knownAt`: read the observations as they stood then (see {@link asKnownAt}).
     */
    private readonly options: {
      retentionDays?: number;
      exclusive?: boolean;
      unseenMarginMs?: number;
      knownAt?: Date;
    } = {},
  ) {
    this.reach = new TargetReachRepository(db, {
      changesSince: (since) => this.changesSince(since),
      unseenMarginMs: options.unseenMarginMs ?? 60_000,
      knownAt: options.knownAt,
    });
  }

  asKnownAt(knownAt: Date): EvaluationRepository {
    return new EvaluationRepository(this.db, { ...this.options, knownAt });
  }

  /** The observations the value reads take their rows from, under `alias`: the table, or the table as known then. */
  private observations(alias: string) {
    return observationsKnownAt(this.options.knownAt, alias);
  }

  async targets(): Promise<TargetRecord[]> {
    return this.targetsOf();
  }

  /** Every target, or only those of `ids`. */
  private async targetsOf(ids?: readonly string[]): Promise<TargetRecord[]> {
    const [rows, milestones] = await Promise.all([
      this.db
        .selectFrom('targets')
        .innerJoin('directives', 'directives.id', 'targets.directive_id')
        .selectAll('targets')
        .select('directives.timezone')
        .$if(ids !== undefined, (q) => q.where('targets.id', '=', sql<string>`any(${[...ids!]}::text[])`))
        .orderBy('targets.id')
        .execute(),
      this.db
        .selectFrom('target_milestones')
        .select(['target_id', 'deadline', 'value'])
        .$if(ids !== undefined, (q) => q.where('target_id', '=', sql<string>`any(${[...ids!]}::text[])`))
        .orderBy('target_id')
        .orderBy('deadline')
        .execute(),
    ]);
    const byTarget = new Map<string, { deadline: number; value: number }[]>();
    for (const m of milestones) {
      const list = byTarget.get(m.target_id) ?? [];
      list.push({ deadline: m.deadline.getTime(), value: m.value });
      byTarget.set(m.target_id, list);
    }
    return rows.map((t) => ({
      id: t.id,
      title: t.title,
      directiveId: t.directive_id,
      owner: t.owner,
      indicatorId: t.indicator_id,
      regionId: t.region_id,
      regionCode: t.region_code,
      baselineValue: t.baseline_value,
      baselineAt: t.baseline_at.getTime(),
      targetValue: t.target_value,
      dueDate: t.due_date,
      deadline: t.deadline.getTime(),
      direction: t.direction,
      tolerance: t.tolerance,
      minCoverage: t.min_coverage,
      unlikelyBelow: t.unlikely_below,
      milestones: byTarget.get(t.id) ?? [],
      translations: storedTranslations(targetTextFields, t.translations),
      timezone: t.timezone,
    }));
  }

  async indicators(): Promise<IndicatorRecord[]> {
    const rows = await this.db.selectFrom('indicators').selectAll().orderBy('id').execute();
    return rows.map((i) => ({
      id: i.id,
      name: i.name,
      unit: i.unit,
      kind: i.kind,
      rollup: i.rollup,
      updateIntervalSeconds: i.update_interval_seconds,
      monotone: i.monotone,
      translations: storedTranslations(indicatorTextFields, i.translations),
    }));
  }

  async regions(): Promise<RegionRecord[]> {
    const rows = await this.db
      .selectFrom('regions')
      .select(['id', 'parent_id', 'code', 'name', 'level', 'valid_from', 'valid_to'])
      .execute();
    return rows.map((r) => ({
      id: r.id,
      parentId: r.parent_id,
      code: r.code,
      name: r.name,
      level: r.level,
      validFrom: r.valid_from,
      validTo: r.valid_to,
    }));
  }

  async fullPredecessors(): Promise<Map<number, number[]>> {
    const rows = await sql<{ successor_id: number; ids: number[] }>`
      select successor_id, array_agg(region_id order by region_id) as ids
      from region_lineage
      where kind = 'full'
      group by successor_id`.execute(this.db);
    return new Map(rows.rows.map((r) => [r.successor_id, r.ids]));
  }

  async latestPerSeries(asOf: Date, indicators?: readonly string[]): Promise<Map<string, Map<number, Point>>> {
    if (indicators) return this.latestOf(asOf, indicators);
    // A loose index scan: walk the primary key from one series to the next (one index probe
    // each), then read each series' newest value backwards. DISTINCT ON over the table instead
    // sorts every row: on 10M observations in 99,630 series (npm run bench:evaluate) it took
    // 14.0 s against 2.9 s for this, with the same result.
    const rows = await sql<{ indicator_id: string; region_id: number; observed_at: Date; value: number }>`
      with recursive series as (
        (select indicator_id, region_id from observations order by indicator_id, region_id limit 1)
        union all
        select o.indicator_id, o.region_id
        from series s
        cross join lateral (
          select indicator_id, region_id from observations
          where (indicator_id, region_id) > (s.indicator_id, s.region_id)
          order by indicator_id, region_id limit 1
        ) o
      )
      select s.indicator_id, s.region_id, l.observed_at, l.value
      from series s
      ${newestAtOrBefore(asOf, this.options.knownAt)}
      order by s.indicator_id, s.region_id`.execute(this.db);
    return groupByIndicator(rows.rows);
  }

  async checkpointValues(asOf: Date, targetIds?: readonly string[]): Promise<Map<string, Map<number, Point>>> {
    // One index probe per passed checkpoint of each target: the newest value at or before it.
    const only = targetIds ? sql`and t.id = any(${[...targetIds]}::text[])` : sql``;
    const rows = await sql<{ target_id: string; checkpoint: Date; observed_at: Date; value: number }>`
      with checkpoints as (
        select t.id as target_id, t.indicator_id, t.region_id, t.deadline as checkpoint from targets t
        where t.deadline <= ${asOf} ${only}
        union all
        select m.target_id, t.indicator_id, t.region_id, m.deadline from target_milestones m
        join targets t on t.id = m.target_id
        where m.deadline <= ${asOf} ${only}
      )
      select c.target_id, c.checkpoint, l.observed_at, l.value
      from checkpoints c
      cross join lateral (
        ${newestKnownAt(
          this.options.knownAt,
          sql`o.indicator_id = c.indicator_id and o.region_id = c.region_id and o.dims = '{}'::jsonb
            and o.observed_at <= c.checkpoint`,
        )}
      ) l`.execute(this.db);
    const out = new Map<string, Map<number, Point>>();
    for (const r of rows.rows) {
      let points = out.get(r.target_id);
      if (!points) out.set(r.target_id, (points = new Map()));
      points.set(r.checkpoint.getTime(), { at: r.observed_at.getTime(), value: r.value });
    }
    return out;
  }

  /** The same loose index scan, walking only the series of `indicators`. */
  private async latestOf(asOf: Date, indicators: readonly string[]): Promise<Map<string, Map<number, Point>>> {
    const rows = await sql<{ indicator_id: string; region_id: number; observed_at: Date; value: number }>`
      with recursive series as (
        select i.id as indicator_id,
               (select region_id from observations where indicator_id = i.id order by region_id limit 1) as region_id
        from unnest(${[...indicators]}::text[]) as i(id)
        union all
        select s.indicator_id,
               (select region_id from observations where indicator_id = s.indicator_id and region_id > s.region_id
                order by region_id limit 1)
        from series s
        where s.region_id is not null
      )
      select s.indicator_id, s.region_id, l.observed_at, l.value
      from series s
      ${newestAtOrBefore(asOf, this.options.knownAt)}
      where s.region_id is not null
      order by s.indicator_id, s.region_id`.execute(this.db);
    return groupByIndicator(rows.rows);
  }

  async changesSince(since: Date): Promise<{ catalogChanged: boolean; series: Map<string, number[]> | null }> {
    const [applies, batches] = await Promise.all([
      this.db.selectFrom('catalog_applies').select('id').where('applied_at', '>=', since).limit(1).execute(),
      this.db
        .selectFrom('ingest_batches')
        .select('series')
        .where('status', '=', 'committed')
        .where('finished_at', '>=', since)
        .execute(),
    ]);
    const series = new Map<string, Set<number>>();
    for (const b of batches) {
      if (!b.series) return { catalogChanged: applies.length > 0, series: null };
      for (const [indicator, regions] of Object.entries(b.series)) {
        const set = series.get(indicator) ?? new Set<number>();
        for (const r of regions) set.add(r);
        series.set(indicator, set);
      }
    }
    return {
      catalogChanged: applies.length > 0,
      series: new Map([...series].map(([indicator, regions]) => [indicator, [...regions]])),
    };
  }

  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (!this.options.exclusive) return work();
    // A session lock on a connection of its own: the work's queries run on other pooled connections,
    // and a process that dies releases the lock with its connection.
    return this.db.connection().execute(async (conn) => {
      await sql`select pg_advisory_lock(hashtext('pacer:evaluation'))`.execute(conn);
      try {
        return await work();
      } finally {
        await sql`select pg_advisory_unlock(hashtext('pacer:evaluation'))`.execute(conn);
      }
    });
  }

  async directFacts(asOf: Date, windowStart: Date, targetIds?: readonly string[]): Promise<Map<string, DirectFacts>> {
    // The rule (which comparison a direction means) stays in the domain: the reach gives, for both
    // comparisons, the first instant by and after the deadline, and achievementOf picks. Reach looks
    // at a series' whole history, so it is brought forward from the last evaluation (see
    // TargetReachRepository); the fit reads only the window: neither grows with history.
    const [reach, fits] = await Promise.all([
      this.reach.reach(asOf, targetIds),
      this.windowFits(asOf, windowStart, targetIds),
    ]);
    const out = new Map<string, DirectFacts>();
    for (const [id, r] of reach) {
      if (r.hasValues) out.set(id, { reach: r.reach, fit: fits.get(id) ?? { n: 0, line: null, spread: null } });
    }
    return out;
  }

  /** The least-squares fit of each target's own series over the window (only `targetIds`' when given). */
  private async windowFits(
    asOf: Date,
    windowStart: Date,
    targetIds?: readonly string[],
  ): Promise<Map<string, WindowFit>> {
    // x is milliseconds relative to asOf, so the fitted intercept is the line's value at asOf and
    // the regression stays well conditioned; extract() gives an exact numeric, scaled before the
    // cast so x is an exact integer (seconds as float8 lose the last digits of a millisecond).
    const rows = await sql<WindowFitRow>`
      with series as (
        select t.id, o.value, (extract(epoch from (o.observed_at - ${asOf}::timestamptz)) * 1000)::float8 as x
        from targets t
        join ${this.observations('o')} on o.indicator_id = t.indicator_id and o.region_id = t.region_id
                           and o.dims = '{}'::jsonb and o.observed_at <= ${asOf} and o.observed_at > ${windowStart}
        ${targetIds ? sql`where t.id = any(${[...targetIds]}::text[])` : sql``}
      )
      select id, count(*)::int as n, regr_slope(value, x) as slope, regr_intercept(value, x) as intercept,
             regr_avgx(value, x) as mean_x, regr_sxx(value, x) as sxx, regr_syy(value, x) as syy,
             regr_sxy(value, x) as sxy
      from series
      group by id`.execute(this.db);
    return new Map(rows.rows.map((r) => [r.id, fitOf(r)]));
  }

  async saveRun(run: {
    asOf: Date;
    startedAt: Date;
    durationMs: number;
    results: readonly TargetResult[];
    notice?: Omit<RunNotice, 'run' | 'schema'>;
  }): Promise<{ runId: number; statusChanges: number }> {
    return this.db.transaction().execute(async (trx) => {
      const previous = await trx
        .selectFrom('evaluation_runs')
        .select(['id', 'as_of'])
        .orderBy('as_of', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      const { id: runId } = await trx
        .insertInto('evaluation_runs')
        .values({
          as_of: run.asOf,
          started_at: run.startedAt,
          finished_at: new Date(),
          target_count: run.results.length,
          duration_ms: Math.round(run.durationMs),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      // A run of the changed targets: the others' rows are the base run's, copied within the database.
      const base = run.notice?.base ?? null;
      const named = base !== null && run.notice?.targets ? new Set(run.notice.targets) : undefined;
      const r = named ? run.results.filter((x) => named.has(x.target.id)) : run.results;
      if (named)
        await sql`
          insert into evaluations (run_id, target_id, as_of, ${sql.raw(copiedColumns)})
          select ${runId}::bigint, target_id, ${run.asOf}::timestamptz, ${sql.raw(copiedColumns)}
          from evaluations where run_id = ${base}::bigint and target_id <> all(${[...named]}::text[])`.execute(trx);
      const col = <T>(f: (x: TargetResult) => T) => r.map(f);
      const iso = (v: number | null) => (v === null ? null : new Date(v).toISOString());
      await sql`
        insert into evaluations (run_id, target_id, as_of, status, achieved_late, achieved_at, current_value,
                                 current_observed_at, current_source, expected_value,
                                 progress_ratio, expected_progress_ratio, projected_value, forecast_now_value,
                                 projected_completion_at, coverage_ratio, reason, explanation, value_at_deadline,
                                 partial, attainment_probability, projected_low, projected_high, explanations)
        select ${runId}::bigint, target_id, ${run.asOf}::timestamptz, status, achieved_late, achieved_at, current_value,
               current_observed_at, current_source, expected_value,
               progress_ratio, expected_progress_ratio, projected_value, forecast_now_value, projected_completion_at,
               coverage_ratio, reason, explanation, value_at_deadline, partial, attainment_probability,
               projected_low, projected_high, explanations
        from unnest(${col((x) => x.target.id)}::text[], ${col((x) => x.status)}::text[],
                    ${col((x) => x.achievedLate)}::bool[], ${col((x) => iso(x.achievedAt))}::timestamptz[],
                    ${col((x) => x.current)}::float8[], ${col((x) => iso(x.currentAt))}::timestamptz[],
                    ${col((x) => x.currentSource)}::text[], ${col((x) => x.expected)}::float8[],
                    ${col((x) => x.progress)}::float8[], ${col((x) => x.expectedProgress)}::float8[],
                    ${col((x) => x.projected)}::float8[], ${col((x) => x.forecastNow)}::float8[],
                    ${col((x) => iso(x.projectedCompletionAt))}::timestamptz[], ${col((x) => x.coverage)}::float8[],
                    ${col((x) => x.reason)}::text[], ${col((x) => x.explanations.en)}::text[],
                    ${col((x) => x.valueAtDeadline)}::float8[], ${col((x) => x.partial)}::bool[],
                    ${col((x) => x.attainmentProbability)}::float8[], ${col((x) => x.projectedLow)}::float8[],
                    ${col((x) => x.projectedHigh)}::float8[], ${col((x) => JSON.stringify(x.explanations))}::jsonb[])
          as u(target_id, status, achieved_late, achieved_at, current_value, current_observed_at, current_source,
               expected_value, progress_ratio, expected_progress_ratio, projected_value, forecast_now_value,
               projected_completion_at, coverage_ratio, reason, explanation, value_at_deadline, partial,
               attainment_probability, projected_low, projected_high, explanations)`.execute(trx);

      // A run back in time (pacer evaluate --at ... --save) is a snapshot, not a change of status.
      let statusChanges = 0;
      if (!previous || previous.as_of.getTime() <= run.asOf.getTime()) {
        const changes = await sql`
          insert into target_status_changes (target_id, run_id, as_of, from_status, to_status)
          select e.target_id, e.run_id, e.as_of, p.status, e.status
          from evaluations e
          left join evaluations p on p.target_id = e.target_id and p.run_id = ${previous?.id ?? -1}::bigint
          where e.run_id = ${runId}::bigint and p.status is distinct from e.status`.execute(trx);
        statusChanges = Number(changes.numAffectedRows ?? 0);
      }
      if (this.options.retentionDays) {
        await sql`delete from evaluation_runs
                  where as_of < ${run.asOf}::timestamptz - make_interval(days => ${this.options.retentionDays}::int)
                  and id not in (select distinct run_id from target_status_changes)`.execute(trx);
      }
      // Delivered on commit, to every api process listening: they load this run instead of waiting for their poll.
      const notice = run.notice ?? { base: null, indicators: null, targets: null };
      await sql`select pg_notify(${notifyChannels.evaluation}, json_build_object(
                  'schema', current_schema(), 'run', ${runId}::bigint, 'base', ${notice.base}::bigint,
                  'indicators', ${notice.indicators}::text[],
                  'targets', ${notice.targets ?? null}::text[])::text)`.execute(trx);
      return { runId, statusChanges };
    });
  }

  async latestRun(): Promise<{ id: number; asOf: Date; startedAt: Date } | undefined> {
    const row = await this.db
      .selectFrom('evaluation_runs')
      .select(['id', 'as_of', 'started_at'])
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? { id: row.id, asOf: row.as_of, startedAt: row.started_at } : undefined;
  }

  async runResults(
    runId: number,
    targetIds?: readonly string[],
  ): Promise<{ asOf: Date; startedAt: Date; results: TargetResult[] } | undefined> {
    const run = await this.db
      .selectFrom('evaluation_runs')
      .select(['as_of', 'started_at'])
      .where('id', '=', runId)
      .executeTakeFirst();
    if (!run) return undefined;
    const [targets, rows] = await Promise.all([
      this.targetsOf(targetIds),
      this.db
        .selectFrom('evaluations')
        .selectAll()
        .where('run_id', '=', runId)
        .$if(targetIds !== undefined, (q) => q.where('target_id', '=', sql<string>`any(${[...targetIds!]}::text[])`))
        .execute(),
    ]);
    const byId = new Map(targets.map((t) => [t.id, t]));
    const results: TargetResult[] = [];
    for (const e of rows) {
      const target = byId.get(e.target_id);
      if (!target) continue;
      results.push({
        target,
        status: e.status,
        achievedLate: e.achieved_late,
        achievedAt: ms(e.achieved_at),
        current: e.current_value,
        currentAt: ms(e.current_observed_at),
        currentSource: e.current_source,
        expected: e.expected_value ?? target.baselineValue,
        progress: e.progress_ratio,
        expectedProgress: e.expected_progress_ratio ?? 0,
        projected: e.projected_value,
        forecastNow: e.forecast_now_value,
        projectedCompletionAt: ms(e.projected_completion_at),
        coverage: e.coverage_ratio,
        // Runs stored before reasons existed have none: they read as the bare status.
        reason: (e.reason as TargetReason | null) ?? legacyReason[e.status],
        explanations: storedExplanations(e.explanation, e.explanations),
        valueAtDeadline: e.value_at_deadline,
        partial: e.partial,
        parts: null,
        missedMilestone: null,
        attainmentProbability: e.attainment_probability,
        projectedLow: e.projected_low,
        projectedHigh: e.projected_high,
      });
    }
    results.sort((a, b) => a.target.id.localeCompare(b.target.id));
    return { asOf: run.as_of, startedAt: run.started_at, results };
  }
}

/**
 * A stored result's sentences by language. Runs stored before the languages kept English only: the
 * other languages read it too, rather than nothing.
 */
function storedExplanations(
  english: string | null,
  stored: Partial<Record<Language, string>> | null,
): Record<Language, string> {
  const en = stored?.en ?? english ?? '';
  return Object.fromEntries(languages.map((l) => [l, stored?.[l] ?? en])) as Record<Language, string>;
}

/**
 * The window fit of a direct-facts row. The residual sum of squares is Syy − Sxy² / Sxx, which
 * cancels toward zero for points on a line: it is floored at zero, as a sum of squares is.
 */
function fitOf(r: WindowFitRow): WindowFit {
  const line = r.n >= 2 && r.slope !== null && r.intercept !== null ? { slope: r.slope, intercept: r.intercept } : null;
  const spread =
    line && r.mean_x !== null && r.sxx !== null && r.syy !== null && r.sxy !== null && r.sxx > 0
      ? { meanX: r.mean_x, sxx: r.sxx, sse: Math.max(0, r.syy - (r.sxy * r.sxy) / r.sxx) }
      : null;
  return { n: r.n, line, spread };
}

/** Rows ordered by indicator, then region, as indicator → region → point. */
function groupByIndicator(
  rows: readonly { indicator_id: string; region_id: number; observed_at: Date; value: number }[],
): Map<string, Map<number, Point>> {
  const out = new Map<string, Map<number, Point>>();
  let current: Map<number, Point> | undefined;
  let currentId = '';
  for (const r of rows) {
    if (r.indicator_id !== currentId || !current) {
      currentId = r.indicator_id;
      current = new Map();
      out.set(currentId, current);
    }
    current.set(r.region_id, { at: r.observed_at.getTime(), value: r.value });
  }
  return out;
}
