import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { documentItems, documentShellSchema, type CatalogDocument, type RegionSetDocument } from '../domain/catalog/catalog-schema.js';
import type { Catalog } from '../domain/catalog/catalog-model.js';
import { formatPath, resolveCatalog, type ParsedDocument } from '../domain/catalog/catalog-validator.js';
import { buildRegionSet, type CsvTable, type RegionSet } from '../domain/regions/region-registry.js';
import type { InputIssue } from '../errors/pacer-error.js';
import { schemaIssue, yamlDocuments, yamlFiles } from './yaml-issues.js';

/** The outcome of reading a catalog directory: the catalog when it is valid, and every issue found. */
export interface LoadedCatalog {
  catalog: Catalog;
  issues: InputIssue[];
  /** YAML and CSV files read, as displayed in issues. */
  files: string[];
  /** SHA-256 over every file's name and content: the same files give the same hash. */
  hash: string;
}

const kinds = ['Directive', 'TargetSet', 'IndicatorSet', 'RegionSet'];

/**
 * Reads every `*.yaml`/`*.yml` under `dir` (sorted, recursively) and the CSV files region sets
 * name, validates each document against its schema and cross-checks the whole. Issues carry the
 * file as `dir` joined with its relative path, the line, and the YAML path.
 */
export async function loadCatalog(dir: string): Promise<LoadedCatalog> {
  const root = path.resolve(dir);
  const display = (abs: string) => path.join(dir, path.relative(root, abs));
  const issues: InputIssue[] = [];
  const files: string[] = [];
  const hash = createHash('sha256');

  const info = await stat(root).catch(() => undefined);
  if (!info?.isDirectory()) {
    issues.push({ code: 'catalog_not_found', file: dir, message: 'not a directory' });
    return { catalog: { directives: [], indicators: [], targets: [], regionSets: [] }, issues, files, hash: hash.digest('hex') };
  }

  const documents: ParsedDocument[] = [];
  const regionDocs: { doc: RegionSetDocument; file: string; abs: string; locate: ParsedDocument['locate'] }[] = [];
  for (const abs of await yamlFiles(root)) {
    const file = display(abs);
    files.push(file);
    const text = await readFile(abs, 'utf8');
    hash.update(`${path.relative(root, abs)}\0${text}\0`);
    for (const { value, locate } of yamlDocuments(text, file, issues)) {
      const parsed = parseDocument(value, file, locate, issues);
      if (!parsed) continue;
      documents.push(parsed);
      if (parsed.doc.kind === 'RegionSet') regionDocs.push({ doc: parsed.doc, file, abs, locate });
    }
  }

  const regionSets: RegionSet[] = [];
  for (const { doc, file, abs, locate } of regionDocs) {
    const base = path.dirname(abs);
    const tables = new Map<string, CsvTable>();
    const wanted = [...doc.units.map((u, i) => ({ rel: u.file, at: ['units', i, 'file'] })), ...doc.successors.map((s, i) => ({ rel: s.file, at: ['successors', i, 'file'] }))];
    for (const { rel, at } of wanted) {
      if (tables.has(rel)) continue;
      const csvAbs = path.resolve(base, rel);
      const text = await readFile(csvAbs, 'utf8').catch(() => undefined);
      if (text === undefined) {
        issues.push({ code: 'file_not_found', file, line: locate(at), field: formatPath(at), message: `cannot read ${rel}` });
        continue;
      }
      files.push(display(csvAbs));
      hash.update(`${path.relative(root, csvAbs)}\0${text}\0`);
      const table = readCsvTable(text, display(csvAbs), issues);
      if (table) tables.set(rel, table);
    }
    if (doc.attribution) {
      const attribution = await stat(path.resolve(base, doc.attribution)).catch(() => undefined);
      if (!attribution?.isFile()) issues.push({ code: 'file_not_found', file, line: locate(['attribution']), field: 'attribution', message: `attribution file ${doc.attribution} is missing: ship the data's licence with it` });
    }
    const built = buildRegionSet(doc, tables, locate, file);
    issues.push(...built.issues);
    regionSets.push(built.set);
  }

  const resolved = resolveCatalog(documents, regionSets);
  issues.push(...resolved.issues);
  return { catalog: resolved.catalog, issues, files, hash: hash.digest('hex') };
}

/** Validates a document's shell, then each item of its list on its own; invalid items are dropped after reporting. */
function parseDocument(value: unknown, file: string, locate: ParsedDocument['locate'], issues: InputIssue[]): ParsedDocument | undefined {
  const shell = documentShellSchema.safeParse(value);
  if (!shell.success) {
    for (const zi of shell.error.issues) issues.push(schemaIssue(zi, [], value, file, locate, kinds));
    return undefined;
  }
  if (shell.data.kind === 'RegionSet') return { file, doc: shell.data, locate, items: [] };
  const { field, schema } = documentItems[shell.data.kind];
  const raw = (shell.data as Record<string, unknown>)[field] as unknown[];
  const valid: unknown[] = [];
  const items: ParsedDocument['items'] = [];
  raw.forEach((item, index) => {
    const parsed = schema.safeParse(item);
    const id = (item as { id?: unknown } | null)?.id;
    if (parsed.success) {
      items.push({ index, id: (parsed.data as { id: string }).id, valid: valid.length });
      valid.push(parsed.data);
    } else {
      for (const zi of parsed.error.issues) issues.push(schemaIssue(zi, [field, index], value, file, locate, kinds));
      items.push({ index, id: typeof id === 'string' ? id : undefined });
    }
  });
  return { file, doc: { ...shell.data, [field]: valid } as CatalogDocument, locate, items };
}

function readCsvTable(text: string, file: string, issues: InputIssue[]): CsvTable | undefined {
  try {
    const records = parseCsv(text, { bom: true, relax_column_count: true, skip_empty_lines: true, info: true }) as unknown as { record: string[]; info: { lines: number } }[];
    const [head, ...rest] = records;
    if (!head) {
      issues.push({ code: 'empty_file', file, message: 'empty CSV file' });
      return undefined;
    }
    return { file, header: head.record.map((h) => h.trim()), rows: rest.map((r) => ({ line: r.info.lines, values: r.record })) };
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    issues.push({ code: 'csv_syntax', file, line, message: (error as Error).message });
    return undefined;
  }
}
