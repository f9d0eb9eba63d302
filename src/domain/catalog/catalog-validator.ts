import type { InputIssue } from '../../errors/pacer-error.js';
import { RegionIndex, type RegionSet } from '../regions/region-registry.js';
import { formatCalendarDate, parseCalendarDate, startOfDay } from '../time/zoned-time.js';
import { defaultRollup, durationSeconds, type CatalogDocument, type DirectiveDocument, type TargetSpec } from './catalog-schema.js';
import type { Catalog, Directive, Indicator, Target } from './catalog-model.js';
import { deadlineOf, parseDueDate } from './due-date.js';

/** A schema-valid document and how to find a YAML path's line in its file. */
export interface ParsedDocument {
  file: string;
  /** The document, its list (targets or indicators) holding only the items that passed their schema. */
  doc: CatalogDocument;
  locate: (path: (string | number)[]) => number | undefined;
  /**
   * Every item of the list as written, in order: its position in the file, its id if it has one,
   * and, when it passed its schema, its position in the document's list. Ids of invalid items
   * still count for duplicate checks.
   */
  items: { index: number; id: string | undefined; valid?: number }[];
}

interface Placed {
  file: string;
  line: number | undefined;
}

/**
 * Resolves defaults and cross-checks documents that each passed their schema: duplicate ids,
 * unknown indicators, regions and directives, due dates before baselines, targets equal to or on
 * the wrong side of their baselines, ratio and milestone values out of range. Every problem is
 * reported, not just the first.
 */
