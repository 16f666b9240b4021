import { act, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { describe, expect, it } from 'vitest';

import { toggleStatus } from './filters';
import { useAddressFilters } from './use-address-filters';

function FailedOnly() {
  const [filters, setFilters] = useAddressFilters();
  return (
    <label>
      <input
        type="checkbox"
        checked={filters.statuses.includes('FAILED')}
        onChange={() =>
          setFilters({ ...filters, statuses: toggleStatus(filters.statuses, 'FAILED') })
        }
      />
      Failed
    </label>
  );
}

function setUp(url: string) {
  const router = createMemoryRouter([{ path: '/outbox', element: <FailedOnly /> }], {
    initialEntries: [url],
  });
  render(<RouterProvider router={router} />);
  return { router, box: screen.getByRole('checkbox', { name: 'Failed' }) };
}

describe('useAddressFilters', () => {
  it('starts from the address', () => {
    expect(setUp('/outbox?status=FAILED').box).toBeChecked();
  });

  it('shows a change at once and writes it into the address', async () => {
    const { router, box } = setUp('/outbox');
    await userEvent.click(box);
    expect(box).toBeChecked();
    expect(router.state.location.search).toBe('?status=FAILED');
    await userEvent.click(box);
    expect(box).not.toBeChecked();
    expect(router.state.location.search).toBe('');
  });

  it('follows the address when it changes by itself', async () => {
    const { router, box } = setUp('/outbox');
    await act(() => router.navigate('/outbox?status=FAILED'));
    expect(box).toBeChecked();
  });
});
