// Runs the browser checks' search queries through sitegen's search page and through
// Pagefind side by side, in headless Chromium, and prints for each query the top results
// and the bytes each loaded.
//
// Usage: node compare-pagefind.mjs SITE_DIR PAGEFIND_SITE_DIR
//   PAGEFIND_SITE_DIR: a copy of SITE_DIR after `npx pagefind --site PAGEFIND_SITE_DIR`.
import { chromium } from 'playwright-core';
import { CHROMIUM, FLAGS } from './chromium.mjs';
import { QUERIES } from './queries.mjs';
import { serve } from './serve.mjs';

const [ours, theirs] = process.argv.slice(2);
if (!ours || !theirs) {
  console.error('usage: node compare-pagefind.mjs SITE_DIR PAGEFIND_SITE_DIR');
  process.exit(2);
}

async function measure(page, run) {
  const sizes = [];
  const onResponse = async (r) => {
    if (/\/(search\/index|pagefind)\/|\/static\/search\.js$/.test(r.url())) sizes.push((await r.body().catch(() => Buffer.alloc(0))).length);
  };
  page.on('response', onResponse);
  const out = await run();
  await page.waitForLoadState('networkidle');
  page.off('response', onResponse);
  return { ...out, files: sizes.length, bytes: sizes.reduce((a, b) => a + b, 0) };
}

const a = await serve(ours);
const b = await serve(theirs);
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
try {
  const page = await browser.newPage();
  console.log('| query | sitegen: results, top 3, files/bytes | Pagefind: results, top 3, files/bytes |');
  console.log('|---|---|---|');
  for (const t of QUERIES) {
    await page.goto(`${b.url}404.html`);
    const pf = await measure(page, () => page.evaluate(async (q) => {
      const pagefind = await import('/pagefind/pagefind.js');
      await pagefind.init();
      const r = await pagefind.search(q);
      const top = await Promise.all(r.results.slice(0, 3).map((x) => x.data()));
      return { count: r.results.length, top: top.map((d) => new URL(d.url, location.href).pathname) };
    }, t.q));
    const us = await measure(page, async () => {
      await page.goto(`${a.url}search/?q=${encodeURIComponent(t.q)}`);
      await page.waitForSelector('#search-results[data-done]', { timeout: 15000 }).catch(() => {});
      return page.evaluate(() => {
        const hrefs = [...document.querySelectorAll('#search-results > li > a')].map((x) => new URL(x.href).pathname);
        const m = document.getElementById('search-status').textContent.match(/找到 (\d+) 篇/);
        return { count: m ? Number(m[1]) : 0, top: hrefs.slice(0, 3) };
      });
    });
    const cell = (r) => `${r.count}: ${r.top.join(' ') || '—'} (${r.files} files, ${r.bytes} B)`;
    console.log(`| ${t.q} | ${cell(us)} | ${cell(pf)} |`);
  }
} finally {
  await browser.close();
  await a.close();
  await b.close();
}
