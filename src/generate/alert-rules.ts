import {
  alertNames,
  kpiMetrics as k,
  labels as l,
  pacerMetrics as p,
  recordingRuleNames,
  scrapeJob,
  type Language,
  type TargetStatus,
} from '../conventions.js';
import { messages } from '../domain/language/messages.js';
import type { GenerateOptions } from './generate-options.js';

/** A Prometheus alerting rule, with the runbook text Pacer serves at /runbooks. */
export interface AlertDefinition {
  alert: string;
  expr: string;
  for: string;
  severity: 'critical' | 'warning';
  /** Static labels beyond severity (pipeline alerts name their owner; target alerts take it from the series). */
  labels?: Record<string, string>;
  summary: string;
  description: string;
  /** The summary and description in the other languages: annotations `summary_vi`, `description_vi`. */
  translations?: Partial<Record<Language, { summary: string; description: string }>>;
  dashboard: string;
  runbook: { meaning: string; check: string[]; fix: string[] };
}

export interface RecordingRule {
  record: string;
  expr: string;
}

export interface RuleGroup {
  name: string;
  interval?: string;
  rules: (
    | RecordingRule
    | (Omit<AlertDefinition, 'severity' | 'summary' | 'description' | 'dashboard' | 'runbook' | 'labels'> & {
        labels: Record<string, string>;
        annotations: Record<string, string>;
      })
  )[];
}

/** Go-template snippet printing a target's sibling series through `format` (humanize, ...), or a dash. */
const targetValue = (metric: string, format = 'humanize') =>
  `{{ with printf "${metric}{${l.target}=%q}" $labels.${l.target} | query }}` +
  `{{ . | first | value | ${format} }}{{ else }}-{{ end }}`;

/**
 * The words and figures of the target alerts in one language, as Prometheus template text: values
 * of the indicator by its `kind` (a share as a percentage, a task as done or not done, a count whole,
 * abbreviated from a thousand up: 30.86M), with the language's decimal mark; the due day from the
 * target's info series (the directive's local calendar day, not a UTC instant), as the language
 * writes a day.
 */
function targetWords(language: Language) {
  const say = messages[language].alerts;
  // Prometheus' humanize functions write a decimal point; Vietnamese writes a comma.
  const mark = language === 'vi' ? ' | reReplaceAll "[.]" ","' : '';
  const indicatorValue = (metric: string) =>
    `{{ with printf "${metric}{${l.target}=%q}" $labels.${l.target} | query }}{{ $v := . | first | value }}` +
    `{{ if eq $labels.${l.kind} "ratio" }}{{ humanizePercentage $v${mark} }}` +
    `{{ else if eq $labels.${l.kind} "milestone" }}{{ if ge $v 1.0 }}${say.done}{{ else }}${say.notDone}{{ end }}` +
    `{{ else if ge $v 1000.0 }}{{ humanize $v${mark} }}{{ else }}{{ printf "%.0f" $v }}{{ end }}{{ else }}-{{ end }}`;
  const dayFormat = language === 'vi' ? ' | reReplaceAll "^([0-9]{4})-([0-9]{2})-([0-9]{2})$" "$3/$2/$1"' : '';
  const due =
    `{{ with printf "${k.targetInfo}{${l.target}=%q}" $labels.${l.target} | query }}` +
    `{{ . | first | label "${l.due}"${dayFormat} }}{{ else }}-{{ end }}`;
  return {
    say,
    indicatorValue,
    percent: (metric: string) => targetValue(metric, `humanizePercentage${mark}`),
    value: `{{ $value | humanizePercentage${mark} }}`,
    figures: say.figures({
      current: indicatorValue(k.targetCurrentValue),
      expected: indicatorValue(k.targetExpectedValue),
      projected: indicatorValue(k.targetProjectedValue),
      target: indicatorValue(k.targetValue),
      due,
    }),
    /** The reason code the evaluation gave, joined in as the `reason` label (see `targetReasons`). */
    why: say.reason(`{{ $labels.${l.reason} }}`),
    who: `{{ $labels.${l.owner} }} ({{ $labels.${l.directive} }}): `,
  };
}

type TargetWords = ReturnType<typeof targetWords>;

/** A target alert's summary and description in English, and in each other language as its translations. */
function inEveryLanguage(text: (w: TargetWords) => { summary: string; description: string }) {
  return { ...text(targetWords('en')), translations: { vi: text(targetWords('vi')) } };
}

const target = `{{ $labels.${l.target} }}`;
const title = `{{ $labels.${l.title} }}`;

/**
 * The status series of one state, with the target's title, unit, kind and due date, and the reason
 * for its status, joined in as labels.
 */
