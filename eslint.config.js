// @ts-check
// Lint: typescript-eslint's strict, type-aware rules and its stylistic ones, with Prettier owning
// layout (eslint-config-prettier turns off every rule that would fight it). Each rule changed
// below says why; nothing else is turned off.
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'bench-results/', 'artifacts/'] },
  eslint.configs.recommended,
  tseslint.configs.strictTypeChecked,
  tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      // tsconfig.test.json is the one project that holds src, test and bench alike.
      parserOptions: { project: ['./tsconfig.test.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Numbers in messages and SQL placeholders print exactly as written; anything else
      // (objects, unknown, null, undefined) must be turned into text on purpose.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // Adapters implement async ports over synchronous drivers (better-sqlite3) and answer some
      // port methods from memory; they stay `async` so that a throw reaches the caller as a
      // rejection, as it does from every other adapter, rather than as a synchronous exception.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Tests and benchmarks read JSON responses and rows whose shapes the assertions check.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      // A test that meets a missing value fails at that line with a TypeError; an assertion
      // function at each of several hundred places would say the same in more words.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Response bodies are parsed JSON (`any`) that chai and the OpenAPI validator check field
      // by field; a cast before every assertion would add text, not safety.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { module: 'readonly', require: 'readonly', process: 'readonly' } },
  },
  prettier,
);
