import type { InputIssue } from '../../errors/pacer-error.js';
import type { RegionSetDocument } from '../catalog/catalog-schema.js';
import { parseCalendarDate, startOfDay, startOfNextDay } from '../time/zoned-time.js';

/**
 * An administrative unit over a span of time. A code may name different units in different spans
 * (Vietnam's province 79 before and after 2025-07-01), so a unit is identified by its code and the
 * instant its validity starts, never by the code alone.
 */
export interface RegionUnit {
  setId: string;
  code: string;
  name: string;
  level: string;
  /** Depth of `level` in its set: 0 for the root. */
  depth: number;
  parentCode: string | null;
  /** First instant the unit exists; null: since always. */
  validFrom: Date | null;
  /** First instant it no longer exists (exclusive); null: still exists. */
  validTo: Date | null;
}

/** Where a unit's area went when it ceased: all of it (`full`) or part of it (`partial`). */
export interface RegionSuccessor {
  fromCode: string;
  toCode: string;
  kind: 'full' | 'partial';
  /** The instant the successor takes over; the predecessor is the unit valid just before it. */
  effective: Date;
}

export interface RegionSet {
  id: string;
  name: string;
  timezone: string;
  levels: string[];
  units: RegionUnit[];
  successors: RegionSuccessor[];
}

/** A CSV file already split into rows; line numbers are 1-based and count the header as line 1. */
export interface CsvTable {
  file: string;
  header: string[];
  rows: { line: number; values: string[] }[];
}

/** Stable natural key of a unit: its code and when it starts. */
export function regionKey(code: string, validFrom: Date | null): string {
  return `${code}@${validFrom ? validFrom.toISOString() : '-'}`;
}

export function isValidAt(unit: Pick<RegionUnit, 'validFrom' | 'validTo'>, at: Date): boolean {
  const t = at.getTime();
  return (
    (unit.validFrom === null || unit.validFrom.getTime() <= t) && (unit.validTo === null || t < unit.validTo.getTime())
  );
}

type Dated = Pick<RegionUnit, 'code' | 'validFrom' | 'validTo'>;

/** Looks units up by code and date. Generic so stored units (with database ids) use it too. */
export class RegionIndex<U extends Dated = RegionUnit> {
  private readonly byCode = new Map<string, U[]>();

  constructor(units: Iterable<U>) {
    for (const unit of units) {
      const list = this.byCode.get(unit.code);
      if (list) list.push(unit);
      else this.byCode.set(unit.code, [unit]);
    }
  }

  has(code: string): boolean {
    return this.byCode.has(code);
  }

  /** The unit the code names at `at`, if any. */
  resolve(code: string, at: Date): U | undefined {
    return this.byCode.get(code)?.find((unit) => isValidAt(unit, at));
  }

  /** All units that ever had this code, oldest first. */
  history(code: string): U[] {
    return [...(this.byCode.get(code) ?? [])].sort(
      (a, b) => (a.validFrom?.getTime() ?? -Infinity) - (b.validFrom?.getTime() ?? -Infinity),
    );
  }
}

/**
 * Builds a region set from its manifest and the CSV tables it names, checking that every row has
 * a code and a name, dates parse, parents exist at the child's time, codes do not overlap in time,
 * and successor rows link a unit that ends to one that starts.
 */
