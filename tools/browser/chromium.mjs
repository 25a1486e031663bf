// How this project starts Chromium: the Debian package's binary with the flags an offline
// machine needs (without the network flags Chromium waits on services it cannot reach).
// Shared by the browser checks and the Lighthouse run so both see the same browser.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The Chromium binary: $CHROME_PATH, else Debian's /usr/bin/chromium. */
export const CHROMIUM = process.env.CHROME_PATH || '/usr/bin/chromium';

/** Flags every run passes, besides a fresh --user-data-dir. */
export const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A fresh, empty profile folder; `remove()` deletes it. */
export function freshProfile() {
  const dir = mkdtempSync(join(tmpdir(), 'sitegen-chromium-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
