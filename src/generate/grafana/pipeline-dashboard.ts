import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import * as common from '@grafana/grafana-foundation-sdk/common';
import { pacerDashboard, prom } from './grafana-queries.js';

function graph(title: string, description: string, unit: string, ...queries: [expr: string, legend: string][]): timeseries.PanelBuilder {
  const panel = new timeseries.PanelBuilder().title(title).description(description).unit(unit).height(8).span(12);
  queries.forEach(([expr, legend], i) => panel.withTarget(prom(String.fromCharCode(65 + i), expr, { legend })));
  return panel;
}

/** Dashboard 4: is the pipeline itself healthy? Feeds, ingestion, evaluation, the exporter. */
export function pipelineDashboard(): dashboard.Dashboard {
  return pacerDashboard('pacer-pipeline', 'Pacer: feeds and pipeline', 'Scheduled feeds, ingestion, evaluation and the exporter.', { refresh: '30s', from: 'now-24h' })
    .withPanel(
      new table.PanelBuilder()
        .title('Feeds')
        .description('Per feed: time since the last success, its expected interval and staleness (1 = one interval late).')
        .withTarget(prom('A', 'time() - kpi_feed_last_success_timestamp_seconds', { instant: true, table: true }))
        .withTarget(prom('B', 'kpi_feed_expected_interval_seconds', { instant: true, table: true }))
        .withTarget(prom('C', 'feed:kpi_feed_staleness:ratio', { instant: true, table: true }))
        .withTransformation({ id: 'merge', options: {} })
        .withTransformation({ id: 'organize', options: { excludeByName: { Time: true, __name__: true, job: true, instance: true }, renameByName: { 'Value #A': 'Since last success', 'Value #B': 'Expected every', 'Value #C': 'Staleness' } } })
        .overrideByName('Since last success', [{ id: 'unit', value: 's' }])
        .overrideByName('Expected every', [{ id: 'unit', value: 's' }])
        .overrideByName('Staleness', [{ id: 'custom.cellOptions', value: { type: 'color-background' } }, { id: 'thresholds', value: { mode: 'absolute', steps: [{ value: null, color: 'green' }, { value: 1, color: 'orange' }, { value: 2, color: 'red' }] } }])
        .height(8)
        .span(12),
    )
    .withPanel(graph('Feed runs', 'Runs per hour by feed and outcome.', 'short', ['sum by (feed, outcome) (increase(kpi_feed_runs_total[1h]))', '{{feed}} {{outcome}}']))
    .withPanel(graph('Rows ingested', 'Rows per second by source and outcome (inserted, updated, unchanged, rejected).', 'rowsps', ['sum by (source, outcome) (rate(pacer_ingest_rows_total[5m]))', '{{source}} {{outcome}}'], ['sum by (feed, outcome) (rate(kpi_feed_rows_total[5m]))', 'feed {{feed}} {{outcome}}']))
    .withPanel(graph('Rejected rows', 'Rows rejected as invalid in the last 15 minutes.', 'short', ['sum by (source) (increase(pacer_ingest_rows_total{outcome="rejected"}[15m]))', '{{source}}']))
    .withPanel(graph('Evaluation', 'Time to evaluate every target (95th percentile) and how old the exported evaluation is.', 's', ['histogram_quantile(0.95, sum by (le) (rate(pacer_evaluation_duration_seconds_bucket[15m])))', 'p95 duration'], ['time() - kpi_evaluation_timestamp_seconds', 'age']))
    .withPanel(graph('HTTP', 'Requests per second by route and status.', 'reqps', ['sum by (route, status) (rate(pacer_http_requests_total[5m]))', '{{route}} {{status}}']))
    .withPanel(
      new stat.PanelBuilder()
        .title('KPI series exported')
        .description('Series in the KPI exposition, and series dropped by the cap (PACER_METRICS_MAX_SERIES).')
        .withTarget(prom('A', 'pacer_kpi_series', { instant: true, legend: 'exported' }))
        .withTarget(prom('B', 'pacer_kpi_series_dropped', { instant: true, legend: 'dropped' }))
        .graphMode(common.BigValueGraphMode.None)
        .height(8)
        .span(6),
    )
    .withPanel(
      new stat.PanelBuilder()
        .title('Scrape')
        .description('Whether Prometheus reaches Pacer.')
        .withTarget(prom('A', 'up{job="pacer"}', { instant: true, legend: '{{instance}}' }))
        .mappings([{ type: dashboard.MappingType.ValueToText, options: { '0': { text: 'down', color: 'red', index: 0 }, '1': { text: 'up', color: 'green', index: 1 } } }])
        .colorMode(common.BigValueColorMode.Background)
        .graphMode(common.BigValueGraphMode.None)
        .height(8)
        .span(6),
    )
    .build();
}
