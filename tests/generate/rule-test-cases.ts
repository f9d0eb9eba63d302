/**
 * promtool unit tests for the generated alerts: for each alert, series that make it fire and
 * series that do not, with the labels and the humanized annotations operators will read.
 * Time starts at 0 (1970-01-01T00:00:00Z) in promtool tests.
 */
import { alertNames, kpiMetrics, pacerMetrics, targetStatuses } from '../../src/conventions.js';
const base = (target: string) =>
  `target="${target}",indicator="vneid_accounts_issued",region="VN",` +
  `directive="ct-05-2023",owner="Ministry of Public Security"`;
const labels = (target: string) => ({
  target,
  indicator: 'vneid_accounts_issued',
  region: 'VN',
  directive: 'ct-05-2023',
  owner: 'Ministry of Public Security',
});
const DAY = 86_400;

/** The reason each status comes with in these tests. */
const reasonOf: Record<string, string> = {
  off_track: 'forecast_short',
  at_risk: 'forecast_short',
  on_track: 'forecast_meets',
  no_data: 'no_report',
  missed: 'deadline_passed',
  achieved: 'target_met',
};

/** The series of one target: status, reason, info and figures. */
function target(
  id: string,
  status: string,
  figures: {
    current?: number;
    expected?: number;
    projected?: number;
    value?: number;
    progress?: number;
    expectedProgress?: number;
    deadline?: number;
    chance?: number;
    threshold?: number;
    low?: number;
    high?: number;
  } = {},
) {
  const b = base(id);
  const series = [
    ...targetStatuses.map((s) => ({
      series: `${kpiMetrics.targetStatus}{${b},status="${s}"}`,
      values: `${s === status ? 1 : 0}x180`,
    })),
    {
      series:
        `${kpiMetrics.targetInfo}{${b},title="Title of ${id}",` +
        `unit="accounts",kind="cumulative",direction="at_least",due="2023-06-30"}`,
      values: '1x180',
    },
    { series: `${kpiMetrics.targetStatusReason}{${b},reason="${reasonOf[status]}"}`, values: '1x180' },
  ];
  const add = (metric: string, v: number | undefined) =>
    v !== undefined && series.push({ series: `${metric}{${b}}`, values: `${v}x180` });
  add(kpiMetrics.targetCurrentValue, figures.current);
  add(kpiMetrics.targetExpectedValue, figures.expected);
  add(kpiMetrics.targetProjectedValue, figures.projected);
  add(kpiMetrics.targetValue, figures.value);
  add(kpiMetrics.targetProgressRatio, figures.progress);
  add(kpiMetrics.targetExpectedProgressRatio, figures.expectedProgress);
  add(kpiMetrics.targetDeadlineTimestampSeconds, figures.deadline);
  add(kpiMetrics.targetAttainmentProbability, figures.chance);
  add(kpiMetrics.targetUnlikelyThreshold, figures.threshold);
  add(kpiMetrics.targetProjectedLowValue, figures.low);
  add(kpiMetrics.targetProjectedHighValue, figures.high);
  return series;
}

/**
 * The humanized figures of `full` below, as the description shows them: the deadline is the target's due day
 * in the directive's time zone (its info series' `due`), never a UTC instant.
 */
const figures =
  'Current 12.5M, expected by now 30M, ' +
  'projected at the deadline 30.86M against a target of 40M; deadline 2023-06-30.';
/** The same in Vietnamese: a decimal comma, the day as 30/06/2023. */
const figuresVi =
  'Hiện tại 12,5M, kế hoạch đến nay 30M, dự báo đến hạn 30,86M so với chỉ tiêu 40M; thời hạn 30/06/2023.';
