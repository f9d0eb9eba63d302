import { InstantParser } from '../time/instant-parser.js';
import { calendarDateOf, formatCalendarDate, formatLocalDateTime } from '../time/zoned-time.js';
import { BatchKeyIndex, KeySeen, type BatchSeries } from './batch-key-index.js';
import type { IndicatorScope } from './indicator-scope.js';
import type { IssueList } from './issue-list.js';
import type { RawObservation } from './observation.js';
import type { IngestCatalog, RegionCode } from './ingest-catalog.js';
import { storedTextProblem } from './stored-text.js';

const DAY_MS = 86_400_000;

/**
 * Every stable error code a record can be rejected with. Part of the public API: clients match on
 * them, the README lists them, the OpenAPI document enumerates them.
 */
export const observationIssueCodes = {
  missing_field: 'a required field (indicator, region, observed_at, value) is absent or empty',
  invalid_type: 'a field has the wrong JSON type (e.g. a number where a string code is expected)',
  unknown_field: 'a JSON record has a field Pacer does not know (a typo would otherwise be lost silently)',
  invalid_record: 'an element of a JSON array is not an object',
  invalid_json: 'an NDJSON line is not valid JSON',
  wrong_field_count: 'a CSV row has more or fewer fields than the header',
  unknown_indicator: 'the indicator is not in the catalog',
  indicator_out_of_scope: "the token's indicator scope does not include the indicator (the request fails with 403)",
  unknown_region: 'no region ever had this code',
  region_not_valid_at: 'the region code exists, but names no unit on observed_at',
  invalid_timestamp: 'observed_at is not an ISO date or date-time',
  future_timestamp: 'observed_at is more than 5 minutes in the future',
  invalid_value: 'value is not a number',
  non_finite_value: 'value is NaN or infinite',
  ratio_out_of_range: 'a ratio indicator takes values in 0..1',
  invalid_milestone: 'a milestone indicator takes 0 (not done) or 1 (done)',
  negative_count: 'a cumulative indicator cannot be negative',
  duplicate_key: 'the batch has the same indicator, region, observed_at and dims on an earlier line with another value',
  invalid_dims: 'dims is not an object of non-empty strings with keys of letters, digits, _, - and .',
  too_many_dims: 'more than 8 dims',
  dim_too_long: 'a dims key is longer than 64 characters or a value longer than 200',
  invalid_note: 'note is not a string',
  note_too_long: 'note is longer than 1000 characters',
  invalid_text: 'note or a dims value holds a NUL character or a lone UTF-16 surrogate, which cannot be stored as text',
  invalid_utf8: 'a field holds bytes that are not UTF-8 (e.g. Latin-1 or Windows-1252 text): the body must be UTF-8',
} as const;
export type ObservationIssueCode = keyof typeof observationIssueCodes;

export const observationLimits = {
  maxDims: 8,
  maxDimKeyLength: 64,
  maxDimValueLength: 200,
  maxNoteLength: 1000,
  /** How far observed_at may be ahead of the server's clock (clock skew between systems). */
  maxFutureMs: 5 * 60_000,
} as const;

/**
 * A record that passed validation. The validator returns the same object for every record
 * (overwritten by the next call), so a million-row batch allocates no result objects: copy what
 * you need before validating the next record.
 */
export interface ValidObservation {
  line: number;
  /** Position in `IngestCatalog.indicators`. */
  indicator: number;
  indicatorId: string;
  regionId: number;
  observedAtMs: number;
  /** Canonical JSON (keys sorted), `{}` when none. */
  dims: string;
  value: number;
  note: string | null;
  /** The batch already had this key with this value (on `firstLine`): nothing more to write. */
  repeat: boolean;
}

const decimal = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const nonFinite = /^[+-]?(?:inf|infinity|nan)$/i;
const dimKey = /^[A-Za-z0-9_.-]+$/;
const EMPTY_DIMS = '{}';

