import { rmSync } from 'node:fs';

export default function globalTeardown() {
  const scratch = process.env.WAFLEET_E2E_DIR;
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}
