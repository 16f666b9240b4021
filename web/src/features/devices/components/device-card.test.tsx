import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { describe, expect, it, vi } from 'vitest';

import { makeFragmentData } from '@/gql';
import type { DeviceCardFragment } from '@/gql/graphql';

import { DeviceCardFragment as DeviceCardDoc } from '../api/devices';
import { DeviceCard, primaryAction } from './device-card';

const base: DeviceCardFragment = {
  id: 'dev-1',
  name: 'Marketing',
  phone: '+60122222222',
  status: 'BANNED',
  statusReason: 'sent to too many people',
  bannedUntil: '2026-01-02T03:04:00Z',
  lastSeenAt: '2026-01-01T10:00:00Z',
  pairedAt: '2026-01-01T09:00:00Z',
  createdAt: '2026-01-01T08:00:00Z',
  minDelaySeconds: 5,
  maxDelaySeconds: 15,
  dailyCap: null,
};

function card(fields: Partial<DeviceCardFragment> = {}, timeZone = 'Asia/Kuala_Lumpur') {
  const onAction = vi.fn();
  const device = { ...base, ...fields };
  render(
    <DeviceCard
      device={makeFragmentData(device, DeviceCardDoc)}
      timeZone={timeZone}
      onAction={onAction}
    />,
    { wrapper: MemoryRouter },
  );
  return { onAction, device, article: screen.getByRole('article', { name: device.name }) };
}

describe('DeviceCard', () => {
  it('shows the status, why, and the settings, in the user’s time zone', () => {
    const { article } = card();
    expect(article).toHaveTextContent('Banned');
    expect(article).toHaveTextContent(/Banned until .*11:04.*; sends are paused\./);
    expect(article).toHaveTextContent('+60122222222');
    expect(article).toHaveTextContent('5–15 s');
    expect(article).toHaveTextContent('No cap');
    expect(article).toHaveTextContent(/6:00/); // last seen, 10:00 UTC in Kuala Lumpur
  });

  it('says when a device is not paired yet and offers its QR code', async () => {
    const { article, onAction, device } = card({
      status: 'PAIRING',
      phone: null,
      statusReason: null,
      lastSeenAt: null,
    });
    expect(article).toHaveTextContent('Not paired yet');
    expect(article).toHaveTextContent('Never');
    await userEvent.click(within(article).getByRole('button', { name: 'Show QR code' }));
    expect(onAction).toHaveBeenCalledWith('pair', device);
  });

  it('lists the actions in a menu; log out only for a paired device', async () => {
    const { article, onAction, device } = card({ status: 'ONLINE' });
    await userEvent.click(within(article).getByRole('button', { name: 'Actions for Marketing' }));
    const items = screen.getAllByRole('menuitem').map((item) => item.textContent);
    expect(items).toEqual(['Edit', 'Reconnect', 'Log out', 'Delete']);
    expect(screen.getByRole('menuitem', { name: 'Edit' })).toHaveFocus();
    await userEvent.keyboard('{ArrowUp}{Enter}');
    expect(onAction).toHaveBeenCalledWith('delete', device);
    expect(screen.queryByRole('menu')).toBeNull();
  });

  it('closes the menu on Escape and gives the focus back', async () => {
    const { article } = card({ status: 'PAIRING', phone: null });
    const button = within(article).getByRole('button', { name: 'Actions for Marketing' });
    await userEvent.click(button);
    expect(screen.getAllByRole('menuitem').map((item) => item.textContent)).toEqual([
      'Edit',
      'Reconnect',
      'Delete',
    ]);
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('menu')).toBeNull();
    expect(button).toHaveFocus();
  });
});

describe('primaryAction', () => {
  it('offers what each status calls for', () => {
    expect(primaryAction('PAIRING')?.label).toBe('Show QR code');
    expect(primaryAction('LOGGED_OUT')?.label).toBe('Pair again');
    expect(primaryAction('FAILED')?.label).toBe('Reconnect');
    expect(primaryAction('OFFLINE')?.label).toBe('Reconnect');
    expect(primaryAction('ONLINE')).toBeNull();
    expect(primaryAction('BANNED')).toBeNull();
  });
});