/**
 * Validates the records of one batch against the catalog (pure: no I/O). Checks every field,
 * the indicator's kind (ratio 0..1, milestone 0/1, cumulative >= 0), that the region code names
 * a unit on `observed_at`, the token's indicator scope, and that no key repeats with another
 * value. Each problem is reported to the batch's {@link IssueList} with its own stable code.
 */
export class ObservationValidator {
  private readonly keys = new BatchKeyIndex();
  private readonly instants = new InstantParser();
  private readonly latestMs: number;
  private readonly scopeAllowed: boolean[];
  private readonly result: ValidObservation = {
    line: 0,
    indicator: 0,
    indicatorId: '',
    regionId: 0,
    observedAtMs: 0,
    dims: EMPTY_DIMS,
    value: 0,
    note: null,
    repeat: false,
  };
  /** Indicators the records asked for that the scope does not allow. */
  readonly outOfScope = new Set<string>();

  constructor(
    private readonly catalog: IngestCatalog,
    private readonly issues: IssueList,
    private readonly options: { now: Date; scope?: IndicatorScope },
  ) {
    this.latestMs = options.now.getTime() + observationLimits.maxFutureMs;
    this.scopeAllowed = catalog.indicators.map((i) => options.scope?.allows(i.id) ?? true);
  }

  /** The series the valid records fall in, with the first and last time of each. */
  series(): BatchSeries {
    return this.keys.series();
  }

  /** The line of the valid record with this key, if any. */
  lineOf(indicator: number, regionId: number, timeMs: number, dims: string): number | undefined {
    return this.keys.lineOf(indicator, regionId, timeMs, dims);
  }

  /** The validated record, or undefined when it was rejected (its issues are in the list). */
  validate(raw: RawObservation): ValidObservation | undefined {
    const line = raw.line;
    const before = this.issues.total;
    if (raw.problems) for (const p of raw.problems) this.issues.add(line, p.field, p.code, p.message);

    const indicator = this.checkIndicator(line, raw.indicator);
    const observedAt = this.checkTime(line, raw.region, raw.observed_at);
    const value = this.checkValue(line, raw.value, indicator);
    const dims = raw.dims === undefined || raw.dims === null ? EMPTY_DIMS : this.checkDims(line, raw.dims);
    const note = raw.note === undefined || raw.note === null || raw.note === '' ? null : this.checkNote(line, raw.note);
    if (this.issues.total !== before) return undefined;

    const r = this.result;
    r.line = line;
    r.indicator = indicator;
    r.indicatorId = this.catalog.indicators[indicator]!.id;
    r.regionId = observedAt.regionId;
    r.observedAtMs = observedAt.ms;
    r.dims = dims!;
    r.value = value;
    r.note = note!;
    const seen = this.keys.add(indicator, r.regionId, r.observedAtMs, r.dims, value, line);
    if (seen === KeySeen.otherValue) {
      this.issue(
        line,
        'value',
        'duplicate_key',
        `line ${this.keys.firstLine} has the same indicator, region, observed_at and dims ` +
          `with value ${this.keys.firstValue}; this line has ${value}`,
      );
      return undefined;
    }
    r.repeat = seen === KeySeen.sameValue;
    return r;
  }

  private issue(line: number, field: string, code: ObservationIssueCode, message: string): void {
    this.issues.add(line, field, code, message);
  }

  private checkIndicator(line: number, id: unknown): number {
    if (id === undefined || id === null || id === '')
      return (this.issue(line, 'indicator', 'missing_field', 'missing indicator'), -1);
    if (typeof id !== 'string')
      return (
        this.issue(line, 'indicator', 'invalid_type', `expected an indicator id string, got ${describe(id)}`),
        -1
      );
    const at = this.catalog.indicatorAt(id);
    if (at < 0) return (this.issue(line, 'indicator', 'unknown_indicator', `unknown indicator "${clip(id)}"`), -1);
    if (!this.scopeAllowed[at]) {
      this.outOfScope.add(id);
      this.issue(
        line,
        'indicator',
        'indicator_out_of_scope',
        `the token may not write indicator ${id} (allowed: ${this.options.scope?.describe()})`,
      );
    }
    return at;
  }

