// Opens key pages of a built site in headless Chromium at a phone and a desktop viewport and
// checks what a reader meets: no console errors or failed requests, no sideways scrolling
// on the phone, the related links laid out in a grid (4 per row on desktop, 1 on phones),
// every link leading to a page that exists, title/byline/disclaimer visible, headings in
// order, a visible skip link with a focus indicator, a readable article without
// JavaScript, and a print layout. Saves full-page screenshots.
//
// Usage: node check.mjs SITE_DIR [SCREENSHOT_DIR]   (exit 1 when any check fails)
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, FLAGS, freshProfile } from './chromium.mjs';
import { measureFocus, measurePage, measurePrint } from './probes.mjs';
import { serve } from './serve.mjs';

const [siteDir, shotDir = 'ci-artifacts/screenshots'] = process.argv.slice(2);
if (!siteDir) {
  console.error('usage: node check.mjs SITE_DIR [SCREENSHOT_DIR]');
  process.exit(2);
}

/** The pages a reader meets first; `article` pages get the article checks. */
const PAGES = [
  { name: 'home', path: '/' },
  { name: 'city-yueyang', path: '/yueyang/' },
  { name: 'topic-canbaodi-biangeng', path: '/topic/canbaodi-biangeng/' },
  { name: 'cities', path: '/cities/' },
  { name: 'article-yueyang', path: '/yueyang/canbaodi-biangeng/', article: true },
  { name: 'article-jinhua', path: '/jinhua/canbaodi-biangeng/', article: true },
];

const VIEWPORTS = [
  { name: 'phone', columns: 1, options: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 } },
  { name: 'desktop', columns: 4, options: { viewport: { width: 1366, height: 768 }, deviceScaleFactor: 1 } },
];

/** Script types a page may carry: structured data is data, not code to run. */
const ALLOWED_SCRIPTS = new Set(['application/ld+json']);

let passed = 0;
const failures = [];
function check(what, ok, detail = '') {
  if (ok) passed += 1;
  else failures.push(`${what}${detail ? `: ${detail}` : ''}`);
  return ok;
}

/** Groups grid items into rows by their top edge. */
function rowsOf(items) {
  const rows = [];
  for (const it of [...items].sort((a, b) => a.top - b.top || a.left - b.left)) {
    const row = rows.find((r) => Math.abs(r[0].top - it.top) <= 2);
    if (row) row.push(it);
    else rows.push([it]);
  }
  return rows;
}

function checkGrid(label, items, columns) {
  if (!check(`${label}: has links`, items.length > 0, 'block is empty')) return;
  const rows = rowsOf(items);
  const sizes = rows.map((r) => r.length);
  const full = sizes.slice(0, -1).every((n) => n === columns) && sizes.at(-1) <= columns;
  check(`${label}: ${columns} per row`, full && (items.length < columns || sizes[0] === columns),
    `row sizes ${sizes.join(',')}`);
  const widths = items.map((i) => i.width);
  check(`${label}: equal columns`, Math.max(...widths) - Math.min(...widths) <= 2,
    `widths ${Math.min(...widths)}–${Math.max(...widths)}px`);
}

function checkHeadings(label, headings) {
  const h1s = headings.filter((h) => h.level === 1).length;
  check(`${label}: exactly one h1`, h1s === 1, `${h1s} found`);
  let prev = 0;
  const skips = [];
  for (const h of headings) {
    if (h.level > prev + 1) skips.push(`h${prev}→h${h.level} "${h.text}"`);
    if (!h.text) skips.push(`empty h${h.level}`);
    prev = h.level;
  }
  check(`${label}: heading order`, skips.length === 0, skips.join('; '));
}

