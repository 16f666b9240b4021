import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { defineConfig, devices } from '@playwright/test';

const here = path.dirname(fileURLToPath(import.meta.url));
// A random pair of ports per run (handed to the workers through the environment), so runs on
// one machine never collide; WAFLEET_E2E_PORT pins it.
process.env.WAFLEET_E2E_PORT ??= String(20000 + 2 * Math.floor(Math.random() * 15000));
const port = Number(process.env.WAFLEET_E2E_PORT);
const baseURL = `http://127.0.0.1:${port}`;

// The config is loaded again in every worker; the scratch directory is made once, by the
// first load, and handed on through the environment the workers inherit.
process.env.WAFLEET_E2E_DIR ??= mkdtempSync(path.join(tmpdir(), 'wafleet-e2e-'));
const scratch = process.env.WAFLEET_E2E_DIR;

const bin = process.env.WAFLEET_BIN ?? path.resolve(here, '../target/debug/wafleet');

const fastQrPort = port + 1;
// Read by the tests that need QR codes to expire quickly (see `server` below).
process.env.WAFLEET_E2E_FAST_QR_URL = `http://127.0.0.1:${fastQrPort}`;

/** `wafleet serve` with simulated WhatsApp, its own SQLite file and the built SPA. */
function server(listen: number, name: string, env: Record<string, string> = {}) {
  const url = `http://127.0.0.1:${listen}`;
  return {
    command: `"${bin}" serve`,
    url: `${url}/healthz`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'pipe' as const,
    stderr: 'pipe' as const,
    env: {
      WAFLEET_BIND: `127.0.0.1:${listen}`,
      DATABASE_URL: `sqlite://${path.join(scratch, `${name}.db`)}?mode=rwc`,
      WAFLEET_WHATSAPP: 'sim',
      WAFLEET_WEB_DIR: path.resolve(here, '../web/dist'),
      WAFLEET_MEDIA_DIR: path.join(scratch, `${name}-media`),
      // Quick reconnect backoff, so a device with failing connects reaches FAILED in a second.
      WAFLEET_DEVICE_BACKOFF_MS: '100',
      WAFLEET_DEVICE_BACKOFF_MAX_MS: '400',
      ...env,
    },
  };
}

export default defineConfig({
  testDir: './tests',
  outputDir: './test-results',
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  globalTeardown: './global-teardown.ts',
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        viewport: { width: 1280, height: 800 },
        launchOptions: {
          // Debian's Chromium; Playwright never downloads a browser of its own here.
          executablePath: process.env.WAFLEET_CHROMIUM ?? '/usr/bin/chromium',
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        },
      },
    },
  ],
  webServer: [
    server(port, 'wafleet'),
    // A second server whose simulated QR codes expire within seconds, for the tests of what
    // happens when nobody scans them (the real timing is a minute and more).
    server(fastQrPort, 'wafleet-fast-qr', { WAFLEET_SIM_QR_TTL_MS: '1000' }),
  ],
});
