import type { CatalogEvent } from './catalog-model.js';
import type { CatalogEventSpec } from './catalog-schema.js';
import { deadlineOf, parseDueDate } from './due-date.js';
import { formatCalendarDate } from '../time/zoned-time.js';

/** What a directive's events are checked against. */
export interface EventScope {
  directiveId: string;
  timezone: string;
  /** Ids of the targets of the directive, those that failed their checks included (they are reported there). */
  targetIds: ReadonlySet<string>;
  /** Whether an indicator of that id is declared (or may be, in a file that could not be read). */
  hasIndicator(id: string): boolean;
}

/**
 * Resolves a directive's events (each with its position in the list as written) into dated events, reporting
 * targets the directive does not set and unknown indicators. An event with an error is left out.
 */
export function resolveEvents(
  events: readonly { index: number; spec: CatalogEventSpec }[],
  scope: EventScope,
  report: (path: (string | number)[], code: string, message: string) => void,
): CatalogEvent[] {
  const out: CatalogEvent[] = [];
  for (const { index, spec } of events) {
    let ok = true;
    (spec.targets ?? []).forEach((id, j) => {
      if (scope.targetIds.has(id)) return;
      ok = false;
      report(
        ['events', index, 'targets', j],
        'unknown_target',
        `directive ${scope.directiveId} sets no target "${id}"`,
      );
    });
    if (spec.indicator !== undefined && !scope.hasIndicator(spec.indicator)) {
      ok = false;
      report(['events', index, 'indicator'], 'unknown_indicator', `unknown indicator "${spec.indicator}"`);
    }
    if (!ok) continue;
    const due = parseDueDate(spec.date)!;
    out.push({
      directiveId: scope.directiveId,
      position: index,
      dateText: spec.date,
      day: formatCalendarDate(due.lastDay),
      precision: due.precision,
      at: deadlineOf(due, scope.timezone),
      text: spec.text,
      targetIds: spec.targets ?? [],
      indicatorId: spec.indicator ?? null,
      source: spec.source ?? null,
    });
  }
  return out;
}

/** Whether an event concerns a target: it names the target, or the target's indicator, or nothing. */
export function eventConcerns(
  event: Pick<CatalogEvent, 'directiveId' | 'targetIds' | 'indicatorId'>,
  target: { id: string; directiveId: string; indicatorId: string },
): boolean {
  if (event.directiveId !== target.directiveId) return false;
  if (event.targetIds.length > 0) return event.targetIds.includes(target.id);
  if (event.indicatorId !== null) return event.indicatorId === target.indicatorId;
  return true;
}
