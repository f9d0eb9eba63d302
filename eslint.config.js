import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'dist.tmp-*/', '.pacer/', 'dashboards/', 'test-artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Prettier wraps code at 120 columns but never splits a string, a comment or a regex: this catches those.
      'max-len': ['error', { code: 120, tabWidth: 2 }],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.property.name='only']", message: 'No .only in committed tests.' },
      ],
    },
  },
  {
    // The domain stays pure: evaluation and the catalog model never see a database, a queue or HTTP.
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                'pg',
                'pg-*',
                'kysely',
                '@electric-sql/*',
                'bullmq',
                'ioredis',
                'prom-client',
                'fastify',
                'fastify-*',
                '@fastify/*',
                'node-cron',
                'node:fs',
                'node:fs/*',
                'fs',
              ],
              message: 'The domain is pure TypeScript: no I/O libraries.',
            },
            {
              group: ['**/storage/**', '**/http/**', '**/queue/**', '**/metrics/**'],
              message: 'The domain must not depend on adapters.',
            },
          ],
        },
      ],
    },
  },
);
