import { describe, expect, it } from 'vitest';

import { fileNameOf } from './export';

describe('fileNameOf', () => {
  it('reads the name of an attachment', () => {
    expect(fileNameOf('attachment; filename="leads.csv"')).toBe('leads.csv');
    expect(fileNameOf('attachment; filename=opt-outs.csv')).toBe('opt-outs.csv');
  });

  it('is null without one', () => {
    expect(fileNameOf(null)).toBeNull();
    expect(fileNameOf('attachment')).toBeNull();
  });
});
