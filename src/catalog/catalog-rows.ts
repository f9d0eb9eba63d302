import type {
  DirectiveTranslations,
  IndicatorTranslations,
  TargetTranslations,
} from '../domain/catalog/catalog-text.js';
import type { Catalog } from '../domain/catalog/catalog-model.js';
import { RegionIndex, regionKey, type RegionUnit } from '../domain/regions/region-registry.js';

/**
 * The catalog as flat rows keyed by natural key, in the one shape both the YAML side and the
 * database side can produce: plan compares the two, apply writes the difference. Instants are ISO
 * strings so that equal values compare equal.
 */
export interface RegionSetRow {
  id: string;
  name: string;
  timezone: string;
  levels: string[];
}
export interface RegionRow {
  key: string;
  setId: string;
  code: string;
  name: string;
  level: string;
  depth: number;
  parentKey: string | null;
  validFrom: string | null;
  validTo: string | null;
}
export interface SuccessorRow {
  key: string;
  fromKey: string;
  toKey: string;
  kind: 'full' | 'partial';
  effective: string;
}
export interface IndicatorRow {
  id: string;
  name: string;
  description: string | null;
  unit: string;
  kind: string;
  rollup: string;
  updateIntervalSeconds: number;
  monotone: string | null;
  translations: IndicatorTranslations;
}
export interface DirectiveRow {
  id: string;
  title: string;
  issuer: string;
  issued: string;
  timezone: string;
  url: string | null;
  description: string | null;
  translations: DirectiveTranslations;
}
export interface MilestoneRow {
  dueDate: string;
  deadline: string;
  value: number;
}
export interface TargetRow {
  id: string;
  directiveId: string;
  indicatorId: string;
  regionKey: string;
  regionCode: string;
  title: string;
  owner: string;
  source: string;
  baselineValue: number;
  baselineDate: string;
  baselineAt: string;
  baselineSource: string | null;
  targetValue: number;
  dueText: string;
  dueDate: string;
  deadline: string;
  direction: string;
  tolerance: number | null;
  minCoverage: number | null;
  unlikelyBelow: number | null;
  note: string | null;
  milestones: MilestoneRow[];
  translations: TargetTranslations;
}

/** A directive's event, keyed by directive and position (see {@link eventKey}). */
export interface EventRow {
  key: string;
  directiveId: string;
  position: number;
  dateText: string;
  day: string;
  precision: 'day' | 'month';
  at: string;
  text: string;
  targetIds: string[];
  indicatorId: string | null;
  source: string | null;
}

export interface CatalogRows {
  regionSets: Map<string, RegionSetRow>;
  regions: Map<string, RegionRow>;
  successors: Map<string, SuccessorRow>;
  indicators: Map<string, IndicatorRow>;
  directives: Map<string, DirectiveRow>;
  targets: Map<string, TargetRow>;
  events: Map<string, EventRow>;
}

export type EntityName = keyof CatalogRows;
export const entityNames: EntityName[] = [
  'regionSets',
  'regions',
  'successors',
  'indicators',
  'directives',
  'targets',
  'events',
];

export function eventKey(directiveId: string, position: number): string {
  return `${directiveId}#${position}`;
}

export function successorKey(fromKey: string, toKey: string): string {
  return `${fromKey}>${toKey}`;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Flattens a validated catalog into rows. */
export function catalogRows(catalog: Catalog): CatalogRows {
  const units = catalog.regionSets.flatMap((s) => s.units);
  const index = new RegionIndex(units);
  const keyOf = (unit: RegionUnit) => regionKey(unit.code, unit.validFrom);
  const anchor = (unit: RegionUnit) =>
    unit.validFrom ?? (unit.validTo ? new Date(unit.validTo.getTime() - 1) : new Date(0));

  const regions = new Map<string, RegionRow>();
  for (const unit of units) {
    const parent = unit.parentCode === null ? undefined : index.resolve(unit.parentCode, anchor(unit));
    const key = keyOf(unit);
    regions.set(key, {
      key,
      setId: unit.setId,
      code: unit.code,
      name: unit.name,
      level: unit.level,
      depth: unit.depth,
      parentKey: parent ? keyOf(parent) : null,
      validFrom: iso(unit.validFrom),
      validTo: iso(unit.validTo),
    });
  }

  const successors = new Map<string, SuccessorRow>();
  for (const set of catalog.regionSets) {
    for (const s of set.successors) {
      const from = index.resolve(s.fromCode, new Date(s.effective.getTime() - 1));
      const to = index.resolve(s.toCode, s.effective);
      if (!from || !to) continue; // the validator reported it
      const fromKey = keyOf(from);
      const toKey = keyOf(to);
      const key = successorKey(fromKey, toKey);
      successors.set(key, { key, fromKey, toKey, kind: s.kind, effective: s.effective.toISOString() });
    }
  }

  const targets = new Map<string, TargetRow>();
  for (const t of catalog.targets) {
    const region = index.resolve(t.regionCode, new Date(t.deadline.getTime() - 1));
    if (!region) continue;
    targets.set(t.id, {
      id: t.id,
      directiveId: t.directiveId,
      indicatorId: t.indicatorId,
      regionKey: keyOf(region),
      regionCode: t.regionCode,
      title: t.title,
      owner: t.owner,
      source: t.source,
      baselineValue: t.baselineValue,
      baselineDate: t.baselineDate,
      baselineAt: t.baselineAt.toISOString(),
      baselineSource: t.baselineSource,
      targetValue: t.targetValue,
      dueText: t.dueText,
      dueDate: t.dueDate,
      deadline: t.deadline.toISOString(),
      direction: t.direction,
      tolerance: t.tolerance,
      minCoverage: t.minCoverage,
      unlikelyBelow: t.unlikelyBelow,
      note: t.note,
      milestones: t.milestones.map((m) => ({ dueDate: m.dueDate, deadline: m.deadline.toISOString(), value: m.value })),
      translations: t.translations,
    });
  }

  return {
    regionSets: new Map(
      catalog.regionSets.map((s) => [s.id, { id: s.id, name: s.name, timezone: s.timezone, levels: s.levels }]),
    ),
    regions,
    successors,
    indicators: new Map(
      catalog.indicators.map((i) => [
        i.id,
        {
          id: i.id,
          name: i.name,
          description: i.description,
          unit: i.unit,
          kind: i.kind,
          rollup: i.rollup,
          updateIntervalSeconds: i.updateIntervalSeconds,
          monotone: i.monotone,
          translations: i.translations,
        },
      ]),
    ),
    directives: new Map(catalog.directives.map((d) => [d.id, { ...d }])),
    targets,
    events: new Map(
      catalog.events.map((e) => {
        const key = eventKey(e.directiveId, e.position);
        return [key, { key, ...e, at: e.at.toISOString() }];
      }),
    ),
  };
}
