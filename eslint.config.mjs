import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const ENGINE_INTERNALS = {
  group: ['**/engine/*'],
  message: 'Import the engine through its barrel (src/engine/index.ts; specs: src/engine/testing).',
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.verity/', 'src/chain/generated/', 'circuits/build/', 'coverage/', '**/*.js', '**/*.mjs', '!src/explorer/public/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // A failure a caller can meet throws its module's AppError with a code; a violated programmer
    // invariant goes through invariant() / unreachable() (src/common/invariant.ts).
    files: ['src/**/*.ts'],
    ignores: ['**/*.spec.ts', 'src/common/invariant.ts', 'src/engine/testing/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "ThrowStatement > NewExpression[callee.name='Error']",
          message: "Throw the module's AppError with a code, or use invariant()/unreachable() from src/common/invariant.ts.",
        },
      ],
    },
  },
  {
    // Other modules use the engine through its barrel (src/engine/index.ts); specs may also use its
    // test helpers (src/engine/testing/index.ts).
    files: ['src/**/*.ts'],
    ignores: ['src/engine/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [ENGINE_INTERNALS] }] },
  },
  {
    files: ['src/**/*.spec.ts'],
    ignores: ['src/engine/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ ...ENGINE_INTERNALS, group: [...ENGINE_INTERNALS.group, '!**/engine/testing'] }] },
      ],
    },
  },
  {
    // The explorer's browser modules: plain JS with JSDoc types, type-checked by
    // src/explorer/public/tsconfig.json (which also catches undefined names).
    files: ['src/explorer/public/*.js'],
    rules: { 'no-undef': 'off' },
  },
  {
    files: ['test/**/*.ts', '**/*.spec.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/unbound-method': 'off' },
  },
);
