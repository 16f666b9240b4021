import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { Provider } from 'urql';
import { describe, expect, it, vi } from 'vitest';

import { mockClient } from '@/testing/graphql';

import { DevicePicker } from './device-picker';

function device(id: string, name: string, phone: string | null, status = 'ONLINE') {
  return { __typename: 'Device', id, name, phone, status, createdAt: '2026-01-01T00:00:00Z' };
}

const list = [
  device('a', 'Sales 1', '+60111111111'),
  device('b', 'Front desk', null, 'PAIRING'),
  device('c', 'Support', '+60122222222', 'FAILED'),
];

function Picker({
  onChange,
  ...props
}: {
  onChange: (id: string | null) => void;
  allLabel?: string;
}) {
  const [value, setValue] = useState<string | null>(null);
  return (
    <DevicePicker
      {...props}
      value={value}
      requirePaired
      onChange={(id) => {
        setValue(id);
        onChange(id);
      }}
    />
  );
}

function open(props: { allLabel?: string } = {}) {
  const client = mockClient({
    query: {
      data: {
        devices: {
          __typename: 'DeviceConnection',
          totalCount: 3,
          pageInfo: { __typename: 'PageInfo', hasNextPage: false, endCursor: null },
          nodes: list,
        },
        device: list[2],
      },
    },
  });
  const onChange = vi.fn();
  render(
    <Provider value={client}>
      <Picker onChange={onChange} {...props} />
    </Provider>,
  );
  return { onChange, combobox: screen.getByRole('combobox', { name: 'Device' }) };
}

describe('DevicePicker', () => {
  it('opens with the arrow key, skips devices that cannot be chosen and picks with Enter', async () => {
    const { onChange, combobox } = open();
    expect(combobox).toHaveAttribute('aria-expanded', 'false');

    combobox.focus();
    await userEvent.keyboard('{ArrowDown}');
    expect(combobox).toHaveAttribute('aria-expanded', 'true');
    const options = screen.getAllByRole('option');
    expect(options.map((option) => option.textContent)).toEqual([
      'Sales 1 · +60111111111',
      'Front desk · Not paired yet: cannot send',
      'Support · +60122222222 · Failed',
    ]);
    expect(combobox).toHaveAttribute('aria-activedescendant', options[0]?.id);

    // Down skips the unpaired device.
    await userEvent.keyboard('{ArrowDown}');
    expect(combobox).toHaveAttribute('aria-activedescendant', options[2]?.id);
    await userEvent.keyboard('{Enter}');
    expect(onChange).toHaveBeenCalledWith('c');
    expect(combobox).toHaveAttribute('aria-expanded', 'false');
    expect(combobox).toHaveValue('Support · +60122222222');
  });

  it('closes on Escape without choosing, and offers "all devices" first', async () => {
    const { onChange, combobox } = open({ allLabel: 'All devices' });
    expect(combobox).toHaveValue('All devices');
    await userEvent.click(combobox);
    expect(screen.getAllByRole('option')[0]).toHaveTextContent('All devices');
    await userEvent.keyboard('{Escape}');
    expect(combobox).toHaveAttribute('aria-expanded', 'false');
    expect(onChange).not.toHaveBeenCalled();
  });

  it('searches what is typed', async () => {
    const { combobox } = open();
    await userEvent.type(combobox, 'sup');
    expect(combobox).toHaveValue('sup');
    expect(combobox).toHaveAttribute('aria-expanded', 'true');
  });
});