async function checkPage(ctx, base, vp, spec, links) {
  const label = `${vp.name} ${spec.path}`;
  const page = await ctx.newPage();
  const consoleErrors = [];
  const failed = [];
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  page.on('requestfailed', (r) => failed.push(`${r.url()} (${r.failure()?.errorText})`));
  page.on('response', (r) => r.status() >= 400 && failed.push(`${r.url()} (HTTP ${r.status()})`));

  const res = await page.goto(new URL(spec.path, base).href, { waitUntil: 'load', timeout: 30000 });
  check(`${label}: HTTP 200`, res?.status() === 200, `got ${res?.status()}`);
  const m = await page.evaluate(measurePage);
  await page.screenshot({ path: join(shotDir, `${vp.name}-${spec.name}.png`), fullPage: true });
  await page.screenshot({ path: join(shotDir, `${vp.name}-${spec.name}-first-screen.png`) });

  check(`${label}: document title`, m.docTitle.length > 0);
  check(`${label}: title visible`, m.title.visible, m.title.present ? 'h1 hidden' : 'no h1');
  checkHeadings(label, m.headings);
  const badScripts = m.scripts.filter((t) => !ALLOWED_SCRIPTS.has(t));
  check(`${label}: no scripts`, badScripts.length === 0, badScripts.join(', '));
  check(`${label}: no justified text`, m.justified === 0, `${m.justified} blocks`);
  if (vp.name === 'phone') {
    check(`${label}: no horizontal scrolling`, m.scrollWidth <= m.clientWidth,
      `content ${m.scrollWidth}px wide in ${m.clientWidth}px`);
  }
  if (spec.article) {
    check(`${label}: byline visible`, m.byline.visible);
    check(`${label}: byline has datetime and source`, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s*\S/.test(m.byline.text), m.byline.text);
    check(`${label}: disclaimer visible`, m.disclaimer.visible && m.disclaimer.text.length > 0);
    check(`${label}: has sections`, m.sections > 0);
    check(`${label}: related block`, Array.isArray(m.grids.related), 'missing');
    checkGrid(`${label} related`, m.grids.related ?? [], vp.columns);
    check(`${label}: related block is full`, (m.grids.related ?? []).length >= 8,
      `${(m.grids.related ?? []).length} links (build with --future)`);
    // The city's own block is a sidebar list beside the article on desktops.
    if (m.grids['city-more']) checkGrid(`${label} city-more`, m.grids['city-more'], 1);
  }

  // In-page anchors must land on an element; other links are checked once, after.
  const ids = new Set(m.ids);
  for (const l of m.links) {
    if (l.href.startsWith('#')) check(`${label}: anchor ${l.href}`, ids.has(l.href.slice(1)));
    else if (!links.has(l.abs)) links.set(l.abs, label);
    check(`${label}: link text for ${l.href}`, l.text.length > 0);
  }

  // Keyboard: the first Tab reaches the skip link, which shows up with a focus ring.
  await page.keyboard.press('Tab');
  const f = await page.evaluate(measureFocus);
  check(`${label}: first Tab focuses the skip link`, f.tag === 'a' && f.href === '#main', JSON.stringify(f));
  check(`${label}: skip link visible when focused`, !!f.inView, JSON.stringify(f));
  check(`${label}: focus indicator`, !!f.indicator, JSON.stringify(f));

  if (spec.article && vp.name === 'desktop') {
    await page.emulateMedia({ media: 'print' });
    const p = await page.evaluate(measurePrint);
    check(`print ${spec.path}: title and disclaimer printed`, p.title && p.disclaimer, JSON.stringify(p));
    check(`print ${spec.path}: navigation and related links left out`, !p.nav && !p.related, JSON.stringify(p));
    await page.screenshot({ path: join(shotDir, `print-${spec.name}.png`), fullPage: true });
    await page.emulateMedia({ media: 'screen' });
  }

  await page.close();
  check(`${label}: no console errors`, consoleErrors.length === 0, consoleErrors.join(' | '));
  check(`${label}: no failed requests`, failed.length === 0, failed.join(' | '));
}

/** Articles must read without JavaScript. */
async function checkWithoutJs(base) {
  const profile = freshProfile();
  const ctx = await chromium.launchPersistentContext(profile.dir, {
    executablePath: CHROMIUM, headless: true, args: FLAGS, javaScriptEnabled: false,
    viewport: { width: 390, height: 844 }, isMobile: true,
  });
  try {
    for (const spec of PAGES.filter((p) => p.article)) {
      const page = await ctx.newPage();
      await page.goto(new URL(spec.path, base).href, { waitUntil: 'load' });
      const m = await page.evaluate(measurePage);
      check(`no-js ${spec.path}: readable`, m.title.visible && m.byline.visible && m.sections > 0 && m.disclaimer.visible);
      await page.close();
    }
  } finally {
    await ctx.close();
    profile.remove();
  }
}

/** Every same-site link must answer 200 directly (no redirect, no 404 page). */
async function checkLinks(base, links) {
  let external = 0;
  for (const [url, from] of [...links].sort()) {
    const u = new URL(url);
    if (u.protocol === 'mailto:') {
      check(`link ${url} (from ${from})`, /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(u.pathname));
    } else if (u.origin === new URL(base).origin) {
      const res = await fetch(u.href.split('#')[0], { redirect: 'manual' });
      check(`link ${u.pathname} (from ${from})`, res.status === 200, `HTTP ${res.status}`);
    } else {
      external += 1; // cannot be fetched on an offline machine
    }
  }
  console.log(`links: ${links.size} distinct, ${external} external not fetched`);
}

mkdirSync(shotDir, { recursive: true });
const server = await serve(resolve(siteDir));
const links = new Map();
try {
  for (const vp of VIEWPORTS) {
    const profile = freshProfile();
    const ctx = await chromium.launchPersistentContext(profile.dir, {
      executablePath: CHROMIUM, headless: true, args: FLAGS, ...vp.options,
    });
    try {
      for (const spec of PAGES) await checkPage(ctx, server.url, vp, spec, links);
    } finally {
      await ctx.close();
      profile.remove();
    }
  }
  await checkWithoutJs(server.url);
  await checkLinks(server.url, links);
} finally {
  await server.close();
}

for (const f of failures) console.log(`FAIL ${f}`);
console.log(`screenshots: ${resolve(shotDir)}`);
console.log(`browser checks: ${passed} passed, ${failures.length} failed`);
process.exit(failures.length ? 1 : 0);
