//! Each article's shingle counts and nearest twin, from its words — or from the coverage
//! memo ([`super::memo`]) when the article's words key is unchanged, so that only the words
//! of changed articles are rendered.
//!
//! The figures do not depend on the memo: an article's counts and signature are what its
//! words give, the twin candidates follow from the signatures alone, and a candidate
//! pair's similarity from the two counts and the shingles the pair shares. A pair the memo
//! does not hold (one of its articles changed, or became a candidate) is compared exactly,
//! rendering the words of its unchanged article too.

use super::memo::{CoverageMemo, Figures};
use super::shingles::{MASK, ShingleMap, ShingleSet, Shingler};
use super::twins;
use crate::content::similarity::{Signature, intersection, jaccard_of, signature};
use crate::diag::{Diagnostic, Diagnostics, Severity};
use crate::model::SiteInput;
use crate::model::ids::{ArticleId, Id};
use crate::plan::Plan;
use crate::render::Renderer;
use crate::render::cache::PairCache;
use rayon::prelude::*;
use std::collections::HashMap;

/// Every article's figures, in plan order, and what was reused.
pub(crate) struct Counted {
    pub(crate) shingles: Vec<u32>,
    pub(crate) local: Vec<u32>,
    /// The nearest other article and the exact Jaccard similarity.
    pub(crate) twins: Vec<Option<(usize, f64)>>,
    /// Templates that could not be rendered with defaults only.
    pub(crate) notes: Vec<Diagnostic>,
    /// What the next run may reuse: this run's articles and candidate pairs.
    pub(crate) memo: CoverageMemo,
    pub(crate) reuse: Reuse,
}

/// How much of a run came from the memo.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Reuse {
    pub(crate) articles: usize,
    /// Articles the memo held nothing for under their key (changed ones): their words
    /// were rendered.
    pub(crate) changed: usize,
    /// Unchanged articles whose words were rendered for a pair that had to be compared.
    pub(crate) partners: usize,
    pub(crate) pairs: usize,
    /// Candidate pairs compared exactly.
    pub(crate) compared: usize,
    /// The memo held exactly what this run needed: the one it leaves is the same.
    pub(crate) unchanged: bool,
}

/// Counts every article of `plan`, taking what `memo` holds under unchanged keys.
pub(crate) fn count(
    input: &SiteInput,
    plan: &Plan,
    renderer: &Renderer<'_>,
    memo: &CoverageMemo,
) -> Result<Counted, Diagnostics> {
    let (baseline, notes) = baseline(input, renderer);
    let keys = renderer.words_keys();
    let n = keys.len();
    let kept: Vec<Option<Figures>> = keys.iter().map(|k| memo.articles.get(k).cloned()).collect();
    let changed: Vec<usize> = (0..n).filter(|&i| kept[i].is_none()).collect();
    let mut sets = article_sets(input, plan, renderer, &changed)?;
    let fresh: Vec<Option<Figures>> = sets
        .par_iter()
        .zip(&plan.articles)
        .map(|(set, a)| {
            let set = set.as_ref()?;
            let topics: Vec<u32> = std::iter::once(a.topic)
                .chain(a.chosen.extras.iter().copied())
                .map(|t| t.index() as u32)
                .collect();
            let local = set
                .iter()
                .filter(|h| {
                    baseline
                        .get(h)
                        .is_none_or(|ts| !ts.iter().any(|t| topics.contains(t)))
                })
                .count();
            Some(Figures {
                shingles: set.len() as u32,
                local: local as u32,
                signature: signature(set),
            })
        })
        .collect();
    let figures: Vec<Figures> = kept
        .into_iter()
        .zip(fresh)
        .map(|(kept, fresh)| kept.or(fresh).expect("every article is kept or counted"))
        .collect();
    let sigs: Vec<Signature> = figures.iter().map(|f| f.signature).collect();
    let empty: Vec<bool> = figures.iter().map(|f| f.shingles == 0).collect();
    let candidates = twins::candidates(&sigs, &empty);
    drop(sigs);
    let pair_key = |i: usize, j: usize| (keys[i].min(keys[j]), keys[i].max(keys[j]));
    let mut pairs: Vec<(usize, usize)> = (candidates.iter().enumerate())
        .flat_map(|(i, c)| {
            c.iter()
                .map(move |&j| (i.min(j as usize), i.max(j as usize)))
        })
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    let mut common: HashMap<(usize, usize), u32> = HashMap::with_capacity(pairs.len());
    let mut compare = Vec::new();
    for &(i, j) in &pairs {
        match memo.pairs.get(&pair_key(i, j)) {
            Some(&c) => {
                common.insert((i, j), c);
            }
            None => compare.push((i, j)),
        }
    }
    let mut more: Vec<usize> = compare.iter().flat_map(|&(i, j)| [i, j]).collect();
    more.sort_unstable();
    more.dedup();
    more.retain(|&i| sets[i].is_none());
    for (i, set) in article_sets(input, plan, renderer, &more)?
        .into_iter()
        .enumerate()
    {
        if set.is_some() {
            sets[i] = set;
        }
    }
    let compared: Vec<u32> = compare
        .par_iter()
        .map(|&(i, j)| match (&sets[i], &sets[j]) {
            (Some(a), Some(b)) => intersection(a, b) as u32,
            _ => unreachable!("both sets of a compared pair are rendered"),
        })
        .collect();
    drop(sets);
    common.extend(compare.iter().copied().zip(compared));
    let shingles: Vec<u32> = figures.iter().map(|f| f.shingles).collect();
    let twins = twins::nearest(&candidates, |i, j| {
        let c = common[&(i.min(j), i.max(j))];
        jaccard_of(c as usize, shingles[i] as usize, shingles[j] as usize)
    });
    let reuse = Reuse {
        articles: n,
        changed: changed.len(),
        partners: more.len(),
        pairs: pairs.len(),
        compared: compare.len(),
        unchanged: changed.is_empty()
            && compare.is_empty()
            && memo.articles.len() == n
            && memo.pairs.len() == pairs.len(),
    };
    let local = figures.iter().map(|f| f.local).collect();
    let memo = CoverageMemo {
        pairs: (common.into_iter())
            .map(|((i, j), c)| (pair_key(i, j), c))
            .collect(),
        articles: keys.into_iter().zip(figures).collect(),
    };
    Ok(Counted {
        shingles,
        local,
        twins,
        notes,
        memo,
        reuse,
    })
}

