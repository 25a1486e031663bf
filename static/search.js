// The search page's script (the only script of the site). It answers from the index that
// `sitegen build` writes to search/index/ (see src/search/index.rs for the format), loading
// meta.json and then only what the query needs: the character shards that split it into
// words, the word shards, the article lists of matching topics and the result rows shown.
(() => {
  'use strict';
  const script = document.currentScript;
  const base = script.dataset.index;
  const root = base.replace(/search\/index\/$/, '');
  const input = document.getElementById('q');
  const status = document.getElementById('search-status');
  const list = document.getElementById('search-results');
  const SHOWN = 20;
  const HAN = /[\u3400-\u9fff\uf900-\ufaff]/;
  const cache = new Map();

  const load = (path) => {
    if (!cache.has(path)) {
      cache.set(path, fetch(base + path).then((r) => {
        if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
        return r.json();
      }));
    }
    return cache.get(path);
  };
  // FNV-1a over UTF-8, as `fnv1a` in src/search/index.rs.
  const fnv = (text) => {
    let h = 0x811c9dc5;
    for (const b of new TextEncoder().encode(text)) h = Math.imul(h ^ b, 0x01000193);
    return h >>> 0;
  };
  const undelta = (ds) => { let at = 0; return ds.map((d) => (at += d)); };

  async function postings(meta, word) {
    const shard = await load(`t/${fnv(word) % meta.terms}.json`);
    return Object.hasOwn(shard, word) ? shard[word] : null;
  }

  /** Index words (two characters or more) sharing a character with `text`. */
  async function vocabulary(meta, text) {
    const chars = [...new Set(text)];
    const shards = await Promise.all(chars.map((c) => load(`c/${fnv(c) % meta.chars}.json`)));
    return [...new Set(chars.flatMap((c, k) => shards[k][c] || []))];
  }

  /** `text` split into as few index words as cover as much of it as possible. */
  function cover(text, words) {
    const best = [{ covered: 0, pieces: [] }];
    for (let i = 1; i <= text.length; i += 1) {
      let b = { ...best[i - 1] };
      for (const w of words) {
        const from = i - w.length;
        if (from >= 0 && text.startsWith(w, from)) {
          const c = { covered: best[from].covered + w.length, pieces: [...best[from].pieces, w] };
          if (c.covered > b.covered || (c.covered === b.covered && c.pieces.length < b.pieces.length)) b = c;
        }
      }
      best.push(b);
    }
    return best[text.length];
  }

  /** The word groups of one part of the query (a group matches when any of its words does). */
  async function groupsOf(meta, part, notes) {
    if (!HAN.test(part) || (await postings(meta, part))) return [{ label: part, words: [part] }];
    const words = await vocabulary(meta, part);
    const whole = cover(part, words.filter((w) => part.includes(w)));
    if (whole.covered === part.length) return whole.pieces.map((w) => ({ label: w, words: [w] }));
    const wider = words.filter((w) => w.includes(part))
      .sort((a, b) => a.length - b.length || (a < b ? -1 : 1)).slice(0, 8);
    if (wider.length) {
      notes.push(`“${part}”不是一个词，按包含它的词查找：${wider.join('、')}`);
      return [{ label: part, words: wider }];
    }
    if (whole.pieces.length) {
      notes.push(`“${part}”中只有“${whole.pieces.join('”“')}”是索引里的词`);
      return whole.pieces.map((w) => ({ label: w, words: [w] }));
    }
    notes.push(`没有文章含有“${part}”`);
    return [{ label: part, words: [] }];
  }

  /** Article → weight for one group: the highest any of its words gives. */
  async function weights(meta, group) {
    const out = new Map();
    const raise = (doc, w) => { if (!(out.get(doc) >= w)) out.set(doc, w); };
    const found = (await Promise.all(group.words.map((w) => postings(meta, w)))).filter(Boolean);
    const topics = found.flatMap((p) => p[2]);
    const lists = await Promise.all(topics.map(([topic]) => load(`p/${topic}.json`)));
    for (const [ds, ws] of found) {
      undelta(ds).forEach((doc, k) => raise(doc, Array.isArray(ws) ? ws[k] : ws));
    }
    topics.forEach(([, main, extra], k) => {
      const [mains, extras] = lists[k];
      for (const doc of undelta(mains)) raise(doc, main);
      for (const doc of undelta(extras)) raise(doc, extra);
    });
    return out;
  }

  async function search(query) {
    const meta = await load('meta.json');
    const notes = [];
    const parts = query.toLowerCase().match(/[\u3400-\u9fff\uf900-\ufaff]+|[a-z0-9]+/g) || [];
    // Parts and groups are looked up at once: the files load in parallel.
    const groups = (await Promise.all(parts.map((part) => groupsOf(meta, part, notes)))).flat();
    const lists = await Promise.all(groups.map((g) => weights(meta, g)));
    const score = new Map();
    for (const ws of lists) {
      const idf = Math.log(1 + meta.n / Math.max(ws.size, 1));
      for (const [doc, w] of ws) {
        const s = score.get(doc) || { hits: 0, score: 0 };
        s.hits += 1;
        s.score += w * idf;
        score.set(doc, s);
      }
    }
    const ranked = [...score].sort((a, b) => b[1].hits - a[1].hits || b[1].score - a[1].score || b[0] - a[0]);
    const all = ranked.filter(([, s]) => s.hits === groups.length);
    return { ranked: all.length ? all : ranked, partial: !all.length && ranked.length > 0, notes, meta };
  }

  async function row(meta, doc) {
    const rows = await load(`d/${Math.floor(doc / meta.docs_per_file)}.json`);
    const [title, path, city, topic, date] = rows[doc % meta.docs_per_file];
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = root + path;
    // The city's name and the date suffix stay on one line, as in every list (.nw).
    const name = meta.cities[city];
    const tail = /\([^()]*\)$/.exec(title);
    const nw = (text) => Object.assign(document.createElement('span'), { className: 'nw', textContent: text });
    const main = tail ? title.slice(0, tail.index) : title;
    (name ? main.split(name) : [main]).forEach((piece, i) => {
      if (i) a.append(nw(name));
      if (piece) a.append(piece);
    });
    if (tail) a.append(nw(tail[0]));
    const m = document.createElement('span');
    m.className = 'meta';
    const c = document.createElement('span');
    c.className = 'city';
    c.textContent = meta.cities[city];
    m.append(c, ` · ${meta.topics[topic]} · ${date}`);
    li.append(a, m);
    return li;
  }

  async function run(query) {
    list.replaceChildren();
    if (!query.trim()) { status.textContent = ''; list.dataset.done = 'true'; return; }
    status.textContent = '正在搜索…';
    try {
      const { ranked, partial, notes, meta } = await search(query);
      const rows = await Promise.all(ranked.slice(0, SHOWN).map(([doc]) => row(meta, doc)));
      list.replaceChildren(...rows);
      const head = ranked.length
        ? `找到 ${ranked.length} 篇${partial ? '只含部分词语的' : ''}文章${ranked.length > SHOWN ? `，显示前 ${SHOWN} 篇` : ''}。`
        : `没有找到与“${query.trim()}”相关的文章。换个说法，或按城市浏览。`;
      status.textContent = [head, ...notes].join(' ');
      list.dataset.done = 'true';
    } catch (e) {
      status.textContent = '搜索暂时无法使用，请稍后再试。';
      console.warn(e);
    }
  }

  const query = new URLSearchParams(location.search).get('q') || '';
  input.value = query;
  run(query);
})();