const status = (state: TargetStatus) =>
  `(${k.targetStatus}{${l.status}="${state}"} == 1) * on(${l.target}) ` +
  `group_left(${l.title}, ${l.unit}, ${l.kind}, ${l.due}) ${k.targetInfo} ` +
  `* on(${l.target}) group_left(${l.reason}) ${k.targetStatusReason}`;
/** Pacer's scrape job, as the pipeline alerts select it. */
const pacerUp = `up{${l.job}="${scrapeJob}"}`;

/** The alerts, in the order operators meet them: targets first, then the pipeline. */
export function alertDefinitions(o: GenerateOptions): AlertDefinition[] {
  const horizon = o.deadlineHorizonDays * 86_400;
  // Statuses a deadline warning still helps with: achieved, missed and no_data have their own story.
  const pending: TargetStatus[] = ['on_track', 'at_risk', 'off_track'];
  const pipeline = { [l.owner]: o.operatorsOwner, [l.directive]: 'all' };
  return [
    {
      alert: alertNames.targetOffTrack,
      expr: status('off_track'),
      for: o.targetAlertFor,
      severity: 'critical',
      ...inEveryLanguage((w) => ({
        summary: w.say.offTrack.summary(target, title),
        description: `${w.who}${w.say.offTrack.description(w.why)} ${w.figures}`,
      })),
      dashboard: 'pacer-target',
      runbook: {
        meaning:
          "The least-squares forecast of the target's indicator, at the deadline, falls short of the target by " +
          'more than the tolerance (default 10% of |target − baseline|).',
        check: [
          'Open the target dashboard: are the latest observations real, or is a feed lagging?',
          'Is the baseline right, and the indicator the one the directive measures?',
          'Coverage below 1 means some regions did not report: the rollup undercounts.',
        ],
        fix: [
          'Escalate to the owner with the figures in the alert.',
          'If data is missing, fix the feed (KpiFeedStale/KpiFeedFailing) or push the figures.',
        ],
      },
    },
    {
      alert: alertNames.targetAtRisk,
      expr: status('at_risk'),
      for: o.targetAlertFor,
      severity: 'warning',
      ...inEveryLanguage((w) => ({
        summary: w.say.atRisk.summary(target, title),
        description: `${w.who}${w.say.atRisk.description(w.why)} ${w.figures}`,
      })),
      dashboard: 'pacer-target',
      runbook: {
        meaning:
          'The forecast at the deadline misses the target, but by no more than the tolerance (reason ' +
          'forecast_short); or it meets the target but the last passed milestone was missed beyond the tolerance ' +
          '(milestone_missed); tasks reported not done are at risk in their last 14 days (task_due_soon).',
        check: ['Compare progress with expected progress on the target dashboard.'],
        fix: ['Warn the owner early; an at-risk target usually becomes off track without action.'],
      },
    },
    {
      alert: alertNames.targetMissed,
      expr:
        `${status('missed')} and on(${l.target}) ` +
        `(time() - ${k.targetDeadlineTimestampSeconds} < ${o.missedAlertDays * 86_400})`,
      for: '0m',
      severity: 'critical',
      ...inEveryLanguage((w) => ({
        summary: w.say.missed.summary(target, title),
        description: `${w.who}${w.say.missed.description(w.why)} ${w.figures}`,
      })),
      dashboard: 'pacer-target',
      runbook: {
        meaning:
          `The deadline has passed and no observation at or before it met the target. The alert stays for ` +
          `${o.missedAlertDays} days after the deadline, then goes quiet; the status stays missed.`,
        check: [
          'If the target was met but not reported, push the observation dated on or before the deadline: the ' +
            'status becomes achieved.',
        ],
        fix: [
          "Report the miss to the directive's issuer; agree a new target (a new catalog entry) if the work continues.",
        ],
      },
    },
    {
      alert: alertNames.deadlineApproaching,
      expr:
        `(${k.targetDeadlineTimestampSeconds} - time() < ${horizon}) ` +
        `and (${k.targetDeadlineTimestampSeconds} - time() > 0) ` +
        `and (${k.targetProgressRatio} < ${k.targetExpectedProgressRatio}) ` +
        `and on(${l.target}) (${k.targetStatus}{${l.status}=~"${pending.join('|')}"} == 1)`,
      for: o.targetAlertFor,
      severity: 'warning',
      ...inEveryLanguage((w) => ({
        summary: w.say.deadline.summary(target, o.deadlineHorizonDays),
        description:
          w.who +
          w.say.deadline.description({
            progress: w.percent(k.targetProgressRatio),
            expected: w.percent(k.targetExpectedProgressRatio),
          }) +
          ` ${w.figures}`,
      })),
      dashboard: 'pacer-target',
      runbook: {
        meaning:
          `The deadline is less than ${o.deadlineHorizonDays} days away and progress is below the straight ` +
          `(or milestone) pace.`,
        check: ['Is the latest figure recent enough to judge by?'],
        fix: ['Ask the owner for the latest figure and a plan for the remaining days.'],
      },
    },
    {
      alert: alertNames.targetUnlikely,
      expr:
        `((${k.targetAttainmentProbability} < ${k.targetUnlikelyThreshold}) * on(${l.target}) ` +
        `group_left(${l.title}, ${l.unit}, ${l.kind}, ${l.due}) ${k.targetInfo}) ` +
        `and on(${l.target}) (${k.targetDeadlineTimestampSeconds} - time() > 0)`,
      for: o.targetAlertFor,
      severity: 'warning',
      ...inEveryLanguage((w) => ({
        summary: w.say.unlikely.summary(target, title),
        description:
          w.who +
          w.say.unlikely.description({
            chance: w.value,
            threshold: w.percent(k.targetUnlikelyThreshold),
            low: w.indicatorValue(k.targetProjectedLowValue),
            high: w.indicatorValue(k.targetProjectedHighValue),
          }) +
          ` ${w.figures}`,
      })),
      dashboard: 'pacer-target',
      runbook: {
        meaning:
          'The spread of the observations around the least-squares forecast says the value at the deadline is ' +
          "unlikely to meet the target: the chance is below the target's unlikely_below (default 20%). It is " +
          'a prediction interval of the fit (Student t, n − 2 degrees of freedom), so a target can be on track ' +
          'with noisy data and still be unlikely, or off track and still have a fair chance.',
        check: [
          'Open the target page: does the shaded band at the deadline sit below the target line?',
          'Are there outliers or a revised figure that widen the spread? A few points give a wide band.',
        ],
        fix: [
          'Warn the owner with the chance and the band; agree what would raise the pace.',
          'If the threshold does not suit the target, set unlikely_below on it in the catalog.',
        ],
      },
    },
    {
      alert: alertNames.targetNoData,
      expr: status('no_data'),
      for: o.targetAlertFor,
      severity: 'warning',
      ...inEveryLanguage((w) => ({
        summary: w.say.noData.summary(target, title),
        description:
          w.who +
          w.say.noData.description({
            indicator: `{{ $labels.${l.indicator} }}`,
            region: `{{ $labels.${l.region} }}`,
            why: w.why,
          }),
      })),
      dashboard: 'pacer-target',
      runbook: {
        meaning:
          "There is no observation for the target's indicator and region (reason no_report), the newest is " +
          "older than 3 × the indicator's update_interval (stale), or a rolled-up value comes from fewer of the " +
          "region's parts than the target's min_coverage (incomplete_coverage).",
        check: [
          'GET /v1/observations?indicator=…&region=… shows what arrived.',
          'Check the feed that should bring it (pipeline dashboard).',
        ],
        fix: [
          'Push the missing figures, or fix the feed; if the indicator is published less often, raise its ' +
            'update_interval in the catalog.',
        ],
      },
    },
    {
      alert: alertNames.feedStale,
      expr: `time() - ${k.feedLastSuccessTimestampSeconds} > ${o.feedStaleFactor} * ${k.feedExpectedIntervalSeconds}`,
      for: o.pipelineAlertFor,
      severity: 'warning',
      labels: pipeline,
      summary: 'Feed {{ $labels.feed }} has not succeeded for {{ $value | humanizeDuration }}',
      description:
        `The last successful run of feed {{ $labels.feed }} is more than ${o.feedStaleFactor} expected intervals old ` +
        `(expected every {{ with printf "${k.feedExpectedIntervalSeconds}{${l.feed}=%q}" $labels.${l.feed} | query }}` +
        '{{ . | first | value | humanizeDuration }}{{ end }}).',
      dashboard: 'pacer-pipeline',
      runbook: {
        meaning:
          'A scheduled feed has gone quiet: no successful run for longer than its expected interval allows (a ' +
          'deadman check, no per-feed rule needed).',
        check: [
          'GET /v1/feeds/{id}/runs: failing runs, or no runs at all (scheduler or workers down)?',
          'Is the source reachable from the workers?',
        ],
        fix: ['Fix the source or credentials, then `pacer jobs run ID` to run it now.'],
      },
    },
    {
      alert: alertNames.feedFailing,
      expr:
        `(${k.feedLastRunTimestampSeconds} > on(${l.feed}) ${k.feedLastSuccessTimestampSeconds}) ` +
        `or (${k.feedLastRunTimestampSeconds} unless on(${l.feed}) ${k.feedLastSuccessTimestampSeconds})`,
      for: o.pipelineAlertFor,
      severity: 'warning',
      labels: pipeline,
      summary: 'Feed {{ $labels.feed }} fails',
      description: 'The most recent run of feed {{ $labels.feed }} did not succeed (and retries did not help).',
      dashboard: 'pacer-pipeline',
      runbook: {
        meaning: 'The last run of the feed ended in failure, after its retries.',
        check: ['GET /v1/feeds/{id}/runs shows the error with the line and field when the data was malformed.'],
        fix: ['Fix the source or the feed mapping in jobs/, then `pacer jobs run ID`.'],
      },
    },
    {
      alert: alertNames.ingestRejections,
      expr: `sum by (${l.source}) (increase(${p.ingestRowsTotal}{${l.outcome}="rejected"}[15m])) > 0`,
      for: '0m',
      severity: 'warning',
      labels: pipeline,
      summary: 'Ingest rejected {{ $value | humanize }} rows from {{ $labels.source }} in 15 minutes',
      description: 'Rows sent to Pacer ({{ $labels.source }}) were rejected as invalid; they are not in the database.',
      dashboard: 'pacer-pipeline',
      runbook: {
        meaning:
          'Pushes or feeds sent rows that failed validation (unknown indicator or region, value out of range, bad ' +
          'timestamp, ...).',
        check: ['GET /v1/batches/{id} lists the first errors with line, field and code.'],
        fix: ['Tell the data team which lines and fields; they re-send the corrected rows (idempotent).'],
      },
    },
    {
      alert: alertNames.exporterDown,
      expr: `${pacerUp} == 0 or absent(${pacerUp})`,
      for: '5m',
      severity: 'critical',
      labels: pipeline,
      summary: 'Prometheus cannot scrape Pacer',
      description:
        'The pacer job is down or absent: no target status reaches Prometheus, and no other Pacer alert can fire.',
      dashboard: 'pacer-pipeline',
      runbook: {
        meaning: "Prometheus has no successful scrape of Pacer's /metrics.",
        check: [
          'Is the pacer-api process up? GET /healthz and /readyz.',
          'Is the scrape target right in prometheus.yml?',
        ],
        fix: ['Restart the api role; /readyz says whether the database and catalog are the problem.'],
      },
    },
    {
      alert: alertNames.evaluationStale,
      expr: `time() - ${k.evaluationTimestampSeconds} > 900`,
      for: '5m',
      severity: 'warning',
      labels: pipeline,
      summary: 'Pacer has not evaluated the targets for {{ $value | humanizeDuration }}',
      description: 'The exported evaluation is more than 15 minutes old: the statuses Prometheus sees are out of date.',
      dashboard: 'pacer-pipeline',
      runbook: {
        meaning: 'No evaluation has been stored recently: the scheduler or the workers are down, or evaluations fail.',
        check: [`${p.evaluationRunsTotal}{${l.outcome}="failed"} and the worker logs.`],
        fix: ['Restart the scheduler and worker roles; `pacer evaluate --save` runs one by hand.'],
      },
    },
  ];
}

