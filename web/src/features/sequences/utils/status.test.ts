import { describe, expect, it } from 'vitest';

import { statusButton } from '../api/commands';
import { nextStepLabel, timelineLabel } from './status';

describe('nextStepLabel', () => {
  it('counts steps from 1 for an active contact', () => {
    expect(nextStepLabel(1, 3, 'ACTIVE')).toBe('2 of 3');
  });

  it('shows nothing once the run is over', () => {
    expect(nextStepLabel(3, 3, 'ACTIVE')).toBe('—');
    expect(nextStepLabel(1, 3, 'REPLIED')).toBe('—');
  });
});

describe('timelineLabel', () => {
  it('names the step and its status, or the reply', () => {
    expect(timelineLabel(0, 'DELIVERED')).toBe('Step 1 delivered');
    expect(timelineLabel(null, 'REPLIED')).toBe('Replied');
  });
});

describe('statusButton', () => {
  it('activates a draft, pauses an active sequence and resumes a paused one', () => {
    expect(statusButton('DRAFT')).toEqual({ command: 'activate', label: 'Activate' });
    expect(statusButton('ACTIVE')).toEqual({ command: 'pause', label: 'Pause' });
    expect(statusButton('PAUSED')).toEqual({ command: 'resume', label: 'Resume' });
  });
});
