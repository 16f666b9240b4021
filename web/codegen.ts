import { readFileSync } from 'node:fs';

import type { CodegenConfig } from '@graphql-codegen/cli';

// The audience contract stands in only until the server's schema has the audience in it.
const serverHasAudience = /^type Lead \{/m.test(readFileSync('../schema.graphql', 'utf8'));

const config: CodegenConfig = {
  schema: serverHasAudience
    ? '../schema.graphql'
    : ['../schema.graphql', 'contract/audience.graphql'],
  documents: ['src/**/*.{ts,tsx}', '!src/gql/**/*'],
  ignoreNoDocuments: true,
  generates: {
    './src/gql/': {
      preset: 'client',
      presetConfig: {
        fragmentMasking: { unmaskFunctionName: 'getFragmentData' },
      },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        strictScalars: true,
        scalars: { DateTime: 'string', Upload: 'File' },
      },
    },
  },
};

export default config;
