import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as table from '@grafana/grafana-foundation-sdk/table';
import { kpiMetrics as k, labels as l } from '../../conventions.js';
import { labelVariable, pacerDashboard, prom, type DashboardLook } from './grafana-queries.js';

/**
 * Dashboard 3: an indicator across the provinces in force now (Viet Nam's 34 since 2025-07-01),
 * with figures reported under the 63 old provinces rolled up into their successors by the
 * evaluation, and the progress of targets set per region.
 */
export function regionsDashboard(
  defaultIndicator: string | undefined,
  nationCodes: string[],
  look: DashboardLook = {},
): dashboard.Dashboard {
  const belowNation = `${l.region}!~"${nationCodes.join('|') || '^$'}"`;
  const provinces = `${l.indicator}="$indicator", ${l.level}="province"`;
  const indicators = `label_values(${k.indicatorValue}{${l.level}="province"}, ${l.indicator})`;
  return pacerDashboard(
    'pacer-regions',
    look.title ?? 'Pacer: regions',
    'An indicator by province, pre-2025 data rolled up into the 2025 provinces.',
    { refresh: '5m', from: 'now-6h', timezone: look.timezone },
  )
    .withVariable(labelVariable('indicator', 'Indicator', indicators, { current: defaultIndicator }))
    .withPanel(
      new bargauge.PanelBuilder()
        .title('$indicator by province')
        .description(
          'The latest value in each province in force (own figure, or rolled up from its communes and from the ' +
            'provinces merged into it), largest first.',
        )
        .withTarget(
          prom('A', `sort_desc(${k.indicatorValue}{${provinces}})`, { instant: true, legend: `{{${l.regionName}}}` }),
        )
        .orientation(common.VizOrientation.Horizontal)
        .displayMode(common.BarGaugeDisplayMode.Basic)
        .height(22)
        .span(14),
    )
    .withPanel(
      new table.PanelBuilder()
        .title('Provinces reporting')
        .description('How many provinces in force have a value, and when the oldest of them was observed.')
        .withTarget(prom('A', `count(${k.indicatorValue}{${provinces}})`, { instant: true, table: true }))
        .withTarget(
          prom('B', `min(${k.indicatorObservedTimestampSeconds}{${provinces}}) * 1000`, { instant: true, table: true }),
        )
        .withTransformation({ id: 'merge', options: {} })
        .withTransformation({
          id: 'organize',
          options: {
            excludeByName: { Time: true },
            renameByName: { 'Value #A': 'Provinces with a value', 'Value #B': 'Oldest value observed' },
          },
        })
        .overrideByName('Oldest value observed', [{ id: 'unit', value: 'dateTimeAsIso' }])
        .height(5)
        .span(10),
    )
    .withPanel(
      new table.PanelBuilder()
        .title('Targets set per region')
        .description('Progress of every target whose region is below the nation, against the expected pace.')
        .withTarget(prom('A', `${k.targetProgressRatio}{${belowNation}}`, { instant: true, table: true }))
        .withTarget(prom('B', `${k.targetExpectedProgressRatio}{${belowNation}}`, { instant: true, table: true }))
        .withTransformation({ id: 'merge', options: {} })
        .withTransformation({
          id: 'organize',
          options: {
            excludeByName: { Time: true, __name__: true, job: true, instance: true },
            renameByName: { 'Value #A': 'Progress', 'Value #B': 'Expected' },
          },
        })
        .overrideByName('Progress', [
          { id: 'unit', value: 'percentunit' },
          { id: 'custom.cellOptions', value: { type: 'gauge', mode: 'basic' } },
        ])
        .overrideByName('Expected', [{ id: 'unit', value: 'percentunit' }])
        .height(17)
        .span(10),
    )
    .build();
}
