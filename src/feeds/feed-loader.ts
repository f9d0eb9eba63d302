import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { schemaIssue, yamlDocuments, yamlFiles } from '../catalog/yaml-issues.js';
import { IndicatorScope } from '../domain/observations/indicator-scope.js';
import { ConfigError, type InputIssue } from '../errors/pacer-error.js';
import { feedSchema, type FeedDefinition } from './feed-schema.js';

/** The feeds found in a jobs folder, and every problem with them. */
export interface LoadedFeeds {
  feeds: FeedDefinition[];
  issues: InputIssue[];
  files: string[];
}

export interface FeedLoadOptions {
  /** The time zone of schedules that name none: the catalog's. */
  defaultTimeZone: string;
  /** Catalog indicator ids: a feed's indicator pattern must match at least one. */
  indicatorIds?: readonly string[];
}

/**
 * Reads every `*.yaml`/`*.yml` under `dir` (sorted, recursively; a missing folder holds no feeds),
 * validates each `kind: Feed` document and checks ids are unique. Issues name the file, the line
 * and the field, as the catalog's do.
 */
export async function loadFeeds(dir: string, options: FeedLoadOptions): Promise<LoadedFeeds> {
  const root = path.resolve(dir);
  const issues: InputIssue[] = [];
  const feeds: FeedDefinition[] = [];
  const files: string[] = [];
  if (!(await stat(root).catch(() => undefined))?.isDirectory()) return { feeds, issues, files };

  const seen = new Map<string, string>();
  for (const abs of await yamlFiles(root)) {
    const file = path.join(dir, path.relative(root, abs));
    files.push(file);
    for (const { value, locate } of yamlDocuments(await readFile(abs, 'utf8'), file, issues)) {
      const parsed = feedSchema.safeParse(value);
      if (!parsed.success) {
        for (const zi of parsed.error.issues) issues.push(schemaIssue(zi, [], value, file, locate, ['Feed']));
        continue;
      }
      const spec = parsed.data;
      const first = seen.get(spec.id);
      if (first) {
        issues.push({
          code: 'duplicate_id',
          file,
          line: locate(['id']),
          field: 'id',
          message: `duplicate feed id "${spec.id}" (first defined in ${first})`,
        });
        continue;
      }
      seen.set(spec.id, file);
      if (options.indicatorIds) {
        spec.indicators.forEach((pattern, i) => {
          const scope = new IndicatorScope([pattern]);
          if (!options.indicatorIds!.some((id) => scope.allows(id)))
            issues.push({
              code: 'unknown_indicator',
              file,
              line: locate(['indicators', i]),
              field: `indicators[${i}]`,
              message: `"${pattern}" matches no indicator of the catalog`,
            });
        });
      }
      feeds.push({
        ...spec,
        schedule: { cron: spec.schedule.cron, timezone: spec.schedule.timezone ?? options.defaultTimeZone },
        file,
        baseDir: path.dirname(abs),
      });
    }
  }
  return { feeds, issues, files };
}

/** Loads the feeds and throws a {@link ConfigError} listing every issue when there is any. */
export async function loadFeedsOrThrow(dir: string, options: FeedLoadOptions): Promise<FeedDefinition[]> {
  const loaded = await loadFeeds(dir, options);
  if (loaded.issues.length > 0) {
    const list = loaded.issues
      .map((i) => `${i.file}${i.line ? `:${i.line}` : ''}${i.field ? ` ${i.field}` : ''}: ${i.message}`)
      .join('; ');
    throw new ConfigError(`invalid feed definitions in ${dir}: ${list}`, loaded.issues);
  }
  return loaded.feeds;
}
