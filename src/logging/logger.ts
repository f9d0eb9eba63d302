import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/**
 * JSON logs for machines; when stdout is a terminal, the same records pretty-printed for people.
 * Pretty printing runs synchronously in-process (no transport thread) so nothing is lost on exit.
 */
export function createLogger(options: {
  level: string;
  pretty?: boolean;
  destination?: NodeJS.WritableStream;
}): Logger {
  const usePretty = options.pretty ?? Boolean(process.stdout.isTTY);
  const base = { level: options.level, base: { service: 'pacer' } };
  if (usePretty) {
    return pino(
      base,
      pretty({
        sync: true,
        colorize: true,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname,service',
        destination: options.destination ?? 1,
      }),
    );
  }
  return pino(base, options.destination ?? pino.destination({ sync: false }));
}
