// Opens key pages of a built site in headless Chromium at a phone and a desktop viewport and
// checks what a reader meets: no console errors or failed requests, no sideways scrolling
// on the phone, the related links laid out in a grid (4 per row on desktop, 1 on phones),
// every link leading to a page that exists, no line break inside a place name, a date or
// a word of a card title, title/byline/disclaimer visible, headings in
// order, a visible skip link with a focus indicator, a readable article without
// JavaScript, and a print layout. Saves full-page screenshots.
//
// Usage: node check.mjs SITE_DIR [SCREENSHOT_DIR]   (exit 1 when any check fails)
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, FLAGS, freshProfile } from './chromium.mjs';
import { measureAnchor, measureFocus, measurePage, measurePrint } from './probes.mjs';
import { QUERIES } from './queries.mjs';
import { serve } from './serve.mjs';

const [siteDir, shotDir = 'ci-artifacts/screenshots'] = process.argv.slice(2);
if (!siteDir) {
  console.error('usage: node check.mjs SITE_DIR [SCREENSHOT_DIR]');
  process.exit(2);
}

/** The pages a reader meets first; `article` pages get the article checks. */
const PAGES = [
  { name: 'home', path: '/', list: true },
  { name: 'city-yueyang', path: '/yueyang/', crumbs: ['首页', '按城市浏览', '湖南', '岳阳'] },
  { name: 'topic-canbaodi-biangeng', path: '/topic/canbaodi-biangeng/', list: true },
  { name: 'topic-yibaoka-jihuo', path: '/topic/yibaoka-jihuo/', list: true },
  { name: 'cities', path: '/cities/' },
  { name: 'about', path: '/about/' },
  { name: 'search', path: '/search/?q=岳阳 参保地', script: '/static/search.js' },
  { name: 'article-yueyang', path: '/yueyang/canbaodi-biangeng/', article: true, sources: true,
    crumbs: ['首页', '岳阳', '参保地变更'], province: '湖南' },
  { name: 'article-jinhua', path: '/jinhua/canbaodi-biangeng/', article: true, sources: true,
    crumbs: ['首页', '金华', '参保地变更'], province: '浙江' },
  { name: 'article-qiqihaer', path: '/qiqihaer/yibaoka-jihuo/', article: true, sources: false },
];

/** Phone height budget of the related block (it was 27 links, about 2,700 px). */
const RELATED_PHONE_MAX_PX = 600;


const VIEWPORTS = [
  { name: 'phone', columns: 1, options: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 } },
  { name: 'desktop', columns: 4, options: { viewport: { width: 1366, height: 768 }, deviceScaleFactor: 1 } },
];

/** Script types a page may carry: structured data is data, not code to run. */
const ALLOWED_SCRIPTS = new Set(['application/ld+json']);

let passed = 0;
const failures = [];
/** Words of card titles whose line boxes were measured, per viewport. */
const cardWords = {};
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

