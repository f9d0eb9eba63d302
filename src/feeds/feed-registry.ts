import { CronExpressionParser } from 'cron-parser';
import { loadFeedsOrThrow, type FeedLoadOptions } from './feed-loader.js';
import type { FeedDefinition } from './feed-schema.js';
import type { FeedSource } from './feed-runner.js';

/** The feeds of the jobs folder as this process loaded them at start. */
export class FeedRegistry implements FeedSource {
  private feeds = new Map<string, FeedDefinition>();

  constructor(
    readonly dir: string,
    private readonly options: () => Promise<FeedLoadOptions>,
  ) {}

  /** (Re)reads the folder; invalid definitions throw a ConfigError listing every issue, and the previous set stays. */
  async load(): Promise<FeedDefinition[]> {
    const feeds = await loadFeedsOrThrow(this.dir, await this.options());
    this.feeds = new Map(feeds.map((f) => [f.id, f]));
    return feeds;
  }

  all(): FeedDefinition[] {
    return [...this.feeds.values()];
  }

  get(feedId: string): FeedDefinition | undefined {
    return this.feeds.get(feedId);
  }
}

/** The feed's scheduled times around `at`: the last one at or before it, and the next after it. */
export function slotsAround(feed: FeedDefinition, at: Date): { previous: Date; next: Date } {
  const options = { tz: feed.schedule.timezone, currentDate: new Date(at.getTime() + 1) };
  return {
    previous: CronExpressionParser.parse(feed.schedule.cron, options).prev().toDate(),
    next: CronExpressionParser.parse(feed.schedule.cron, options).next().toDate(),
  };
}

/**
 * Feeds whose last scheduled slot has no success after it (never ran, or the process was down):
 * at start they run that slot once, as anacron does, rather than waiting a whole period.
 */
export function missedSlots(
  feeds: readonly FeedDefinition[],
  lastSuccess: ReadonlyMap<string, Date | null>,
  now: Date,
): { feed: FeedDefinition; slot: Date }[] {
  return feeds
    .filter((f) => f.enabled)
    .map((feed) => ({ feed, slot: slotsAround(feed, now).previous }))
    .filter(({ feed, slot }) => {
      const success = lastSuccess.get(feed.id);
      return !success || success.getTime() < slot.getTime();
    });
}
