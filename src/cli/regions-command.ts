import { Command } from 'commander';
import { NONE } from '../domain/format/value-format.js';
import { formatLocalDate, parseCalendarDate, startOfDay } from '../domain/time/zoned-time.js';
import { InputError } from '../errors/pacer-error.js';
import { runCommand, withServices, type CliIo } from './cli-context.js';
import { textTable } from './text-table.js';

/** `pacer regions summary|successors`: what the region registry holds. */
export function regionsCommand(io: CliIo, setExitCode: (code: number) => void): Command {
  const regions = new Command('regions').description('inspect the region registry');

  regions
    .command('summary')
    .description('units by level and validity, and how many have successors')
    .action(async () => {
      setExitCode(
        await runCommand(io, () =>
          withServices(io, async (services) => {
            const [rows, timezone] = await Promise.all([
              services.regions.summary(),
              services.catalog.defaultTimeZone(),
            ]);
            // Validity as calendar days in the directive's zone, both ends included: a unit valid to the
            // start of 2025-07-01 was valid until 2025-06-30.
            const cells = rows.map((row) => [
              row.setId,
              row.level,
              row.validFrom ? formatLocalDate(row.validFrom, timezone) : NONE,
              row.validTo ? formatLocalDate(row.validTo.getTime() - 1, timezone) : NONE,
              String(row.units),
              String(row.withSuccessor),
            ]);
            const header = ['SET', 'LEVEL', 'VALID FROM', 'VALID UNTIL', 'UNITS', 'WITH SUCCESSORS'];
            for (const line of textTable(header, cells, { right: new Set([4, 5]) })) io.out(line);
          }),
        ),
      );
    });

  regions
    .command('successors')
    .description('map units that ended to the units in force on a date (e.g. the 63 old provinces to the 34 of 2025)')
    .option('--level <level>', 'only units of this level', 'province')
    .option('--at <date>', 'date the successors are in force (YYYY-MM-DD)', '2025-07-01')
    .action(async (options: { level: string; at: string }) => {
      setExitCode(
        await runCommand(io, () =>
          withServices(io, async (services) => {
            const day = parseCalendarDate(options.at);
            if (!day) throw new InputError(`--at: expected a date YYYY-MM-DD, got "${options.at}"`);
            const rows = await services.regions.loadAll();
            const timezone = rows[0]?.timezone ?? 'UTC';
            const mapped = await services.regions.successorsAt(startOfDay(day, timezone), options.level);
            const cells = mapped.map((m) => [
              m.predecessor.code,
              m.predecessor.name,
              m.successor.code,
              m.successor.name,
              m.kind,
            ]);
            for (const line of textTable(['CODE', 'NAME', 'SUCCESSOR', 'SUCCESSOR NAME', 'KIND'], cells)) io.out(line);
          }),
        ),
      );
    });

  return regions;
}
