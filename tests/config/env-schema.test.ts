import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env-schema.js';
import { ConfigError } from '../../src/errors/pacer-error.js';

describe('configuration from the environment', () => {
  it('uses the embedded defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      databaseUrl: undefined,
      redisUrl: undefined,
      port: 8080,
      dataDir: './.pacer',
      catalogDir: './catalog',
      logLevel: 'info',
      demoData: true,
    });
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' })).toMatchObject({ port: 8080, databaseUrl: undefined });
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://localhost/x'],
    ['REDIS_URL', 'http://localhost:6379'],
    ['LOG_LEVEL', 'verbose'],
    ['PACER_DEMO_DATA', 'maybe'],
  ])('stops with an error naming %s when it is %s', (name, value) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(name);
    expect((error as ConfigError).issues[0]?.field).toBe(name);
  });

  it('reads valid values', () => {
    const config = loadConfig({
      PORT: '9090',
      DATABASE_URL: 'postgres://u@h:5432/d',
      REDIS_URL: 'redis://127.0.0.1:6379',
      PACER_DEMO_DATA: 'false',
    });
    expect(config).toMatchObject({
      port: 9090,
      databaseUrl: 'postgres://u@h:5432/d',
      redisUrl: 'redis://127.0.0.1:6379',
      demoData: false,
    });
  });
});
