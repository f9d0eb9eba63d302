import type { Language } from '../conventions.js';
import type { Formatter } from '../domain/language/formatter.js';
import { calendarDay } from '../evaluation/as-of.js';
import type { ScorecardService } from '../scorecard/scorecard-service.js';
import type { TargetList, TargetListQuery, TargetSummary } from '../scorecard/scorecard-schema.js';

/** The observation a target's current value comes from, as the report's "Observations" sheet lists it. */
export interface ReportObservation {
  target: string;
  indicator: string;
  indicatorName: string;
  kind: TargetSummary['kind'];
  unit: string;
  regionCode: string;
  regionName: string;
  /** The instant of the value (UTC, ISO 8601) and its calendar day in the directive time zone. */
  observedAt: string;
  day: string;
  value: number;
  /**
   * `direct`: one stored observation of the target's region; `children` / `predecessors`: a rollup
   * of its parts or of the units merged into it, which no single row holds (no note, no batch).
   */
  source: NonNullable<TargetSummary['current_source']>;
  coverage: number | null;
  note: string | null;
  batchId: number | null;
  /** Where the batch came from (`push`, `feed`, `demo`, `cli`) and its feed, if a feed wrote it. */
  batchSource: string | null;
  feed: string | null;
}

/** The stored row of one target's current value: the observation at its instant, with its batch. */
export interface StoredCurrentObservation {
  target: string;
  regionName: string;
  observation: { value: number; note: string | null; batchId: number | null } | null;
  batch: { source: string; feed: string | null } | null;
}

/** Storage the reports read beyond the scorecard; implemented in `report-repository.ts`. */
export interface ReportStore {
  /**
   * For each target, its region's name and the observation (no dimensions) of its indicator in its
   * region at exactly `observedAt` (null when there is none: a rollup), in one query; as it stood at
   * `knownAt`, when given.
   */
  currentObservations(
    keys: readonly { target: string; observedAt: string | null }[],
    knownAt?: Date,
  ): Promise<StoredCurrentObservation[]>;
}

/** One directive's part of a report: its targets worst first, as the scorecard lists them. */
export interface DirectiveSection {
  directive: TargetList['directives'][number];
  targets: TargetSummary[];
}

/** A scorecard report: what the XLSX, CSV and Markdown formats are written from. */
export interface ScorecardReport {
  /** The language its text is written in: headings, status names, sentences, titles and owners. */
  lang: Language;
  /** The instant evaluated (UTC, ISO 8601). */
  asOf: string;
  /** The calendar day that instant closes in the directive time zone: `--at 2023-06-30` is 2023-06-30. */
  asOfDay: string;
  /** The values as Pacer had recorded them at this instant (UTC, ISO 8601); null: with every correction. */
  knownAt: string | null;
  timezone: string;
  directives: DirectiveSection[];
  /** The current value's observation of every target with a value, in the order of the directives' targets. */
  observations: ReportObservation[];
}

/**
 * Builds the reports people send up the chain: the scorecard's own evaluation as of a date (the
 * same data as `GET /v1/targets`), grouped by directive, with the observation behind each current
 * value. The formats only lay it out.
 */
export class ReportService {
  constructor(private readonly deps: { scorecard: Pick<ScorecardService, 'list'>; store: ReportStore }) {}

  async build(query: Pick<TargetListQuery, 'at' | 'known_at' | 'lang'> = {}): Promise<ScorecardReport> {
    const list = await this.deps.scorecard.list({ at: query.at, known_at: query.known_at, lang: query.lang });
    const stored = await this.deps.store.currentObservations(
      list.targets.map((t) => ({ target: t.target, observedAt: t.current_observed_at })),
      list.known_at === null ? undefined : new Date(list.known_at),
    );
    const byTarget = new Map(stored.map((s) => [s.target, s]));
    const directives = [...list.directives]
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((directive) => ({ directive, targets: list.targets.filter((t) => t.directive === directive.id) }));
    const observations: ReportObservation[] = [];
    for (const t of directives.flatMap((d) => d.targets)) {
      if (t.current === null || t.current_observed_at === null || t.current_source === null) continue;
      const row = byTarget.get(t.target);
      const direct = t.current_source === 'direct' ? row?.observation : null;
      observations.push({
        target: t.target,
        indicator: t.indicator,
        indicatorName: t.indicator_name,
        kind: t.kind,
        unit: t.unit,
        regionCode: t.region,
        regionName: row?.regionName ?? t.region,
        observedAt: t.current_observed_at,
        day: calendarDay(Date.parse(t.current_observed_at), list.timezone)!,
        value: t.current,
        source: t.current_source,
        coverage: t.coverage,
        note: direct?.note ?? null,
        batchId: direct?.batchId ?? null,
        batchSource: direct ? (row?.batch?.source ?? null) : null,
        feed: direct ? (row?.batch?.feed ?? null) : null,
      });
    }
    return {
      lang: list.lang,
      asOf: list.as_of,
      // The day as the scorecard page names it: an instant on a midnight closes the day before.
      asOfDay: calendarDay(Date.parse(list.as_of) - 1, list.timezone)!,
      knownAt: list.known_at,
      timezone: list.timezone,
      directives,
      observations,
    };
  }
}

/** What a report's title adds for a report as known at an instant: ", as known at 2023-07-15T23:59:59+07:00". */
export function knownAtNote(report: Pick<ScorecardReport, 'knownAt'>, f: Formatter): string {
  return report.knownAt === null ? '' : f.messages.cli.knownAt(f.dateTime(report.knownAt));
}
