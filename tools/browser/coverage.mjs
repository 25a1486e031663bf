// Opens the coverage page (`sitegen coverage` → <report folder>/coverage.html) straight from
// the file, without a server, as an editor does, in headless Chromium at phone and desktop
// size, and checks: no console errors or failed requests; on the phone no sideways
// scrolling of the page (the matrix scrolls inside its own box); one matrix cell per city ×
// topic, each a link to an article section on the page; each section gives the city file
// line to edit; following a cell's link brings its section into view; the summary line is
// visible. Saves screenshots.
//
// Usage: node coverage.mjs COVERAGE_HTML [SCREENSHOT_DIR]   (exit 1 when any check fails)
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, FLAGS, freshProfile } from './chromium.mjs';

const [file, shotDir = 'ci-artifacts/screenshots'] = process.argv.slice(2);
if (!file) {
  console.error('usage: node coverage.mjs COVERAGE_HTML [SCREENSHOT_DIR]');
  process.exit(2);
}

const VIEWPORTS = [
  { name: 'phone', options: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 } },
  { name: 'desktop', options: { viewport: { width: 1366, height: 768 }, deviceScaleFactor: 1 } },
];

let passed = 0;
const failures = [];
function check(what, ok, detail = '') {
  if (ok) passed += 1;
  else failures.push(`${what}${detail ? `: ${detail}` : ''}`);
}

/** What the checks read from the page. */
function measure() {
  const box = document.querySelector('.matrix')?.closest('.box');
  const rows = [...document.querySelectorAll('.matrix tbody tr')];
  const cols = document.querySelectorAll('.matrix thead th').length - 1;
  const cells = [...document.querySelectorAll('.matrix tbody td')];
  const links = cells.map((td) => td.querySelector('a')).filter(Boolean).map((a) => a.getAttribute('href'));
  const sections = [...document.querySelectorAll('section.article')];
  const summary = document.querySelector('.summary');
  const r = summary?.getBoundingClientRect();
  return {
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
    boxOverflow: box ? getComputedStyle(box).overflowX : null,
    boxWidth: box ? box.getBoundingClientRect().width : 0,
    rows: rows.length,
    cols,
    cells: cells.length,
    links,
    missing: links.filter((h) => !h.startsWith('#') || !document.getElementById(decodeURIComponent(h.slice(1)))),
    sections: sections.length,
    withEdit: sections.filter((s) => /cities\/[^\s]+\.yaml:\d+/.test(s.textContent)).length,
    summary: summary ? { text: summary.textContent, visible: r.width > 0 && r.height > 0 } : null,
    h1: document.querySelectorAll('h1').length,
  };
}

mkdirSync(shotDir, { recursive: true });
const url = pathToFileURL(resolve(file)).href;
for (const vp of VIEWPORTS) {
  const label = `coverage ${vp.name}`;
  const profile = freshProfile();
  const ctx = await chromium.launchPersistentContext(profile.dir, {
    executablePath: CHROMIUM, headless: true, args: FLAGS, ...vp.options,
  });
  try {
    const page = await ctx.newPage();
    const errors = [];
    const failed = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('requestfailed', (r) => failed.push(`${r.url()} (${r.failure()?.errorText})`));
    await page.goto(url, { waitUntil: 'load' });
    const m = await page.evaluate(measure);
    await page.screenshot({ path: join(shotDir, `${vp.name}-coverage-first-screen.png`) });
    check(`${label}: one h1`, m.h1 === 1, `${m.h1}`);
    check(`${label}: summary visible`, !!m.summary?.visible && /cities use only defaults/.test(m.summary.text), JSON.stringify(m.summary));
    check(`${label}: a cell per city × topic`, m.rows > 0 && m.cols > 0 && m.cells === m.rows * m.cols, `${m.cells} cells, ${m.rows} × ${m.cols}`);
    check(`${label}: cell links reach sections`, m.links.length > 0 && m.missing.length === 0, m.missing.slice(0, 5).join(' '));
    check(`${label}: every section names the line to edit`, m.sections === m.links.length && m.withEdit === m.sections, `${m.withEdit}/${m.sections} of ${m.links.length}`);
    check(`${label}: no sideways scrolling`, m.scrollWidth <= m.clientWidth, `${m.scrollWidth}px in ${m.clientWidth}px`);
    check(`${label}: matrix scrolls in its own box`, m.boxOverflow === 'auto' && m.boxWidth <= m.clientWidth, `${m.boxOverflow}, ${m.boxWidth}px`);
    // Following the last cell's link brings its section into view.
    const last = m.links.at(-1);
    await page.click(`.matrix a[href="${last}"]`);
    const shown = await page.evaluate((h) => {
      const el = document.getElementById(decodeURIComponent(h.slice(1)));
      const r = el.getBoundingClientRect();
      return location.hash === h && r.top >= -1 && r.top < innerHeight;
    }, last);
    check(`${label}: a cell's link shows its section`, shown, last);
    await page.screenshot({ path: join(shotDir, `${vp.name}-coverage-section.png`) });
    check(`${label}: no console errors`, errors.length === 0, errors.join(' | '));
    check(`${label}: no failed requests`, failed.length === 0, failed.join(' | '));
    await page.close();
  } finally {
    await ctx.close();
    profile.remove();
  }
}

for (const f of failures) console.log(`FAIL ${f}`);
console.log(`coverage page checks: ${passed} passed, ${failures.length} failed`);
process.exit(failures.length ? 1 : 0);