  private readonly resolved = { regionId: 0, ms: 0 };

  private checkTime(line: number, code: unknown, observedAt: unknown): { regionId: number; ms: number } {
    const out = this.resolved;
    let region: RegionCode | undefined;
    if (code === undefined || code === null || code === '')
      this.issue(line, 'region', 'missing_field', 'missing region');
    else if (typeof code !== 'string')
      this.issue(line, 'region', 'invalid_type', `expected a region code string such as "01", got ${describe(code)}`);
    else if ((region = this.catalog.region(code)) === undefined)
      this.issue(line, 'region', 'unknown_region', `unknown region "${clip(code)}"`);

    if (observedAt === undefined || observedAt === null || observedAt === '')
      return (this.issue(line, 'observed_at', 'missing_field', 'missing observed_at'), out);
    if (typeof observedAt !== 'string')
      return (
        this.issue(
          line,
          'observed_at',
          'invalid_type',
          `expected an ISO date or date-time string, got ${describe(observedAt)}`,
        ),
        out
      );
    const zone = region?.timezone ?? this.catalog.defaultTimezone;
    const ms = this.instants.parse(observedAt, zone);
    if (Number.isNaN(ms))
      return (
        this.issue(
          line,
          'observed_at',
          'invalid_timestamp',
          `expected an ISO date (2025-07-01) or date-time (2025-07-01T08:00:00+07:00), got "${clip(observedAt)}"`,
        ),
        out
      );
    // A bare date stands for the end of its day, yet today's figure is reported before the day is
    // over: a date is in the future only until its day begins (a day is 24 h give or take a DST hour).
    const bareDate = observedAt.length === 10;
    if ((bareDate ? ms - DAY_MS + 1 : ms) > this.latestMs)
      return (
        this.issue(
          line,
          'observed_at',
          'future_timestamp',
          bareDate
            ? `${observedAt} has not begun yet (it is ${formatLocalDateTime(this.options.now, zone)})`
            : `${formatLocalDateTime(ms, zone)} is in the future ` +
                `(more than 5 minutes after ${formatLocalDateTime(this.options.now, zone)})`,
        ),
        out
      );
    if (region === undefined) return out;
    for (const span of region.spans) {
      if (span.fromMs <= ms && ms < span.toMs) {
        out.regionId = span.id;
        out.ms = ms;
        return out;
      }
    }
    this.issue(line, 'region', 'region_not_valid_at', this.notValidMessage(code as string, ms, region.timezone));
    return out;
  }

  private notValidMessage(code: string, ms: number, zone: string): string {
    const day = (d: Date) => formatCalendarDate(calendarDateOf(d, zone));
    const spans = this.catalog.regions.history(code).map((u) => {
      const from = u.validFrom ? `from ${day(u.validFrom)}` : '';
      const gap = u.validFrom && u.validTo ? ' ' : '';
      const until = u.validTo ? `until ${day(new Date(u.validTo.getTime() - 1))}` : '';
      return `${u.name} ${from}${gap}${until}`.trim();
    });
    return `region ${code} names no unit on ${day(new Date(ms))} (${spans.join('; ')})`;
  }

