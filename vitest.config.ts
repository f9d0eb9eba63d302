import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Files run in parallel, each in its own PostgreSQL schema or PGlite instance.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    allowOnly: false,
    globalSetup: ['tests/support/global-setup.ts'],
  },
});
