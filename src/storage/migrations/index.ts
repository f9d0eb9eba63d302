import type { Migration } from 'kysely';
import * as foundation from './0001-foundation.js';
import * as ingestion from './0002-ingestion.js';
import * as evaluation from './0003-evaluation.js';
import * as feeds from './0004-feeds.js';
import * as readerRole from './0006-reader-role.js';

/**
 * Every migration, in order. Listed statically (not read from a folder) so they run the same from
 * TypeScript sources, a bundle or a container image. Add new ones at the end; never rename one.
 */
export const migrations: Record<string, Migration> = {
  '0001-foundation': foundation,
  '0002-ingestion': ingestion,
  '0003-evaluation': evaluation,
  '0006-reader-role': readerRole,
  // Numbered 0004 when planned; runs after 0006 on databases that already had 0006 (unordered migrations are allowed).
  '0004-feeds': feeds,
};
