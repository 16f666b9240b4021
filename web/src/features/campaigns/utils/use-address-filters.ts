import { useCallback, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';

import {
  filtersFromSearch,
  filtersKey,
  filtersToSearch,
  type CampaignListFilters,
} from './filters';

type State = {
  /** The filters in the address, as last seen. */
  address: string;
  /** The filters shown (ahead of the address while a change is on its way there). */
  shown: string;
  /** Changes asked of the address that it has not shown yet, oldest first. */
  requested: string[];
};

/**
 * The list's filters, kept in the query string so a reload or a shared link shows the same
 * view. A change shows at once and the address follows; when the address changes by itself
 * (Back, a link), it wins.
 */
export function useAddressFilters(): [CampaignListFilters, (next: CampaignListFilters) => void] {
  const [searchParams, setSearchParams] = useSearchParams();
  const address = filtersKey(filtersFromSearch(searchParams));
  const [state, setState] = useState<State>({ address, shown: address, requested: [] });

  let shown = state.shown;
  if (state.address !== address) {
    const index = state.requested.indexOf(address);
    const next: State =
      index === -1
        ? { address, shown: address, requested: [] }
        : { address, shown: state.shown, requested: state.requested.slice(index + 1) };
    setState(next);
    shown = next.shown;
  }

  const filters = useMemo(() => filtersFromSearch(new URLSearchParams(shown)), [shown]);
  const setFilters = useCallback(
    (next: CampaignListFilters) => {
      const params = filtersToSearch(next);
      const key = params.toString();
      setState((current) => ({ ...current, shown: key, requested: [...current.requested, key] }));
      setSearchParams(params, { replace: true });
    },
    [setSearchParams, setState],
  );
  return [filters, setFilters];
}
