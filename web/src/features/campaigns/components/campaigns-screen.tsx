import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router';

import { Page } from '@/components/layouts/page';
import { Button } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorMessage } from '@/components/ui/error-message';
import { SelectField, TextField } from '@/components/ui/field';
import { MegaphoneIcon, PlusIcon } from '@/components/ui/icons';
import { Spinner } from '@/components/ui/spinner';
import { campaignPath } from '@/config/paths';
import { errorMessage } from '@/lib/errors';
import { useDebouncedValue } from '@/lib/use-debounced-value';

import { useCampaignsPage } from '../api/campaigns';
import { useCampaignCommands } from '../api/commands';
import {
  filtersKey,
  isFiltered,
  NO_CAMPAIGN_FILTERS,
  serverFilter,
  type CampaignListFilters,
} from '../utils/filters';
import { isCampaignStatus, CAMPAIGN_STATUSES, campaignStatusLabel } from '../utils/status';
import { useAddressFilters } from '../utils/use-address-filters';
import type { DialogMode } from '../utils/form';
import { CampaignDialog } from './campaign-dialog';
import { CampaignList, type CampaignListAction } from './campaign-list';
import styles from './campaigns.module.css';
import { CommandConfirm, type ConfirmedCommand } from './command-confirm';

export type CampaignsScreenProps = { timeZone: string };

type Confirming = { command: ConfirmedCommand; id: string; title: string } | null;

/** The campaigns: a filtered list with live progress, and the dialog that creates them. */
export function CampaignsScreen({ timeZone }: CampaignsScreenProps) {
  const navigate = useNavigate();
  const [filters, setFilters] = useAddressFilters();
  const [search, setSearch] = useState(filters.search);
  const typedSearch = useDebouncedValue(search, 300);
  const [dialog, setDialog] = useState<{ mode: DialogMode; id: string | null } | null>(null);
  const [confirming, setConfirming] = useState<Confirming>(null);
  const commands = useCampaignCommands();

  // The search box follows the address when it changes by itself (Back, a link).
  const [seenSearch, setSeenSearch] = useState(filters.search);
  if (seenSearch !== filters.search) {
    setSeenSearch(filters.search);
    if (filters.search.trim() !== search.trim()) setSearch(filters.search);
  }
  useEffect(() => {
    if (typedSearch.trim() !== filters.search.trim())
      setFilters({ ...filters, search: typedSearch });
    // Only a pause in the typing writes the search to the address.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [typedSearch]);

  const [{ data, error }] = useCampaignsPage(serverFilter(filters), null);
  const page = data?.campaigns;

  const onAction = (action: CampaignListAction, id: string, title: string) => {
    if (action === 'edit' || action === 'clone') {
      setDialog({ mode: action, id });
    } else if (action === 'cancel' || action === 'delete') {
      setConfirming({ command: action, id, title });
    } else {
      void commands.run(action, { id, title });
    }
  };
  const confirm = async () => {
    if (!confirming) return;
    const done = await commands.run(confirming.command, confirming);
    if (done) setConfirming(null);
  };
  const changeFilters = (next: CampaignListFilters) => {
    setSearch(next.search);
    setFilters(next);
  };

  const filtered = isFiltered(filters);
  const nothingYet = !!page && !filtered && page.nodes.length === 0;

  return (
    <Page
      title="Campaigns"
      description="Broadcasts to your leads and AI campaigns over your lead pool, sent from your devices at a human pace."
      actions={
        <Button onClick={() => setDialog({ mode: 'create', id: null })}>
          <PlusIcon width={18} height={18} />
          New campaign
        </Button>
      }
    >
      {commands.notice ? (
        <div className={styles.notice} role="status">
          <p>{commands.notice}</p>
          <Button variant="ghost" size="small" onClick={commands.dismiss}>
            Dismiss
          </Button>
        </div>
      ) : null}
      {confirming ? null : <ErrorMessage message={commands.error} />}

      {nothingYet ? (
        <EmptyState
          icon={<MegaphoneIcon width={26} height={26} />}
          title="No campaigns yet"
          actions={
            <Button onClick={() => setDialog({ mode: 'create', id: null })}>New campaign</Button>
          }
        >
          A campaign sends one message, personalised per lead, to the leads with the tags you pick,
          each from the device that owns the lead, within the hours and days you choose.
        </EmptyState>
      ) : (
        <>
          <div className={styles.toolbar} role="search" aria-label="Filter campaigns">
            <TextField
              className={styles.search}
              label="Search"
              type="search"
              placeholder="Title"
              value={search}
              onChange={(event) => setSearch(event.target.value)}
            />
            <SelectField
              label="Status"
              value={filters.status ?? ''}
              options={[
                { value: '', label: 'Any status' },
                ...CAMPAIGN_STATUSES.map((status) => ({
                  value: status,
                  label: campaignStatusLabel(status),
                })),
              ]}
              onChange={(event) => {
                const value = event.target.value;
                changeFilters({
                  ...filters,
                  search,
                  status: isCampaignStatus(value) ? value : null,
                });
              }}
            />
            {filtered ? (
              <Button variant="ghost" onClick={() => changeFilters(NO_CAMPAIGN_FILTERS)}>
                Clear filters
              </Button>
            ) : null}
          </div>
          {page ? (
            page.nodes.length === 0 ? (
              <EmptyState
                actions={
                  <Button variant="secondary" onClick={() => changeFilters(NO_CAMPAIGN_FILTERS)}>
                    Show all
                  </Button>
                }
              >
                No campaign matches these filters.
              </EmptyState>
            ) : (
              <CampaignList
                key={filtersKey(filters)}
                filters={filters}
                firstPage={page}
                timeZone={timeZone}
                onAction={onAction}
                busy={commands.running}
              />
            )
          ) : error ? (
            <ErrorMessage message={errorMessage(error)} />
          ) : (
            <Spinner />
          )}
        </>
      )}

      {dialog ? (
        <CampaignDialog
          mode={dialog.mode}
          campaignId={dialog.id}
          timeZone={timeZone}
          onClose={() => setDialog(null)}
          onSaved={(id) => {
            setDialog(null);
            void navigate(campaignPath(id));
          }}
        />
      ) : null}
      {confirming ? (
        <CommandConfirm
          command={confirming.command}
          title={confirming.title}
          busy={commands.running !== null}
          error={commands.error}
          onConfirm={() => void confirm()}
          onClose={() => setConfirming(null)}
        />
      ) : null}
    </Page>
  );
}
