import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.infra/**', 'coverage/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    files: ['**/*.ts'],
    rules: { 'no-undef': 'off' }, // TypeScript checks this, with the right types for jest and node
  },
  {
    files: ['scripts/**', 'bench/**', '**/test/**', 'jest.config.js', 'infra/images/**'],
    rules: { 'no-console': 'off', '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Domain code holds rules and use-cases: no HTTP, SQL driver, Kafka or Redis client in it.
    files: ['services/*/src/domain/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['fastify', 'fastify-*', '@fastify/*', '@boxoffice/http'], message: 'HTTP belongs in routes/.' },
            { group: ['pg', 'ioredis', 'kafkajs'], message: 'I/O belongs in db/, events/ or plugins/.' },
          ],
        },
      ],
    },
  },
);
