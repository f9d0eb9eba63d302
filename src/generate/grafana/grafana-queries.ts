import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import { GENERATED_HEADER } from '../generate-options.js';

/** The datasources the provisioning creates, by fixed uid so dashboards can name them. */
export const PROMETHEUS: common.DataSourceRef = { type: 'prometheus', uid: 'pacer-prometheus' };
export const POSTGRES: common.DataSourceRef = { type: 'grafana-postgresql-datasource', uid: 'pacer-postgres' };

/** A Prometheus query: instant (tables, stats) or range (graphs). */
export function prom(
  refId: string,
  expr: string,
  options: { legend?: string; instant?: boolean; table?: boolean } = {},
): prometheus.DataqueryBuilder {
  const q = new prometheus.DataqueryBuilder()
    .datasource(PROMETHEUS)
    .refId(refId)
    .expr(expr)
    .editorMode(prometheus.QueryEditorMode.Code);
  if (options.legend) q.legendFormat(options.legend);
  if (options.instant) q.instant();
  else q.range();
  if (options.table) q.format(prometheus.PromQueryFormat.Table);
  return q;
}

interface PostgresQuery extends cog.Dataquery {
  refId: string;
  datasource: common.DataSourceRef;
  editorMode: 'code';
  format: 'time_series' | 'table';
  rawQuery: true;
  rawSql: string;
}

/**
 * A query for Grafana's PostgreSQL datasource, which the SDK has no builder for. History lives
 * in PostgreSQL, not Prometheus: backdated observations only exist there.
 */
export class PostgresQueryBuilder implements cog.Builder<cog.Dataquery> {
  constructor(private readonly query: { refId: string; sql: string; format: 'time_series' | 'table' }) {}

  build(): cog.Dataquery {
    const q: PostgresQuery = {
      refId: this.query.refId,
      datasource: POSTGRES,
      editorMode: 'code',
      format: this.query.format,
      rawQuery: true,
      rawSql: this.query.sql.replace(/\s+/g, ' ').trim(),
      _implementsDataqueryVariant() {},
    };
    return q;
  }
}

export const sqlQuery = (refId: string, sql: string, format: 'time_series' | 'table' = 'time_series') =>
  new PostgresQueryBuilder({ refId, sql, format });

/** A variable filled from a Prometheus label. */
export function labelVariable(
  name: string,
  label: string,
  query: string,
  options: { multi?: boolean; current?: string } = {},
): dashboard.QueryVariableBuilder {
  const v = new dashboard.QueryVariableBuilder(name)
    .label(label)
    .datasource(PROMETHEUS)
    .query({ query, refId: `${name}-variable`, qryType: 1 })
    .definition(query)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc);
  if (options.multi) v.multi(true).includeAll(true).allValue('.*');
  if (options.current) v.current({ text: options.current, value: options.current, selected: true });
  return v;
}

/** Status colours, with the status text always shown beside them. */
export const statusColours: Record<string, string> = {
  achieved: 'blue',
  on_track: 'green',
  at_risk: 'orange',
  off_track: 'red',
  missed: 'dark-red',
  no_data: 'purple',
};

export function statusMappings(): dashboard.ValueMapping[] {
  const options: Record<string, dashboard.ValueMappingResult> = {};
  Object.entries(statusColours).forEach(([status, color], index) => {
    options[status] = { text: status.replace('_', ' '), color, index };
  });
  return [{ type: dashboard.MappingType.ValueToText, options }];
}

/**
 * How a dashboard reads: its title (in the language asked for) and the time zone its times are shown in:
 * the directive's, where its people read dates, whatever the browser's.
 */
export interface DashboardLook {
  title?: string;
  timezone?: string;
}

/** A Pacer dashboard: fixed uid, the generated header in its description, read-only, the directive's time. */
export function pacerDashboard(
  uid: string,
  title: string,
  description: string,
  view: { refresh: string; from: string; to?: string; timezone?: string },
): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder(title)
    .uid(uid)
    .description(`${description} ${GENERATED_HEADER}`)
    .tags(['pacer', 'generated'])
    .timezone(view.timezone ?? 'browser')
    .refresh(view.refresh)
    .time({ from: view.from, to: view.to ?? 'now' })
    .readonly();
}
