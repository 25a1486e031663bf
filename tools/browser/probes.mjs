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
    scripts: [...document.querySelectorAll('script')].map((s) => s.type || 'text/javascript'),
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
