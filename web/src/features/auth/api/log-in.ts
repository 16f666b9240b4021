import { useMutation } from 'urql';

import { graphql } from '@/gql';
import type { LogInInput } from '@/gql/graphql';
import { setToken } from '@/lib/auth-token';

export const LogInMutation = graphql(`
  mutation LogIn($input: LogInInput!) {
    logIn(input: $input) {
      token
      user {
        id
        fullName
      }
    }
  }
`);

export function useLogIn() {
  const [state, execute] = useMutation(LogInMutation);
  const logIn = async (input: LogInInput) => {
    const result = await execute({ input });
    if (result.data) setToken(result.data.logIn.token);
    return result;
  };
  return [state, logIn] as const;
}
