import { Fragment, useState } from 'react';

import { Button } from '@/components/ui/button';
import { ErrorMessage } from '@/components/ui/error-message';
import { SelectField } from '@/components/ui/field';
import { Spinner } from '@/components/ui/spinner';
import { Table } from '@/components/ui/table';
import { getFragmentData } from '@/gql';
import type { SequenceContactRowFragment } from '@/gql/graphql';
import { errorMessage } from '@/lib/errors';
import { formatDateTime } from '@/lib/format';

import {
  CONTACTS_PAGE_SIZE,
  SequenceContactFragment,
  useRemoveSequenceContact,
  useRestartSequenceContact,
  useSequenceContacts,
} from '../api/sequences';
import type { SequenceContactStatus } from '../utils/model';
import {
  CONTACT_STATUSES,
  contactStatusLabel,
  isContactStatus,
  nextStepLabel,
  timelineLabel,
} from '../utils/status';
import styles from './sequences.module.css';
import { ContactStatusBadge } from './status-badge';

type Contact = Omit<SequenceContactRowFragment, ' $fragmentName'>;

/** A sequence's contacts, filtered by status, a page at a time; a row opens its timeline. */
export function ContactsTable({
  sequenceId,
  stepCount,
}: {
  sequenceId: string;
  stepCount: number;
}) {
  const [status, setStatus] = useState<SequenceContactStatus | null>(null);
  // The cursors of the pages before this one; the last is this page's.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1] ?? null;
  const [{ data, error }] = useSequenceContacts(sequenceId, status, after);
  const [expanded, setExpanded] = useState<string | null>(null);
  const [, remove] = useRemoveSequenceContact();
  const [, restart] = useRestartSequenceContact();
  const [running, setRunning] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const page = data?.sequence?.contacts;
  const contacts = (page?.nodes ?? []).map((node) =>
    getFragmentData(SequenceContactFragment, node),
  );
  const first = (cursors.length - 1) * CONTACTS_PAGE_SIZE + 1;

  const act = async (action: 'remove' | 'restart', contact: Contact) => {
    setRunning(`${action}:${contact.id}`);
    setActionError(null);
    setNotice(null);
    const result =
      action === 'remove' ? await remove({ id: contact.id }) : await restart({ id: contact.id });
    setRunning(null);
    if (result.error) setActionError(errorMessage(result.error));
    else
      setNotice(
        action === 'remove'
          ? `${contact.name || contact.phone} is out of the sequence: nothing more is sent.`
          : `${contact.name || contact.phone} starts again from step 1.`,
      );
  };

  return (
    <div className={styles.contacts}>
      <div className={styles.toolbar} role="search" aria-label="Filter contacts">
        <SelectField
          label="Status"
          value={status ?? ''}
          options={[
            { value: '', label: 'Any status' },
            ...CONTACT_STATUSES.map((value) => ({ value, label: contactStatusLabel(value) })),
          ]}
          onChange={(event) => {
            const value = event.target.value;
            setStatus(isContactStatus(value) ? value : null);
            setCursors([null]);
          }}
        />
      </div>
      {notice ? (
        <div className={styles.notice} role="status">
          <p>{notice}</p>
        </div>
      ) : null}
      <ErrorMessage message={actionError} />
      {!page ? (
        error ? (
          <ErrorMessage message={errorMessage(error)} />
        ) : (
          <Spinner />
        )
      ) : page.totalCount === 0 && cursors.length === 1 ? (
        <p className={styles.muted}>
          {status
            ? 'No contact has this status.'
            : 'No one is enrolled yet: leads with the trigger code are, once the sequence is active, or add leads from the Leads screen.'}
        </p>
      ) : (
        <>
          <Table label="Contacts" className={styles.contactTable}>
            <thead>
              <tr>
                <th scope="col">Contact</th>
                <th scope="col">Device</th>
                <th scope="col">Status</th>
                <th scope="col">Next step</th>
                <th scope="col">Next due</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {contacts.map((contact) => {
                const open = expanded === contact.id;
                const timelineId = `timeline-${contact.id}`;
                return (
                  <Fragment key={contact.id}>
                    <tr className={styles.contactRow}>
                      <th scope="row" data-label="Contact">
                        <div className={styles.stack}>
                          <span>{contact.name || contact.phone}</span>
                          {contact.name ? (
                            <span className={styles.muted}>{contact.phone}</span>
                          ) : null}
                        </div>
                      </th>
                      <td data-label="Device">{contact.deviceName}</td>
                      <td data-label="Status">
                        <ContactStatusBadge status={contact.status} />
                      </td>
                      <td data-label="Next step">
                        {nextStepLabel(contact.nextStep, stepCount, contact.status)}
                      </td>
                      <td data-label="Next due">
                        {contact.nextDueAt ? (
                          <span title={contact.timeZone}>
                            {formatDateTime(contact.nextDueAt, contact.timeZone)}{' '}
                            <span className={styles.muted}>({contact.timeZone})</span>
                          </span>
                        ) : (
                          '—'
                        )}
                      </td>
                      <td className={styles.contactActions}>
                        <Button
                          variant="ghost"
                          size="small"
                          aria-expanded={open}
                          aria-controls={open ? timelineId : undefined}
                          onClick={() => setExpanded(open ? null : contact.id)}
                        >
                          {open ? 'Hide timeline' : 'Timeline'}
                        </Button>
                        {contact.status === 'ACTIVE' ? (
                          <Button
                            variant="secondary"
                            size="small"
                            onClick={() => void act('remove', contact)}
                            busy={running === `remove:${contact.id}`}
                            disabled={running !== null}
                          >
                            Remove
                          </Button>
                        ) : null}
                        {contact.status !== 'OPTED_OUT' ? (
                          <Button
                            variant="secondary"
                            size="small"
                            onClick={() => void act('restart', contact)}
                            busy={running === `restart:${contact.id}`}
                            disabled={running !== null}
                          >
                            Restart
                          </Button>
                        ) : null}
                      </td>
                    </tr>
                    {open ? (
                      <tr className={styles.timelineRow} id={timelineId}>
                        <td colSpan={6}>
                          <Timeline contact={contact} />
                        </td>
                      </tr>
                    ) : null}
                  </Fragment>
                );
              })}
            </tbody>
          </Table>
          <div className={styles.pager}>
            <span className={styles.muted}>
              {contacts.length === 0
                ? `None here of ${page.totalCount.toLocaleString('en-US')}`
                : `${first.toLocaleString('en-US')}–${(first + contacts.length - 1).toLocaleString('en-US')} of ${page.totalCount.toLocaleString('en-US')}`}
            </span>
            <div className={styles.actions}>
              <Button
                variant="secondary"
                size="small"
                disabled={cursors.length === 1}
                onClick={() => setCursors((current) => current.slice(0, -1))}
              >
                Previous
              </Button>
              <Button
                variant="secondary"
                size="small"
                disabled={!page.pageInfo.hasNextPage || !page.pageInfo.endCursor}
                onClick={() => {
                  const next = page.pageInfo.endCursor;
                  if (next) setCursors((current) => [...current, next]);
                }}
              >
                Next
              </Button>
            </div>
          </div>
        </>
      )}
    </div>
  );
}

/** Each step's time and status, and the replies, in the lead's time zone. */
function Timeline({ contact }: { contact: Contact }) {
  if (contact.timeline.length === 0) {
    return <p className={styles.muted}>Nothing sent yet.</p>;
  }
  return (
    <ol className={styles.timeline} aria-label={`Timeline of ${contact.name || contact.phone}`}>
      <li>
        <span className={styles.muted}>{formatDateTime(contact.enrolledAt, contact.timeZone)}</span>{' '}
        Enrolled
      </li>
      {contact.timeline.map((entry, index) => (
        <li key={index}>
          <span className={styles.muted}>
            {entry.at ? formatDateTime(entry.at, contact.timeZone) : 'Not yet'}
          </span>{' '}
          {timelineLabel(entry.position, entry.status)}
          {entry.text ? <span className={styles.timelineText}>{entry.text}</span> : null}
        </li>
      ))}
    </ol>
  );
}
