import { describe, expect, it } from 'vitest';

import { QR_QUIET_ZONE, qrCodePath } from './qr-path';

const WHATSAPP_LIKE =
  '2@simTo2Etj5JMG/gv+88,XGR8Rk/XQUSnFBuLV9vAMtDuC5HKeafkK0z7pduIX9M=,g/+8wNkNnYyRyOZfcS/lHf1J/E/F62VL8O0zjH+fcX8=,QQBpJs5ScS3ALmTDUzHayPOGsZXOqi4taqeMFX6561Q=,1';

function darkModules(path: string) {
  return new Set([...path.matchAll(/M(\d+) (\d+)/g)].map((m) => `${m[1]},${m[2]}`));
}

describe('qrCodePath', () => {
  it('draws a square QR symbol with a quiet zone around it', () => {
    const { size, path } = qrCodePath(WHATSAPP_LIKE);
    const modules = size - 2 * QR_QUIET_ZONE;
    // Versions are 21, 25, 29, … modules wide.
    expect((modules - 17) % 4).toBe(0);
    const dark = darkModules(path);
    for (const key of dark) {
      const [x, y] = key.split(',').map(Number) as [number, number];
      expect(x).toBeGreaterThanOrEqual(QR_QUIET_ZONE);
      expect(y).toBeLessThan(size - QR_QUIET_ZONE);
    }
  });

  it('has the three finder patterns in the corners', () => {
    const { size, path } = qrCodePath(WHATSAPP_LIKE);
    const dark = darkModules(path);
    const q = QR_QUIET_ZONE;
    const far = size - q - 7;
    for (const [x, y] of [
      [q, q],
      [far, q],
      [q, far],
    ] as const) {
      // The outer ring is dark, the ring inside it light, the 3×3 centre dark.
      expect(dark.has(`${x},${y}`)).toBe(true);
      expect(dark.has(`${x + 6},${y + 6}`)).toBe(true);
      expect(dark.has(`${x + 1},${y + 1}`)).toBe(false);
      expect(dark.has(`${x + 3},${y + 3}`)).toBe(true);
    }
  });

  it('changes with the code', () => {
    expect(qrCodePath('2@a,b,c,d,1').path).not.toBe(qrCodePath('2@e,f,g,h,1').path);
  });
});
