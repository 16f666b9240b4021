import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';

import { Button } from './button';
import { ConfirmDialog, Dialog } from './dialog';

function Opener({ busy = false, onClose = () => undefined }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button onClick={() => setOpen(true)}>Open</Button>
      <Dialog
        open={open}
        title="Edit"
        busy={busy}
        onClose={() => {
          onClose();
          setOpen(false);
        }}
      >
        <input aria-label="First" />
        <input aria-label="Last" />
      </Dialog>
    </>
  );
}

describe('Dialog', () => {
  it('focuses its first field, keeps Tab inside and gives the focus back on Escape', async () => {
    render(<Opener />);
    const opener = screen.getByRole('button', { name: 'Open' });
    await userEvent.click(opener);
    expect(screen.getByRole('dialog', { name: 'Edit' })).toBeVisible();
    expect(screen.getByLabelText('First')).toHaveFocus();

    await userEvent.tab();
    expect(screen.getByLabelText('Last')).toHaveFocus();
    await userEvent.tab();
    expect(screen.getByLabelText('First')).toHaveFocus();
    await userEvent.tab({ shift: true });
    expect(screen.getByLabelText('Last')).toHaveFocus();

    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(opener).toHaveFocus();
  });

  it('stays open while busy', async () => {
    const onClose = vi.fn();
    render(<Opener busy onClose={onClose} />);
    await userEvent.click(screen.getByRole('button', { name: 'Open' }));
    await userEvent.keyboard('{Escape}');
    expect(onClose).not.toHaveBeenCalled();
    expect(screen.getByRole('dialog')).toBeVisible();
  });
});

describe('ConfirmDialog', () => {
  it('is described by its message and starts on Cancel', () => {
    render(
      <ConfirmDialog
        open
        title="Delete it?"
        confirmLabel="Delete"
        onConfirm={() => undefined}
        onCancel={() => undefined}
      >
        <p>This cannot be undone.</p>
      </ConfirmDialog>,
    );
    expect(screen.getByRole('dialog', { name: 'Delete it?' })).toHaveAccessibleDescription(
      'This cannot be undone.',
    );
    expect(screen.getByRole('button', { name: 'Cancel' })).toHaveFocus();
  });
});
