import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { languages, type Language } from '../conventions.js';
import { ConfigError, type InputIssue } from '../errors/pacer-error.js';

const postgresUrl = z
  .string()
  .refine((v) => /^postgres(ql)?:\/\//.test(v), { message: 'expected a postgres:// or postgresql:// URL' })
  .refine((v) => URL.canParse(v), { message: 'not a valid URL' });

const redisUrl = z
  .string()
  .refine((v) => /^rediss?:\/\//.test(v) && URL.canParse(v), { message: 'expected a redis:// or rediss:// URL' });

const booleanFlag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'], { message: 'expected true or false' })
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

/** A size in bytes: `1048576`, `512k`, `256m`, `1g` (powers of 1024). */
const byteSize = z
  .string()
  .regex(/^\d+\s*([kmg]i?b?)?$/i, { message: 'expected bytes, e.g. 268435456 or 256m' })
  .transform((v) => Number(/^\d+/.exec(v)![0]) * 1024 ** ' kmg'.indexOf((/[kmg]/i.exec(v)?.[0] ?? ' ').toLowerCase()))
  .pipe(z.number().int().min(1024, { message: 'at least 1k' }));

/** Cron expressions are checked with the parser the schedulers use. */
function cronCheck(value: string, ctx: z.RefinementCtx): void {
  try {
    CronExpressionParser.parse(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `not a valid cron expression: ${(error as Error).message}` });
  }
}

/**
 * Every environment variable Pacer reads, validated once at start. Unset and empty mean the same:
 * the default applies. The README's configuration table is written from this schema.
 */
export const envSchema = z.object({
  DATABASE_URL: postgresUrl.optional(),
  REDIS_URL: redisUrl.optional(),
  PORT: z.coerce.number({ message: 'expected a port number' }).int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  PACER_DATA_DIR: z.string().min(1).default('./.pacer'),
  PACER_CATALOG_DIR: z.string().min(1).default('./catalog'),
  PACER_DEMO_DATA: booleanFlag.default(true),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PACER_FORECAST_WINDOW_DAYS: z.coerce
    .number({ message: 'expected a number of days' })
    .int()
    .min(1)
    .max(3650)
    .default(180),
  PACER_EVALUATION_RETENTION_DAYS: z.coerce.number({ message: 'expected a number of days' }).int().min(1).default(90),
  PACER_METRICS_MAX_SERIES: z.coerce.number({ message: 'expected a number' }).int().min(1).default(500_000),
  PACER_READER_PASSWORD: z.string().min(8, { message: 'use at least 8 characters' }).optional(),
  PACER_METRICS_REFRESH_SECONDS: z.coerce
    .number({ message: 'expected a number of seconds' })
    .min(0.1)
    .max(3600)
    .default(10),
  // Ingestion: push API limits and auth; PACER_URL and PACER_TOKEN are for `pacer push` and `pacer token`.
  PACER_INGEST_MAX_BYTES: byteSize.default(256 * 1024 * 1024),
  PACER_INGEST_CONCURRENCY: z.coerce.number({ message: 'expected a number' }).int().min(1).max(256).default(4),
  // Unset: half of PACER_INGEST_CONCURRENCY, at least 1 (derived in loadConfig).
  PACER_INGEST_TOKEN_CONCURRENCY: z.coerce.number({ message: 'expected a number' }).int().min(1).max(256).optional(),
  PACER_INGEST_QUEUE_SECONDS: z.coerce.number({ message: 'expected a number of seconds' }).min(0).max(600).default(10),
  PACER_INGEST_IDLE_TIMEOUT_SECONDS: z.coerce
    .number({ message: 'expected a number of seconds' })
    .min(0.1)
    .max(3600)
    .default(30),
  PACER_INGEST_MAX_SECONDS: z.coerce
    .number({ message: 'expected a number of seconds' })
    .min(1)
    .max(86_400)
    .default(600),
  PACER_READ_AUTH: z.enum(['open', 'token']).default('open'),
  PACER_ADMIN_TOKEN: z.string().min(24, { message: 'use at least 24 characters (openssl rand -hex 24)' }).optional(),
  // Scheduled feeds and workers.
  PACER_JOBS_DIR: z.string().min(1).default('./jobs'),
  PACER_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]+$/, { message: 'expected letters, digits, _ . : -' })
    .default('pacer'),
  PACER_WORKER_CONCURRENCY: z.coerce.number({ message: 'expected a number' }).int().min(1).max(64).default(2),
  PACER_WORKER_LOCK_SECONDS: z.coerce.number({ message: 'expected a number of seconds' }).min(1).max(3600).default(60),
  PACER_SHUTDOWN_GRACE_SECONDS: z.coerce
    .number({ message: 'expected a number of seconds' })
    .min(0)
    .max(3600)
    .default(30),
  PACER_EVALUATION_SCHEDULE: z.string().superRefine(cronCheck).default('* * * * *'),
  PACER_SCHEDULE_RECONCILE_SECONDS: z.coerce
    .number({ message: 'expected a number of seconds' })
    .min(0.5)
    .max(3600)
    .default(60),
  PACER_HEARTBEAT_FILE: z.string().min(1).optional(),
  PACER_URL: z
    .string()
    .refine((v) => /^https?:\/\//.test(v) && URL.canParse(v), { message: 'expected an http:// or https:// URL' })
    .optional(),
  PACER_TOKEN: z.string().min(1).optional(),
  // The language of the scorecard pages when neither ?lang= nor Accept-Language names one of Pacer's.
  PACER_LANG: z.enum(languages).default('en'),
});

