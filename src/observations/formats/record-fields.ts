import type { RawObservation, RecordProblem } from '../../domain/observations/observation.js';

/** The fields of a pushed record; anything else in a JSON record is reported, not ignored. */
export const recordFields = ['indicator', 'region', 'observed_at', 'value', 'dims', 'note'] as const;
const known = new Set<string>(recordFields);

/** A parsed JSON value as a raw record of line `line`. */
export function jsonRecord(value: unknown, line: number): RawObservation {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return {
      line,
      problems: [
        {
          field: '',
          code: 'invalid_record',
          message:
            `expected an object with ${recordFields.slice(0, 4).join(', ')}, ` +
            `got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`,
        },
      ],
    };
  }
  const o = value as Record<string, unknown>;
  let problems: RecordProblem[] | undefined;
  for (const key in o) {
    if (!known.has(key))
      (problems ??= []).push({
        field: key.slice(0, 64),
        code: 'unknown_field',
        message: `unknown field "${key.slice(0, 64)}" (a record has ${recordFields.join(', ')})`,
      });
  }
  return {
    line,
    indicator: o.indicator,
    region: o.region,
    observed_at: o.observed_at,
    value: o.value,
    dims: o.dims,
    note: o.note,
    problems,
  };
}

/** A record that could not be parsed at all. */
export function brokenRecord(line: number, code: string, message: string, field = ''): RawObservation {
  return { line, problems: [{ field, code, message }] };
}
