// Runs Lighthouse (mobile, its default form factor: the readers are on phones) on one page
// of a built site with Debian's Chromium and prints the four category scores and every
// audit that did not pass. Reports go to OUT_DIR as JSON and HTML.
//
// Usage: node lighthouse.mjs SITE_DIR [PAGE_PATH] [OUT_DIR]
//   --min N     exit 1 when SEO, accessibility or best practices score below N (0–100)
//   --desktop   Lighthouse's desktop preset instead of the mobile default
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM, FLAGS, freshProfile } from './chromium.mjs';
import { serve } from './serve.mjs';

const argv = process.argv.slice(2);
const minAt = argv.indexOf('--min');
const min = minAt >= 0 ? Number(argv.splice(minAt, 2)[1]) : null;
const desktopAt = argv.indexOf('--desktop');
const desktop = desktopAt >= 0 && argv.splice(desktopAt, 1).length > 0;
const [siteDir, pagePath = '/yueyang/canbaodi-biangeng/', outDir = 'ci-artifacts/lighthouse'] = argv;
if (!siteDir || (min !== null && Number.isNaN(min))) {
  console.error('usage: node lighthouse.mjs SITE_DIR [PAGE_PATH] [OUT_DIR] [--min N] [--desktop]');
  process.exit(2);
}

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, 'node_modules', 'lighthouse', 'cli', 'index.js');
mkdirSync(outDir, { recursive: true });
const base = join(resolve(outDir), 'report');

const server = await serve(resolve(siteDir));
const profile = freshProfile();
let run;
try {
  const url = new URL(pagePath, server.url).href;
  console.log(`lighthouse: ${url}`);
  // Asynchronous on purpose: a blocking spawn would stop this process serving the pages.
  run = await new Promise((done) => {
    const child = spawn(process.execPath, [
      cli, url,
      `--chrome-flags=${[...FLAGS, `--user-data-dir=${profile.dir}`].join(' ')}`,
      '--output=json', '--output=html', `--output-path=${base}`,
      '--quiet',
      ...(desktop ? ['--preset=desktop'] : []),
    ], { env: { ...process.env, CHROME_PATH: CHROMIUM }, stdio: 'inherit' });
    child.on('error', (e) => done({ status: String(e) }));
    child.on('exit', (code) => done({ status: code }));
  });
} finally {
  await server.close();
  profile.remove();
}
if (run.status !== 0) {
  console.error(`lighthouse failed (exit ${run.status})`);
  process.exit(1);
}

const report = JSON.parse(readFileSync(`${base}.report.json`, 'utf8'));
const cats = report.categories;
const score = (id) => Math.round((cats[id]?.score ?? 0) * 100);
for (const id of ['performance', 'accessibility', 'best-practices', 'seo']) {
  console.log(`${cats[id].title.padEnd(16)} ${score(id)}`);
}
for (const [id, cat] of Object.entries(cats)) {
  for (const ref of cat.auditRefs) {
    const a = report.audits[ref.id];
    if (ref.weight > 0 && a.score !== null && a.score < 1) {
      console.log(`  not passed (${id}): ${a.id}: ${a.title}${a.displayValue ? ` (${a.displayValue})` : ''}`);
    }
  }
}
console.log(`reports: ${base}.report.html, ${base}.report.json`);
if (runtimeError(report)) process.exit(1);
if (min !== null) {
  const low = ['accessibility', 'best-practices', 'seo'].filter((id) => score(id) < min);
  if (low.length) {
    console.error(`below ${min}: ${low.join(', ')}`);
    process.exit(1);
  }
}

function runtimeError(r) {
  if (r.runtimeError) console.error(`lighthouse runtime error: ${r.runtimeError.message}`);
  return Boolean(r.runtimeError);
}
