import type { RawObservation } from '../domain/observations/observation.js';
import type { FeedMapping, FieldSource } from './feed-schema.js';

/** Reads one field of a source record: a column of a row or a path into a JSON value. */
type Getter = (record: unknown) => unknown;

/**
 * Compiles a feed's mapping once into getters, so each record costs a few property reads. The
 * result turns a source record (CSV row as an object, JSON element, SQL row) into the raw record
 * the Ingestor validates like any push.
 */
export function compileMapping(mapping: FeedMapping): (record: unknown, line: number) => RawObservation {
  const indicator = getter(mapping.indicator);
  const region = getter(mapping.region);
  const observedAt = getter(mapping.observed_at);
  const value = getter(mapping.value);
  const note = mapping.note ? getter(mapping.note) : undefined;
  const dims = mapping.dims
    ? Object.entries(mapping.dims).map(([name, source]) => [name, getter(source)] as const)
    : undefined;
  return (record, line) => {
    const out: RawObservation = {
      line,
      indicator: indicator(record),
      region: region(record),
      observed_at: scalar(observedAt(record)),
      value: value(record),
    };
    if (note) out.note = note(record);
    if (dims) {
      const d: Record<string, unknown> = {};
      for (const [name, get] of dims) {
        const v = get(record);
        if (v !== undefined && v !== null && v !== '') d[name] = typeof v === 'number' ? String(v) : v;
      }
      out.dims = d;
    }
    return out;
  };
}

/** Column names (or first path segments) a mapping reads, for checking a CSV header up front. */
export function mappedColumns(mapping: FeedMapping): { field: string; column: string }[] {
  const out: { field: string; column: string }[] = [];
  const add = (field: string, source: FieldSource | undefined) => {
    if (typeof source === 'string') out.push({ field, column: source });
  };
  add('indicator', mapping.indicator);
  add('region', mapping.region);
  add('observed_at', mapping.observed_at);
  add('value', mapping.value);
  add('note', mapping.note);
  for (const [name, source] of Object.entries(mapping.dims ?? {})) add(`dims.${name}`, source);
  return out;
}

function getter(source: FieldSource): Getter {
  if (typeof source !== 'string') {
    const constant = source.const;
    return () => constant;
  }
  const steps = parsePath(source);
  if (steps.length === 1) {
    const key = steps[0]!;
    return (record) =>
      record !== null && typeof record === 'object' ? (record as Record<string | number, unknown>)[key] : undefined;
  }
  return (record) => selectPath(record, steps);
}

/**
 * `$.data.items`, `data.items`, `values[0].v`, `['a b']` → property steps. A plain column name
 * with no `.` or `[` is one step, so CSV headers such as `observed_on` map as they are.
 */
export function parsePath(text: string): (string | number)[] {
  const steps: (string | number)[] = [];
  const s = text.startsWith('$') ? text.slice(1) : text;
  const re = /\.?([^.[\]]+)|\[(\d+)\]|\[['"]([^'"]*)['"]\]/gy;
  let match: RegExpExecArray | null;
  while ((match = re.exec(s)) !== null) {
    if (match[1] !== undefined) steps.push(match[1]);
    else if (match[2] !== undefined) steps.push(Number(match[2]));
    else steps.push(match[3]!);
    if (re.lastIndex >= s.length) break;
  }
  return steps;
}

export function selectPath(value: unknown, steps: readonly (string | number)[]): unknown {
  let cur = value;
  for (const step of steps) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[step];
  }
  return cur;
}

/** Dates from SQL rows become ISO text, which the Ingestor parses like any timestamp. */
function scalar(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}
