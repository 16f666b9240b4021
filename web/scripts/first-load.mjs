// What a browser downloads to show a screen for the first time, in kB as sent gzip-compressed:
// index.html, the entry chunk, and each lazy chunk the screen needs, with the chunks and CSS
// they import. Reads the build's manifest (run `npm run build` first).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist');
const manifest = JSON.parse(readFileSync(path.join(dist, '.vite/manifest.json'), 'utf8'));

/** The screens, by the lazy modules they load after the entry (src/app/router.tsx). */
const screens = {
  'Log in (/login)': ['src/app/routes/log-in.tsx'],
  'Sign up (/signup)': ['src/app/routes/sign-up.tsx'],
  'Home, the first signed-in screen (/)': ['src/app/signed-in.tsx', 'src/app/routes/home.tsx'],
  'Devices (/devices)': ['src/app/signed-in.tsx', 'src/app/routes/devices.tsx'],
  'Inbox (/devices/:id/inbox)': ['src/app/signed-in.tsx', 'src/app/routes/inbox.tsx'],
  'Outbox (/outbox)': ['src/app/signed-in.tsx', 'src/app/routes/outbox.tsx'],
  'Campaigns (/campaigns)': ['src/app/signed-in.tsx', 'src/app/routes/campaigns.tsx'],
  'Settings (/settings)': ['src/app/signed-in.tsx', 'src/app/routes/settings.tsx'],
};

const gzipped = new Map();
function gzipSize(file) {
  if (!gzipped.has(file)) {
    gzipped.set(file, gzipSync(readFileSync(path.join(dist, file)), { level: 9 }).length);
  }
  return gzipped.get(file);
}

/** The files of a manifest entry and of everything it imports statically. */
function closure(key, seen = new Set()) {
  const chunk = manifest[key];
  if (!chunk) throw new Error(`${key} is not in the manifest; is it still lazy-loaded?`);
  if (seen.has(key)) return seen;
  seen.add(key);
  for (const imported of chunk.imports ?? []) closure(imported, seen);
  return seen;
}

const entry = Object.keys(manifest).find((key) => manifest[key].isEntry);
const rows = [];
for (const [screen, lazyModules] of Object.entries(screens)) {
  const keys = new Set();
  for (const key of [entry, ...lazyModules]) closure(key, keys);
  const fileSet = new Set(['index.html']);
  for (const key of keys) {
    fileSet.add(manifest[key].file);
    for (const css of manifest[key].css ?? []) fileSet.add(css);
  }
  const bytes = [...fileSet].reduce((sum, file) => sum + gzipSize(file), 0);
  rows.push({ screen, files: fileSet.size, kB: (bytes / 1000).toFixed(1) });
}

console.log('First load per screen (gzip, as the server sends it; target: at most 200 kB)');
for (const row of rows) {
  console.log(`  ${row.screen.padEnd(40)} ${row.kB.padStart(7)} kB gz in ${row.files} files`);
}
