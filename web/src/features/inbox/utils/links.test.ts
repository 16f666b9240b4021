import { describe, expect, it } from 'vitest';

import { linkify } from './links';

describe('links in messages', () => {
  it('become links, without the punctuation after them', () => {
    expect(linkify('See https://shop.example.com/dress?size=M. Thanks!')).toEqual([
      { text: 'See ' },
      {
        text: 'https://shop.example.com/dress?size=M',
        href: 'https://shop.example.com/dress?size=M',
      },
      { text: '. Thanks!' },
    ]);
  });

  it('take www. addresses as https', () => {
    expect(linkify('(www.example.com)')).toEqual([
      { text: '(' },
      { text: 'www.example.com', href: 'https://www.example.com/' },
      { text: ')' },
    ]);
  });

  it('never link anything but http and https', () => {
    expect(linkify('javascript:alert(1) data:text/html,hi ftp://x.example')).toEqual([
      { text: 'javascript:alert(1) data:text/html,hi ftp://x.example' },
    ]);
    expect(linkify('no links here')).toEqual([{ text: 'no links here' }]);
  });
});
