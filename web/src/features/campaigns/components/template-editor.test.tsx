import { fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';

import { CampaignProgressBar } from './progress-bar';
import { TemplateEditor } from '@/components/template-editor/template-editor';

function Harness({ initial }: { initial: string }) {
  const [value, setValue] = useState(initial);
  return <TemplateEditor value={value} onChange={setValue} />;
}

describe('TemplateEditor', () => {
  it('inserts a placeholder at the caret', () => {
    render(<Harness initial="Hi !" />);
    const area = screen.getByLabelText<HTMLTextAreaElement>('Message');
    area.setSelectionRange(3, 3);
    fireEvent.click(screen.getByRole('button', { name: 'Name or “there”' }));
    expect(area.value).toBe('Hi {name|there}!');
  });

  it('shows the error beside the field', () => {
    render(<TemplateEditor value="" onChange={() => {}} error="Write a message." />);
    expect(screen.getByRole('alert').textContent).toBe('Write a message.');
    expect(screen.getByLabelText('Message').getAttribute('aria-invalid')).toBe('true');
  });
});

describe('CampaignProgressBar', () => {
  it('reads out the share of final rows', () => {
    render(
      <CampaignProgressBar
        label="Progress of Promo"
        counts={{
          total: 20,
          pending: 0,
          queued: 10,
          sent: 9,
          delivered: 4,
          read: 1,
          failed: 1,
          skipped: 0,
          cancelled: 0,
          replied: 0,
        }}
      />,
    );
    const bar = screen.getByRole('progressbar', { name: 'Progress of Promo' });
    expect(bar.getAttribute('aria-valuenow')).toBe('50');
    expect(screen.getByText('9 of 20 sent · 1 failed')).toBeTruthy();
  });
});
