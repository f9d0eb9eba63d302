import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as common from '@grafana/grafana-foundation-sdk/common';
import { kpiMetrics as k, labels as l, targetStatuses } from '../../conventions.js';
import {
  labelVariable,
  pacerDashboard,
  type DashboardLook,
  prom,
  statusColours,
  statusMappings,
} from './grafana-queries.js';

const scope = `${l.directive}="$directive", ${l.owner}=~"$owner"`;

/** Dashboard 1: a directive's targets, counted by status, and the table of every target. */
export function directiveOverviewDashboard(
  defaultDirective: string | undefined,
  look: DashboardLook = {},
): dashboard.Dashboard {
  const directives = `label_values(${k.targetInfo}, ${l.directive})`;
  const owners = `label_values(${k.targetInfo}{${l.directive}="$directive"}, ${l.owner})`;
  const d = pacerDashboard(
    'pacer-directive-overview',
    look.title ?? 'Pacer: directive overview',
    'Every target of a directive: how many are on track, and the figures behind each.',
    { refresh: '1m', from: 'now-6h', timezone: look.timezone },
  )
    .withVariable(labelVariable('directive', 'Directive', directives, { current: defaultDirective }))
    .withVariable(labelVariable('owner', 'Owner', owners, { multi: true }));

  for (const status of targetStatuses) {
    d.withPanel(
      new stat.PanelBuilder()
        .title(status.replace('_', ' '))
        .description(`Targets whose current status is ${status}.`)
        .withTarget(
          prom('A', `count(${k.targetStatus}{${scope}, ${l.status}="${status}"} == 1) or vector(0)`, { instant: true }),
        )
        .colorMode(common.BigValueColorMode.Background)
        .graphMode(common.BigValueGraphMode.None)
        .thresholds(
          new dashboard.ThresholdsConfigBuilder()
            .mode(dashboard.ThresholdsMode.Absolute)
            .steps([{ value: null, color: statusColours[status]! }]),
        )
        .height(4)
        .span(4),
    );
  }

  // Every column's query carries the same labels (title, due and status joined in), so Grafana's
  // "merge" transformation lines them up into one row per target.
  const withLabels = (metric: string) =>
    `${metric}{${scope}} * on(${l.target}) group_left(${l.title}, ${l.due}) ${k.targetInfo} ` +
    `* on(${l.target}) group_left(${l.status}) (${k.targetStatus} == 1)`;
  const columns = [
    ['A', k.targetCurrentValue, 'Current'],
    ['B', k.targetValue, 'Target'],
    ['C', k.targetProgressRatio, 'Progress'],
    ['D', k.targetExpectedProgressRatio, 'Expected'],
    ['E', k.targetProjectedValue, 'Projected at deadline'],
  ] as const;
  const targetsTable = new table.PanelBuilder()
    .title('Targets')
    .description(
      'Each target with its owner, due date, current value, target, progress against the expected pace, the ' +
        'forecast at the deadline and its status.',
    );
  for (const [ref, metric] of columns)
    targetsTable.withTarget(prom(ref, withLabels(metric), { instant: true, table: true }));
  targetsTable
    .withTransformation({ id: 'merge', options: {} })
    .withTransformation({
      id: 'organize',
      options: {
        excludeByName: Object.fromEntries(
          ['Time', '__name__', 'job', 'instance', 'indicator', 'directive'].map((n) => [n, true]),
        ),
        renameByName: {
          target: 'Target',
          title: 'Title',
          owner: 'Owner',
          due: 'Due',
          region: 'Region',
          status: 'Status',
          ...Object.fromEntries(columns.map(([ref, , label]) => [`Value #${ref}`, label])),
        },
        indexByName: {
          status: 0,
          target: 1,
          title: 2,
          owner: 3,
          due: 4,
          region: 5,
          'Value #A': 6,
          'Value #B': 7,
          'Value #C': 8,
          'Value #D': 9,
          'Value #E': 10,
        },
      },
    })
    .withTransformation({ id: 'sortBy', options: { sort: [{ field: 'Progress' }] } })
    .overrideByName('Status', [
      { id: 'mappings', value: statusMappings() },
      { id: 'custom.cellOptions', value: { type: 'color-background' } },
    ])
    .overrideByName('Progress', [{ id: 'unit', value: 'percentunit' }])
    .overrideByName('Expected', [{ id: 'unit', value: 'percentunit' }])
    .overrideByName('Target', [
      { id: 'links', value: [{ title: 'Target detail', url: '/d/pacer-target?var-target=${__value.raw}' }] },
    ])
    .height(14)
    .span(24);
  d.withPanel(targetsTable);
  return d.build();
}
