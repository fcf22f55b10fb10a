import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // the one plain-JS file: a preload the tests hand to the processes they spawn (built planexec, no TS loader)
    languageOptions: { parserOptions: { projectService: { allowDefaultProject: ['test/support/*.mjs'] }, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // every promise is owned by someone (DESIGN §1b): a floating one is a lost error
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
