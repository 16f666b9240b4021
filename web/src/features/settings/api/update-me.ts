import { useMutation } from 'urql';

import { graphql } from '@/gql';

export const UpdateMeMutation = graphql(`
  mutation UpdateMe($input: UpdateMeInput!) {
    updateMe(input: $input) {
      id
      fullName
      timeZone
      defaultCountry
    }
  }
`);

export function useUpdateMe() {
  return useMutation(UpdateMeMutation);
}
