import { useQuery, useMutation } from 'urql';

import { graphql } from '@/gql';
import type { SignUpInput } from '@/gql/graphql';
import { setToken } from '@/lib/auth-token';

export const SignUpMutation = graphql(`
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) {
      token
      user {
        id
        fullName
      }
    }
  }
`);

export const SignUpCountriesQuery = graphql(`
  query SignUpCountries {
    phoneCountries {
      code
    }
  }
`);

/** The countries whose phone numbers the server reads (a new account's default is one). */
export function useReadableCountries(): ReadonlySet<string> {
  const [{ data }] = useQuery({ query: SignUpCountriesQuery });
  return new Set(data?.phoneCountries.map((country) => country.code) ?? []);
}

export function useSignUp() {
  const [state, execute] = useMutation(SignUpMutation);
  const signUp = async (input: SignUpInput) => {
    const result = await execute({ input });
    if (result.data) setToken(result.data.signUp.token);
    return result;
  };
  return [state, signUp] as const;
}
