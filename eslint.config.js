import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'generators/*/index.js',
      'packages/cruddur-observability/dist/**',
      'packages/cruddur-observability/templates/**',
      'packages/generator-cruddur-observability/generators/**',
      'templates/**',
      'test/__snapshots__/**',
      'tmp/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
);
