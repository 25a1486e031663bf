// Functions that run inside the page (passed to page.evaluate): they measure, the driver
// (check.mjs) judges. Each must be self-contained: no closures over module scope.

/** Layout facts of the page: scroll widths, headings, key elements, link grids, links. */
export function measurePage() {
  const visible = (el) => {
    if (!el) return false;
    const s = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    return s.display !== 'none' && s.visibility !== 'hidden' && Number(s.opacity) > 0 &&
      r.width > 0 && r.height > 0 && r.right > 0 && r.left < document.documentElement.clientWidth;
  };
  const one = (sel) => {
    const el = document.querySelector(sel);
    return { present: !!el, visible: visible(el), text: el ? el.textContent.trim() : '' };
  };
  const grids = {};
  for (const block of document.querySelectorAll('.related, .city-more')) {
    const name = block.classList.contains('related') ? 'related' : 'city-more';
    grids[name] = [...block.querySelectorAll('.link-grid > li')].map((li) => {
      const r = li.getBoundingClientRect();
      return { top: Math.round(r.top + scrollY), left: Math.round(r.left), width: Math.round(r.width) };
    });
  }
  function cardWordBreaks() {
    const words = new Intl.Segmenter('zh-CN', { granularity: 'word' });
    const broken = [];
    let checked = 0;
    for (const a of document.querySelectorAll('.link-grid > li > a, .article-list > li > a')) {
      if (a.getBoundingClientRect().width === 0) continue; // behind a closed 更多
      const lineHeight = parseFloat(getComputedStyle(a).lineHeight) || 20;
      // Runs of text between place names and dates (.nw, measured above): a word is
      // looked for within a run, so that ICU's 阳新 in 揭阳新领的… is no word here.
      const runs = [[]];
      const walk = document.createTreeWalker(a, NodeFilter.SHOW_TEXT);
      for (let n = walk.nextNode(); n; n = walk.nextNode()) {
        if (n.parentElement.closest('.nw')) runs.push([]);
        else runs.at(-1).push(n);
      }
      for (const nodes of runs.filter((r) => r.length)) {
        const starts = [];
        let text = '';
        for (const n of nodes) {
          starts.push(text.length);
          text += n.data;
        }
        const at = (offset) => {
          let i = nodes.length - 1;
          while (i > 0 && starts[i] > offset) i -= 1;
          return [nodes[i], offset - starts[i]];
        };
        for (const w of words.segment(text)) {
          if (!w.isWordLike || [...w.segment].length < 2) continue;
          checked += 1;
          const range = document.createRange();
          range.setStart(...at(w.index));
          range.setEnd(...at(w.index + w.segment.length));
          const tops = [...range.getClientRects()].filter((r) => r.width > 0).map((r) => r.top);
          if (tops.length && Math.max(...tops) - Math.min(...tops) > lineHeight / 2) {
            broken.push(`${w.segment} in “${a.textContent.trim()}”`);
          }
        }
      }
    }
    return { checked, broken };
  }
  return {
    docTitle: document.title,
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
    headings: [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map((h) => ({
      level: Number(h.tagName[1]),
      text: h.textContent.trim(),
    })),
    title: one('main h1'),
    byline: one('.byline'),
    disclaimer: one('.disclaimer'),
    sections: document.querySelectorAll('main section.qa').length,
    grids,
    links: [...document.querySelectorAll('a[href]')].map((a) => ({
      href: a.getAttribute('href'),
      abs: a.href,
      text: a.textContent.trim(),
    })),
    ids: [...document.querySelectorAll('[id]')].map((e) => e.id),
    scripts: [...document.querySelectorAll('script')].map((s) => s.type || `text/javascript ${s.getAttribute('src') ?? 'inline'}`),
    // List entries: the city label each one shows (home and topic pages).
    listCities: [...document.querySelectorAll('.article-list > li')].map((li) =>
      (li.querySelector('.city-tag') || li.querySelector('.meta .city'))?.textContent.trim() ?? ''),
    // Place names and date suffixes kept whole: an inline box broken over two lines has
    // two client rects.
    brokenWords: [...document.querySelectorAll('.nw')]
      .filter((e) => e.getBoundingClientRect().width > 0 && e.getClientRects().length > 1)
      .map((e) => e.textContent),
    // Card titles (related links, list entries) never break inside a word: each word of
    // two or more characters (Chromium's own Chinese word segmenter, ICU's dictionary,
    // which knows nothing of sitegen's <wbr> marks) must lie on one line.
    cardWords: cardWordBreaks(),
    // Search results keep their city and date suffix whole too (the spans checked above).
    searchNw: document.querySelectorAll('#search-results .nw').length,
    relatedHeight: Math.round(document.querySelector('.related')?.getBoundingClientRect().height ?? 0),
    otherCities: [...document.querySelectorAll('.other-cities .chips a')].map((a) => a.textContent.trim()),
    toc: [...document.querySelectorAll('.toc a')].map((a) => a.getAttribute('href')),
    sources: [...document.querySelectorAll('.sources li')].map((li) => li.textContent.trim()),
    crumbs: [...document.querySelectorAll('.breadcrumb a, .breadcrumb [aria-current]')].map((e) => ({
      name: e.textContent.trim(),
      path: e.href ? new URL(e.href).pathname : location.pathname,
    })),
    jsonLd: [...document.querySelectorAll('script[type="application/ld+json"]')].map((s) => JSON.parse(s.textContent)),
    ogImage: document.querySelector('meta[property="og:image"]')?.content ?? '',
    // Text set in justified alignment leaves gaps between Chinese characters.
    justified: [...document.querySelectorAll('main p, main li')]
      .filter((e) => getComputedStyle(e).textAlign === 'justify').length,
  };
}

/** After one Tab press: what has focus, and whether it shows a focus indicator. */
export function measureFocus() {
  const el = document.activeElement;
  if (!el || el === document.body) return { tag: null };
  const s = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(),
    cls: el.className,
    href: el.getAttribute('href'),
    inView: r.top >= 0 && r.bottom <= innerHeight && r.width > 0 && r.height > 0,
    indicator: (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none',
  };
}

/** Under print media: which parts show. */
export function measurePrint() {
  const shown = (sel) => {
    const el = document.querySelector(sel);
    return !!el && getComputedStyle(el).display !== 'none' && el.getBoundingClientRect().height > 0;
  };
  return {
    title: shown('main h1'),
    disclaimer: shown('.disclaimer'),
    nav: shown('.site-header nav'),
    related: shown('.related'),
  };
}

/** After following a 目录 link: where the target landed. */
export function measureAnchor(id) {
  const el = document.getElementById(id);
  if (!el) return { found: false };
  const top = el.getBoundingClientRect().top;
  const atBottom = Math.ceil(scrollY + innerHeight) >= document.documentElement.scrollHeight - 1;
  return { found: true, top: Math.round(top), atBottom };
}
