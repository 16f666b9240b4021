import { auditServer } from 'graphql-http';

import { expect, test } from './helpers';

/**
 * The GraphQL-over-HTTP conformance audit (the graphql-http package's `auditServer`) against
 * the running server: every MUST passes. SHOULD and MAY results are printed, not enforced.
 */
test('the server passes every MUST of the GraphQL over HTTP audit', async ({ baseURL }) => {
  const results = await auditServer({ url: `${baseURL}/graphql` });
  const failures = results.filter((result) => result.status !== 'ok');
  for (const failure of failures) {
    const reason = 'reason' in failure ? failure.reason : '';
    console.log(`${failure.status.toUpperCase()} ${failure.id} ${failure.name}: ${reason}`);
  }
  const passed = results.length - failures.length;
  console.log(`graphql-http audit: ${passed} of ${results.length} passed`);
  expect(failures.filter((result) => result.status === 'error').map((r) => r.name)).toEqual([]);
});
