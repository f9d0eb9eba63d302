import { sql, type Kysely } from 'kysely';
import type { FeedRun, FeedRunStats, FeedRunStore, FeedRunTrigger, RowCounts } from './feed-run-store.js';
import type { IngestIssue } from '../observations/ingestor.js';
import type { DB } from '../storage/database-schema.js';

/** The runs table (migration 0007-feeds) over kysely; the same SQL on PostgreSQL and PGlite. */
export class FeedRunRepository implements FeedRunStore {
  constructor(private readonly db: Kysely<DB>) {}

  async claim(run: {
    feedId: string;
    slot: Date;
    trigger: FeedRunTrigger;
    worker: string;
  }): Promise<{ runId: number; attempts: number } | null> {
    // One statement, so two deliveries racing for a slot see each other: a succeeded slot is never
    // taken over; a running or failed one is (the first worker crashed, or this is its retry).
    const row = await this.db
      .insertInto('feed_runs')
      .values({ feed_id: run.feedId, slot: run.slot, trigger: run.trigger, status: 'running', worker: run.worker })
      .onConflict((oc) =>
        oc
          .columns(['feed_id', 'slot'])
          .doUpdateSet({
            status: 'running',
            attempts: sql`feed_runs.attempts + 1`,
            worker: run.worker,
            started_at: sql`now()`,
            finished_at: null,
            error: null,
            error_code: null,
            issues: null,
          })
          .where('feed_runs.status', '<>', 'succeeded'),
      )
      .returning(['id', 'attempts'])
      .executeTakeFirst();
    return row ? { runId: row.id, attempts: row.attempts } : null;
  }

  async recordDuplicate(feedId: string, slot: Date): Promise<void> {
    await this.db
      .updateTable('feed_runs')
      .set({ duplicates: sql`duplicates + 1` })
      .where('feed_id', '=', feedId)
      .where('slot', '=', slot)
      .execute();
  }

  async finish(
    runId: number,
    result: {
      status: 'succeeded' | 'failed';
      durationMs: number;
      counts: RowCounts;
      batchIds: number[];
      error?: { code: string; message: string; issues: IngestIssue[] };
    },
  ): Promise<void> {
    await this.db
      .updateTable('feed_runs')
      .set({
        status: result.status,
        finished_at: sql`now()`,
        duration_ms: result.durationMs,
        ...result.counts,
        batch_ids: result.batchIds,
        error_code: result.error?.code ?? null,
        error: result.error?.message.slice(0, 4000) ?? null,
        issues: result.error ? JSON.stringify(result.error.issues.slice(0, 100)) : null,
      })
      .where('id', '=', runId)
      .execute();
  }

  async runs(feedId: string, options: { limit: number; before?: Date }): Promise<FeedRun[]> {
    let query = this.db.selectFrom('feed_runs').selectAll().where('feed_id', '=', feedId);
    if (options.before) query = query.where('started_at', '<', options.before);
    const rows = await query.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(options.limit).execute();
    return rows.map((r) => ({
      ...r,
      slot: r.slot.toISOString(),
      started_at: r.started_at.toISOString(),
      finished_at: r.finished_at?.toISOString() ?? null,
      // Whole milliseconds: runs stored before durations were rounded kept a timer's fractions.
      duration_ms: r.duration_ms === null ? null : Math.round(r.duration_ms),
      issues: (r.issues as IngestIssue[] | null) ?? null,
    }));
  }

  async stats(durationBuckets: readonly number[]): Promise<FeedRunStats[]> {
    const buckets = durationBuckets.map((b, i) =>
      sql<number>`count(*) filter (where duration_ms <= ${sql.lit(b * 1000)})`.as(`b${i}`),
    );
    const rows = await this.db
      .selectFrom('feed_runs')
      .select([
        'feed_id',
        sql<Date | null>`max(finished_at) filter (where status = 'succeeded')`.as('last_success'),
        sql<Date | null>`max(finished_at)`.as('last_run'),
        sql<number>`count(*) filter (where status = 'succeeded')`.as('succeeded'),
        // Every attempt that did not end in success, including those a retry later fixed.
        sql<number>`sum(attempts) - count(*) filter (where status <> 'failed')`.as('failed'),
        sql<number>`sum(duplicates)`.as('duplicate'),
        sql<number>`sum(received)`.as('received'),
        sql<number>`sum(inserted)`.as('inserted'),
        sql<number>`sum(updated)`.as('updated'),
        sql<number>`sum(unchanged)`.as('unchanged'),
        sql<number>`sum(rejected)`.as('rejected'),
        sql<number>`coalesce(sum(duration_ms) filter (where finished_at is not null), 0) / 1000.0`.as('duration_sum'),
        sql<number>`count(*) filter (where finished_at is not null)`.as('duration_count'),
        ...buckets,
      ])
      .groupBy('feed_id')
      .orderBy('feed_id')
      .execute();
    return rows.map((r) => {
      const row = r as typeof r & Record<string, unknown>;
      return {
        feedId: r.feed_id,
        lastSuccessAt: r.last_success ? new Date(r.last_success) : null,
        lastRunAt: r.last_run ? new Date(r.last_run) : null,
        runs: { succeeded: Number(r.succeeded), failed: Number(r.failed), duplicate: Number(r.duplicate) },
        rows: {
          received: Number(r.received),
          inserted: Number(r.inserted),
          updated: Number(r.updated),
          unchanged: Number(r.unchanged),
          rejected: Number(r.rejected),
        },
        durations: {
          buckets: durationBuckets.map((_, i) => Number(row[`b${i}`])),
          sum: Number(r.duration_sum),
          count: Number(r.duration_count),
        },
      };
    });
  }
}
