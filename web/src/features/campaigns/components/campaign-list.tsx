import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router';

import { Button } from '@/components/ui/button';
import { ErrorMessage } from '@/components/ui/error-message';
import { MenuButton, type MenuItem } from '@/components/ui/menu';
import { Spinner } from '@/components/ui/spinner';
import { Table } from '@/components/ui/table';
import { campaignPath } from '@/config/paths';
import { getFragmentData } from '@/gql';
import type { CampaignRowFragment as CampaignRowData, CampaignsPageQuery } from '@/gql/graphql';
import { errorMessage } from '@/lib/errors';

import {
  CampaignCountsFragment,
  CampaignProgressFragment,
  CampaignRowFragment,
  useCampaignProgress,
  useCampaignsPage,
} from '../api/campaigns';
import { serverFilter, type CampaignListFilters } from '../utils/filters';
import { campaignActions, statusReasonHeading } from '../utils/status';
import { campaignTiming, isLive, waitsForStart } from '../utils/timing';
import styles from './campaigns.module.css';
import { AiTag } from './kind-tag';
import { CampaignProgressBar } from './progress-bar';
import { CampaignStatusBadge } from './status-badge';

export type CampaignListAction =
  'edit' | 'clone' | 'start' | 'pause' | 'resume' | 'cancel' | 'delete';

type Page = CampaignsPageQuery['campaigns'];
type PageInfo = Page['pageInfo'];

export type CampaignListProps = {
  filters: CampaignListFilters;
  firstPage: Page;
  timeZone: string;
  onAction: (action: CampaignListAction, id: string, title: string) => void;
  /** The command on its way (`command:id:`), if any. */
  busy: string | null;
};

/**
 * The campaigns table: the first page, then each page "Load more" asked for. Remount (a new
 * `key`) to start over.
 */
export function CampaignList(props: CampaignListProps) {
  const { firstPage, filters } = props;
  const [cursors, setCursors] = useState<string[]>([]);
  const [pageInfos, setPageInfos] = useState<Record<string, PageInfo>>({});
  const onPageInfo = useCallback(
    (after: string, pageInfo: PageInfo) =>
      setPageInfos((current) =>
        current[after]?.endCursor === pageInfo.endCursor &&
        current[after]?.hasNextPage === pageInfo.hasNextPage
          ? current
          : { ...current, [after]: pageInfo },
      ),
    [],
  );
  const lastCursor = cursors[cursors.length - 1];
  const last = lastCursor === undefined ? firstPage.pageInfo : pageInfos[lastCursor];
  const next = last?.hasNextPage && last.endCursor ? last.endCursor : null;

  return (
    <div className={styles.results}>
      <Table label="Campaigns" className={styles.table}>
        <thead>
          <tr>
            <th scope="col">Campaign</th>
            <th scope="col">Status</th>
            <th scope="col">Progress</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {firstPage.nodes.map((node) => (
            <CampaignTableRow key={node.id} node={node} {...props} />
          ))}
        </tbody>
        {cursors.map((after) => (
          <MoreRows
            key={after}
            after={after}
            filters={filters}
            onPageInfo={onPageInfo}
            rowProps={props}
          />
        ))}
      </Table>
      {next ? (
        <div className={styles.loadMore}>
          <Button
            variant="secondary"
            onClick={() =>
              setCursors((current) => (current.includes(next) ? current : [...current, next]))
            }
          >
            Load more
          </Button>
        </div>
      ) : null}
    </div>
  );
}

type MoreRowsProps = {
  filters: CampaignListFilters;
  after: string;
  onPageInfo: (after: string, pageInfo: PageInfo) => void;
  rowProps: CampaignListProps;
};

function MoreRows({ filters, after, onPageInfo, rowProps }: MoreRowsProps) {
  const [{ data, error }] = useCampaignsPage(serverFilter(filters), after);
  const page = data?.campaigns;
  const pageInfo = page?.pageInfo;
  useEffect(() => {
    if (pageInfo) onPageInfo(after, pageInfo);
  }, [after, pageInfo, onPageInfo]);
  if (!page) {
    return (
      <tbody>
        <tr>
          <td colSpan={4}>
            {error ? (
              <ErrorMessage message={errorMessage(error)} />
            ) : (
              <Spinner label="Loading more…" />
            )}
          </td>
        </tr>
      </tbody>
    );
  }
  return (
    <tbody>
      {page.nodes.map((node) => (
        <CampaignTableRow key={node.id} node={node} {...rowProps} />
      ))}
    </tbody>
  );
}

type RowProps = CampaignListProps & { node: Page['nodes'][number] };

function CampaignTableRow({ node, timeZone, onAction, busy }: RowProps) {
  const campaign: CampaignRowData = getFragmentData(CampaignRowFragment, node);
  const progress = getFragmentData(CampaignProgressFragment, campaign.progress);
  const totals = getFragmentData(CampaignCountsFragment, progress.totals);
  // The progress carries the newest status; the campaign's may lag behind it for a moment.
  const status = progress.status;
  const pausedReason = progress.pausedReason ?? campaign.pausedReason;
  useCampaignProgress(campaign.id, !isLive(status));

  const allowed = campaignActions(status);
  const working = busy !== null && busy.split(':')[1] === campaign.id;
  const item = (action: CampaignListAction, label: string, danger = false): MenuItem => ({
    label,
    onSelect: () => onAction(action, campaign.id, campaign.title),
    variant: danger ? 'danger' : 'normal',
    disabled: working,
  });
  const items: MenuItem[] = [
    ...(waitsForStart({ status, scheduledAt: campaign.scheduledAt })
      ? [item('start', 'Start now')]
      : []),
    ...(allowed.edit ? [item('edit', 'Edit')] : []),
    ...(allowed.pause ? [item('pause', 'Pause')] : []),
    ...(allowed.resume ? [item('resume', 'Resume')] : []),
    item('clone', 'Clone'),
    ...(allowed.cancel ? [item('cancel', 'Cancel campaign', true)] : []),
    ...(allowed.remove ? [item('delete', 'Delete', true)] : []),
  ];

  return (
    <tr className={styles.row}>
      <td className={styles.titleCell} data-label="Campaign">
        <div className={styles.stack}>
          <span className={styles.titleLine}>
            <Link className={styles.title} to={campaignPath(campaign.id)}>
              {campaign.title}
            </Link>
            {campaign.kind === 'AI' ? <AiTag /> : null}
          </span>
          <span className={styles.muted}>{campaignTiming({ ...campaign, status }, timeZone)}</span>
        </div>
      </td>
      <td className={styles.statusCell} data-label="Status">
        <div className={styles.stack}>
          <CampaignStatusBadge status={status} />
          {pausedReason && statusReasonHeading(status) ? (
            <span className={styles.reason}>{pausedReason}</span>
          ) : null}
        </div>
      </td>
      <td className={styles.progressCell} data-label="Progress">
        <CampaignProgressBar counts={totals} label={`Progress of ${campaign.title}`} />
      </td>
      <td className={styles.actionsCell}>
        <MenuButton label={`Actions for ${campaign.title}`} items={items} />
      </td>
    </tr>
  );
}