export function resolveCatalog(documents: ParsedDocument[], regionSets: RegionSet[]): { catalog: Catalog; issues: InputIssue[] } {
  const issues: InputIssue[] = [];
  const regions = new RegionIndex(regionSets.flatMap((s) => s.units));

  const issue = (d: ParsedDocument, path: (string | number)[], code: string, message: string) =>
    issues.push({ code, file: d.file, line: d.locate(path), field: formatPath(path), message });

  const seen = { directive: new Map<string, Placed>(), indicator: new Map<string, Placed>(), target: new Map<string, Placed>(), regionSet: new Map<string, Placed>() };
  const claim = (kind: keyof typeof seen, id: string, d: ParsedDocument, path: (string | number)[]): boolean => {
    const first = seen[kind].get(id);
    if (first) {
      issue(d, path, 'duplicate_id', `duplicate ${kind} id "${id}" (first defined at ${first.file}${first.line ? `:${first.line}` : ''})`);
      return false;
    }
    seen[kind].set(id, { file: d.file, line: d.locate(path) });
    return true;
  };

  const indicators: Indicator[] = [];
  const directives = new Map<string, { directive: Directive; doc: DirectiveDocument }>();
  for (const d of documents) {
    if (d.doc.kind === 'IndicatorSet') {
      const specs = d.doc.indicators;
      for (const item of d.items) {
        if (item.id === undefined || !claim('indicator', item.id, d, ['indicators', item.index, 'id']) || item.valid === undefined) continue;
        const spec = specs[item.valid]!;
        indicators.push({
          id: spec.id,
          name: spec.name,
          description: spec.description ?? null,
          unit: spec.unit,
          kind: spec.kind,
          rollup: spec.rollup ?? defaultRollup(spec.kind),
          updateIntervalSeconds: durationSeconds(spec.update_interval),
        });
      }
    } else if (d.doc.kind === 'Directive') {
      if (!claim('directive', d.doc.id, d, ['id'])) continue;
      if (d.doc.region && !regions.has(d.doc.region)) issue(d, ['region'], 'unknown_region', `unknown region "${d.doc.region}"`);
      directives.set(d.doc.id, {
        doc: d.doc,
        directive: { id: d.doc.id, title: d.doc.title, issuer: d.doc.issuer, issued: d.doc.issued, timezone: d.doc.timezone, url: d.doc.url ?? null, description: d.doc.description ?? null },
      });
    } else if (d.doc.kind === 'RegionSet') {
      claim('regionSet', d.doc.id, d, ['id']);
    }
  }
  const indicatorById = new Map(indicators.map((i) => [i.id, i]));

  const targets: Target[] = [];
  for (const d of documents) {
    if (d.doc.kind !== 'Directive' && d.doc.kind !== 'TargetSet') continue;
    const directiveId = d.doc.kind === 'Directive' ? d.doc.id : d.doc.directive;
    const owner = directives.get(directiveId);
    if (!owner) {
      if (d.doc.kind === 'TargetSet') issue(d, ['directive'], 'unknown_directive', `unknown directive "${directiveId}"`);
      continue;
    }
    const specs = d.doc.targets;
    for (const item of d.items) {
      if (item.id === undefined || !claim('target', item.id, d, ['targets', item.index, 'id']) || item.valid === undefined) continue;
      const target = resolveTarget(specs[item.valid]!, owner.doc, (field, code, message) => issue(d, ['targets', item.index, ...field], code, message));
      if (target) targets.push(target);
    }
  }

  return { catalog: { directives: [...directives.values()].map((d) => d.directive), indicators, targets, regionSets }, issues };

  function resolveTarget(spec: TargetSpec, directive: DirectiveDocument, report: (field: (string | number)[], code: string, message: string) => void): Target | undefined {
    const tz = directive.timezone;
    const indicator = indicatorById.get(spec.indicator);
    if (!indicator) report(['indicator'], 'unknown_indicator', `unknown indicator "${spec.indicator}"`);
    const milestone = indicator?.kind === 'milestone';

    const due = parseDueDate(spec.due)!;
    const deadline = deadlineOf(due, tz);
    const regionCode = spec.region ?? directive.region;
    let regionOk = false;
    if (!regionCode) report(['region'], 'missing_region', 'no region, and the directive sets no default region');
    else if (!regions.has(regionCode)) report(['region'], 'unknown_region', `unknown region "${regionCode}"`);
    else if (!regions.resolve(regionCode, new Date(deadline.getTime() - 1))) {
      report(['region'], 'region_not_valid', `region "${regionCode}" does not exist on ${formatCalendarDate(due.lastDay)}`);
    } else regionOk = true;

    const baselineDate = spec.baseline?.date ?? (milestone ? directive.issued : undefined);
    const baselineValue = spec.baseline?.value ?? (milestone ? 0 : undefined);
    const targetValue = spec.target ?? (milestone ? 1 : undefined);
    if (baselineDate === undefined || baselineValue === undefined) report(['baseline'], 'missing_baseline', 'a baseline {value, date} is required for a non-milestone indicator');
    if (targetValue === undefined) report(['target'], 'missing_target', 'a target value is required for a non-milestone indicator');
    if (!indicator || !regionCode || baselineDate === undefined || baselineValue === undefined || targetValue === undefined) return undefined;

    const baselineAt = startOfDay(parseCalendarDate(baselineDate)!, tz);
    let ok = regionOk;
    const fail = (field: (string | number)[], code: string, message: string) => {
      ok = false;
      report(field, code, message);
    };
    if (deadline.getTime() <= baselineAt.getTime()) fail(['due'], 'due_before_baseline', `due ${formatCalendarDate(due.lastDay)} is not after the baseline date ${baselineDate}`);
    if (targetValue === baselineValue) fail(['target'], 'target_equals_baseline', `target ${targetValue} equals the baseline: nothing to track`);
    else if (spec.direction === 'at_least' && targetValue < baselineValue) fail(['direction'], 'direction_mismatch', `direction at_least, but the target ${targetValue} is below the baseline ${baselineValue}`);
    else if (spec.direction === 'at_most' && targetValue > baselineValue) fail(['direction'], 'direction_mismatch', `direction at_most, but the target ${targetValue} is above the baseline ${baselineValue}`);

    const valueChecks: [(string | number)[], number][] = [[['target'], targetValue], [['baseline', 'value'], baselineValue], ...(spec.milestones ?? []).map((m, j) => [['milestones', j, 'value'], m.value] as [(string | number)[], number])];
    for (const [field, value] of valueChecks) {
      if (indicator.kind === 'ratio' && (value < 0 || value > 1)) fail(field, 'ratio_out_of_range', `${indicator.id} is a ratio: expected a value in 0..1, got ${value}`);
      if (indicator.kind === 'milestone' && value !== 0 && value !== 1) fail(field, 'milestone_not_binary', `${indicator.id} is a milestone: expected 0 or 1, got ${value}`);
      if (indicator.kind === 'cumulative' && value < 0) fail(field, 'negative_count', `${indicator.id} is a cumulative count: expected a value ≥ 0, got ${value}`);
    }

    const milestones = (spec.milestones ?? []).map((m, j) => {
      const mDue = parseDueDate(m.due)!;
      const mDeadline = deadlineOf(mDue, tz);
      if (mDeadline.getTime() <= baselineAt.getTime() || mDeadline.getTime() >= deadline.getTime()) {
        fail(['milestones', j, 'due'], 'milestone_out_of_range', `milestone ${formatCalendarDate(mDue.lastDay)} is not between the baseline ${baselineDate} and the due date ${formatCalendarDate(due.lastDay)}`);
      }
      return { dueDate: formatCalendarDate(mDue.lastDay), deadline: mDeadline, value: m.value };
    });
    milestones.forEach((m, j) => {
      if (j > 0 && m.deadline.getTime() <= milestones[j - 1]!.deadline.getTime()) fail(['milestones', j, 'due'], 'milestones_unordered', 'milestones must be in date order, one per date');
    });
    if (!ok) return undefined;

    return {
      id: spec.id,
      directiveId: directive.id,
      title: spec.title,
      indicatorId: indicator.id,
      regionCode,
      owner: spec.owner,
      source: spec.source,
      baselineValue,
      baselineDate,
      baselineAt,
      baselineSource: spec.baseline?.source ?? (spec.baseline ? null : 'milestone default: not done on the directive\'s issue date'),
      targetValue,
      dueText: spec.due,
      dueDate: formatCalendarDate(due.lastDay),
      deadline,
      direction: spec.direction,
      tolerance: spec.tolerance ?? null,
      milestones,
      note: spec.note ?? null,
    };
  }
}

/** `['targets', 3, 'due']` → `targets[3].due`. */
export function formatPath(path: (string | number | symbol)[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}