  private checkValue(line: number, raw: unknown, indicator: number): number {
    let value: number;
    if (typeof raw === 'number') value = raw;
    else if (raw === undefined || raw === null || raw === '')
      return (this.issue(line, 'value', 'missing_field', 'missing value'), NaN);
    else if (typeof raw !== 'string')
      return (this.issue(line, 'value', 'invalid_value', `expected a number, got ${describe(raw)}`), NaN);
    else {
      const text = raw.trim();
      if (nonFinite.test(text))
        return (
          this.issue(line, 'value', 'non_finite_value', `value must be a finite number, got "${clip(raw)}"`),
          NaN
        );
      if (!decimal.test(text))
        return (this.issue(line, 'value', 'invalid_value', `expected a number, got "${clip(raw)}"`), NaN);
      value = Number(text);
    }
    if (!Number.isFinite(value))
      return (
        this.issue(
          line,
          'value',
          'non_finite_value',
          `value must be a finite number, got ${typeof raw === 'string' ? `"${clip(raw)}"` : String(value)}`,
        ),
        NaN
      );
    if (indicator < 0) return value;
    const { id, kind } = this.catalog.indicators[indicator]!;
    if (kind === 'ratio' && (value < 0 || value > 1))
      this.issue(line, 'value', 'ratio_out_of_range', `ratio indicator ${id} takes values in 0..1, got ${value}`);
    else if (kind === 'milestone' && value !== 0 && value !== 1)
      this.issue(
        line,
        'value',
        'invalid_milestone',
        `milestone indicator ${id} takes 0 (not done) or 1 (done), got ${value}`,
      );
    else if (kind === 'cumulative' && value < 0)
      this.issue(line, 'value', 'negative_count', `cumulative indicator ${id} cannot be negative, got ${value}`);
    return value;
  }

  private checkDims(line: number, raw: unknown): string | undefined {
    if (typeof raw !== 'object' || Array.isArray(raw))
      return (
        this.issue(line, 'dims', 'invalid_dims', `expected an object of strings, got ${describe(raw)}`),
        undefined
      );
    const dims = raw as Record<string, unknown>;
    const keys = Object.keys(dims);
    if (keys.length === 0) return EMPTY_DIMS;
    if (keys.length > observationLimits.maxDims)
      return (
        this.issue(line, 'dims', 'too_many_dims', `at most ${observationLimits.maxDims} dims, got ${keys.length}`),
        undefined
      );
    keys.sort();
    const sorted: Record<string, string> = {};
    for (const key of keys) {
      const value = dims[key];
      const field = `dims.${clip(key, 64)}`;
      if (!dimKey.test(key))
        return (
          this.issue(line, field, 'invalid_dims', `dims keys are letters, digits, _, - and .; got "${clip(key)}"`),
          undefined
        );
      if (key.length > observationLimits.maxDimKeyLength)
        return (
          this.issue(
            line,
            field,
            'dim_too_long',
            `dims keys are at most ${observationLimits.maxDimKeyLength} characters, got ${key.length}`,
          ),
          undefined
        );
      if (typeof value !== 'string' || value === '')
        return (
          this.issue(line, field, 'invalid_dims', `dims values are non-empty strings, got ${describe(value)}`),
          undefined
        );
      if (value.length > observationLimits.maxDimValueLength)
        return (
          this.issue(
            line,
            field,
            'dim_too_long',
            `dims values are at most ${observationLimits.maxDimValueLength} characters, got ${value.length}`,
          ),
          undefined
        );
      const problem = storedTextProblem(value);
      if (problem !== undefined)
        return (this.issue(line, field, 'invalid_text', `the dims value ${problem}`), undefined);
      sorted[key] = value;
    }
    return JSON.stringify(sorted);
  }

  private checkNote(line: number, raw: unknown): string | null {
    if (typeof raw !== 'string')
      return (this.issue(line, 'note', 'invalid_note', `expected a string, got ${describe(raw)}`), null);
    if (raw.length > observationLimits.maxNoteLength)
      return (
        this.issue(
          line,
          'note',
          'note_too_long',
          `at most ${observationLimits.maxNoteLength} characters, got ${raw.length}`,
        ),
        null
      );
    const problem = storedTextProblem(raw);
    if (problem !== undefined) return (this.issue(line, 'note', 'invalid_text', `the note ${problem}`), null);
    return raw;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `"${clip(value)}"`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

/** Bounds user text echoed in messages. */
function clip(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
