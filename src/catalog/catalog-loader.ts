import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import {
  catalogEventSchema,
  documentItems,
  documentShellSchema,
  targetSchema,
  type CatalogDocument,
  type RegionSetDocument,
} from '../domain/catalog/catalog-schema.js';
import type { z } from 'zod';
import type { Catalog } from '../domain/catalog/catalog-model.js';
import {
  formatPath,
  resolveCatalog,
  type ParsedDocument,
  type PartialTarget,
  type UnreadParts,
} from '../domain/catalog/catalog-validator.js';
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
    return {
      catalog: { directives: [], indicators: [], targets: [], regionSets: [], events: [] },
      issues,
      files,
      hash: hash.digest('hex'),
    };
  }

  const documents: ParsedDocument[] = [];
  const unread = new UnreadFiles();
  const regionDocs: { doc: RegionSetDocument; file: string; abs: string; locate: ParsedDocument['locate'] }[] = [];
  for (const abs of await yamlFiles(root)) {
    const file = display(abs);
    files.push(file);
    const text = await readFile(abs, 'utf8');
    hash.update(`${path.relative(root, abs)}\0${text}\0`);
    const before = issues.length;
    const parsedDocs = yamlDocuments(text, file, issues);
    if (issues.length > before) unread.addFile(text);
    for (const { value, locate } of parsedDocs) {
      const parsed = parseDocument(value, file, locate, issues);
      if (!parsed) {
        const { kind, id } = (value ?? {}) as { kind?: unknown; id?: unknown };
        if (kind === 'Directive' && typeof id === 'string') unread.directives.add(id);
        continue;
      }
      documents.push(parsed);
      if (parsed.doc.kind === 'RegionSet') regionDocs.push({ doc: parsed.doc, file, abs, locate });
    }
  }

  const regionSets: RegionSet[] = [];
  for (const { doc, file, abs, locate } of regionDocs) {
    const base = path.dirname(abs);
    const tables = new Map<string, CsvTable>();
    const wanted = [
      ...doc.units.map((u, i) => ({ rel: u.file, at: ['units', i, 'file'] })),
      ...doc.successors.map((s, i) => ({ rel: s.file, at: ['successors', i, 'file'] })),
    ];
    for (const { rel, at } of wanted) {
      if (tables.has(rel)) continue;
      const csvAbs = path.resolve(base, rel);
      const text = await readFile(csvAbs, 'utf8').catch(() => undefined);
      if (text === undefined) {
        issues.push({
          code: 'file_not_found',
          file,
          line: locate(at),
          field: formatPath(at),
          message: `cannot read ${rel}`,
        });
        continue;
      }
      files.push(display(csvAbs));
      hash.update(`${path.relative(root, csvAbs)}\0${text}\0`);
      const table = readCsvTable(text, display(csvAbs), issues);
      if (table) tables.set(rel, table);
    }
    if (doc.attribution) {
      const attribution = await stat(path.resolve(base, doc.attribution)).catch(() => undefined);
      if (!attribution?.isFile())
        issues.push({
          code: 'file_not_found',
          file,
          line: locate(['attribution']),
          field: 'attribution',
          message: `attribution file ${doc.attribution} is missing: ship the data's licence with it`,
        });
    }
    const built = buildRegionSet(doc, tables, locate, file);
    issues.push(...built.issues);
    regionSets.push(built.set);
  }

  const resolved = resolveCatalog(documents, regionSets, unread);
  issues.push(...resolved.issues);
  return { catalog: resolved.catalog, issues, files, hash: hash.digest('hex') };
}

/** Validates a document's shell, then each item of its list on its own; invalid items are dropped after reporting. */
function parseDocument(
  value: unknown,
  file: string,
  locate: ParsedDocument['locate'],
  issues: InputIssue[],
): ParsedDocument | undefined {
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
      const partial = field === 'targets' ? partialTarget(item, parsed.error.issues) : undefined;
      items.push({ index, id: typeof id === 'string' ? id : undefined, partial });
    }
  });
  const events: ParsedDocument['events'] = [];
  if (shell.data.kind === 'Directive') {
    // Each event on its own too: a bad event is reported, and the directive and its other events still load.
    shell.data.events.forEach((item, index) => {
      const parsed = catalogEventSchema.safeParse(item);
      if (parsed.success) events.push({ index, spec: parsed.data });
      else
        for (const zi of parsed.error.issues)
          issues.push(schemaIssue(zi, ['events', index], value, file, locate, kinds));
    });
  }
  const doc = { ...shell.data, [field]: valid, ...(shell.data.kind === 'Directive' && { events: [] }) };
  return { file, doc: doc as CatalogDocument, locate, items, events };
}

/**
 * Files that failed to parse, and directives that failed their schema. A file may declare the
 * kinds its `kind:` lines name (every kind when it names none), and the ids written in it; a
 * region set's codes are in its CSV files, so any of them.
 */
class UnreadFiles implements UnreadParts {
  readonly directives = new Set<string>();
  private readonly files: { kinds: string[]; words: Set<string> }[] = [];

  addFile(text: string): void {
    const named = [...text.matchAll(/^kind:\s*["']?(\w+)/gm)].map((m) => m[1]!).filter((k) => kinds.includes(k));
    this.files.push({ kinds: named.length > 0 ? named : kinds, words: new Set(text.match(/[\w.-]+/g)) });
  }

  mayDeclare(kind: 'Directive' | 'IndicatorSet' | 'RegionSet', id: string): boolean {
    if (kind === 'Directive' && this.directives.has(id)) return true;
    return this.files.some((f) => f.kinds.includes(kind) && (kind === 'RegionSet' || f.words.has(id)));
  }
}

/** What parsed of a target item that failed its schema: the fields that passed, and those that did not. */
function partialTarget(item: unknown, errors: readonly z.core.$ZodIssue[]): PartialTarget | undefined {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return undefined;
  const failed = new Set<string>();
  for (const zi of errors) {
    if (zi.code === 'unrecognized_keys' && zi.path.length === 0) for (const key of zi.keys) failed.add(key);
    else if (typeof zi.path[0] === 'string') failed.add(zi.path[0]);
  }
  const rest = Object.fromEntries(Object.entries(item).filter(([key]) => !failed.has(key)));
  const parsed = targetSchema.partial().safeParse(rest);
  return parsed.success ? { spec: parsed.data, failed } : undefined;
}

function readCsvTable(text: string, file: string, issues: InputIssue[]): CsvTable | undefined {
  try {
    const records = parseCsv(text, {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
    const [head, ...rest] = records;
    if (!head) {
      issues.push({ code: 'empty_file', file, message: 'empty CSV file' });
      return undefined;
    }
    return {
      file,
      header: head.record.map((h) => h.trim()),
      rows: rest.map((r) => ({ line: r.info.lines, values: r.record })),
    };
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    issues.push({ code: 'csv_syntax', file, line, message: (error as Error).message });
    return undefined;
  }
}
