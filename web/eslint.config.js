import { readdirSync } from 'node:fs';

import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const features = readdirSync(new URL('./src/features', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

const noDeepRelative = {
  group: ['../../*'],
  message: 'Import through "@/..." instead of climbing directories.',
};
const noApp = {
  group: ['@/app', '@/app/*'],
  message: 'Only src/app composes the app; nothing imports from it.',
};
const noFeatures = {
  group: ['@/features/*'],
  message: 'Shared code (components, lib, config) must not depend on a feature.',
};

/** One-way imports: shared (components, lib, config, gql) -> features -> app. */
const boundaries = [
  {
    files: ['src/**/*.{ts,tsx}'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noDeepRelative] }] },
  },
  {
    files: ['src/components/**', 'src/lib/**', 'src/config/**', 'src/testing/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [noDeepRelative, noApp, noFeatures] }],
    },
  },
  ...features.map((feature) => ({
    files: [`src/features/${feature}/**`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            noDeepRelative,
            noApp,
            {
              group: features
                .filter((other) => other !== feature)
                .flatMap((other) => [`@/features/${other}`, `@/features/${other}/*`]),
              message: 'Features must not import each other; compose them in src/app.',
            },
          ].filter((pattern) => pattern.group.length > 0),
        },
      ],
    },
  })),
];

export default defineConfig([
  globalIgnores(['dist', 'src/gql', 'node_modules']),
  {
    files: ['**/*.{ts,tsx}'],
    extends: [
      js.configs.recommended,
      tseslint.configs.recommendedTypeChecked,
      reactHooks.configs.flat.recommended,
    ],
    languageOptions: {
      globals: globals.browser,
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { attributes: false } },
      ],
      eqeqeq: ['error', 'smart'],
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    files: ['*.{js,ts}', 'scripts/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { globals: globals.node },
  },
  ...boundaries,
]);
