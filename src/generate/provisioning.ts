import { alertNames, labels, scrapeJob } from '../conventions.js';
import type { GenerateOptions } from './generate-options.js';

/** Grafana datasources: Prometheus, and PostgreSQL through the read-only role a migration creates. */
export function datasources() {
  return {
    apiVersion: 1,
    datasources: [
      {
        name: 'Prometheus',
        uid: 'pacer-prometheus',
        type: 'prometheus',
        access: 'proxy',
        url: 'http://prometheus:9090',
        isDefault: true,
        jsonData: { timeInterval: '15s' },
      },
      {
        name: 'Pacer PostgreSQL',
        uid: 'pacer-postgres',
        type: 'grafana-postgresql-datasource',
        access: 'proxy',
        url: 'postgres:5432',
        user: 'pacer_reader',
        jsonData: { database: 'pacer', sslmode: 'disable', postgresVersion: 1600, timescaledb: false },
        secureJsonData: { password: '$PACER_READER_PASSWORD' },
      },
    ],
  };
}

export function dashboardProvider() {
  return {
    apiVersion: 1,
    providers: [
      {
        name: 'pacer',
        folder: 'Pacer',
        type: 'file',
        disableDeletion: true,
        allowUiUpdates: false,
        updateIntervalSeconds: 60,
        options: { path: '/var/lib/grafana/dashboards/pacer', foldersFromFilesStructure: false },
      },
    ],
  };
}

/** prometheus.yml for the compose stack: scrape the api role, load the generated rules, alert through Alertmanager. */
export function prometheusConfig(o: GenerateOptions) {
  return {
    global: { scrape_interval: o.scrapeInterval, evaluation_interval: o.scrapeInterval },
    rule_files: ['/etc/prometheus/pacer-rules.yml'],
    alerting: { alertmanagers: [{ static_configs: [{ targets: [o.alertmanagerTarget] }] }] },
    scrape_configs: [{ job_name: scrapeJob, metrics_path: '/metrics', static_configs: [{ targets: [o.pacerTarget] }] }],
  };
}

/**
 * alertmanager.yml: critical alerts grouped per target and repeated every 4 hours, warnings daily.
 * The receivers have no integration: add your email, Slack or webhook configs to them.
 */
export function alertmanagerConfig() {
  return {
    route: {
      receiver: 'pacer-warning',
      group_by: ['alertname', labels.directive, labels.target, labels.feed],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '24h',
      routes: [{ receiver: 'pacer-critical', matchers: ['severity="critical"'], repeat_interval: '4h' }],
    },
    inhibit_rules: [
      // A target that is off track does not also need its at-risk, deadline or unlikely warning.
      {
        source_matchers: [`alertname="${alertNames.targetOffTrack}"`],
        target_matchers: [
          `alertname=~"${alertNames.targetAtRisk}|${alertNames.deadlineApproaching}|${alertNames.targetUnlikely}"`,
        ],
        equal: [labels.target],
      },
      // With Pacer unreachable, every other Pacer alert is noise.
      {
        source_matchers: [`alertname="${alertNames.exporterDown}"`],
        target_matchers: [`alertname=~"Kpi.*|${alertNames.evaluationStale}"`],
      },
    ],
    receivers: [{ name: 'pacer-critical' }, { name: 'pacer-warning' }],
  };
}
