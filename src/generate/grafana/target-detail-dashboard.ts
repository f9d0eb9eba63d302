import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { kpiMetrics as k, labels as l } from '../../conventions.js';
import {
  POSTGRES,
  labelVariable,
  pacerDashboard,
  prom,
  sqlQuery,
  statusMappings,
  type DashboardLook,
} from './grafana-queries.js';

const t = `${l.target}="$target"`;
const targets = `label_values(${k.targetInfo}, ${l.target})`;

function figure(title: string, expr: string, unit?: string): stat.PanelBuilder {
  const panel = new stat.PanelBuilder()
    .title(title)
    .withTarget(prom('A', expr, { instant: true }))
    .graphMode(common.BigValueGraphMode.None)
    .height(4)
    .span(4);
  if (unit) panel.unit(unit);
  return panel;
}

/**
 * The catalog's events that concern the target (naming it, its indicator, or nothing of the directive), as
 * annotations on the history: a SQL annotation query on the PostgreSQL datasource, whose `time`, `text` and
 * `tags` columns Grafana reads as the annotation's instant, text and tags. Catalog apply keeps the table; the
 * dashboard stays static.
 */
function catalogEvents(): dashboard.AnnotationQueryBuilder {
  return new dashboard.AnnotationQueryBuilder()
    .name('Catalog events')
    .datasource(POSTGRES)
    .enable(true)
    .iconColor('purple')
    .target(
      sqlQuery(
        'Events',
        `select e.at as "time", e.text || coalesce(' (' || e.source || ')', '') as "text",
      concat_ws(',', 'catalog-event', e.directive_id) as "tags"
      from catalog_events e join targets t on t.directive_id = e.directive_id
      where t.id = '$target' and $__timeFilter(e.at)
      and (t.id = any(e.target_ids) or e.indicator_id = t.indicator_id
        or (cardinality(e.target_ids) = 0 and e.indicator_id is null))
      order by e.at`,
        'table',
      ),
    );
}

/**
 * Dashboard 2: one target. Its history comes from PostgreSQL (Prometheus only knows "now", and
 * backdated observations live in the database): the observations, the target level, the expected
 * pace from the baseline (through the milestones) and the forecast line to the deadline, with the catalog's
 * events as annotations.
 */
export function targetDetailDashboard(
  defaultTarget: string | undefined,
  look: DashboardLook = {},
): dashboard.Dashboard {
  const history = new timeseries.PanelBuilder()
    .title('History: observations, target, expected pace and forecast')
    .description(
      "Observations of the target's indicator in its region (from PostgreSQL), the target level from baseline to " +
        'deadline, the expected pace and the forecast line from the latest evaluation to the deadline.',
    )
    .withTarget(
      sqlQuery(
        'A',
        `select o.observed_at as "time", o.value as "observed"
      from observations o join targets t on t.indicator_id = o.indicator_id and t.region_id = o.region_id
      where t.id = '$target' and o.dims = '{}'::jsonb and $__timeFilter(o.observed_at) order by 1`,
      ),
    )
    .withTarget(
      sqlQuery(
        'B',
        `select baseline_at as "time", target_value as "target" from targets where id = '$target'
      union all select deadline, target_value from targets where id = '$target' order by 1`,
      ),
    )
    .withTarget(
      sqlQuery(
        'C',
        `select baseline_at as "time", baseline_value as "expected pace" from targets where id = '$target'
      union all select deadline, value from target_milestones where target_id = '$target'
      union all select deadline, target_value from targets where id = '$target' order by 1`,
      ),
    )
    .withTarget(
      sqlQuery(
        'D',
        `with latest as (select * from evaluations where target_id = '$target' order by as_of desc, run_id desc limit 1)
      select as_of as "time", forecast_now_value as "forecast" from latest where forecast_now_value is not null
      union all select t.deadline, l.projected_value from latest l join targets t on t.id = l.target_id where ` +
          `l.projected_value is not null order by 1`,
      ),
    )
    .showPoints(common.VisibilityMode.Always)
    .spanNulls(true)
    .overrideByName('observed', [
      { id: 'custom.drawStyle', value: 'points' },
      { id: 'custom.pointSize', value: 8 },
    ])
    .overrideByName('target', [
      { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } },
      { id: 'color', value: { mode: 'fixed', fixedColor: 'red' } },
    ])
    .overrideByName('expected pace', [{ id: 'color', value: { mode: 'fixed', fixedColor: 'green' } }])
    .overrideByName('forecast', [
      { id: 'custom.lineStyle', value: { fill: 'dot', dash: [2, 6] } },
      { id: 'color', value: { mode: 'fixed', fixedColor: 'orange' } },
    ])
    .height(12)
    .span(24);

  const changes = new table.PanelBuilder()
    .title('Status changes')
    .description("Every change of the target's status, as the evaluations saw it.")
    .withTarget(
      sqlQuery(
        'A',
        `select as_of as "time", coalesce(from_status, '-') as "from", to_status as "to" from target_status_changes
      where target_id = '$target' order by as_of desc limit 100`,
        'table',
      ),
    )
    .overrideByName('to', [
      { id: 'mappings', value: statusMappings() },
      { id: 'custom.cellOptions', value: { type: 'color-text' } },
    ])
    .height(8)
    .span(12);

  const revisions = new table.PanelBuilder()
    .title('Corrections')
    .description('Observations whose value was overwritten by a later batch: the old value is kept.')
    .withTarget(
      sqlQuery(
        'A',
        `select r.revised_at as "time", r.observed_at as "observed", r.old_value as "old value", ` +
          `r.new_value as "new value", r.new_batch_id as "batch"
      from observation_revisions r join targets t on t.indicator_id = r.indicator_id and t.region_id = r.region_id
      where t.id = '$target' order by r.revised_at desc limit 100`,
        'table',
      ),
    )
    .height(8)
    .span(12);

  return pacerDashboard(
    'pacer-target',
    look.title ?? 'Pacer: target detail',
    'One target: its figures now (Prometheus) and its history (PostgreSQL).',
    { refresh: '1m', from: 'now-5y', to: 'now+1y', timezone: look.timezone },
  )
    .withVariable(labelVariable('target', 'Target', targets, { current: defaultTarget }))
    .annotation(catalogEvents())
    .withPanel(
      new stat.PanelBuilder()
        .title('Status')
        .withTarget(prom('A', `${k.targetStatus}{${t}} == 1`, { instant: true, legend: `{{${l.status}}}` }))
        .textMode(common.BigValueTextMode.Name)
        .colorMode(common.BigValueColorMode.Background)
        .graphMode(common.BigValueGraphMode.None)
        .overrides([
          { matcher: { id: 'byFrameRefID', options: 'A' }, properties: [{ id: 'mappings', value: statusMappings() }] },
        ])
        .height(4)
        .span(4),
    )
    .withPanel(figure('Current', `${k.targetCurrentValue}{${t}}`))
    .withPanel(figure('Target', `${k.targetValue}{${t}}`))
    .withPanel(figure('Projected at deadline', `${k.targetProjectedValue}{${t}}`))
    .withPanel(
      figure('Progress / expected', `${k.targetProgressRatio}{${t}}`, 'percentunit').withTarget(
        prom('B', `${k.targetExpectedProgressRatio}{${t}}`, { instant: true }),
      ),
    )
    .withPanel(figure('Deadline', `${k.targetDeadlineTimestampSeconds}{${t}} * 1000`, 'dateTimeAsIsoNoDateIfToday'))
    .withPanel(history)
    .withPanel(changes)
    .withPanel(revisions)
    .build();
}
