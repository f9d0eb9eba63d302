import { Command } from 'commander';
import { isEmptyPlan, type CatalogPlan } from '../catalog/catalog-plan.js';
import { entityNames, type EntityName } from '../catalog/catalog-rows.js';
import { formatLocalDate } from '../domain/time/zoned-time.js';
import { ExitCode } from '../errors/error-mapping.js';
import { formatIssue } from '../errors/pacer-error.js';
import { commandSetup, runCommand, withServices, type CliIo } from './cli-context.js';

const labels: Record<EntityName, string> = {
  regionSets: 'region sets',
  regions: 'regions',
  successors: 'region successors',
  indicators: 'indicators',
  directives: 'directives',
  targets: 'targets',
  events: 'events',
};

/** `pacer catalog validate|plan|apply`. */
export function catalogCommand(io: CliIo, setExitCode: (code: number) => void): Command {
  const catalog = new Command('catalog').description(
    'validate, plan and apply the directive catalog (YAML under catalog/)',
  );

  catalog
    .command('validate')
    .description('check every catalog file; list all errors with file and line (exit 1 on any)')
    .argument('[dir]', 'catalog directory (default: PACER_CATALOG_DIR or ./catalog)')
    .action(async (dir?: string) => {
      setExitCode(
        await runCommand(io, async () => {
          const target = dir ?? (await commandSetup(io)).config.catalogDir;
          const { loadCatalog } = await import('../catalog/catalog-loader.js');
          const { catalog: c, issues, files } = await loadCatalog(target);
          if (issues.length > 0) {
            for (const issue of issues) io.err(formatIssue(issue));
            io.err(`${target}: ${issues.length} error${issues.length === 1 ? '' : 's'} in ${files.length} file(s)`);
            return ExitCode.userError;
          }
          const units = c.regionSets.reduce((n, s) => n + s.units.length, 0);
          const links = c.regionSets.reduce((n, s) => n + s.successors.length, 0);
          io.out(
            `${target}: valid — ${c.directives.length} directive(s), ${c.targets.length} targets, ` +
              `${c.indicators.length} indicators, ${c.regionSets.length} region set(s) with ${units} units and ` +
              `${links} successor links`,
          );
        }),
      );
    });

  catalog
    .command('plan')
    .description('show what apply would change in the database')
    .argument('[dir]', 'catalog directory')
    .action(async (dir?: string) => {
      setExitCode(
        await runCommand(io, () =>
          withServices(io, async (services) => {
            const { planCatalogChanges } = await import('../catalog/apply-catalog.js');
            const { plan, loaded } = await planCatalogChanges(services.catalog, dir ?? services.config.catalogDir);
            printPlan(io, plan, loaded.catalog.directives[0]?.timezone ?? 'UTC');
          }),
        ),
      );
    });

  catalog
    .command('apply')
    .description('make the database match the catalog, in one transaction (idempotent)')
    .argument('[dir]', 'catalog directory')
    .option('--prune', 'allow removing targets, indicators and regions that have data, with their data')
    .action(async (dir: string | undefined, options: { prune?: boolean }) => {
      setExitCode(
        await runCommand(io, () =>
          withServices(io, async (services) => {
            const { applyCatalog } = await import('../catalog/apply-catalog.js');
            const result = await applyCatalog(services.catalog, dir ?? services.config.catalogDir, {
              prune: options.prune,
            });
            printPlan(io, result.plan, await services.catalog.defaultTimeZone());
            if (!result.changed) return;
            io.out('applied.');
            // Servers show their newest evaluation: store one under the new catalog, which they load at
            // once (PostgreSQL's notification) or at their next refresh, so no view keeps the old catalog.
            const run = await services.evaluation.evaluate({ persist: true });
            io.err(`evaluated ${run.targets} targets under the new catalog`);
          }),
        ),
      );
    });

  return catalog;
}

/** An instant inside a stored key (a region's is its code and when it starts: `79@2025-06-30T17:00:00.000Z`). */
const keyInstant = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/g;

function printPlan(io: CliIo, plan: CatalogPlan, timezone: string): void {
  if (isEmptyPlan(plan)) {
    io.out('No changes: the database matches the catalog.');
    return;
  }
  for (const name of entityNames) {
    const p = plan[name];
    if (p.created.length + p.updated.length + p.deleted.length === 0) continue;
    io.out(`${labels[name]}: +${p.created.length} ~${p.updated.length} -${p.deleted.length}`);
    // A region starting on 1 July 2025 reads 79@2025-07-01: the day it starts in the directive's zone.
    const keyOf = (row: object) =>
      String((row as { id?: string; key?: string }).id ?? (row as { key: string }).key).replace(keyInstant, (iso) =>
        formatLocalDate(Date.parse(iso), timezone),
      );
    const detail = [
      ...p.created.map((r) => `  + ${keyOf(r)}`),
      ...p.updated.map((u) => `  ~ ${keyOf(u.after)}: ${u.fields.join(', ')}`),
      ...p.deleted.map((r) => `  - ${keyOf(r)}`),
    ];
    for (const line of detail.slice(0, 25)) io.out(line);
    if (detail.length > 25) io.out(`  ... and ${detail.length - 25} more`);
  }
}
