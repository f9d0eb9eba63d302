import type { RawObservation } from '../../domain/observations/observation.js';

/**
 * One piece of a run's input: a file of a drop folder, an HTTP response, a query's rows. Each part
 * is ingested as its own batch, so each is all-or-nothing in `atomic` mode.
 */
export interface SourcePart {
  /** What was read (a URL, a file name, `query`), for errors and the runs table. */
  name: string;
  records: AsyncIterable<RawObservation>;
}

export interface SourceContext {
  /** The run's scheduled time, bound as `$1` in SQL sources. */
  slot: Date;
  /** Aborted at the feed's timeout or at shutdown. */
  signal: AbortSignal;
  /** Where header values and connection strings are read from. */
  env: NodeJS.ProcessEnv;
}

/** Lists the parts of one run; records are read lazily as the Ingestor consumes them. */
export type FeedSourceReader = (context: SourceContext) => AsyncIterable<SourcePart>;
