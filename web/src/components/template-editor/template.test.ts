import { describe, expect, it } from 'vitest';

import { distinctTextsLabel, insertToken, PLACEHOLDERS } from './template';

describe('insertToken', () => {
  it('puts the token at the caret and moves the caret after it', () => {
    expect(insertToken('Hi !', '{name}', 3, 3)).toEqual({ text: 'Hi {name}!', caret: 9 });
  });

  it('replaces the selection', () => {
    expect(insertToken('Hi Bob!', '{name|there}', 3, 6)).toEqual({
      text: 'Hi {name|there}!',
      caret: 15,
    });
  });

  it('appends when the caret is unknown or out of range', () => {
    expect(insertToken('Call ', '{phone}', null, null)).toEqual({
      text: 'Call {phone}',
      caret: 12,
    });
    expect(insertToken('ab', '{name}', 10, 12)).toEqual({ text: 'ab{name}', caret: 8 });
    expect(insertToken('ab', '{name}', 2, 0)).toEqual({ text: 'ab{name}', caret: 8 });
  });

  it('offers the three placeholders of the template syntax', () => {
    expect(PLACEHOLDERS.map((chip) => chip.token)).toEqual(['{name}', '{name|there}', '{phone}']);
  });
});

describe('distinctTextsLabel', () => {
  it('reads naturally', () => {
    expect(distinctTextsLabel(1)).toBe('1 text (no variation)');
    expect(distinctTextsLabel(1200)).toBe('1,200 different texts');
    expect(distinctTextsLabel(5e9)).toBe('over a million different texts');
    expect(distinctTextsLabel(Number.POSITIVE_INFINITY)).toBe('over a million different texts');
  });
});
