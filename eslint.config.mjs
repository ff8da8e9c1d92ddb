// ESLint with typescript-eslint (the convention of VS Code extensions). The full import graph
// (core's layers, what each front end may import) is encoded in test/unit/projectRules.test.ts;
// the two rules that matter most are also here, so the editor flags them while typing.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const frontEnds = ['**/cli/**', '**/commands/**', '**/editor/**', '**/providers/**', '**/webviews/**', '**/extension'];

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { console: 'readonly', process: 'readonly', require: 'readonly', module: 'readonly', __dirname: 'readonly', Buffer: 'readonly' },
    },
    rules: {
      // Unused names are errors, except deliberate ones (`_arg`) and rest siblings.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Lazy loading (`require` of optional native modules, JSON) is deliberate in a few places.
      '@typescript-eslint/no-require-imports': 'off',
      'no-undef': 'off', // TypeScript checks names
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'src/core is plain Node: the editor adapts it in src/editor.' }],
          patterns: [{ group: frontEnds, message: 'core never imports a front end.' }],
        },
      ],
    },
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'the CLI runs without VS Code.' }],
          patterns: [{ regex: '^(\\.\\./)+(commands|editor|providers|webviews|extension)(/|$)', message: 'the CLI imports core only.' }],
        },
      ],
    },
  },
  {
    // Tests and benchmarks reach into SDK internals and fixtures where a cast says enough.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
