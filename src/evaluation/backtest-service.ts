import type { IndicatorKind } from '../domain/catalog/catalog-schema.js';
import {
  scoreBacktest,
  stepCounts,
  type BacktestScore,
  type BacktestStepResult,
  type BacktestTargetInput,
} from '../domain/evaluation/backtest-score.js';
import { backtestSteps, parseStepInterval } from '../domain/evaluation/backtest-steps.js';
import {
  calendarDateOf,
  formatCalendarDate,
  parseCalendarDate,
  startOfDay,
  type CalendarDate,
} from '../domain/time/zoned-time.js';
import { InputError } from '../errors/pacer-error.js';
import type { EvaluationScope, EvaluationSnapshot } from './evaluation-service.js';
import type { EvaluationStore, TargetRecord } from './evaluation-store.js';

/**
 * The most steps one backtest replays: ten years of months, two of weeks. Each step is an evaluation, and the API
 * lets any reader ask for one.
 */
export const MAX_BACKTEST_STEPS = 120;

/** The default step: a month. */
export const DEFAULT_BACKTEST_EVERY = '1mo';

/** What a backtest is asked for; every field optional (see {@link BacktestService.run}). */
export interface BacktestRequest {
  /** First step, YYYY-MM-DD; default the earliest directive's issue date. */
  from?: string;
  /** Last step at most, YYYY-MM-DD; default today. */
  to?: string;
  /** Step length: `1mo`, `2w`, `7d`, ...; default {@link DEFAULT_BACKTEST_EVERY}. */
  every?: string;
}

/** A scored target as people read it. */
export interface BacktestTarget {
  id: string;
  title: string;
  directive: string;
  dueDate: string;
  kind: IndicatorKind;
  unit: string;
}

/** A backtest: the steps replayed, the targets scored (aligned with `score.targets`) and their scores. */
export interface BacktestReport {
  timezone: string;
  from: string;
  to: string;
  every: string;
  /** Every step instant, the end of its day in the time zone. */
  steps: Date[];
  /** Steps at which some decided target was evaluated. */
  evaluatedSteps: number;
  /** When the outcomes were decided: the evaluation as of then, knowing everything recorded. */
  outcomeAt: Date;
  /** Targets left out: their outcome is not decided (deadline not passed, or no value to judge it by). */
  undecided: number;
  targets: BacktestTarget[];
  score: BacktestScore;
}

export interface BacktestDeps {
  evaluation: {
    compute(asOf: Date, options?: { scope?: EvaluationScope; knownAt?: Date }): Promise<EvaluationSnapshot>;
  };
  store: Pick<EvaluationStore, 'regions' | 'fullPredecessors'>;
  /** The directives' issue dates (YYYY-MM-DD) and time zones. */
  directives(): Promise<{ id: string; issued: string; timezone: string }[]>;
  now?: () => number;
}

function dateParam(text: string, field: string): CalendarDate {
  const day = parseCalendarDate(text);
  if (!day) {
    const message = `expected YYYY-MM-DD, got "${text}"`;
    throw new InputError(`${field}: ${message}`, [{ code: 'invalid_date', field, message }]);
  }
  return day;
}

const dayNumber = (d: CalendarDate) => Date.UTC(d.year, d.month - 1, d.day);

/**
 * "Were the warnings right?": replays the evaluation as it was known at each step, for every target
 * whose outcome is decided, and scores it against that outcome (`domain/evaluation/backtest-score.ts`).
 * The outcome is the evaluation as of now, knowing everything; each step is the evaluation as of the
 * step, knowing only what was recorded by then, of the decided targets the step counts for (a step
 * after every deadline costs nothing).
 */
export class BacktestService {
  constructor(private readonly deps: BacktestDeps) {}

  async run(request: BacktestRequest = {}): Promise<BacktestReport> {
    const directives = await this.deps.directives();
    const timezone = directives[0]?.timezone ?? 'UTC';
    const now = new Date(this.deps.now?.() ?? Date.now());
    const every = request.every ?? DEFAULT_BACKTEST_EVERY;
    const interval = parseStepInterval(every);
    if (!interval) {
      const message = `expected a step such as 1mo, 3mo, 2w or 7d, got "${every}"`;
      throw new InputError(`every: ${message}`, [{ code: 'invalid_interval', field: 'every', message }]);
    }
    const issued = directives.map((d) => d.issued).sort();
    const from = request.from
      ? dateParam(request.from, 'from')
      : (parseCalendarDate(issued[0] ?? '') ?? calendarDateOf(now, timezone));
    const to = request.to ? dateParam(request.to, 'to') : calendarDateOf(now, timezone);
    if (dayNumber(from) > dayNumber(to)) {
      const message = `from ${formatCalendarDate(from)} is after to ${formatCalendarDate(to)}`;
      throw new InputError(message, [{ code: 'invalid_range', field: 'from', message }]);
    }
    const { steps, truncated } = backtestSteps(from, to, interval, timezone, MAX_BACKTEST_STEPS);
    if (truncated) {
      const range = `from ${formatCalendarDate(from)} to ${formatCalendarDate(to)}`;
      const message = `more than ${MAX_BACKTEST_STEPS} steps ${range} every ${every}`;
      throw new InputError(message, [{ code: 'too_many_steps', field: 'every', message }]);
    }

    const outcome = await this.deps.evaluation.compute(now);
    const decided = outcome.results.filter((r) => r.status === 'achieved' || r.status === 'missed');
    const issuedAt = new Map(
      directives.map((d) => [d.id, startOfDay(parseCalendarDate(d.issued)!, d.timezone).getTime()]),
    );
    const inputs = new Map<string, BacktestTargetInput & { steps: BacktestStepResult[] }>(
      decided.map((r) => [
        r.target.id,
        {
          id: r.target.id,
          deadline: r.target.deadline,
          issuedAt: issuedAt.get(r.target.directiveId) ?? -Infinity,
          outcome: r.status === 'achieved' ? 'achieved' : 'missed',
          actualAtDeadline: r.valueAtDeadline,
          steps: [],
        },
      ]),
    );

    const [regions, predecessors] = await Promise.all([this.deps.store.regions(), this.deps.store.fullPredecessors()]);
    const catalog = { indicators: outcome.indicators, regions, predecessors };
    let evaluatedSteps = 0;
    for (const step of steps) {
      const at = step.getTime();
      const targets: TargetRecord[] = decided.map((r) => r.target).filter((t) => stepCounts(inputs.get(t.id)!, at));
      if (targets.length === 0) continue;
      evaluatedSteps++;
      const indicators = [...new Set(targets.map((t) => t.indicatorId))];
      const snapshot = await this.deps.evaluation.compute(step, {
        scope: { targets, indicators, catalog },
        knownAt: step,
      });
      for (const r of snapshot.results) {
        inputs.get(r.target.id)?.steps.push({
          at,
          status: r.status,
          projected: r.projected,
          attainmentProbability: r.attainmentProbability,
        });
      }
    }

    const kinds = new Map(outcome.indicators.map((i) => [i.id, i]));
    return {
      timezone,
      from: formatCalendarDate(from),
      to: formatCalendarDate(to),
      every,
      steps,
      evaluatedSteps,
      outcomeAt: now,
      undecided: outcome.results.length - decided.length,
      targets: decided.map(({ target: t }) => ({
        id: t.id,
        title: t.title,
        directive: t.directiveId,
        dueDate: t.dueDate,
        kind: kinds.get(t.indicatorId)?.kind ?? 'level',
        unit: kinds.get(t.indicatorId)?.unit ?? '',
      })),
      score: scoreBacktest([...inputs.values()]),
    };
  }
}
