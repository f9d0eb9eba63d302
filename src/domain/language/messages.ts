import type { Language, TargetReason, TargetStatus } from '../../conventions.js';
import type { Rollup } from '../catalog/catalog-schema.js';
import { english } from './messages-en.js';
import { vietnamese } from './messages-vi.js';

/**
 * Everything Pacer says to people, in each of its languages: one table per language, each typed by
 * {@link Messages}, so a missing translation is a type error. Sentences with figures are functions of
 * the figures already written out (by the {@link Formatter} of the same language): word order is the
 * translation's, not the code's.
 *
 * Pure: no I/O, no formatting of its own.
 */
export interface Messages {
  /** Status names, as a badge, a table cell or a column reads them. */
  statuses: Record<TargetStatus, string>;
  /** Short explanations of the reason codes, for a legend or a column heading's note. */
  reasons: Record<TargetReason, string>;
  value: {
    done: string;
    notDone: string;
    /** A pace: `77,778 a day`. */
    perDay(pace: string): string;
    /** A pace of a ratio: `0.12 percentage points a day`. */
    pointsPerDay(points: string): string;
    /** A target value read with its direction: `at most 5`. */
    atMost(value: string): string;
  };
  /** Region levels as a sentence names them (the catalog's `province`, `commune`), counted. */
  level(level: string | null, count: number): string;
  /** A rollup's partial value: `partial sum`. */
  partialRollup: Record<Rollup, string>;
  explain: ExplainMessages;
  page: PageMessages;
  cli: CliMessages;
  report: ReportMessages;
  alerts: AlertMessages;
  warnings: WarningMessages;
  /** The generated Grafana dashboards' titles. */
  dashboards: { overview: string; target: string; regions: string; pipeline: string };
}

/** The reason sentences (`explainTarget`), with their figures written out. */
export interface ExplainMessages {
  targetMet(p: { met: string; deadline: string; target: string }): string;
  deadlinePassed(p: { deadline: string; value: string; target: string; progress: string }): string;
  deadlinePassedNoValue(p: { deadline: string }): string;
  metLater: string;
  incompleteCoverage(p: {
    deadline: string | null;
    reported: { count: number; total: number; level: string } | null;
    needed: string;
    partial: { rollup: Rollup; value: string } | null;
  }): string;
  noReportTask(p: { deadline: string }): string;
  noReport(p: { deadline: string; target: string }): string;
  stale(p: { value: string; day: string; intervals: number; days: number }): string;
  taskOpen(p: { deadline: string }): string;
  taskDueSoon(p: { deadline: string; days: number }): string;
  forecastMeets(p: { pace: string; projected: string; deadline: string; target: string }): string;
  forecastShort(p: {
    pace: string;
    projected: string;
    deadline: string;
    target: string;
    progress: string;
    tolerance: string;
    within: boolean;
  }): string;
  milestoneMissed(p: { day: string; observed: string; value: string }): string;
}

/** The scorecard pages. */
export interface PageMessages {
  /** The language's own name, on the switch link to it. */
  languageName: string;
  /** The switch's label for screen readers. */
  languageSwitch: string;
  brand: string;
  pageTitle(title: string): string;
  scorecard: string;
  directiveTargets: string;
  asOf: string;
  asOfDay(day: string): string;
  /** Before the as-of instant in the heading line: `as of` now (30 Jun 2023). */
  asOfLead: string;
  asOfEndOf(day: string): string;
  asOfNow(day: string): string;
  show: string;
  issued(day: string): string;
  targetsCount(n: number): string;
  directiveText: string;
  statusLegend: string;
  owner: string;
  allOwners: string;
  clearFilters: string;
  countsLabel: string;
  shown(shown: number, total: number): string;
  /** The rows of one page of a long list: "1–250 shown". */
  shownRange(first: number, last: number): string;
  previous: string;
  next: string;
  pagesLabel: string;
  worstFirst: string;
  /** `day`: the past date viewed, or null for now. */
  barNote(day: string | null): string;
  download: string;
  noMatch: string;
  head: {
    status: string;
    target: string;
    owner: string;
    due: string;
    current: string;
    targetValue: string;
    progress: string;
    projected: string;
    completion: string;
  };
  partial: string;
  chanceToMeet(chance: string): string;
  metLate: string;
  notAtThisPace: string;
  noValue: string;
  progressText(progress: string, expected: string): string;
  progressLabel(text: string): string;
  error: {
    notFound: string;
    unavailable: string;
    failed: string;
    retry(seconds: number): string;
    code: string;
    back: string;
    title(status: number): string;
  };
  target: TargetPageMessages;
}

