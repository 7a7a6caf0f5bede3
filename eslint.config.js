// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

/**
 * SECURITY: SQL is never built from strings. Values go through drizzle's sql`` tag (they become bind
 * parameters) and names through sql.identifier(); these selectors refuse the ways around that. Proven by
 * server/security/sql-lint.test.ts.
 */
export const stringBuiltSql = [
  {
    selector:
      "CallExpression[callee.object.name='sql'][callee.property.name='raw']:not([arguments.0.type='Literal']):not([arguments.0.type='TemplateLiteral'][arguments.0.expressions.length=0])",
    message:
      'sql.raw() with a computed string builds SQL from text: use the sql`` tag (values become parameters) or sql.identifier() for names.',
  },
  {
    selector:
      'CallExpression[callee.property.name=/^(execute|query|exec)$/] > TemplateLiteral.arguments[expressions.length>0]',
    message:
      'An untagged template literal passed to execute/query/exec builds SQL from text: tag it with sql`` (values become parameters).',
  },
  {
    selector: 'CallExpression[callee.property.name=/^(execute|query|exec)$/] > BinaryExpression.arguments',
    message: 'SQL built by concatenation: use the sql`` tag (values become parameters).',
  },
];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      // Local scratch and data folders (git-ignored).
      '.cairn/**',
      'data/**',
      'web/src/api/schema.d.ts',
      'server/kernel/db/migrations/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      // Async functions without await are normal here (Fastify plugins, handlers conforming to a Promise API).
      '@typescript-eslint/require-await': 'off',
      // Survivor data must never reach a console: use the redacting logger (server/kernel/logging.ts).
      'no-console': ['error', { allow: ['warn', 'error'] }],
      'no-restricted-syntax': ['error', ...stringBuiltSql],
    },
  },
  {
    files: ['web/src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: { ...globals.browser } },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  {
    // Names in DDL (a database, a role, an index) cannot be bind parameters. These files interpolate only
    // constants or names they generate themselves; every other file stays under the string-built-SQL rule.
    files: [
      'server/kernel/db/client.ts',
      'server/test/db.ts',
      'server/test/global-setup.ts',
      'e2e/harness.ts',
      'bench/lib/database.ts',
      'bench/scale/directory-organisations.ts',
    ],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    // CLIs, scripts and benchmarks talk to a person on a terminal.
    files: ['server/main.ts', 'scripts/**', 'bench/**', 'e2e/**', '.ci/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