/** The visible breadcrumb, and the page's JSON-LD BreadcrumbList equal to it. */
function checkCrumbs(label, m, expected) {
  const names = m.crumbs.map((c) => c.name);
  check(`${label}: breadcrumb`, JSON.stringify(names) === JSON.stringify(expected), names.join(' › '));
  const lists = m.jsonLd.flatMap((j) => (j['@graph'] ?? [j])).filter((g) => g['@type'] === 'BreadcrumbList');
  const ld = (lists[0]?.itemListElement ?? []).map((e) => ({ name: e.name, path: new URL(e.item).pathname }));
  const shown = m.crumbs.map((c) => ({ name: c.name, path: c.path }));
  check(`${label}: JSON-LD breadcrumb equals the visible one`, JSON.stringify(ld) === JSON.stringify(shown),
    `${JSON.stringify(ld)} vs ${JSON.stringify(shown)}`);
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
  // The search page's results come after load; they are measured too.
  if (spec.script) await page.waitForSelector('#search-results[data-done]', { timeout: 15000 }).catch(() => {});
  const m = await page.evaluate(measurePage);
  await page.screenshot({ path: join(shotDir, `${vp.name}-${spec.name}.png`), fullPage: true });
  await page.screenshot({ path: join(shotDir, `${vp.name}-${spec.name}-first-screen.png`) });

  check(`${label}: document title`, m.docTitle.length > 0);
  check(`${label}: title visible`, m.title.visible, m.title.present ? 'h1 hidden' : 'no h1');
  checkHeadings(label, m.headings);
  const badScripts = m.scripts.filter((t) => !ALLOWED_SCRIPTS.has(t) &&
    !(spec.script && t === `text/javascript ${spec.script}`));
  check(`${label}: no scripts`, badScripts.length === 0, badScripts.join(', '));
  check(`${label}: no justified text`, m.justified === 0, `${m.justified} blocks`);
  if (vp.name === 'phone') {
    check(`${label}: no horizontal scrolling`, m.scrollWidth <= m.clientWidth,
      `content ${m.scrollWidth}px wide in ${m.clientWidth}px`);
  }
  check(`${label}: no line break inside a place name or date`, m.brokenWords.length === 0,
    m.brokenWords.join(', '));
  const { checked, broken } = m.cardWords;
  check(`${label}: no line break inside a word of a card title`, broken.length === 0,
    broken.slice(0, 6).join(', ') + (broken.length > 6 ? ` … ${broken.length} of ${checked} words` : ''));
  cardWords[vp.name] = (cardWords[vp.name] ?? 0) + checked;
  if (spec.script) {
    check(`${label}: search results keep place names and dates whole`, m.searchNw > 0, `${m.searchNw} kept`);
  }
  if (spec.list) {
    check(`${label}: every list entry names its city`, m.listCities.length > 0 && m.listCities.every(Boolean),
      `${m.listCities.filter((c) => !c).length} of ${m.listCities.length} without a city`);
  }
  if (spec.crumbs) checkCrumbs(label, m, spec.crumbs);
  check(`${label}: og:image`, /\/static\/logo\.png$/.test(m.ogImage), m.ogImage);
  if (spec.article) {
    check(`${label}: byline visible`, m.byline.visible);
    check(`${label}: byline has published and updated dates and the source`,
      /^发布 \d{4}-\d\d-\d\d \d\d:\d\d\s+更新 \d{4}-\d\d-\d\d \d\d:\d\d\s+\S/.test(m.byline.text), m.byline.text);
    if (vp.name === 'phone') {
      check(`${label}: related block within ${RELATED_PHONE_MAX_PX}px on the phone`,
        m.relatedHeight > 0 && m.relatedHeight <= RELATED_PHONE_MAX_PX, `${m.relatedHeight}px`);
    }
    check(`${label}: other cities' answers`, m.otherCities.length >= 4, m.otherCities.join(','));
    if (spec.province) {
      const article = m.jsonLd.flatMap((j) => j['@graph'] ?? []).find((g) => g['@type'] === 'Article');
      check(`${label}: JSON-LD Article image and publisher logo`,
        !!article?.image && !!article?.publisher?.logo?.url, JSON.stringify(article?.publisher));
    }
    check(`${label}: sources block ${spec.sources ? 'present' : 'absent'}`,
      spec.sources ? m.sources.length > 0 && m.sources.every((t) => /核对日期 \d{4}-\d\d-\d\d/.test(t)) : m.sources.length === 0,
      m.sources.join(' | '));
    check(`${label}: 目录 for a multi-section article`, m.sections < 2 || m.toc.length >= m.sections,
      `${m.toc.length} entries for ${m.sections} sections`);
    check(`${label}: disclaimer visible`, m.disclaimer.visible && m.disclaimer.text.length > 0);
    check(`${label}: has sections`, m.sections > 0);
    check(`${label}: related block`, Array.isArray(m.grids.related), 'missing');
    checkGrid(`${label} related`, (m.grids.related ?? []).filter((i) => i.width > 0), vp.columns);
    check(`${label}: related block is full`, (m.grids.related ?? []).length >= 20,
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

  // 目录: each entry scrolls its section to the top of the screen.
  if (spec.article) {
    for (const href of m.toc) {
      await page.click(`.toc a[href="${href}"]`);
      const at = await page.evaluate(measureAnchor, href.slice(1));
      check(`${label}: 目录 ${href} lands`, at.found && (Math.abs(at.top) <= 24 || at.atBottom), JSON.stringify(at));
    }
    // Start the keyboard check below from a fresh load, not from the last link clicked.
    await page.goto(new URL(spec.path, base).href, { waitUntil: 'load' });
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

/** The search page answers each of QUERIES with the expected first result; prints what
 * each query loaded from the index. */
async function checkSearch(base) {
  const profile = freshProfile();
  const ctx = await chromium.launchPersistentContext(profile.dir, {
    executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 390, height: 844 }, isMobile: true,
  });
  try {
    const page = await ctx.newPage();
    const errors = [];
    page.on('console', (msg) => ['error', 'warning'].includes(msg.type()) && errors.push(msg.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    let loaded = [];
    page.on('response', async (r) => {
      if (r.url().includes('/search/index/')) loaded.push((await r.body().catch(() => Buffer.alloc(0))).length);
    });
    for (const t of QUERIES) {
      loaded = [];
      await page.goto(new URL(`/search/?q=${encodeURIComponent(t.q)}`, base).href, { waitUntil: 'load' });
      await page.waitForSelector('#search-results[data-done]', { timeout: 15000 }).catch(() => {});
      await page.waitForLoadState('networkidle');
      const r = await page.evaluate(() => ({
        status: document.getElementById('search-status').textContent,
        hrefs: [...document.querySelectorAll('#search-results > li > a')].map((a) => new URL(a.href).pathname),
      }));
      const first = r.hrefs[0] ?? '(none)';
      let ok;
      if (t.none) ok = r.hrefs.length === 0 && /没有找到/.test(r.status);
      else if (t.first) ok = first === t.first;
      else if (t.city) ok = r.hrefs.length > 0 && r.hrefs.every((h) => h.startsWith(t.city));
      else ok = first.endsWith(`/${t.topic}/`);
      if (t.note) ok = ok && r.status.includes(t.note);
      const bytes = loaded.reduce((a, b) => a + b, 0);
      console.log(`search "${t.q}": ${r.hrefs.length} results, first ${first}; ${loaded.length} index files, ${bytes} bytes`);
      check(`search "${t.q}": first result`, ok, `${first} (${r.status})`);
    }
    check('search: no console errors or warnings', errors.length === 0, errors.join(' | '));
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
  await checkSearch(server.url);
  await checkLinks(server.url, links);
} finally {
  await server.close();
}

console.log(`card title words measured: ${Object.entries(cardWords).map(([v, n]) => `${n} at ${v}`).join(', ')}`);
for (const f of failures) console.log(`FAIL ${f}`);
console.log(`screenshots: ${resolve(shotDir)}`);
console.log(`browser checks: ${passed} passed, ${failures.length} failed`);
process.exit(failures.length ? 1 : 0);
