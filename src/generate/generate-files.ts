import { messages } from '../domain/language/messages.js';
import { stringify } from 'yaml';
import type { Catalog } from '../domain/catalog/catalog-model.js';
import { ruleGroups } from './alert-rules.js';
import { GENERATED_HEADER, type GenerateOptions } from './generate-options.js';
import { directiveOverviewDashboard } from './grafana/directive-overview-dashboard.js';
import { pipelineDashboard } from './grafana/pipeline-dashboard.js';
import { regionsDashboard } from './grafana/regions-dashboard.js';
import { targetDetailDashboard } from './grafana/target-detail-dashboard.js';
import { alertmanagerConfig, dashboardProvider, datasources, prometheusConfig } from './provisioning.js';

/** Relative path under the output folder → file content. */
export type GeneratedFiles = Map<string, string>;

function yamlFile(value: unknown): string {
  return `# ${GENERATED_HEADER}\n${stringify(value, { lineWidth: 0, sortMapEntries: false })}`;
}

function jsonFile(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * Everything `pacer generate` writes under dashboards/, as a pure function of the catalog and the
 * options: the same inputs give byte-identical files, which a golden test checks.
 */
export function generateFiles(catalog: Catalog, options: GenerateOptions): GeneratedFiles {
  const firstDirective = [...catalog.directives].sort((a, b) => a.id.localeCompare(b.id))[0];
  const firstTarget = catalog.targets
    .filter((t) => t.directiveId === firstDirective?.id)
    .sort((a, b) => a.id.localeCompare(b.id))[0];
  const firstIndicator = firstTarget?.indicatorId;
  const nations = catalog.regionSets
    .map((s) => s.units.find((u) => u.depth === 0)?.code)
    .filter((c): c is string => c !== undefined)
    .sort();

  const files: GeneratedFiles = new Map();
  files.set('prometheus/pacer-rules.yml', yamlFile({ groups: ruleGroups(options) }));
  files.set('prometheus/prometheus.yml', yamlFile(prometheusConfig(options)));
  files.set('alertmanager/alertmanager.yml', yamlFile(alertmanagerConfig()));
  files.set('provisioning/datasources/pacer.yml', yamlFile(datasources()));
  files.set('provisioning/dashboards/pacer.yml', yamlFile(dashboardProvider()));
  const titles = messages[options.lang].dashboards;
  // Times on the dashboards read in the directive's zone, as every other date Pacer shows.
  const timezone = firstDirective?.timezone;
  files.set(
    'grafana/pacer-directive-overview.json',
    jsonFile(directiveOverviewDashboard(firstDirective?.id, { title: titles.overview, timezone })),
  );
  files.set(
    'grafana/pacer-target.json',
    jsonFile(targetDetailDashboard(firstTarget?.id, { title: titles.target, timezone })),
  );
  files.set(
    'grafana/pacer-regions.json',
    jsonFile(regionsDashboard(firstIndicator, nations, { title: titles.regions, timezone })),
  );
  files.set('grafana/pacer-pipeline.json', jsonFile(pipelineDashboard({ title: titles.pipeline, timezone })));
  return files;
}
