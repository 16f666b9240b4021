import { useQuery } from 'urql';

import { graphql } from '@/gql';

export const SettingsQuery = graphql(`
  query Settings {
    me {
      id
      email
      timeZone
      ...ProfileFields
      apiTokens {
        ...ApiTokenItem
      }
    }
    phoneCountries {
      code
      callingCode
    }
  }
`);

export function useSettings() {
  return useQuery({ query: SettingsQuery });
}