export function buildRegionSet(
  doc: RegionSetDocument,
  tables: ReadonlyMap<string, CsvTable>,
  locate: (path: (string | number)[]) => number | undefined,
  manifestFile: string,
): { set: RegionSet; issues: InputIssue[] } {
  const issues: InputIssue[] = [];
  const tz = doc.timezone;
  const depthOf = new Map(doc.levels.map((level, i) => [level, i] as const));
  const units: RegionUnit[] = [
    {
      setId: doc.id,
      code: doc.root.code,
      name: doc.root.name,
      level: doc.levels[0]!,
      depth: 0,
      parentCode: null,
      validFrom: null,
      validTo: null,
    },
  ];
  const origin = new Map<RegionUnit, { file: string; line?: number }>([
    [units[0]!, { file: manifestFile, line: locate(['root']) }],
  ]);

  doc.units.forEach((spec, specIndex) => {
    const table = tables.get(spec.file);
    if (!table) return; // the loader reported the missing file
    const depth = depthOf.get(spec.level);
    if (depth === undefined) {
      issues.push({
        code: 'unknown_level',
        file: manifestFile,
        line: locate(['units', specIndex, 'level']),
        field: `units[${specIndex}].level`,
        message: `level "${spec.level}" is not one of levels: ${doc.levels.join(', ')}`,
      });
      return;
    }
    const col = columnIndexer(table, issues);
    const codeAt = col(spec.columns.code);
    const nameAt = col(spec.columns.name);
    // Optional columns are used when mapped, or when the file has a column of the default name.
    const optional = (mapped: string | undefined, name: string) =>
      mapped ? col(mapped) : table.header.includes(name) ? table.header.indexOf(name) : undefined;
    const parentAt = spec.parent ? undefined : optional(spec.columns.parent, 'parent');
    const fromAt = spec.valid_from ? undefined : optional(spec.columns.valid_from, 'valid_from');
    const toAt = spec.valid_to ? undefined : optional(spec.columns.valid_to, 'valid_to');
    if (codeAt === null || nameAt === null || parentAt === null || fromAt === null || toAt === null) return;
    if (parentAt === undefined && !spec.parent && depth > 0) {
      issues.push({
        code: 'missing_parent',
        file: manifestFile,
        line: locate(['units', specIndex]),
        field: `units[${specIndex}]`,
        message: 'give a fixed parent or a parent column for units below the root level',
      });
      return;
    }
    for (const row of table.rows) {
      const code = row.values[codeAt]?.trim() ?? '';
      const name = row.values[nameAt]?.trim() ?? '';
      const rowIssue = (field: string, message: string, code2 = 'invalid_region_row') =>
        issues.push({ code: code2, file: table.file, line: row.line, field, message });
      if (!code) {
        rowIssue(spec.columns.code, 'empty code');
        continue;
      }
      if (!name) {
        rowIssue(spec.columns.name, 'empty name');
        continue;
      }
      const from = dateBound(fromAt === undefined ? spec.valid_from : row.values[fromAt], 'start');
      const to = dateBound(toAt === undefined ? spec.valid_to : row.values[toAt], 'end');
      if (from === 'invalid') {
        rowIssue(spec.columns.valid_from ?? 'valid_from', `expected a date YYYY-MM-DD, got "${row.values[fromAt!]}"`);
        continue;
      }
      if (to === 'invalid') {
        rowIssue(spec.columns.valid_to ?? 'valid_to', `expected a date YYYY-MM-DD, got "${row.values[toAt!]}"`);
        continue;
      }
      if (from && to && from.getTime() >= to.getTime()) {
        rowIssue(spec.columns.valid_to ?? 'valid_to', 'valid_to is before valid_from');
        continue;
      }
      const parentCode = parentAt === undefined ? (spec.parent ?? null) : row.values[parentAt]?.trim() || null;
      const unit: RegionUnit = {
        setId: doc.id,
        code,
        name,
        level: spec.level,
        depth,
        parentCode,
        validFrom: from,
        validTo: to,
      };
      units.push(unit);
      origin.set(unit, { file: table.file, line: row.line });
    }
  });

  const index = new RegionIndex(units);
  for (const unit of units) {
    if (unit.parentCode === null) continue;
    const parent = index.resolve(unit.parentCode, referenceInstant(unit));
    if (!parent)
      issues.push({
        code: 'unknown_parent',
        ...origin.get(unit)!,
        field: 'parent',
        message:
          `${unit.level} ${unit.code} (${unit.name}): parent ${unit.parentCode} does not exist at the time of ` +
          `the unit`,
      });
    else if (parent.depth >= unit.depth)
      issues.push({
        code: 'invalid_parent',
        ...origin.get(unit)!,
        field: 'parent',
        message: `${unit.level} ${unit.code}: parent ${parent.code} is not above it in levels`,
      });
  }
  for (const code of new Set(units.map((u) => u.code))) {
    const history = index.history(code);
    for (let i = 1; i < history.length; i++) {
      const prev = history[i - 1]!;
      const next = history[i]!;
      if (prev.validTo === null || next.validFrom === null || prev.validTo.getTime() > next.validFrom.getTime()) {
        const at = origin.get(next)!;
        issues.push({
          code: 'overlapping_region',
          ...at,
          field: 'code',
          message: `code ${code} names two units at the same time: ${prev.name} and ${next.name}`,
        });
      }
    }
  }

  const successors: RegionSuccessor[] = [];
  doc.successors.forEach((spec, specIndex) => {
    const table = tables.get(spec.file);
    if (!table) return;
    const col = columnIndexer(table, issues);
    const fromAt = col(spec.columns.from);
    const toAt = col(spec.columns.to);
    const kindAt = spec.kind
      ? undefined
      : spec.columns.kind
        ? col(spec.columns.kind)
        : table.header.includes('kind')
          ? table.header.indexOf('kind')
          : undefined;
    if (fromAt === null || toAt === null || kindAt === null) return;
    if (kindAt === undefined && !spec.kind) {
      issues.push({
        code: 'missing_kind',
        file: manifestFile,
        line: locate(['successors', specIndex]),
        field: `successors[${specIndex}]`,
        message: 'give a fixed kind or a kind column',
      });
      return;
    }
    const effective = startOfDay(parseCalendarDate(spec.effective)!, tz);
    const before = new Date(effective.getTime() - 1);
    for (const row of table.rows) {
      const fromCode = row.values[fromAt]?.trim() ?? '';
      const toCode = row.values[toAt]?.trim() ?? '';
      const kind = kindAt === undefined ? spec.kind! : row.values[kindAt]?.trim();
      const rowIssue = (field: string, message: string) =>
        issues.push({ code: 'invalid_successor_row', file: table.file, line: row.line, field, message });
      if (kind !== 'full' && kind !== 'partial') {
        rowIssue(spec.columns.kind ?? 'kind', `expected full or partial, got "${kind}"`);
        continue;
      }
      const from = index.resolve(fromCode, before);
      const to = index.resolve(toCode, effective);
      if (!from || (from.validTo !== null && from.validTo.getTime() !== effective.getTime())) {
        rowIssue(spec.columns.from, `no unit ${fromCode} ends on ${spec.effective}`);
        continue;
      }
      if (!to) {
        rowIssue(spec.columns.to, `no unit ${toCode} exists on ${spec.effective}`);
        continue;
      }
      successors.push({ fromCode, toCode, kind, effective });
    }
  });

  return { set: { id: doc.id, name: doc.name, timezone: tz, levels: doc.levels, units, successors }, issues };

  function dateBound(text: string | undefined, side: 'start' | 'end'): Date | null | 'invalid' {
    if (text === undefined || text.trim() === '') return null;
    const date = parseCalendarDate(text.trim());
    if (!date) return 'invalid';
    // A valid_to day still belongs to the unit, so its (exclusive) bound is the next midnight.
    return side === 'start' ? startOfDay(date, tz) : startOfNextDay(date, tz);
  }
}

/** The instant at which a unit's parent is looked up: its first moment, or its last. */
function referenceInstant(unit: RegionUnit): Date {
  if (unit.validFrom) return unit.validFrom;
  if (unit.validTo) return new Date(unit.validTo.getTime() - 1);
  return new Date(0);
}

/** Finds a named column; a missing one is reported once and yields null. */
function columnIndexer(table: CsvTable, issues: InputIssue[]) {
  return (name: string): number | null => {
    const index = table.header.indexOf(name);
    if (index >= 0) return index;
    issues.push({
      code: 'missing_column',
      file: table.file,
      line: 1,
      field: name,
      message: `missing column "${name}" (header: ${table.header.join(',')})`,
    });
    return null;
  };
}
