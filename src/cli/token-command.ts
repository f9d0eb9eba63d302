import { Command, Option } from 'commander';
import { parseScope } from '../domain/observations/indicator-scope.js';
import type * as TokenRoutes from '../auth/token-routes.js';
import { roles } from '../auth/token-store.js';
import { InputError, UnavailableError } from '../errors/pacer-error.js';
import { fillPath } from '../http/route.js';
import type { PacerServices } from '../main.js';
import { NONE } from '../domain/format/value-format.js';
import { formatLocalDateTime } from '../domain/time/zoned-time.js';
import { ApiClient } from './api-client.js';
import { commandSetup, runCommand, withServices, type CliIo } from './cli-context.js';

type TokenView = ReturnType<typeof TokenRoutes.tokenView>;

interface RemoteOptions {
  url?: string;
  token?: string;
}

/**
 * `pacer token create|list|revoke`. Without --url it opens the database directly (beside a running
 * `npm start`, through the socket it shares); with --url (or PACER_URL) it asks a running server,
 * with an admin token.
 */
export function tokenCommand(io: CliIo, setExitCode: (code: number) => void): Command {
  const token = new Command('token').description('manage API tokens (shown once, stored as hashes)');
  const remote = (c: Command) =>
    c
      .option('--url <url>', 'manage tokens through this running server (default: PACER_URL; unset: open the database)')
      .option('--token <token>', 'an admin token for --url (default: PACER_TOKEN, or PACER_ADMIN_TOKEN)');

  remote(
    token
      .command('create')
      .description('create a token and print it on stdout (once: only its hash is kept)')
      .requiredOption('--feed <name>', 'the feed (team or system) the token writes for')
      .addOption(new Option('--role <role>', 'reader, writer or admin').choices(roles).default('writer'))
      .option(
        '--indicators <patterns>',
        "writers: comma-separated indicator ids or patterns, e.g. 'vneid_*,chip_id_cards_issued' (default: all)",
      ),
  ).action(async (options: RemoteOptions & { feed: string; role: string; indicators?: string }) => {
    setExitCode(
      await runCommand(io, async () => {
        const { tokenPaths, tokenView } = await import('../auth/token-routes.js');
        let indicators: string[] | undefined;
        if (options.indicators !== undefined) {
          const scope = parseScope(options.indicators);
          if (scope.invalid.length > 0 || scope.patterns.length === 0)
            throw new InputError(
              `--indicators: expected ids or patterns of a-z, 0-9, _ and *, got "${options.indicators}"`,
            );
          indicators = scope.patterns;
        }
        const request = { feed: options.feed, role: options.role, indicators };
        const created = await viaApiOrDatabase(io, options, {
          api: (client) =>
            client.json<{ token: string; info: TokenView; unmatched: string[] }>('POST', tokenPaths.tokens, request),
          database: async (services) => {
            const known = await services.catalog.indicatorIds();
            const result = await services.tokens.create(request, known);
            return { token: result.token, info: tokenView(result.record), unmatched: result.unmatched };
          },
        });
        for (const pattern of created.unmatched)
          io.err(`warning: --indicators pattern "${pattern}" matches no indicator in the catalog`);
        io.err(
          `token ${created.info.id} for feed ${created.info.feed} (${describe(created.info)}); store it now, it is ` +
            `not shown again:`,
        );
        io.out(created.token);
      }),
    );
  });

  remote(
    token
      .command('list')
      .description(
        'list tokens: id, feed, role and scope, prefix, created, last used, state (times local, with their offset)',
      ),
  ).action(async (options: RemoteOptions) => {
    setExitCode(
      await runCommand(io, async () => {
        const { tokenPaths, tokenView } = await import('../auth/token-routes.js');
        // Times in the directive's zone from the database; a server's catalog is not at hand, so through
        // --url in this machine's zone. Either way with the offset, so they read unambiguously.
        const { list, timezone } = await viaApiOrDatabase(io, options, {
          api: async (client) => ({
            list: (await client.json<{ items: TokenView[] }>('GET', tokenPaths.tokens)).items,
            timezone: machineTimeZone(),
          }),
          database: async (services) => ({
            list: (await services.tokens.list()).map(tokenView),
            timezone: await services.catalog.defaultTimeZone(),
          }),
        });
        if (list.length === 0) {
          io.out('no tokens; create one with pacer token create --feed NAME');
          return;
        }
        const local = (iso: string | null) => (iso === null ? NONE : formatLocalDateTime(Date.parse(iso), timezone));
        const rows = list.map((t) => [
          String(t.id),
          t.feed,
          describe(t),
          `${t.prefix}…`,
          local(t.created_at),
          local(t.last_used_at),
          t.revoked_at ? `revoked ${local(t.revoked_at)}` : 'active',
        ]);
        const header = ['ID', 'FEED', 'ROLE', 'PREFIX', 'CREATED', 'LAST USED', 'STATE'];
        // Tab-separated, as before the header: `cut -f1` and scripts keep working.
        for (const cells of [header, ...rows]) io.out(cells.join('\t'));
      }),
    );
  });

  remote(
    token
      .command('revoke')
      .description('revoke a token: it stops working at once')
      .argument('<id>', 'the token id (pacer token list)'),
  ).action(async (id: string, options: RemoteOptions) => {
    setExitCode(
      await runCommand(io, async () => {
        const { tokenPaths, tokenView } = await import('../auth/token-routes.js');
        if (!/^\d+$/.test(id)) throw new InputError(`expected a token id (a number), got "${id}"`);
        const { revoked, timezone } = await viaApiOrDatabase(io, options, {
          api: async (client) => ({
            revoked: await client.json<TokenView>('DELETE', fillPath(tokenPaths.token, { id })),
            timezone: machineTimeZone(),
          }),
          database: async (services) => ({
            revoked: tokenView(await services.tokens.revoke(Number(id))),
            timezone: await services.catalog.defaultTimeZone(),
          }),
        });
        const at = revoked.revoked_at ? formatLocalDateTime(Date.parse(revoked.revoked_at), timezone) : NONE;
        io.out(`token ${revoked.id} (${revoked.feed}, ${revoked.prefix}…) revoked at ${at}`);
      }),
    );
  });
  return token;
}

/** The zone this machine's clock reads in (TZ, else the system's). */
function machineTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

function describe(t: TokenView): string {
  return t.role === 'writer' ? `writer of ${t.indicators ? t.indicators.join(',') : 'all indicators'}` : t.role;
}

async function viaApiOrDatabase<T>(
  io: CliIo,
  options: RemoteOptions,
  how: { api: (client: ApiClient) => Promise<T>; database: (services: PacerServices) => Promise<T> },
): Promise<T> {
  const { config } = await commandSetup(io);
  const url = options.url ?? config.api.url;
  if (url) return how.api(new ApiClient(url, options.token ?? config.api.token ?? config.adminToken));
  try {
    return await withServices(io, how.database);
  } catch (error) {
    if (error instanceof UnavailableError && error.code === 'database_locked') {
      throw new UnavailableError(
        `${error.message}; or manage tokens through it: set PACER_ADMIN_TOKEN for the server and run pacer token ... ` +
          `--url http://127.0.0.1:${config.port} --token <that admin token>`,
        { code: error.code, cause: error },
      );
    }
    throw error;
  }
}
