import { useMutation } from 'urql';

import { graphql } from '@/gql';
import { clearToken } from '@/lib/auth-token';

export const LogOutMutation = graphql(`
  mutation LogOut {
    logOut
  }
`);

/** Ends the session on the server, then forgets the token here whatever the server said. */
export function useLogOut() {
  const [state, execute] = useMutation(LogOutMutation);
  const logOut = async () => {
    try {
      await execute({});
    } finally {
      clearToken();
    }
  };
  return [state, logOut] as const;
}