const owner = 'Ministry of Public Security (ct-05-2023): ';
const targetAnnotations = (
  id: string,
  en: { summary: string; lead: string },
  vi: { summary: string; lead: string },
  reason: string,
) => ({
  summary: en.summary,
  description: `${owner}${en.lead} Reason: ${reason}. ${figures}`,
  summary_vi: vi.summary,
  description_vi: `${owner}${vi.lead} Mã lý do: ${reason}. ${figuresVi}`,
  runbook_url: '',
  dashboard_url: `http://localhost:3000/d/pacer-target?var-target=${id}`,
});
const withRunbook = (a: ReturnType<typeof targetAnnotations>, alert: string) => ({
  ...a,
  runbook_url: `http://localhost:8080/runbooks#${alert.toLowerCase()}`,
});
const full = {
  current: 12_500_000,
  expected: 30_000_000,
  projected: 30_855_556,
  value: 40_000_000,
  deadline: 30 * DAY,
};
const infoLabels = (id: string, status: string) => ({
  ...labels(id),
  status,
  title: `Title of ${id}`,
  unit: 'accounts',
  kind: 'cumulative',
  due: '2023-06-30',
  reason: reasonOf[status]!,
});
const pipeline = { owner: 'pacer-operators', directive: 'all' };

export const ruleTests = [
  {
    name: 'target statuses fire their alert after `for`, and only for that status',
    interval: '1m',
    input_series: [
      ...target('off', 'off_track', full),
      ...target('risk', 'at_risk', full),
      ...target('fine', 'on_track', full),
      ...target('nodata', 'no_data', full),
    ],
    alert_rule_test: [
      { eval_time: '59m', alertname: alertNames.targetOffTrack, exp_alerts: [] },
      {
        eval_time: '61m',
        alertname: alertNames.targetOffTrack,
        exp_alerts: [
          {
            exp_labels: { severity: 'critical', ...infoLabels('off', 'off_track') },
            exp_annotations: withRunbook(
              targetAnnotations(
                'off',
                {
                  summary: 'Target off is off track: Title of off',
                  lead: 'the forecast misses the target by more than the tolerance.',
                },
                {
                  summary: 'Chỉ tiêu off chậm tiến độ: Title of off',
                  lead: 'dự báo không đạt chỉ tiêu, vượt quá biên độ cho phép.',
                },
                'forecast_short',
              ),
              alertNames.targetOffTrack,
            ),
          },
        ],
      },
      {
        eval_time: '61m',
        alertname: alertNames.targetAtRisk,
        exp_alerts: [
          {
            exp_labels: { severity: 'warning', ...infoLabels('risk', 'at_risk') },
            exp_annotations: withRunbook(
              targetAnnotations(
                'risk',
                {
                  summary: 'Target risk is at risk: Title of risk',
                  lead: 'the forecast misses the target, by no more than the tolerance, or a milestone was missed.',
                },
                {
                  summary: 'Chỉ tiêu risk có nguy cơ chậm: Title of risk',
                  lead:
                    'dự báo không đạt chỉ tiêu nhưng còn trong biên độ cho phép, ' +
                    'hoặc không đạt một mốc trung gian.',
                },
                'forecast_short',
              ),
              alertNames.targetAtRisk,
            ),
          },
        ],
      },
      {
        eval_time: '61m',
        alertname: alertNames.targetNoData,
        exp_alerts: [
          {
            exp_labels: { severity: 'warning', ...infoLabels('nodata', 'no_data') },
            exp_annotations: {
              summary: 'No recent data for target nodata: Title of nodata',
              description:
                'Ministry of Public Security (ct-05-2023): the indicator vneid_accounts_issued ' +
                'has no value in region VN, its latest is older than three update intervals, or too few of its ' +
                'parts reported, so the target cannot be judged. Reason: no_report.',
              summary_vi: 'Chỉ tiêu nodata chưa có số liệu mới: Title of nodata',
              description_vi:
                'Ministry of Public Security (ct-05-2023): chỉ số vneid_accounts_issued chưa có số liệu tại địa bàn ' +
                'VN, số liệu mới nhất đã quá ba kỳ cập nhật, hoặc quá ít đơn vị báo cáo, nên chưa đánh giá được ' +
                'chỉ tiêu. Mã lý do: no_report.',
              runbook_url: 'http://localhost:8080/runbooks#kpitargetnodata',
              dashboard_url: 'http://localhost:3000/d/pacer-target?var-target=nodata',
            },
          },
        ],
      },
    ],
  },
  {
    name: 'a missed target alerts for 30 days after its deadline, then goes quiet',
    interval: '1m',
    input_series: [
      ...target('recent', 'missed', { ...full, deadline: 0 }),
      ...target('old', 'missed', { ...full, deadline: -60 * DAY }),
      ...target('done', 'achieved', { ...full, deadline: 0 }),
    ],
    alert_rule_test: [
      {
        eval_time: '10m',
        alertname: alertNames.targetMissed,
        exp_alerts: [
          {
            exp_labels: { severity: 'critical', ...infoLabels('recent', 'missed') },
            exp_annotations: withRunbook(
              targetAnnotations(
                'recent',
                {
                  summary: 'Target recent was missed: Title of recent',
                  lead: 'the deadline passed without the target being met.',
                },
                {
                  summary: 'Chỉ tiêu recent không đạt: Title of recent',
                  lead: 'đã hết thời hạn mà chưa đạt chỉ tiêu.',
                },
                'deadline_passed',
              ),
              alertNames.targetMissed,
            ),
          },
        ],
      },
    ],
  },
  {
    name: 'an approaching deadline alerts only when progress is behind the pace',
    interval: '1m',
    input_series: [
      ...target('behind', 'on_track', { ...full, deadline: 10 * DAY, progress: 0.4, expectedProgress: 0.8 }),
      ...target('ahead', 'on_track', { ...full, deadline: 10 * DAY, progress: 0.9, expectedProgress: 0.8 }),
      ...target('far', 'on_track', { ...full, deadline: 100 * DAY, progress: 0.4, expectedProgress: 0.8 }),
    ],
    alert_rule_test: [
      {
        eval_time: '61m',
        alertname: alertNames.deadlineApproaching,
        exp_alerts: [
          {
            exp_labels: { severity: 'warning', ...labels('behind') },
            exp_annotations: {
              summary: 'Deadline of behind within 30 days, progress behind pace',
              description: `${owner}progress 40% against an expected 80%. ${figures}`,
              summary_vi: 'Chỉ tiêu behind còn dưới 30 ngày đến hạn, tiến độ chậm hơn kế hoạch',
              description_vi: `${owner}tiến độ 40%, kế hoạch đến nay 80%. ${figuresVi}`,
              runbook_url: 'http://localhost:8080/runbooks#kpideadlineapproaching',
              dashboard_url: 'http://localhost:3000/d/pacer-target?var-target=behind',
            },
          },
        ],
      },
    ],
  },
  {
    name: 'a target is unlikely below its own threshold until the deadline; likely and decided ones are not',
    interval: '1m',
    input_series: [
      ...target('unlikely', 'off_track', { ...full, chance: 0.12, threshold: 0.2, low: 27_000_000, high: 34_700_000 }),
      ...target('strict', 'at_risk', { ...full, chance: 0.3, threshold: 0.4, low: 27_000_000, high: 34_700_000 }),
      ...target('likely', 'on_track', { ...full, chance: 0.5, threshold: 0.2, low: 27_000_000, high: 34_700_000 }),
      ...target('past', 'missed', { ...full, deadline: -DAY, chance: 0, threshold: 0.2, low: 1, high: 1 }),
    ],
    alert_rule_test: [
      { eval_time: '59m', alertname: alertNames.targetUnlikely, exp_alerts: [] },
      {
        eval_time: '61m',
        alertname: alertNames.targetUnlikely,
        exp_alerts: (
          [
            ['unlikely', '12%', '20%'],
            ['strict', '30%', '40%'],
          ] as const
        ).map(([id, chance, threshold]) => ({
          exp_labels: {
            severity: 'warning',
            ...labels(id),
            title: `Title of ${id}`,
            unit: 'accounts',
            kind: 'cumulative',
            due: '2023-06-30',
          },
          exp_annotations: {
            summary: `Target ${id} is unlikely to be met: Title of ${id}`,
            description:
              `Ministry of Public Security (ct-05-2023): the chance to meet the target is ${chance}, ` +
              `below ${threshold}; the value at the deadline is likely (80%) between 27M and 34.7M. ${figures}`,
            summary_vi: `Chỉ tiêu ${id} khó đạt: Title of ${id}`,
            description_vi:
              `${owner}khả năng đạt chỉ tiêu là ${chance}, dưới ngưỡng ${threshold}; ` +
              `giá trị tại thời hạn nhiều khả năng (80%) nằm trong khoảng 27M đến 34,7M. ${figuresVi}`,
            runbook_url: 'http://localhost:8080/runbooks#kpitargetunlikely',
            dashboard_url: `http://localhost:3000/d/pacer-target?var-target=${id}`,
          },
        })),
      },
    ],
  },
  {
    name: 'a feed is stale past twice its expected interval; a fresh feed is not',
    interval: '1m',
    input_series: [
      { series: `${kpiMetrics.feedLastSuccessTimestampSeconds}{feed="quiet"}`, values: '0x60' },
      { series: `${kpiMetrics.feedExpectedIntervalSeconds}{feed="quiet"}`, values: '300x60' },
      { series: `${kpiMetrics.feedLastRunTimestampSeconds}{feed="quiet"}`, values: '0x60' },
      { series: `${kpiMetrics.feedLastSuccessTimestampSeconds}{feed="fresh"}`, values: '0+60x60' },
      { series: `${kpiMetrics.feedExpectedIntervalSeconds}{feed="fresh"}`, values: '300x60' },
      { series: `${kpiMetrics.feedLastRunTimestampSeconds}{feed="fresh"}`, values: '0+60x60' },
    ],
    alert_rule_test: [
      { eval_time: '20m', alertname: alertNames.feedStale, exp_alerts: [] },
      {
        eval_time: '30m',
        alertname: alertNames.feedStale,
        exp_alerts: [
          {
            exp_labels: { severity: 'warning', ...pipeline, feed: 'quiet' },
            exp_annotations: {
              summary: 'Feed quiet has not succeeded for 30m 0s',
              description:
                'The last successful run of feed quiet is more than 2 expected intervals old (expected every 5m 0s).',
              runbook_url: 'http://localhost:8080/runbooks#kpifeedstale',
              dashboard_url: 'http://localhost:3000/d/pacer-pipeline',
            },
          },
        ],
      },
      { eval_time: '30m', alertname: alertNames.feedFailing, exp_alerts: [] },
    ],
  },
  {
    name: 'a feed whose last run failed, or that never succeeded, is failing',
    interval: '1m',
    input_series: [
      { series: `${kpiMetrics.feedLastRunTimestampSeconds}{feed="broken"}`, values: '120x30' },
      { series: `${kpiMetrics.feedLastSuccessTimestampSeconds}{feed="broken"}`, values: '60x30' },
      { series: `${kpiMetrics.feedLastRunTimestampSeconds}{feed="never"}`, values: '60x30' },
      { series: `${kpiMetrics.feedLastRunTimestampSeconds}{feed="ok"}`, values: '60x30' },
      { series: `${kpiMetrics.feedLastSuccessTimestampSeconds}{feed="ok"}`, values: '60x30' },
    ],
    alert_rule_test: [
      {
        eval_time: '20m',
        alertname: alertNames.feedFailing,
        exp_alerts: ['broken', 'never'].map((feed) => ({
          exp_labels: { severity: 'warning', ...pipeline, feed },
          exp_annotations: {
            summary: `Feed ${feed} fails`,
            description: `The most recent run of feed ${feed} did not succeed (and retries did not help).`,
            runbook_url: 'http://localhost:8080/runbooks#kpifeedfailing',
            dashboard_url: 'http://localhost:3000/d/pacer-pipeline',
          },
        })),
      },
    ],
  },
  {
    name: 'rejected rows alert; accepted rows do not',
    interval: '1m',
    input_series: [
      {
        series: `${pacerMetrics.ingestRowsTotal}{source="push",outcome="rejected",job="pacer",instance="pacer:8080"}`,
        values: '0+2x30',
      },
      {
        series: `${pacerMetrics.ingestRowsTotal}{source="feed",outcome="inserted",job="pacer",instance="pacer:8080"}`,
        values: '0+100x30',
      },
    ],
    alert_rule_test: [
      {
        eval_time: '20m',
        alertname: alertNames.ingestRejections,
        exp_alerts: [
          {
            exp_labels: { severity: 'warning', ...pipeline, source: 'push' },
            exp_annotations: {
              summary: 'Ingest rejected 30 rows from push in 15 minutes',
              description: 'Rows sent to Pacer (push) were rejected as invalid; they are not in the database.',
              runbook_url: 'http://localhost:8080/runbooks#kpiingestrejections',
              dashboard_url: 'http://localhost:3000/d/pacer-pipeline',
            },
          },
        ],
      },
    ],
  },
  {
    name: 'Pacer down or absent alerts; a stale evaluation alerts',
    interval: '1m',
    input_series: [
      { series: 'up{job="pacer",instance="pacer:8080"}', values: '1 1 1 0x30' },
      { series: kpiMetrics.evaluationTimestampSeconds, values: '0x40' },
    ],
    alert_rule_test: [
      { eval_time: '5m', alertname: alertNames.exporterDown, exp_alerts: [] },
      {
        eval_time: '10m',
        alertname: alertNames.exporterDown,
        exp_alerts: [
          {
            exp_labels: { severity: 'critical', ...pipeline, job: 'pacer', instance: 'pacer:8080' },
            exp_annotations: {
              summary: 'Prometheus cannot scrape Pacer',
              description:
                'The pacer job is down or absent: no target status reaches Prometheus, ' +
                'and no other Pacer alert can fire.',
              runbook_url: 'http://localhost:8080/runbooks#pacerexporterdown',
              dashboard_url: 'http://localhost:3000/d/pacer-pipeline',
            },
          },
        ],
      },
      {
        eval_time: '25m',
        alertname: alertNames.evaluationStale,
        exp_alerts: [
          {
            exp_labels: { severity: 'warning', ...pipeline },
            exp_annotations: {
              summary: 'Pacer has not evaluated the targets for 25m 0s',
              description:
                'The exported evaluation is more than 15 minutes old: the statuses Prometheus sees are out of date.',
              runbook_url: 'http://localhost:8080/runbooks#pacerevaluationstale',
              dashboard_url: 'http://localhost:3000/d/pacer-pipeline',
            },
          },
        ],
      },
    ],
  },
  {
    name: 'no scrape at all is also Pacer down',
    interval: '1m',
    input_series: [{ series: 'some_other_metric', values: '1x20' }],
    alert_rule_test: [
      {
        eval_time: '10m',
        alertname: alertNames.exporterDown,
        exp_alerts: [
          {
            exp_labels: { severity: 'critical', ...pipeline, job: 'pacer' },
            exp_annotations: {
              summary: 'Prometheus cannot scrape Pacer',
              description:
                'The pacer job is down or absent: no target status reaches Prometheus, ' +
                'and no other Pacer alert can fire.',
              runbook_url: 'http://localhost:8080/runbooks#pacerexporterdown',
              dashboard_url: 'http://localhost:3000/d/pacer-pipeline',
            },
          },
        ],
      },
    ],
  },
];
