import type { InputIssue } from '../../errors/pacer-error.js';
import { RegionIndex, type RegionSet } from '../regions/region-registry.js';
import { endOfDay, formatCalendarDate, parseCalendarDate } from '../time/zoned-time.js';
import {
  defaultRollup,
  durationSeconds,
  type CatalogDocument,
  type DirectiveDocument,
  type TargetSpec,
} from './catalog-schema.js';
import type { Catalog, Directive, Indicator, Target } from './catalog-model.js';
import {
  directiveTextFields,
  englishOf,
  indicatorTextFields,
  targetTextFields,
  translationsOf,
} from './catalog-text.js';
import { deadlineOf, parseDueDate } from './due-date.js';
import { resolveEvents } from './catalog-events.js';
import type { CatalogEventSpec } from './catalog-schema.js';

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
  items: { index: number; id: string | undefined; valid?: number; partial?: PartialTarget }[];
  /** A directive's events that passed their schema, each with its position as written. */
  events?: { index: number; spec: CatalogEventSpec }[];
}

/**
 * What did parse of a target that failed its schema: its other errors are independent of the
 * fields that failed, and are reported with them (a bad `due` does not hide a bad `target`).
 */
export interface PartialTarget {
  spec: Partial<TargetSpec>;
  /** Top-level fields that failed their schema (already reported): checks needing them are skipped. */
  failed: ReadonlySet<string>;
}

/**
 * What the catalog may hold but could not be read: checks that depend on it are skipped rather
 * than reported as errors of their own (a target is not "unknown indicator" because the file
 * declaring its indicator has a YAML syntax error).
 */
export interface UnreadParts {
  /** Whether something that could not be read (a file with a syntax error, ...) may declare `id` of `kind`. */
  mayDeclare(kind: 'Directive' | 'IndicatorSet' | 'RegionSet', id: string): boolean;
}

const nothingUnread: UnreadParts = { mayDeclare: () => false };
const noFields: ReadonlySet<string> = new Set();

interface Placed {
  file: string;
  line: number | undefined;
}

/**
 * Resolves defaults and cross-checks documents that each passed their schema: duplicate ids,
 * unknown indicators, regions and directives, due dates before baselines, targets equal to or on
 * the wrong side of their baselines, ratio and milestone values out of range. Every problem is
 * reported, not just the first, and nothing is reported only because something it depends on
 * failed already (`unread`, fields of a target that failed their schema).
 */
