import { describe, expect, it } from 'vitest';

import { chatSearchTerm, chatTitle, initials, phoneProblem } from './chat';

describe('chats', () => {
  it('are called by name, else by number', () => {
    const jid = '60123456789@s.whatsapp.net';
    expect(chatTitle({ name: 'Aisha Rahman', phone: '+60123456789', jid })).toBe('Aisha Rahman');
    expect(chatTitle({ name: '  ', phone: '+60123456789', jid })).toBe('+60123456789');
    expect(chatTitle({ name: null, phone: null, jid: '1234@lid' })).toBe('1234');
  });

  it('show initials, or none for names without letters', () => {
    expect(initials('Aisha Rahman')).toBe('AR');
    expect(initials('ben')).toBe('B');
    expect(initials('Élodie de la Tour')).toBe('ÉD');
    expect(initials('+60 12')).toBeNull();
    expect(initials(null)).toBeNull();
  });

  it('are searched by number as digits (JIDs have no + or spaces)', () => {
    expect(chatSearchTerm(' +60 12-345 ')).toBe('6012345');
    expect(chatSearchTerm('Aisha')).toBe('Aisha');
    expect(chatSearchTerm('  ')).toBe('');
  });

  it('start with a plausible phone number', () => {
    expect(phoneProblem('+60 12-345 6789')).toBeNull();
    expect(phoneProblem('')).toMatch(/Enter the phone number/);
    expect(phoneProblem('call me')).toMatch(/only contain digits/);
    expect(phoneProblem('12345')).toMatch(/8 to 15 digits/);
  });
});
