import { feedRunOutcomes, ingestRowOutcomes, kpiMetrics, labels } from '../conventions.js';
import { ExpositionWriter, histogramSamples, labelPair, sample } from '../metrics/exposition-writer.js';
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
      const text = this.deps.store
        .stats(feedDurationBuckets)
        .then((stats) => renderFeedMetrics(stats, this.deps.feeds()));
      this.cached = { at: now, text };
      // A failed query is not cached: the next scrape tries again.
      text.catch(() => {
        if (this.cached?.text === text) this.cached = undefined;
      });
    }
    return this.cached.text;
  }
}

/** Renders the `kpi_feed_*` families from the runs table's statistics and the feed definitions. */
export function renderFeedMetrics(stats: readonly FeedRunStats[], feeds: readonly FeedDefinition[]): string {
  const k = kpiMetrics;
  const feedLabel = (feed: string) => labelPair(labels.feed, feed);
  const withOutcome = (feed: string, outcome: string) => `${feedLabel(feed)},${labelPair(labels.outcome, outcome)}`;
  const seconds = (d: Date) => d.getTime() / 1000;
  return new ExpositionWriter()
    .family(
      k.feedExpectedIntervalSeconds,
      'gauge',
      'How often a successful run of the feed is expected (its expected_every); enabled feeds only.',
      feeds
        .filter((f) => f.enabled)
        .map((f) => sample(k.feedExpectedIntervalSeconds, feedLabel(f.id), f.expected_every / 1000)),
    )
    .family(
      k.feedLastSuccessTimestampSeconds,
      'gauge',
      'When the last successful run of the feed finished.',
      stats.flatMap((s) =>
        s.lastSuccessAt
          ? [sample(k.feedLastSuccessTimestampSeconds, feedLabel(s.feedId), seconds(s.lastSuccessAt))]
          : [],
      ),
    )
    .family(
      k.feedLastRunTimestampSeconds,
      'gauge',
      'When the last run of the feed finished, whatever its outcome.',
      stats.flatMap((s) =>
        s.lastRunAt ? [sample(k.feedLastRunTimestampSeconds, feedLabel(s.feedId), seconds(s.lastRunAt))] : [],
      ),
    )
    .family(
      k.feedRunsTotal,
      'counter',
      'Feed run attempts by outcome: succeeded, failed (retried or not), ' +
        'duplicate (a delivery of a slot that had already run, ignored).',
      stats.flatMap((s) => feedRunOutcomes.map((o) => sample(k.feedRunsTotal, withOutcome(s.feedId, o), s.runs[o]))),
    )
    .family(
      k.feedRowsTotal,
      'counter',
      'Rows the feed brought, by ingest outcome: inserted, updated, unchanged, rejected.',
      stats.flatMap((s) => ingestRowOutcomes.map((o) => sample(k.feedRowsTotal, withOutcome(s.feedId, o), s.rows[o]))),
    )
    .family(
      k.feedRunDurationSeconds,
      'histogram',
      'Duration of finished feed runs (last attempt).',
      stats.flatMap((s) =>
        histogramSamples(k.feedRunDurationSeconds, feedLabel(s.feedId), feedDurationBuckets, s.durations),
      ),
    )
    .text();
}
