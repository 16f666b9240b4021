import { useQuery, useSubscription } from 'urql';

import { graphql } from '@/gql';

export const ViewerQuery = graphql(`
  query Viewer {
    me {
      id
      email
      fullName
      timeZone
    }
  }
`);

export const ViewerUpdatedSubscription = graphql(`
  subscription ViewerUpdated {
    userUpdated {
      id
      email
      fullName
      timeZone
    }
  }
`);

/** The logged-in user. */
export function useViewer() {
  return useQuery({ query: ViewerQuery });
}

/** Keeps the cached user fresh when the profile changes elsewhere (another tab, the API). */
export function useViewerUpdates({ pause = false }: { pause?: boolean } = {}) {
  useSubscription({ query: ViewerUpdatedSubscription, pause });
}
