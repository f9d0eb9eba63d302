import { Command } from 'commander';
import { parseCalendarDate, startOfDay } from '../domain/time/zoned-time.js';
import { InputError } from '../errors/pacer-error.js';
import { runCommand, withServices, type CliIo } from './cli-context.js';

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
            for (const row of await services.regions.summary()) {
              const from = row.validFrom ? row.validFrom.toISOString() : '-∞';
              const to = row.validTo ? row.validTo.toISOString() : '∞';
              io.out(
                `${row.setId}\t${row.level}\t${from} .. ${to}\t${row.units} units\t${row.withSuccessor} with ` +
                  `successors`,
              );
            }
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
            for (const m of await services.regions.successorsAt(startOfDay(day, timezone), options.level)) {
              io.out(
                `${m.predecessor.code}\t${m.predecessor.name}\t→\t${m.successor.code}\t${m.successor.name}\t${m.kind}`,
              );
            }
          }),
        ),
      );
    });

  return regions;
}
