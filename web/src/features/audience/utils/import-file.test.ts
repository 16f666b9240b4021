import { describe, expect, it } from 'vitest';

import { importFileProblem, importFraction, MAX_IMPORT_BYTES, roughRowCount } from './import-file';

describe('importFileProblem', () => {
  it('takes a CSV file', () => {
    expect(importFileProblem({ name: 'leads.csv', size: 10, type: 'text/csv' })).toBeNull();
    expect(importFileProblem({ name: 'LEADS.CSV', size: 10, type: '' })).toBeNull();
  });

  it('refuses other files, empty ones and too large ones', () => {
    expect(importFileProblem({ name: 'photo.png', size: 10, type: 'image/png' })).toMatch(/CSV/);
    expect(importFileProblem({ name: 'x.csv', size: 10, type: 'image/png' })).toMatch(/CSV/);
    expect(importFileProblem({ name: 'x.csv', size: 0, type: 'text/csv' })).toMatch(/empty/);
    expect(
      importFileProblem({ name: 'x.csv', size: MAX_IMPORT_BYTES + 1, type: 'text/csv' }),
    ).toMatch(/50 MB/);
  });
});

describe('roughRowCount', () => {
  it('counts the lines after the header, blank ones left out', () => {
    expect(roughRowCount('name,phone\r\na,1\r\nb,2\r\n\r\n')).toBe(2);
    expect(roughRowCount('name,phone')).toBe(0);
    expect(roughRowCount('')).toBe(0);
  });
});

describe('importFraction', () => {
  it('is the share read, capped at the whole', () => {
    expect(importFraction(5, 10)).toBe(0.5);
    expect(importFraction(12, 10)).toBe(1);
    expect(importFraction(3, null)).toBeNull();
    expect(importFraction(3, 0)).toBeNull();
  });
});
