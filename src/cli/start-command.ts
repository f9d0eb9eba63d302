import { Command } from 'commander';
import { ExitCode } from '../errors/error-mapping.js';
import { InputError } from '../errors/pacer-error.js';
import { parseRoles, roleNames } from '../roles/role.js';
import { commandSetup, ownerNote, reportError, runCommand, type CliIo } from './cli-context.js';

/** Time past the shutdown grace for closing connections, after which a stopping process exits anyway. */
const STOP_MARGIN_MS = 5_000;

/** `pacer start`: run the given roles until SIGINT or SIGTERM. */
export function startCommand(io: CliIo, setExitCode: (code: number) => void): Command {
  return new Command('start')
    .description('migrate, apply the catalog, load the demo data once, and run the roles')
    .option('--roles <roles>', `comma-separated roles among ${roleNames.join(', ')}`, roleNames.join(','))
    .action(async (options: { roles: string }) => {
      const code = await runCommand(io, async () => {
        const roles = parseRoles(options.roles);
        if ('unknown' in roles)
          throw new InputError(
            `--roles: unknown role(s) ${roles.unknown.join(', ')}; expected ${roleNames.join(', ')}`,
          );
        const [{ loadConfig }, { createLogger }, { runPacer }] = await Promise.all([
          import('../config/env-schema.js'),
          import('../logging/logger.js'),
          import('../main.js'),
        ]);
        const config = loadConfig(io.env);
        const logger = createLogger({ level: config.logLevel });
        // Signals are handled from the first moment: one arriving while the roles start (the
        // api may already answer) stops them as soon as they are up, never kills half-way.
        const abort = new AbortController();
        const starting = runPacer(config, logger, roles, abort.signal);
        const shutdown = (signal: string) => {
          if (abort.signal.aborted) {
            logger.warn({ signal }, 'second signal: exiting now');
            process.exit(ExitCode.systemError);
          }
          abort.abort(new Error(`stopped by ${signal} while starting`));
          logger.info({ signal }, 'stopping');
          // Whatever a role waits on, the process is gone shortly after the grace period its runs get.
          setTimeout(() => {
            logger.error({ graceMs: config.feeds.shutdownGraceMs }, 'not stopped within the grace period: exiting');
            logger.flush();
            process.exit(ExitCode.systemError);
          }, config.feeds.shutdownGraceMs + STOP_MARGIN_MS).unref();
          starting
            // Stopped before the roles were up: runPacer has already stopped what had started.
            .then(
              (running) => running.stop(),
              () => undefined,
            )
            .then(
              () => {
                logger.info('stopped');
                logger.flush();
                process.exit(ExitCode.ok);
              },
              (error: unknown) => {
                reportError(io, error);
                process.exit(ExitCode.systemError);
              },
            );
        };
        process.on('SIGINT', () => shutdown('SIGINT'));
        process.on('SIGTERM', () => shutdown('SIGTERM'));
        await starting.catch((error: unknown) => {
          if (!abort.signal.aborted) throw error;
        });
      });
      if (code !== ExitCode.ok) setExitCode(code);
    });
}

/** `pacer migrate`: bring the database schema up to date. */
export function migrateCommand(io: CliIo, setExitCode: (code: number) => void): Command {
  return new Command('migrate').description('bring the database schema up to date').action(async () => {
    setExitCode(await runCommand(io, () => migrate(io)));
  });
}

/** Migrates the configured database with the storage engine alone: no catalog, no roles. */
async function migrate(io: CliIo): Promise<void> {
  const { config, logger } = await commandSetup(io);
  const [{ createDatabase }, { migrateToLatest }] = await Promise.all([
    import('../storage/database.js'),
    import('../storage/migrator.js'),
  ]);
  const database = await createDatabase({ url: config.databaseUrl, dataDir: config.dataDir, logger, viaOwner: true });
  if (database.owner) io.err(ownerNote(config.dataDir, database.owner));
  try {
    const ran = await migrateToLatest(database.db);
    io.out(ran.length === 0 ? `database schema is up to date (${database.kind})` : `migrated: ${ran.join(', ')}`);
  } finally {
    await database.close();
  }
}