/** The target page. */
export interface TargetPageMessages {
  allTargets: string;
  sources: Record<'direct' | 'children' | 'predecessors', string>;
  coverage(share: string, partial: boolean): string;
  currentNote(source: string, day: string, coverage: string): string;
  noValueYet: string;
  taskDated: string;
  whereForecastReaches: string;
  band(low: string, high: string): string;
  decided: string;
  figures: {
    current: string;
    expected: string;
    onPaceLine: string;
    progress: string;
    expectedProgress(p: string): string;
    valueAtDeadline: string;
    projectedAtDeadline: string;
    targetLevel(level: string): string;
    chance: string;
    completion: string;
    deadline: string;
    endOfDay(timezone: string): string;
  };
  sub(p: { directive: string; source: string; owner: string }): string;
  /** `Accounts (accounts) in`, before the region's name. */
  indicatorIn(indicator: string, unit: string): string;
  chart: {
    noScript: string;
    noObservations: string;
    observations(n: number, latest: string, day: string): string;
    pace(p: { baseline: string; baselineDay: string; target: string; due: string; milestones: number }): string;
    forecast(value: string, completion: string | null): string;
    /** A missed target's figures went on past the deadline: the line from the latest value to `day`. */
    forecastAfter(value: string, day: string, reaching: boolean): string;
    band(low: string, high: string, chance: string): string;
    observed: string;
    expectedPace: string;
    forecastKey: string;
    milestoneKey: string;
    eventKey: string;
    eventsTitle: string;
    targetKey(value: string): string;
    deadlineKey(day: string): string;
    flagged: string;
    bandKey: string;
  };
  flaggedTitle: string;
  flaggedNote: string;
  observationsTitle: string;
  /** Before and after the region's name. */
  observationsNote(indicator: string): { before: string; after: string };
  earlier(n: string): string;
  later(n: string, count: number): string;
  batch(id: number): string;
  revision(p: { from: string; to: string; day: string }): string;
  none: string;
  observationsHead: { observed: string; value: string; note: string; recorded: string; revisions: string };
  historyTitle: string;
  noHistory: string;
  /** Before and after the command `pacer evaluate --save`. */
  noHistoryHow: { before: string; after: string };
  historyHead: { asOf: string; from: string; to: string };
  firstEvaluation: string;
  byLevel(level: string): string;
  /** The sentence about the breakdown, before and after the parent region's name (kept in Vietnamese). */
  regionsNote(p: { reporting: number; parts: number; level: string; unit: string; inForce: string; day: string }): {
    before: string;
    after: string;
  };
  reporting(share: string): string;
  regionsLabel(indicator: string, level: string): string;
  noRegional: string;
  withoutValue(n: number, level: string): string;
  note: string;
}

/** `pacer status` and `pacer evaluate`. */
export interface CliMessages {
  /** `title`: the directive's, when one; `known`: {@link CliMessages.knownAt}'s text, or empty. */
  heading(p: { title?: string; shown: number; total: number; asOf: string; timezone: string; known: string }): string;
  directives(n: number): string;
  /** `known`: {@link CliMessages.knownAt}'s text, or empty. */
  asOf(p: { asOf: string; timezone: string; known: string }): string;
  /** After the as-of of a view as known at an instant: ", as known at 2023-05-15T23:59:59+07:00". */
  knownAt(when: string): string;
  head: {
    status: string;
    target: string;
    progress: string;
    expected: string;
    current: string;
    projected: string;
    targetValue: string;
    completion: string;
    due: string;
    reason: string;
  };
  metLate: string;
}

/** `pacer report` and the downloads. */
export interface ReportMessages {
  title(day: string, timezone: string): string;
  issued(p: { issuer: string; day: string; count: number; counts: string }): string;
  partial: string;
  metLate: string;
  notAtThisPace: string;
  head: {
    status: string;
    reason: string;
    explanation: string;
    target: string;
    title: string;
    owner: string;
    indicator: string;
    region: string;
    baseline: string;
    targetValue: string;
    direction: string;
    current: string;
    currentDate: string;
    progress: string;
    expectedProgress: string;
    progressExpected: string;
    projected: string;
    valueAtDeadline: string;
    completion: string;
    due: string;
    why: string;
  };
  atLeast: string;
  atMost: string;
  notes: string;
  metAfterDeadline: string;
  partialValue: string;
  /** Row 1 of a directive's sheet. */
  sheetTitle(p: { directive: string; count: number; day: string; timezone: string }): string;
  /** Row 1 of the observations sheet. */
  observationsTitle(p: { day: string; timezone: string }): string;
  observationsSheet: string;
  observation: {
    indicatorName: string;
    regionName: string;
    date: string;
    value: string;
    unit: string;
    source: string;
    coverage: string;
    note: string;
    batch: string;
    batchSource: string;
    feed: string;
  };
  sources: Record<'direct' | 'children' | 'predecessors', string>;
  /** The spreadsheet's date format: yyyy-mm-dd, dd/mm/yyyy. */
  dateFormat: string;
}

/**
 * The generated alert rules' summaries and descriptions. Their parts are Prometheus template snippets
 * (`{{ $labels.target }}`, a queried figure), put where the language puts them.
 */
export interface AlertMessages {
  /** A task's value in an alert: done, not done. */
  done: string;
  notDone: string;
  /** The figures closing a target alert's description. */
  figures(p: { current: string; expected: string; projected: string; target: string; due: string }): string;
  /** The reason code of the status. */
  reason(code: string): string;
  offTrack: { summary(target: string, title: string): string; description(why: string): string };
  atRisk: { summary(target: string, title: string): string; description(why: string): string };
  missed: { summary(target: string, title: string): string; description(why: string): string };
  deadline: {
    summary(target: string, days: number): string;
    description(p: { progress: string; expected: string }): string;
  };
  unlikely: {
    summary(target: string, title: string): string;
    description(p: { chance: string; threshold: string; low: string; high: string }): string;
  };
  noData: {
    summary(target: string, title: string): string;
    description(p: { indicator: string; region: string; why: string }): string;
  };
}

/** The data-quality flags of a value (`observation-warnings.ts`), with their figures written out. */
export interface WarningMessages {
  /** A value below the previous one of a cumulative indicator. */
  decrease(p: { value: string; previous: string; day: string }): string;
  /** The same, said of the record before the flagged value (a backfill before a stored value). */
  decreaseFollowing(p: { previous: string; value: string; day: string }): string;
  /** A rise far above the trailing pace. */
  jump(p: { rise: string; days: number; daysText: string; since: string; times: string; pace: string }): string;
  /** The same, said of the record before the flagged value. */
  jumpFollowing(p: { value: string; day: string; jump: string }): string;
}

/** Every language's table. */
export const messages: Readonly<Record<Language, Messages>> = { en: english, vi: vietnamese };
