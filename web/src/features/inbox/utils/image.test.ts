import { describe, expect, it } from 'vitest';

import { formatBytes, imageProblem, MAX_IMAGE_BYTES } from './image';

const file = (name: string, type: string, size: number) => ({ name, type, size });

describe('imageProblem', () => {
  it('accepts JPEG, PNG and WebP up to 16 MB', () => {
    expect(imageProblem(file('a.jpg', 'image/jpeg', 1000))).toBeNull();
    expect(imageProblem(file('a.png', 'image/png', MAX_IMAGE_BYTES))).toBeNull();
    expect(imageProblem(file('a.webp', 'image/webp', 10))).toBeNull();
  });

  it('says why other files cannot be sent', () => {
    expect(imageProblem(file('cat.gif', 'image/gif', 1000))).toBe(
      '“cat.gif” is not a picture that can be sent. Choose a JPEG, PNG or WebP image.',
    );
    expect(imageProblem(file('notes.pdf', 'application/pdf', 1000))).toMatch(/not a picture/);
    expect(imageProblem(file('big.jpg', 'image/jpeg', 17 * 1024 * 1024))).toBe(
      '“big.jpg” is 17.0 MB; pictures can be at most 16.0 MB.',
    );
    expect(imageProblem(file('empty.png', 'image/png', 0))).toMatch(/is empty/);
  });

  it('writes sizes for people', () => {
    expect(formatBytes(340 * 1024)).toBe('340 KB');
    expect(formatBytes(100)).toBe('1 KB');
    expect(formatBytes(1.5 * 1024 * 1024)).toBe('1.5 MB');
  });
});
