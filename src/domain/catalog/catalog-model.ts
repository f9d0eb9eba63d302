import type { Direction, IndicatorKind, Monotone, Rollup } from './catalog-schema.js';
import type { RegionSet } from '../regions/region-registry.js';
import type { DirectiveTranslations, IndicatorTranslations, TargetTranslations } from './catalog-text.js';

/** An indicator as the rest of Pacer sees it, after defaults. */
export interface Indicator {
  id: string;
  name: string;
  description: string | null;
  unit: string;
  kind: IndicatorKind;
  rollup: Rollup;
  updateIntervalSeconds: number;
  /** The one way the value can move; null when it can move both ways. */
  monotone: Monotone | null;
  /** The name and unit in other languages (English is above). */
  translations: IndicatorTranslations;
}

export interface Directive {
  id: string;
  title: string;
  issuer: string;
  /** Issue date as written, YYYY-MM-DD. */
  issued: string;
  timezone: string;
  url: string | null;
  description: string | null;
  /** The title and issuer in other languages (English is above). */
  translations: DirectiveTranslations;
}

export interface TargetMilestone {
  /** Last day that still counts, YYYY-MM-DD. */
  dueDate: string;
  /** End of that day in the directive's time zone. */
  deadline: Date;
  value: number;
}

/** A target with every date turned into an instant in its directive's time zone. */
export interface Target {
  id: string;
  directiveId: string;
  title: string;
  indicatorId: string;
  regionCode: string;
  owner: string;
  source: string;
  baselineValue: number;
  /** Baseline date as written, YYYY-MM-DD, and the end of that day (the figure is as of that day). */
  baselineDate: string;
  baselineAt: Date;
  baselineSource: string | null;
  targetValue: number;
  /** The due date as the analyst wrote it ("June 2023"). */
  dueText: string;
  /** Last day that still counts, YYYY-MM-DD. */
  dueDate: string;
  /** End of the due day: the instant after which the target is missed. */
  deadline: Date;
  direction: Direction;
  /** Fraction of |target − baseline|; null means the evaluation default. */
  tolerance: number | null;
  /** Least share of a rollup's parts that must report; null means the evaluation default. */
  minCoverage: number | null;
  /** The chance to meet below which the target is unlikely; null means the default. */
  unlikelyBelow: number | null;
  milestones: TargetMilestone[];
  note: string | null;
  /** The title, owner and source in other languages (English is above). */
  translations: TargetTranslations;
}

/**
 * A dated fact of a directive's catalog (a list that grew, a decree in force) that explains its figures: the
 * target charts and Grafana show it as an annotation.
 */
export interface CatalogEvent {
  directiveId: string;
  /** Its place in the directive's `events` list, which identifies it. */
  position: number;
  /** The date as written: `2024-09-30`, `2024-09` or `September 2024`. */
  dateText: string;
  /** The day it is drawn on, YYYY-MM-DD: the last day of a month written as a month. */
  day: string;
  precision: 'day' | 'month';
  /** End of that day in the directive's time zone, like the observations of that day. */
  at: Date;
  text: string;
  /** The targets it concerns; empty when it names none. */
  targetIds: string[];
  /** The indicator whose targets it concerns, if it names one. */
  indicatorId: string | null;
  source: string | null;
}

/** The whole catalog, validated and cross-checked. */
export interface Catalog {
  directives: Directive[];
  indicators: Indicator[];
  targets: Target[];
  regionSets: RegionSet[];
  /** Every directive's events, by directive then position. */
  events: CatalogEvent[];
}