export function resolveCatalog(
  documents: ParsedDocument[],
  regionSets: RegionSet[],
  unread: UnreadParts = nothingUnread,
): { catalog: Catalog; issues: InputIssue[] } {
  const issues: InputIssue[] = [];
  const regions = new RegionIndex(regionSets.flatMap((s) => s.units));

  const issue = (d: ParsedDocument, path: (string | number)[], code: string, message: string) =>
    issues.push({ code, file: d.file, line: d.locate(path), field: formatPath(path), message });

  const seen = {
    directive: new Map<string, Placed>(),
    indicator: new Map<string, Placed>(),
    target: new Map<string, Placed>(),
    regionSet: new Map<string, Placed>(),
  };
  const claim = (kind: keyof typeof seen, id: string, d: ParsedDocument, path: (string | number)[]): boolean => {
    const first = seen[kind].get(id);
    if (first) {
      issue(
        d,
        path,
        'duplicate_id',
        `duplicate ${kind} id "${id}" (first defined at ${first.file}${first.line ? `:${first.line}` : ''})`,
      );
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
        if (
          item.id === undefined ||
          !claim('indicator', item.id, d, ['indicators', item.index, 'id']) ||
          item.valid === undefined
        )
          continue;
        const spec = specs[item.valid]!;
        indicators.push({
          id: spec.id,
          name: englishOf(spec.name),
          description: spec.description ?? null,
          unit: englishOf(spec.unit),
          kind: spec.kind,
          rollup: spec.rollup ?? defaultRollup(spec.kind),
          updateIntervalSeconds: durationSeconds(spec.update_interval),
          monotone: spec.monotone ?? (spec.kind === 'cumulative' ? 'increasing' : null),
          translations: translationsOf(indicatorTextFields, spec),
        });
      }
    } else if (d.doc.kind === 'Directive') {
      if (!claim('directive', d.doc.id, d, ['id'])) continue;
      if (d.doc.region && !regions.has(d.doc.region))
        issue(d, ['region'], 'unknown_region', `unknown region "${d.doc.region}"`);
      directives.set(d.doc.id, {
        doc: d.doc,
        directive: {
          id: d.doc.id,
          title: englishOf(d.doc.title),
          issuer: englishOf(d.doc.issuer),
          issued: d.doc.issued,
          timezone: d.doc.timezone,
          url: d.doc.url ?? null,
          description: d.doc.description ?? null,
          translations: translationsOf(directiveTextFields, d.doc),
        },
      });
    } else if (d.doc.kind === 'RegionSet') {
      claim('regionSet', d.doc.id, d, ['id']);
    }
  }
  const indicatorById = new Map(indicators.map((i) => [i.id, i]));
  // Indicators declared by an item that failed its schema: reported there, not at each target.
  const invalidIndicators = new Set<string>();
  for (const d of documents) {
    if (d.doc.kind !== 'IndicatorSet') continue;
    for (const item of d.items) if (item.id !== undefined && item.valid === undefined) invalidIndicators.add(item.id);
  }

  const targets: Target[] = [];
  for (const d of documents) {
    if (d.doc.kind !== 'Directive' && d.doc.kind !== 'TargetSet') continue;
    const directiveId = d.doc.kind === 'Directive' ? d.doc.id : d.doc.directive;
    const owner = directives.get(directiveId);
    if (!owner) {
      if (d.doc.kind === 'TargetSet' && !unread.mayDeclare('Directive', directiveId)) {
        issue(d, ['directive'], 'unknown_directive', `unknown directive "${directiveId}"`);
      }
      continue;
    }
    const specs = d.doc.targets;
    for (const item of d.items) {
      const report = (field: (string | number)[], code: string, message: string) =>
        issue(d, ['targets', item.index, ...field], code, message);
      if (item.id !== undefined && !claim('target', item.id, d, ['targets', item.index, 'id'])) continue;
      if (item.valid !== undefined) {
        const target = resolveTarget(specs[item.valid]!, owner.doc, report);
        if (target) targets.push(target);
      } else if (item.partial) resolveTarget(item.partial.spec, owner.doc, report, item.partial.failed);
    }
  }

  // Every target id a directive sets, those that failed their checks included: reported there already.
  const targetIdsOf = new Map<string, Set<string>>();
  for (const d of documents) {
    if (d.doc.kind !== 'Directive' && d.doc.kind !== 'TargetSet') continue;
    const directiveId = d.doc.kind === 'Directive' ? d.doc.id : d.doc.directive;
    const ids = targetIdsOf.get(directiveId) ?? new Set<string>();
    for (const item of d.items) if (item.id !== undefined) ids.add(item.id);
    targetIdsOf.set(directiveId, ids);
  }
  const events = [];
  for (const d of documents) {
    if (d.doc.kind !== 'Directive' || directives.get(d.doc.id)?.doc !== d.doc) continue;
    const scope = {
      directiveId: d.doc.id,
      timezone: d.doc.timezone,
      targetIds: targetIdsOf.get(d.doc.id) ?? new Set<string>(),
      hasIndicator: (id: string) =>
        indicatorById.has(id) || invalidIndicators.has(id) || unread.mayDeclare('IndicatorSet', id),
    };
    events.push(...resolveEvents(d.events ?? [], scope, (path, code, message) => issue(d, path, code, message)));
  }

  return {
    catalog: {
      directives: [...directives.values()].map((d) => d.directive),
      indicators,
      targets,
      regionSets,
      events,
    },
    issues,
  };

  /**
   * The target, or undefined when it has an error. `spec` is a whole spec, or what parsed of one
   * whose `failed` fields did not: then only the checks those fields do not decide are run.
   */
  function resolveTarget(
    spec: Partial<TargetSpec>,
    directive: DirectiveDocument,
    report: (field: (string | number)[], code: string, message: string) => void,
    failed: ReadonlySet<string> = noFields,
  ): Target | undefined {
    const tz = directive.timezone;
    const has = (field: keyof TargetSpec) => !failed.has(field);
    let ok = failed.size === 0;
    const fail = (field: (string | number)[], code: string, message: string) => {
      ok = false;
      report(field, code, message);
    };

    const indicator = spec.indicator === undefined ? undefined : indicatorById.get(spec.indicator);
    const unknown = spec.indicator !== undefined && !indicator && !invalidIndicators.has(spec.indicator);
    if (unknown && !unread.mayDeclare('IndicatorSet', spec.indicator!)) {
      report(['indicator'], 'unknown_indicator', `unknown indicator "${spec.indicator}"`);
    }
    if (!indicator) ok = false;
    const milestone = indicator?.kind === 'milestone';

    const due = spec.due === undefined ? undefined : parseDueDate(spec.due)!;
    const deadline = due && deadlineOf(due, tz);
    const regionCode = has('region') ? (spec.region ?? directive.region) : undefined;
    if (!has('region')) ok = false;
    else if (!regionCode) fail(['region'], 'missing_region', 'no region, and the directive sets no default region');
    else if (!regions.has(regionCode)) {
      ok = false;
      if (!unread.mayDeclare('RegionSet', regionCode)) {
        report(['region'], 'unknown_region', `unknown region "${regionCode}"`);
      }
    } else if (deadline && !regions.resolve(regionCode, new Date(deadline.getTime() - 1))) {
      const day = formatCalendarDate(due.lastDay);
      fail(['region'], 'region_not_valid', `region "${regionCode}" does not exist on ${day}`);
    }

    // Defaults and what is required depend on the indicator's kind: judged only when it is known.
    const baseline = has('baseline') ? spec.baseline : undefined;
    const baselineDate = baseline?.date ?? (milestone ? directive.issued : undefined);
    const baselineValue = baseline?.value ?? (milestone ? 0 : undefined);
    const targetValue = has('target') ? (spec.target ?? (milestone ? 1 : undefined)) : undefined;
    if (indicator && has('baseline') && (baselineDate === undefined || baselineValue === undefined)) {
      fail(['baseline'], 'missing_baseline', 'a baseline {value, date} is required for a non-milestone indicator');
    }
    if (indicator && has('target') && targetValue === undefined) {
      fail(['target'], 'missing_target', 'a target value is required for a non-milestone indicator');
    }

    // A baseline is a reported figure: the value as of the end of its date, like every bare date.
    const baselineAt = baselineDate === undefined ? undefined : endOfDay(parseCalendarDate(baselineDate)!, tz);
    if (deadline && baselineAt && deadline.getTime() <= baselineAt.getTime()) {
      const day = formatCalendarDate(due.lastDay);
      fail(['due'], 'due_before_baseline', `due ${day} is not after the baseline date ${baselineDate}`);
    }
    if (targetValue !== undefined && baselineValue !== undefined) {
      const direction = has('direction') ? (spec.direction ?? 'at_least') : undefined;
      const t = `the target ${targetValue} is`;
      const b = `the baseline ${baselineValue}`;
      if (targetValue === baselineValue) {
        fail(['target'], 'target_equals_baseline', `target ${targetValue} equals the baseline: nothing to track`);
      } else if (direction === 'at_least' && targetValue < baselineValue) {
        fail(['direction'], 'direction_mismatch', `direction at_least, but ${t} below ${b}`);
      } else if (direction === 'at_most' && targetValue > baselineValue) {
        fail(['direction'], 'direction_mismatch', `direction at_most, but ${t} above ${b}`);
      }
    }

    const specMilestones = has('milestones') ? (spec.milestones ?? []) : [];
    if (indicator) {
      const valueChecks: [(string | number)[], number | undefined][] = [
        [['target'], targetValue],
        [['baseline', 'value'], baselineValue],
        ...specMilestones.map((m, j) => [['milestones', j, 'value'], m.value] as [(string | number)[], number]),
      ];
      for (const [field, value] of valueChecks) {
        if (value === undefined) continue;
        const { id, kind } = indicator;
        if (kind === 'ratio' && (value < 0 || value > 1)) {
          fail(field, 'ratio_out_of_range', `${id} is a ratio: expected a value in 0..1, got ${value}`);
        }
        if (kind === 'milestone' && value !== 0 && value !== 1) {
          fail(field, 'milestone_not_binary', `${id} is a milestone: expected 0 or 1, got ${value}`);
        }
        if (kind === 'cumulative' && value < 0) {
          fail(field, 'negative_count', `${id} is a cumulative count: expected a value ≥ 0, got ${value}`);
        }
      }
    }

    const milestones = specMilestones.map((m, j) => {
      const mDue = parseDueDate(m.due)!;
      const mDeadline = deadlineOf(mDue, tz);
      const ms = mDeadline.getTime();
      if (due && deadline && baselineAt && (ms <= baselineAt.getTime() || ms >= deadline.getTime())) {
        const [from, to] = [formatCalendarDate(mDue.lastDay), formatCalendarDate(due.lastDay)];
        const message = `milestone ${from} is not between the baseline ${baselineDate} and the due date ${to}`;
        fail(['milestones', j, 'due'], 'milestone_out_of_range', message);
      }
      return { dueDate: formatCalendarDate(mDue.lastDay), deadline: mDeadline, value: m.value };
    });
    milestones.forEach((m, j) => {
      if (j > 0 && m.deadline.getTime() <= milestones[j - 1]!.deadline.getTime()) {
        fail(['milestones', j, 'due'], 'milestones_unordered', 'milestones must be in date order, one per date');
      }
    });
    if (!ok || !indicator || !regionCode || !due || !deadline || !baselineAt) return undefined;
    if (baselineDate === undefined || baselineValue === undefined || targetValue === undefined) return undefined;
    const whole = spec as TargetSpec;

    return {
      id: whole.id,
      directiveId: directive.id,
      title: englishOf(whole.title),
      indicatorId: indicator.id,
      regionCode,
      owner: englishOf(whole.owner),
      source: englishOf(whole.source),
      baselineValue,
      baselineDate,
      baselineAt,
      baselineSource:
        whole.baseline?.source ?? (whole.baseline ? null : "milestone default: not done on the directive's issue date"),
      targetValue,
      dueText: whole.due,
      dueDate: formatCalendarDate(due.lastDay),
      deadline,
      direction: whole.direction,
      tolerance: whole.tolerance ?? null,
      minCoverage: whole.min_coverage ?? null,
      unlikelyBelow: whole.unlikely_below ?? null,
      milestones,
      note: whole.note ?? null,
      translations: translationsOf(targetTextFields, whole),
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
