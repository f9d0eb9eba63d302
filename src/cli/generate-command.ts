import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { ExitCode } from '../errors/error-mapping.js';
import { InputError } from '../errors/pacer-error.js';
import { commandSetup, runCommand, type CliIo } from './cli-context.js';

/** `pacer generate [--out DIR] [--check]`: Prometheus rules, Grafana dashboards and provisioning. */
export function generateCommand(io: CliIo, setExitCode: (code: number) => void): Command {
  return new Command('generate')
    .description(
      'write the Prometheus rules, Grafana dashboards and provisioning under dashboards/ from the catalog ' +
        '(deterministic)',
    )
    .option('--catalog <dir>', 'catalog directory (default: PACER_CATALOG_DIR or ./catalog)')
    .option('--out <dir>', 'output directory', 'dashboards')
    .option('--check', 'write nothing; exit 1 if a file differs from what would be written')
    .option(
      '--grafana-url <url>',
      'Grafana URL for alert dashboard links (default: PACER_GRAFANA_URL or http://localhost:3000)',
    )
    .option('--public-url <url>', 'Pacer URL for runbook links (default: PACER_PUBLIC_URL or http://localhost:8080)')
    .option('--alert-for <duration>', 'override the `for` of every target and pipeline alert (tests use short ones)')
    .option('--lang <lang>', 'language of the dashboard titles: en (default) or vi; alerts carry both languages')
    .action(
      async (options: {
        catalog?: string;
        out: string;
        check?: boolean;
        grafanaUrl?: string;
        publicUrl?: string;
        alertFor?: string;
        lang?: string;
      }) => {
        setExitCode(
          await runCommand(io, async () => {
            const { config } = await commandSetup(io);
            const [{ loadValidCatalog }, { generateFiles }, { generateOptionsSchema }] = await Promise.all([
              import('../catalog/apply-catalog.js'),
              import('../generate/generate-files.js'),
              import('../generate/generate-options.js'),
            ]);
            const parsed = generateOptionsSchema.safeParse({
              grafanaUrl: options.grafanaUrl ?? (io.env.PACER_GRAFANA_URL || undefined),
              publicUrl: options.publicUrl ?? (io.env.PACER_PUBLIC_URL || undefined),
              targetAlertFor: options.alertFor,
              pipelineAlertFor: options.alertFor,
              lang: options.lang,
            });
            if (!parsed.success)
              throw new InputError(
                'invalid generate options',
                parsed.error.issues.map((i) => ({
                  code: 'invalid_option',
                  field: String(i.path[0]),
                  message: i.message,
                })),
              );
            const { catalog } = await loadValidCatalog(options.catalog ?? config.catalogDir);
            const files = generateFiles(catalog, parsed.data);
            const differing: string[] = [];
            for (const [rel, content] of files) {
              const file = path.join(options.out, rel);
              const current = await readFile(file, 'utf8').catch(() => undefined);
              if (current === content) continue;
              differing.push(file);
              if (!options.check) {
                await mkdir(path.dirname(file), { recursive: true });
                await writeFile(file, content);
              }
            }
            if (options.check) {
              for (const file of differing) io.err(`differs: ${file}`);
              if (differing.length > 0) return ExitCode.userError;
              io.out(`${files.size} files up to date in ${options.out}/`);
              return;
            }
            io.out(
              `${differing.length === 0 ? 'no changes' : `wrote ${differing.join(', ')}`} (${files.size} files in ` +
                `${options.out}/)`,
            );
          }),
        );
      },
    );
}
