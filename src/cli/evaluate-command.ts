import { Command } from 'commander';
import { calendarDay, parseAsOf } from '../evaluation/as-of.js';
import type { TargetResult } from '../evaluation/evaluation-store.js';
import type { Pacer } from '../main.js';
import { runCommand, withPacer, type CliIo } from './cli-context.js';

/** `pacer evaluate [--at DATE] [--json] [--save]`. */
export function evaluateCommand(io: CliIo, setExitCode: (code: number) => void): Command {
  return new Command('evaluate')
    .description('evaluate every target as of a date (what was known then) and print status, progress, projection and deadline')
    .option('--at <date>', 'YYYY-MM-DD (the end of that day in the directive time zone) or an ISO date-time; default now')
    .option('--json', 'print JSON')
    .option('--save', 'store the evaluation as a snapshot (runs of the scheduler are stored anyway)')
    .action(async (options: { at?: string; json?: boolean; save?: boolean }) => {
      setExitCode(
        await runCommand(io, () =>
          withPacer(io, async (pacer) => {
            const asOf = options.at ? await resolveAsOf(pacer, options.at) : new Date();
            const snapshot = await pacer.evaluation.compute(asOf);
            if (options.save) await pacer.evaluation.evaluate({ asOf, persist: true });
            const timezone = await directiveTimezone(pacer);
            if (options.json) io.out(JSON.stringify({ as_of: asOf.toISOString(), targets: snapshot.results.map((r) => targetJson(r, timezone)) }, null, 2));
            else printTable(io, snapshot.results, asOf, timezone);
          }),
        ),
      );
    });
}

/** A bare date means the end of that day in the directive time zone: everything dated that day is known. */
export async function resolveAsOf(pacer: Pacer, text: string): Promise<Date> {
  return parseAsOf(text, await directiveTimezone(pacer));
}

/** The time zone dates are read in: the directives' (the first, by id), else UTC. */
export async function directiveTimezone(pacer: Pacer): Promise<string> {
  const row = await pacer.database.db.selectFrom('directives').select('timezone').orderBy('id').limit(1).executeTakeFirst();
  return row?.timezone ?? 'UTC';
}

const day = calendarDay;

export function targetJson(r: TargetResult, timezone: string) {
  const t = r.target;
  return {
    target: t.id,
    title: t.title,
    directive: t.directiveId,
    owner: t.owner,
    indicator: t.indicatorId,
    region: t.regionCode,
    status: r.status,
    achieved_late: r.achievedLate,
    baseline: t.baselineValue,
    target_value: t.targetValue,
    direction: t.direction,
    due: t.dueDate,
    deadline: new Date(t.deadline).toISOString(),
    current: r.current,
    current_observed_at: r.currentAt === null ? null : new Date(r.currentAt).toISOString(),
    current_source: r.currentSource,
    coverage: r.coverage,
    expected: r.expected,
    progress: r.progress,
    expected_progress: r.expectedProgress,
    projected: r.projected,
    projected_completion: day(r.projectedCompletionAt, timezone),
  };
}

const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);
const num = (x: number | null) => (x === null ? '-' : Math.abs(x) >= 1000 ? Math.round(x).toLocaleString('en-US') : String(Math.round(x * 1000) / 1000));

function printTable(io: CliIo, results: TargetResult[], asOf: Date, timezone: string): void {
  io.out(`as of ${asOf.toISOString()} (${timezone})`);
  const rows = results.map((r) => [r.target.id, r.status + (r.achievedLate ? ' (achieved late)' : ''), pct(r.progress), pct(r.expectedProgress), num(r.current), num(r.projected), num(r.target.targetValue), day(r.projectedCompletionAt, timezone) ?? '-', r.target.dueDate]);
  const header = ['TARGET', 'STATUS', 'PROGRESS', 'EXPECTED', 'CURRENT', 'PROJECTED', 'TARGET', 'COMPLETION', 'DUE'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  io.out(line(header));
  for (const row of rows) io.out(line(row));
}