export function recordingRules(): RecordingRule[] {
  return [
    {
      record: recordingRuleNames.directiveStatusCount,
      expr: `count by (${l.directive}, ${l.status}) (${k.targetStatus} == 1)`,
    },
    {
      record: recordingRuleNames.targetProgressGap,
      expr: `${k.targetExpectedProgressRatio} - ${k.targetProgressRatio}`,
    },
    {
      record: recordingRuleNames.feedStaleness,
      expr: `(time() - ${k.feedLastSuccessTimestampSeconds}) / ${k.feedExpectedIntervalSeconds}`,
    },
  ];
}

/** The rule file: recording rules, target alerts and pipeline alerts, with their annotations. */
export function ruleGroups(o: GenerateOptions): RuleGroup[] {
  const toRule = (a: AlertDefinition) => ({
    alert: a.alert,
    expr: a.expr,
    for: a.for,
    labels: { severity: a.severity, ...a.labels },
    annotations: {
      summary: a.summary,
      description: a.description,
      ...Object.fromEntries(
        Object.entries(a.translations ?? {}).flatMap(([language, t]) => [
          [`summary_${language}`, t.summary],
          [`description_${language}`, t.description],
        ]),
      ),
      runbook_url: `${o.publicUrl}/runbooks#${a.alert.toLowerCase()}`,
      dashboard_url:
        a.dashboard === 'pacer-target'
          ? `${o.grafanaUrl}/d/pacer-target?var-target={{ $labels.target }}`
          : `${o.grafanaUrl}/d/${a.dashboard}`,
    },
  });
  const alerts = alertDefinitions(o);
  const isPipeline = (a: AlertDefinition) => a.labels !== undefined;
  return [
    { name: 'pacer-recording', rules: recordingRules() },
    { name: 'pacer-targets', rules: alerts.filter((a) => !isPipeline(a)).map(toRule) },
    { name: 'pacer-pipeline', rules: alerts.filter(isPipeline).map(toRule) },
  ];
}
