import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Client, makeResult, type Exchange, type Operation } from '@urql/core';
import { Provider } from 'urql';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { filter, fromValue, mergeMap, pipe } from 'wonka';

import { Thread } from './thread';

const JID = '601@s.whatsapp.net';

const message = (
  id: string,
  timestamp: string,
  fromMe: boolean,
  text: string,
  status = null as string | null,
) => ({
  __typename: 'Message',
  id,
  whatsappId: `W${id}`,
  chatJid: JID,
  fromMe,
  text,
  hasImage: false,
  mediaUrl: null,
  caption: null,
  timestamp,
  status,
});

const page = (nodes: ReturnType<typeof message>[], startCursor: string | null) => ({
  messages: {
    __typename: 'MessageConnection',
    pageInfo: { __typename: 'PageInfo', hasPreviousPage: startCursor !== null, startCursor },
    nodes,
  },
});

/** A client answering the newest page, and the page before cursor `c1` when asked. */
function client() {
  const pages: Record<string, Record<string, unknown>> = {
    newest: page(
      [
        message('3', '2026-01-06T09:00:00Z', true, 'Tuesday reply', 'READ'),
        message('4', '2026-01-07T07:04:00Z', false, 'Wednesday question'),
        message('5', '2026-01-07T07:05:00Z', true, 'On my way', 'FAILED'),
      ],
      'c1',
    ),
    c1: page(
      [
        message('1', '2026-01-05T08:00:00Z', false, 'Monday hello'),
        message('2', '2026-01-06T08:00:00Z', false, 'Tuesday question'),
      ],
      null,
    ),
  };
  const server: Exchange = () => (operations$) =>
    pipe(
      operations$,
      filter((operation: Operation) => operation.kind === 'query'),
      mergeMap((operation: Operation) => {
        const before = (operation.variables as { before: string | null }).before;
        return fromValue(makeResult(operation, { data: pages[before ?? 'newest'] }));
      }),
    );
  return new Client({ url: '/graphql', exchanges: [server] });
}

describe('Thread', () => {
  afterEach(() => vi.useRealTimers());

  it('shows days, ticks and “Not sent”, and pages back with “Load older”', async () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 0, 7, 10, 0), toFake: ['Date'] });
    render(
      <Provider value={client()}>
        <Thread deviceId="d1" chatJid={JID} contactName="Aisha" timeZone="Asia/Kuala_Lumpur" />
      </Provider>,
    );
    const log = screen.getByRole('log', { name: 'Messages' });
    expect(log).toHaveTextContent('wafleet keeps the newest 20 messages of each chat.');
    expect(
      within(log)
        .getAllByRole('heading')
        .map((h) => h.textContent),
    ).toEqual(['Yesterday', 'Today']);
    const today = within(log).getByRole('region', { name: 'Today' });
    expect(
      within(today)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['Aisha:Wednesday question15:04', 'You:On my way15:05Not sent']);
    expect(within(today).getByRole('img', { name: 'Not sent' })).toBeInTheDocument();
    expect(
      within(within(log).getByRole('region', { name: 'Yesterday' })).getByRole('img', {
        name: 'Read',
      }),
    ).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Load older messages' }));

    expect(
      within(log)
        .getAllByRole('heading')
        .map((h) => h.textContent),
    ).toEqual(['Monday', 'Yesterday', 'Today']);
    const yesterday = within(log).getByRole('region', { name: 'Yesterday' });
    expect(
      within(yesterday)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['Aisha:Tuesday question16:00', 'You:Tuesday reply17:00']);
    expect(screen.queryByRole('button', { name: 'Load older messages' })).toBeNull();
  });
});
