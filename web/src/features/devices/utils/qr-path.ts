import { create } from 'qrcode';

/** Modules of white border around the code, as the QR standard asks. */
export const QR_QUIET_ZONE = 4;

/** The dark modules of the QR code for `text` as one SVG path, and the side of the square. */
export function qrCodePath(text: string): { path: string; size: number } {
  const { modules } = create(text, { errorCorrectionLevel: 'M' });
  const parts: string[] = [];
  for (let row = 0; row < modules.size; row += 1) {
    for (let col = 0; col < modules.size; col += 1) {
      if (modules.data[row * modules.size + col]) {
        parts.push(`M${col + QR_QUIET_ZONE} ${row + QR_QUIET_ZONE}h1v1h-1z`);
      }
    }
  }
  return { path: parts.join(''), size: modules.size + 2 * QR_QUIET_ZONE };
}
