import { useMutation } from 'urql';

import { graphql } from '@/gql';

export const ChangePasswordMutation = graphql(`
  mutation ChangePassword($input: ChangePasswordInput!) {
    changePassword(input: $input)
  }
`);

export const LogOutOtherSessionsMutation = graphql(`
  mutation LogOutOtherSessions {
    logOutOtherSessions
  }
`);

export function useChangePassword() {
  return useMutation(ChangePasswordMutation);
}

export function useLogOutOtherSessions() {
  return useMutation(LogOutOtherSessionsMutation);
}
