import type { FeedDefinition } from './feed-schema.js';
import type { FeedRunStats, FeedRunStore } from './feed-run-store.js';

/** Upper bounds (seconds) of `kpi_feed_run_duration_seconds`. */
export const feedDurationBuckets = [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600] as const;

/**
 * The `kpi_feed_*` families, rendered from the runs table rather than counted in memory: any
 * process (an api that never runs a feed, a restarted worker) exports the same totals, and
 * several workers never split one feed's series. Refreshed at most every `maxAgeMs`.
 */
export class FeedMetrics {
  private cached: { at: number; text: Promise<string> } | undefined;

  constructor(
    private readonly deps: { store: FeedRunStore; feeds: () => readonly FeedDefinition[]; maxAgeMs?: number },
  ) {}

  render(): Promise<string> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at > (this.deps.maxAgeMs ?? 2_000)) {
      const text = this.deps.store.stats(feedDurationBuckets).then((stats) => renderFeedMetrics(stats, this.deps.feeds()));
      this.cached = { at: now, text };
      // A failed query is not cached: the next scrape tries again.
      text.catch(() => {
        if (this.cached?.text === text) this.cached = undefined;
      });
    }
    return this.cached.text;
  }
}

export function renderFeedMetrics(stats: readonly FeedRunStats[], feeds: readonly FeedDefinition[]): string {
  const out: string[] = [];
  const family = (name: string, type: string, help: string, lines: string[]) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines);
  };
  const label = (feed: string) => `feed="${feed.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  const seconds = (d: Date) => (d.getTime() / 1000).toString();
  family('kpi_feed_expected_interval_seconds', 'gauge', 'How often a successful run of the feed is expected (its expected_every); enabled feeds only.', feeds.filter((f) => f.enabled).map((f) => `kpi_feed_expected_interval_seconds{${label(f.id)}} ${f.expected_every / 1000}`));
  family('kpi_feed_last_success_timestamp_seconds', 'gauge', 'When the last successful run of the feed finished.', stats.filter((s) => s.lastSuccessAt).map((s) => `kpi_feed_last_success_timestamp_seconds{${label(s.feedId)}} ${seconds(s.lastSuccessAt!)}`));
  family('kpi_feed_last_run_timestamp_seconds', 'gauge', 'When the last run of the feed finished, whatever its outcome.', stats.filter((s) => s.lastRunAt).map((s) => `kpi_feed_last_run_timestamp_seconds{${label(s.feedId)}} ${seconds(s.lastRunAt!)}`));
  family('kpi_feed_runs_total', 'counter', 'Feed run attempts by outcome: succeeded, failed (retried or not), duplicate (a delivery of a slot that had already run, ignored).', stats.flatMap((s) => (['succeeded', 'failed', 'duplicate'] as const).map((o) => `kpi_feed_runs_total{${label(s.feedId)},outcome="${o}"} ${s.runs[o]}`)));
  family('kpi_feed_rows_total', 'counter', 'Rows the feed brought, by ingest outcome: inserted, updated, unchanged, rejected.', stats.flatMap((s) => (['inserted', 'updated', 'unchanged', 'rejected'] as const).map((o) => `kpi_feed_rows_total{${label(s.feedId)},outcome="${o}"} ${s.rows[o]}`)));
  family('kpi_feed_run_duration_seconds', 'histogram', 'Duration of finished feed runs (last attempt).', stats.flatMap((s) => [
    ...feedDurationBuckets.map((b, i) => `kpi_feed_run_duration_seconds_bucket{${label(s.feedId)},le="${b}"} ${s.durations.buckets[i]}`),
    `kpi_feed_run_duration_seconds_bucket{${label(s.feedId)},le="+Inf"} ${s.durations.count}`,
    `kpi_feed_run_duration_seconds_sum{${label(s.feedId)}} ${s.durations.sum}`,
    `kpi_feed_run_duration_seconds_count{${label(s.feedId)}} ${s.durations.count}`,
  ]));
  return `${out.join('\n')}\n`;
}