export type Env = z.infer<typeof envSchema>;

/** Resolved configuration the wiring uses; derived from the environment schema. */
export interface Config {
  databaseUrl: string | undefined;
  /** The scorecard's language when the reader's request names none of Pacer's (PACER_LANG). */
  language: Language;
  redisUrl: string | undefined;
  port: number;
  host: string;
  dataDir: string;
  catalogDir: string;
  demoData: boolean;
  logLevel: Env['LOG_LEVEL'];
  forecastWindowDays: number;
  evaluationRetentionDays: number;
  metricsMaxSeries: number;
  metricsRefreshSeconds: number;
  readerPassword: string | undefined;
  /** The push API's limits; times in milliseconds. */
  ingest: {
    maxBodyBytes: number;
    /** Pushes running at once. */
    concurrency: number;
    /** Pushes of one token at once, running or waiting for a slot. */
    perTokenConcurrency: number;
    /** How long a push waits for a slot when all are taken (0: 429 at once); at most `concurrency` wait. */
    queueWaitMs: number;
    /** Longest silence while a body is read (408 past it). */
    bodyIdleTimeoutMs: number;
    /** Longest time reading one body may take (408 past it). */
    bodyMaxMs: number;
  };
  readAuth: 'open' | 'token';
  adminToken: string | undefined;
  /** Scheduled feeds: where their definitions are, the queue, the workers, the evaluation tick. */
  feeds: {
    jobsDir: string;
    queuePrefix: string;
    concurrency: number;
    lockDurationMs: number;
    shutdownGraceMs: number;
    evaluationCron: string;
    /** How often a scheduler re-creates the job schedulers it owns that Redis lost (also on every reconnect). */
    reconcileMs: number;
  };
  /** Written every 10 s while the process is healthy, for container health checks of roles without HTTP. */
  heartbeatFile: string | undefined;
  /** Where `pacer push` and `pacer token --url` find the API, and with which token. */
  api: { url: string | undefined; token: string | undefined };
}

/**
 * Validates the environment. An invalid value throws a {@link ConfigError} naming the variable,
 * so the process stops before touching anything.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(
    Object.keys(envSchema.shape)
      .map((key) => [key, env[key]] as const)
      .filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const issues: InputIssue[] = parsed.error.issues.map((issue) => ({
      code: 'invalid_env',
      field: String(issue.path[0]),
      message: issue.message,
    }));
    const list = issues.map((i) => `${i.field}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid environment: ${list}`, issues);
  }
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL,
    language: e.PACER_LANG,
    redisUrl: e.REDIS_URL,
    port: e.PORT,
    host: e.HOST,
    dataDir: e.PACER_DATA_DIR,
    catalogDir: e.PACER_CATALOG_DIR,
    demoData: e.PACER_DEMO_DATA,
    logLevel: e.LOG_LEVEL,
    forecastWindowDays: e.PACER_FORECAST_WINDOW_DAYS,
    evaluationRetentionDays: e.PACER_EVALUATION_RETENTION_DAYS,
    metricsMaxSeries: e.PACER_METRICS_MAX_SERIES,
    metricsRefreshSeconds: e.PACER_METRICS_REFRESH_SECONDS,
    readerPassword: e.PACER_READER_PASSWORD,
    ingest: {
      maxBodyBytes: e.PACER_INGEST_MAX_BYTES,
      concurrency: e.PACER_INGEST_CONCURRENCY,
      perTokenConcurrency: e.PACER_INGEST_TOKEN_CONCURRENCY ?? Math.max(1, Math.floor(e.PACER_INGEST_CONCURRENCY / 2)),
      queueWaitMs: e.PACER_INGEST_QUEUE_SECONDS * 1000,
      bodyIdleTimeoutMs: e.PACER_INGEST_IDLE_TIMEOUT_SECONDS * 1000,
      bodyMaxMs: e.PACER_INGEST_MAX_SECONDS * 1000,
    },
    readAuth: e.PACER_READ_AUTH,
    adminToken: e.PACER_ADMIN_TOKEN,
    api: { url: e.PACER_URL, token: e.PACER_TOKEN },
    feeds: {
      jobsDir: e.PACER_JOBS_DIR,
      queuePrefix: e.PACER_QUEUE_PREFIX,
      concurrency: e.PACER_WORKER_CONCURRENCY,
      lockDurationMs: e.PACER_WORKER_LOCK_SECONDS * 1000,
      shutdownGraceMs: e.PACER_SHUTDOWN_GRACE_SECONDS * 1000,
      evaluationCron: e.PACER_EVALUATION_SCHEDULE,
      reconcileMs: e.PACER_SCHEDULE_RECONCILE_SECONDS * 1000,
    },
    heartbeatFile: e.PACER_HEARTBEAT_FILE,
  };
}
