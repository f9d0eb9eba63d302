import type { RawObservation } from '../../domain/observations/observation.js';
import { csvRecords } from './csv-records.js';
import { jsonArrayRecords } from './json-array-records.js';
import { ndjsonRecords } from './ndjson-records.js';

export const recordFormats = ['json', 'ndjson', 'csv'] as const;
export type RecordFormat = (typeof recordFormats)[number];

/** The media type of each body format, as sent in Content-Type. */
export const mediaTypes: Record<RecordFormat, string> = {
  json: 'application/json',
  ndjson: 'application/x-ndjson',
  csv: 'text/csv',
};

const formatByMediaType = new Map<string, RecordFormat>([
  ['application/json', 'json'],
  ['application/x-ndjson', 'ndjson'],
  ['application/ndjson', 'ndjson'],
  ['application/jsonl', 'ndjson'],
  ['application/jsonlines', 'ndjson'],
  ['text/csv', 'csv'],
]);

/** The format of a Content-Type header (parameters such as charset=utf-8 allowed), or undefined. */
export function formatOfContentType(contentType: string | undefined): RecordFormat | undefined {
  if (!contentType) return undefined;
  const [type, ...params] = contentType.split(';').map((p) => p.trim().toLowerCase());
  const charset = params
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/"/g, '');
  if (charset && charset !== 'utf-8' && charset !== 'utf8') return undefined;
  return formatByMediaType.get(type ?? '');
}

/** The format a file name suggests (`.csv`, `.ndjson`/`.jsonl`, `.json`). */
export function formatOfFileName(name: string): RecordFormat | undefined {
  const lower = name.toLowerCase().replace(/\.gz$/, '');
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.ndjson') || lower.endsWith('.jsonl')) return 'ndjson';
  if (lower.endsWith('.json')) return 'json';
  return undefined;
}

/** Parses a byte stream of the given format into raw records, streaming. */
export function recordsOf(format: RecordFormat, chunks: AsyncIterable<Buffer>): AsyncGenerator<RawObservation> {
  if (format === 'csv') return csvRecords(chunks);
  if (format === 'ndjson') return ndjsonRecords(chunks);
  return jsonArrayRecords(chunks);
}