/// Shingle → the topics whose defaults rendering has it (sorted, each once).
fn baseline(input: &SiteInput, renderer: &Renderer<'_>) -> (ShingleMap<Vec<u32>>, Vec<Diagnostic>) {
    let per_topic: Vec<(ShingleSet, Vec<Diagnostic>)> = (input.topics.par_ids())
        .map(|t| {
            let words = renderer.default_words(t, MASK);
            let mut s = Shingler::new(&[]);
            for text in &words.texts {
                s.text(text);
            }
            if let Some(body) = &words.body {
                s.html(body);
            }
            (s.finish(), words.problems)
        })
        .collect();
    let mut map: ShingleMap<Vec<u32>> = ShingleMap::default();
    let mut notes = Vec::new();
    for (t, (set, problems)) in per_topic.into_iter().enumerate() {
        for h in set {
            map.entry(h).or_default().push(t as u32);
        }
        // Not an error of the site: the template's text then counts as local.
        notes.extend(problems.into_iter().map(|d| Diagnostic {
            severity: Severity::Warning,
            hint: Some(
                "coverage counts this template's text as local: give the topic defaults for the values it needs".into(),
            ),
            ..d
        }));
    }
    (map, notes)
}

/// The shingle sets of articles `which` (sorted), in plan order (`None` for the others);
/// a city's articles are rendered together (sharing section bodies).
fn article_sets(
    input: &SiteInput,
    plan: &Plan,
    renderer: &Renderer<'_>,
    which: &[usize],
) -> Result<Vec<Option<ShingleSet>>, Diagnostics> {
    let mut by_city = input.cities.map(|_| Vec::new());
    for i in which.iter().map(|&i| ArticleId::new(i)) {
        by_city[plan.articles[i].city].push(i);
    }
    let done: Vec<Vec<(usize, Result<ShingleSet, Diagnostic>)>> = (by_city.as_slice().par_iter())
        .zip(input.cities.as_slice())
        .filter(|(articles, _)| !articles.is_empty())
        .map(|(articles, city)| {
            let names = [city.name.as_str(), city.province.as_deref().unwrap_or("")];
            let mut cache = PairCache::default();
            articles
                .iter()
                .map(|&i| {
                    let set = renderer.article_words(i, &mut cache).map(|w| {
                        let mut s = Shingler::new(&names);
                        s.text(&w.title);
                        s.text(&w.lead);
                        s.text(&w.teaser);
                        for section in &w.sections {
                            s.text(&section.heading);
                            s.html(&section.html);
                        }
                        s.finish()
                    });
                    (i.index(), set)
                })
                .collect()
        })
        .collect();
    let mut sets = vec![None; plan.articles.len()];
    let mut problems = Diagnostics::default();
    for (i, set) in done.into_iter().flatten() {
        match set {
            Ok(s) => sets[i] = Some(s),
            Err(d) => problems.push(d),
        }
    }
    if problems.is_empty() {
        Ok(sets)
    } else {
        Err(problems)
    }
}
