import { useMemo } from 'react';

import { qrCodePath } from '../utils/qr-path';

export type QrCodeImageProps = {
  value: string;
  /** The accessible name of the image. */
  label: string;
  size?: number;
  className?: string;
};

/** A QR code drawn as SVG (sharp at any size, nothing to download). */
export function QrCodeImage({ value, label, size = 240, className }: QrCodeImageProps) {
  const { path, size: modules } = useMemo(() => qrCodePath(value), [value]);
  return (
    <svg
      role="img"
      aria-label={label}
      className={className}
      width={size}
      height={size}
      viewBox={`0 0 ${modules} ${modules}`}
      shapeRendering="crispEdges"
    >
      <rect width={modules} height={modules} fill="#fff" />
      <path d={path} fill="#111b21" />
    </svg>
  );
}
