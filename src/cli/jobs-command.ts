import { Command } from 'commander';
import { ExitCode } from '../errors/error-mapping.js';
import { formatIssue, InputError } from '../errors/pacer-error.js';
import { commandSetup, runCommand, withServices, type CliIo } from './cli-context.js';
import { textTable } from './text-table.js';
import { formatLocalDateTime } from '../domain/time/zoned-time.js';
import type { FeedRunResult } from '../feeds/feed-runner.js';

/** `pacer jobs validate|run`: check the feed definitions of jobs/, run one feed now. */
export function jobsCommand(io: CliIo, setExitCode: (code: number) => void): Command {
  const jobs = new Command('jobs').description('scheduled feeds (YAML under jobs/): validate them, run one now');

  jobs
    .command('validate')
    .description(
      'check every feed definition against its schema and the catalog; list all errors with file and line (exit 1 ' +
        'on any)',
    )
    .argument('[dir]', 'jobs directory (default: PACER_JOBS_DIR or ./jobs)')
    .action(async (dir?: string) => {
      setExitCode(
        await runCommand(io, async () => {
          const { config } = await commandSetup(io);
          const [{ loadCatalog }, { loadFeeds }, { slotsAround }] = await Promise.all([
            import('../catalog/catalog-loader.js'),
            import('../feeds/feed-loader.js'),
            import('../feeds/feed-registry.js'),
          ]);
          const target = dir ?? config.feeds.jobsDir;
          const { catalog, issues: catalogIssues } = await loadCatalog(config.catalogDir);
          if (catalogIssues.length > 0)
            throw new InputError(
              `the catalog in ${config.catalogDir} is invalid; run pacer catalog validate`,
              catalogIssues,
            );
          const { feeds, issues, files } = await loadFeeds(target, {
            defaultTimeZone: catalog.directives[0]?.timezone ?? 'UTC',
            indicatorIds: catalog.indicators.map((i) => i.id),
          });
          if (issues.length > 0) {
            for (const issue of issues) io.err(formatIssue(issue));
            io.err(`${target}: ${issues.length} error${issues.length === 1 ? '' : 's'} in ${files.length} file(s)`);
            return ExitCode.userError;
          }
          const now = new Date();
          // The next run in the feed's own zone, with its offset: "06:00" in the cron reads 06:00 here.
          const rows = feeds.map((feed) => [
            feed.id,
            feed.source.type,
            feed.schedule.cron,
            feed.schedule.timezone,
            feed.enabled ? formatLocalDateTime(slotsAround(feed, now).next, feed.schedule.timezone) : 'disabled',
          ]);
          if (rows.length > 0)
            for (const line of textTable(['FEED', 'SOURCE', 'SCHEDULE', 'TIME ZONE', 'NEXT RUN'], rows)) io.out(line);
          io.out(`${target}: valid — ${feeds.length} feed(s), ${feeds.filter((f) => f.enabled).length} enabled`);
        }),
      );
    });

  jobs
    .command('run')
    .description(
      'run one feed now (a manual slot) and print the ingest summary; exit 1 when its data is rejected, 2 when the ' +
        'source is unreachable',
    )
    .argument('<id>', 'feed id')
    .option('--json', 'print the run result as JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      setExitCode(
        await runCommand(io, () =>
          withServices(
            io,
            async (services) => {
              // The run validates against the catalog in the database: bring it up to date first.
              const { applyCatalog } = await import('../catalog/apply-catalog.js');
              const apply = await applyCatalog(services.catalog, services.config.catalogDir);
              if (apply.changed) services.ingestCatalog.invalidate();
              await services.feeds.registry.load();
              const result = await services.feeds.runner.run({ feedId: id, slot: new Date(), trigger: 'manual' });
              if (options.json) io.out(JSON.stringify(feedRunResultJson(result), null, 2));
              if (result.outcome === 'succeeded') {
                const c = result.counts;
                if (!options.json)
                  io.out(
                    `${id}: run ${result.runId} succeeded in ${Math.round(result.durationMs)} ms — received ` +
                      `${c.received}, inserted ${c.inserted}, updated ${c.updated}, unchanged ${c.unchanged}, ` +
                      `rejected ${c.rejected} (batch ${result.batchIds.join(', ') || '-'})`,
                  );
                return ExitCode.ok;
              }
              if (result.outcome === 'failed') {
                io.err(`error: ${id}: run ${result.runId} failed: ${result.error.message}`);
                for (const issue of result.error.issues.slice(0, 20)) io.err(`  ${formatIssue(issue)}`);
                if (result.error.issues.length > 20) io.err(`  ... and ${result.error.issues.length - 20} more`);
                return result.retryable ? ExitCode.systemError : ExitCode.userError;
              }
              return ExitCode.ok;
              // The outcome is printed above: the runner's own log of a failed run would repeat it with a stack.
            },
            { quietLevel: 'error' },
          ),
        ),
      );
    });

  return jobs;
}

/** A run's result as `pacer jobs run --json` prints it: snake_case, as the API writes its fields. */
export function feedRunResultJson(result: FeedRunResult): Record<string, unknown> {
  if (result.outcome === 'duplicate') return { outcome: result.outcome };
  const common = { outcome: result.outcome, run_id: result.runId, attempts: result.attempts };
  const duration_ms = Math.round(result.durationMs);
  if (result.outcome === 'succeeded')
    return { ...common, duration_ms, counts: result.counts, batch_ids: result.batchIds };
  return { ...common, duration_ms, error: result.error, retryable: result.retryable };
}
