import { describe, expect, it } from 'vitest';

import { imageProblem, MAX_IMAGE_BYTES } from './image';

describe('imageProblem', () => {
  it('accepts a picture WhatsApp takes', () => {
    expect(imageProblem({ name: 'a.png', type: 'image/png', size: 1000 })).toBeNull();
  });

  it('says why another file cannot go', () => {
    expect(imageProblem({ name: 'a.gif', type: 'image/gif', size: 10 })).toMatch(/not a picture/);
    expect(imageProblem({ name: 'a.png', type: 'image/png', size: 0 })).toMatch(/empty/);
    expect(imageProblem({ name: 'a.png', type: 'image/png', size: MAX_IMAGE_BYTES + 1 })).toMatch(
      /larger than 16 MB/,
    );
  });
});
