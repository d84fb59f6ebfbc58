import js from '@eslint/js';
import ts from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

const PRODUCTION_IGNORES = ['src/**/*.test.ts', 'src/**/testing/**'];
const TESTING_ONLY = { group: ['**/testing/*'], message: 'Test helpers are for tests only.' };

// The engine's floors, lowest first: a folder may import its own floor and those below it,
// never one above (DESIGN.md, "Layers and folders"); nothing in the engine imports workers or
// the UI. Tests and test helpers may reach across. (ESLint replaces, not merges, a rule's
// options per file, so each floor's list also carries the testing-only pattern.)
const FLOORS = [
  ['text', 'packet'],
  ['os'],
  ['kernel', 'kv'],
  ['kube'],
  ['flannel'],
  ['cni'],
  ['docker'],
  ['programs'],
  ['shell'],
  ['lab'],
  ['lesson'],
];

function below(folder, name) {
  return {
    group: [`**/${name}/*`, `**/${name}/**`],
    message: `${folder} stands below ${name}: it may not import it.`,
  };
}

function engineFloors() {
  return FLOORS.flatMap((floor, level) =>
    floor.map((folder) => {
      const forbidden = [
        ...floor.filter((f) => f !== folder),
        ...FLOORS.slice(level + 1).flat(),
        'workers',
        'ui',
      ];
      return {
        files: [`src/engine/${folder}/**/*.ts`],
        ignores: PRODUCTION_IGNORES,
        rules: {
          'no-restricted-imports': [
            'error',
            { patterns: [TESTING_ONLY, ...forbidden.map((f) => below(`src/engine/${folder}`, f))] },
          ],
        },
      };
    }),
  );
}

export default ts.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'src/engine/kernel/assembly/', // AssemblyScript: checked by asc, not by tsc/eslint
      'src/engine/kernel/build/',
      'test-results/',
      'playwright-report/',
    ],
  },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser } },
  },
  {
    // Test-only helpers live in testing/ folders; only tests (and tests/, bench/) import them.
    files: ['src/**/*.ts', 'src/**/*.svelte'],
    ignores: PRODUCTION_IGNORES,
    rules: { 'no-restricted-imports': ['error', { patterns: [TESTING_ONLY] }] },
  },
  {
    // Workers stand below the UI.
    files: ['src/workers/**/*.ts'],
    ignores: PRODUCTION_IGNORES,
    rules: {
      'no-restricted-imports': ['error', { patterns: [TESTING_ONLY, below('src/workers', 'ui')] }],
    },
  },
  ...engineFloors(),
  {
    // The engine is pure: time is passed in, never read from the wall clock.
    files: ['src/engine/**/*.ts'],
    ignores: ['src/engine/**/*.test.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'The engine reads time from the lab clock.' },
        {
          object: 'performance',
          property: 'now',
          message: 'The engine reads time from the lab clock.',
        },
      ],
    },
  },
);
