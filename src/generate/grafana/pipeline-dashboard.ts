import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import * as common from '@grafana/grafana-foundation-sdk/common';
import { kpiMetrics as k, labels as l, pacerMetrics as p, recordingRuleNames, scrapeJob } from '../../conventions.js';
import { pacerDashboard, prom, type DashboardLook } from './grafana-queries.js';

function graph(
  title: string,
  description: string,
  unit: string,
  ...queries: [expr: string, legend: string][]
): timeseries.PanelBuilder {
  const panel = new timeseries.PanelBuilder().title(title).description(description).unit(unit).height(8).span(12);
  queries.forEach(([expr, legend], i) => panel.withTarget(prom(String.fromCharCode(65 + i), expr, { legend })));
  return panel;
}

/** Dashboard 4: is the pipeline itself healthy? Feeds, ingestion, evaluation, the exporter. */
export function pipelineDashboard(look: DashboardLook = {}): dashboard.Dashboard {
  const title = look.title ?? 'Pacer: feeds and pipeline';
  return pacerDashboard('pacer-pipeline', title, 'Scheduled feeds, ingestion, evaluation and the exporter.', {
    timezone: look.timezone,
    refresh: '30s',
    from: 'now-24h',
  })
    .withPanel(
      new table.PanelBuilder()
        .title('Feeds')
        .description(
          'Per feed: time since the last success, its expected interval and staleness (1 = one interval late).',
        )
        .withTarget(prom('A', `time() - ${k.feedLastSuccessTimestampSeconds}`, { instant: true, table: true }))
        .withTarget(prom('B', k.feedExpectedIntervalSeconds, { instant: true, table: true }))
        .withTarget(prom('C', recordingRuleNames.feedStaleness, { instant: true, table: true }))
        .withTransformation({ id: 'merge', options: {} })
        .withTransformation({
          id: 'organize',
          options: {
            excludeByName: { Time: true, __name__: true, job: true, instance: true },
            renameByName: { 'Value #A': 'Since last success', 'Value #B': 'Expected every', 'Value #C': 'Staleness' },
          },
        })
        .overrideByName('Since last success', [{ id: 'unit', value: 's' }])
        .overrideByName('Expected every', [{ id: 'unit', value: 's' }])
        .overrideByName('Staleness', [
          { id: 'custom.cellOptions', value: { type: 'color-background' } },
          {
            id: 'thresholds',
            value: {
              mode: 'absolute',
              steps: [
                { value: null, color: 'green' },
                { value: 1, color: 'orange' },
                { value: 2, color: 'red' },
              ],
            },
          },
        ])
        .height(8)
        .span(12),
    )
    .withPanel(
      graph('Feed runs', 'Runs per hour by feed and outcome.', 'short', [
        `sum by (${l.feed}, ${l.outcome}) (increase(${k.feedRunsTotal}[1h]))`,
        `{{${l.feed}}} {{${l.outcome}}}`,
      ]),
    )
    .withPanel(
      graph(
        'Rows ingested',
        'Rows per second by source and outcome (inserted, updated, unchanged, rejected).',
        'rowsps',
        [`sum by (${l.source}, ${l.outcome}) (rate(${p.ingestRowsTotal}[5m]))`, `{{${l.source}}} {{${l.outcome}}}`],
        [`sum by (${l.feed}, ${l.outcome}) (rate(${k.feedRowsTotal}[5m]))`, `feed {{${l.feed}}} {{${l.outcome}}}`],
      ),
    )
    .withPanel(
      graph('Rejected rows', 'Rows rejected as invalid in the last 15 minutes.', 'short', [
        `sum by (${l.source}) (increase(${p.ingestRowsTotal}{${l.outcome}="rejected"}[15m]))`,
        `{{${l.source}}}`,
      ]),
    )
    .withPanel(
      graph(
        'Evaluation',
        'Time to evaluate every target (95th percentile) and how old the exported evaluation is.',
        's',
        [
          `histogram_quantile(0.95, sum by (${l.le}) (rate(${p.evaluationDurationSeconds}_bucket[15m])))`,
          'p95 duration',
        ],
        [`time() - ${k.evaluationTimestampSeconds}`, 'age'],
      ),
    )
    .withPanel(
      graph('HTTP', 'Requests per second by route and status.', 'reqps', [
        `sum by (${l.route}, ${l.status}) (rate(${p.httpRequestsTotal}[5m]))`,
        `{{${l.route}}} {{${l.status}}}`,
      ]),
    )
    .withPanel(
      new stat.PanelBuilder()
        .title('KPI series exported')
        .description('Series in the KPI exposition, and series dropped by the cap (PACER_METRICS_MAX_SERIES).')
        .withTarget(prom('A', p.kpiSeries, { instant: true, legend: 'exported' }))
        .withTarget(prom('B', p.kpiSeriesDropped, { instant: true, legend: 'dropped' }))
        .graphMode(common.BigValueGraphMode.None)
        .height(8)
        .span(6),
    )
    .withPanel(
      new stat.PanelBuilder()
        .title('Scrape')
        .description('Whether Prometheus reaches Pacer.')
        .withTarget(prom('A', `up{${l.job}="${scrapeJob}"}`, { instant: true, legend: `{{${l.instance}}}` }))
        .mappings([
          {
            type: dashboard.MappingType.ValueToText,
            options: { '0': { text: 'down', color: 'red', index: 0 }, '1': { text: 'up', color: 'green', index: 1 } },
          },
        ])
        .colorMode(common.BigValueColorMode.Background)
        .graphMode(common.BigValueGraphMode.None)
        .height(8)
        .span(6),
    )
    .build();
}
