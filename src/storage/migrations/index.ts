import type { Migration } from 'kysely';
import * as foundation from './0001-foundation.js';
import * as ingestion from './0002-ingestion.js';
import * as evaluation from './0003-evaluation.js';
import * as readerRole from './0006-reader-role.js';
import * as feeds from './0007-feeds.js';
import * as batchSeries from './0008-batch-series.js';
import * as reportingRules from './0009-reporting-rules.js';
import * as observationWarnings from './0010-observation-warnings.js';
import * as attainment from './0011-attainment.js';
import * as knownAt from './0012-known-at.js';
import * as languages from './0013-languages.js';
import * as catalogEvents from './0014-catalog-events.js';
import * as targetReach from './0015-target-reach.js';

/**
 * Every migration, in order. Listed statically (not read from a folder) so they run the same from
 * TypeScript sources, a bundle or a container image. Add new ones at the end; never rename one.
 */
export const migrations: Record<string, Migration> = {
  '0001-foundation': foundation,
  '0002-ingestion': ingestion,
  '0003-evaluation': evaluation,
  '0006-reader-role': readerRole,
  // After 0006: it grants the read-only role (which 0006 creates) SELECT on the runs table.
  '0007-feeds': feeds,
  '0008-batch-series': batchSeries,
  '0009-reporting-rules': reportingRules,
  '0010-observation-warnings': observationWarnings,
  '0011-attainment': attainment,
  '0012-known-at': knownAt,
  '0013-languages': languages,
  '0014-catalog-events': catalogEvents,
  '0015-target-reach': targetReach,
};
