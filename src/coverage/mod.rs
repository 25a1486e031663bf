//! `sitegen coverage`: how local each article is. Per city × topic: which values the
//! article takes from the city (or city × topic) level and which from the topic or site
//! defaults, its city facts' sources and ages, its **local share**, and its **nearest
//! twin**; totals per city, per topic and for the site.
//!
//! Made from one run of the stages: the merged values say where each value comes from,
//! the renderer gives each article's words as its page shows them.
//!
//! **Local share** of an article: the share of its shingles (5-character windows of its
//! visible text — title without the date, lead, teaser, section headings and bodies — with
//! the city's name and province masked; see [`shingles`]) that are not shingles of the
//! *defaults rendering* of its topics: every title, heading, lead, teaser and the body of
//! its main topic and of its extra sections' topics, rendered with the site's and topics'
//! defaults only (what a city that sets nothing gets, in every variant). An article of a
//! city that sets nothing has a local share of 0 %.
//!
//! **Nearest twin**: the other article of the site whose shingle set has the highest
//! Jaccard similarity with the article's, found by MinHash and LSH banding ([`twins`]).
//!
//! What an article's words give is kept in the report folder's coverage memo ([`memo`])
//! under a key of what the words are made from, so a run renders the words of changed
//! articles only ([`figures`]); the figures are the same with and without it.

mod figures;
pub(crate) mod levels;
pub(crate) mod memo;
pub(crate) mod page;
pub(crate) mod shingles;
pub(crate) mod table;
pub(crate) mod totals;
pub(crate) mod twins;

use crate::diag::{Diagnostic, Diagnostics, Origin};
use crate::merge::Merged;
use crate::model::SiteInput;
use crate::model::ids::{ArticleId, Id};
use crate::plan::Plan;
use crate::render::Renderer;
pub(crate) use figures::Reuse;
use levels::{Fact, ValueLevel};
pub(crate) use memo::CoverageMemo;
use rayon::prelude::*;
use serde::Serialize;
pub(crate) use totals::{CityTotals, SiteTotals, TopicTotals};

/// The coverage of one article.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ArticleCoverage {
    /// `city/topic`.
    pub(crate) article: String,
    pub(crate) city: String,
    pub(crate) city_name: String,
    pub(crate) topic: String,
    pub(crate) topic_name: String,
    pub(crate) url: String,
    pub(crate) published: bool,
    /// Values, heading and title the article has from its city (or city × topic).
    pub(crate) own: Vec<ValueLevel>,
    /// Values it takes from the topic or site defaults.
    pub(crate) defaults: Vec<ValueLevel>,
    pub(crate) facts: Vec<Fact>,
    /// Distinct shingles of its visible text.
    pub(crate) shingles: usize,
    /// Those not in the defaults rendering of its topics.
    pub(crate) local_shingles: usize,
    /// `local_shingles / shingles` (0 for an empty article).
    pub(crate) local_share: f64,
    pub(crate) twin: Option<Twin>,
    /// The city file and line to edit for it.
    pub(crate) edit_file: String,
    pub(crate) edit_line: u32,
}

/// The most similar other article.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Twin {
    pub(crate) article: String,
    /// Jaccard similarity of the two shingle sets, 0–1.
    pub(crate) similarity: f64,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Coverage {
    pub(crate) site: SiteTotals,
    pub(crate) cities: Vec<CityTotals>,
    pub(crate) topics: Vec<TopicTotals>,
    /// In plan order (city, then topic).
    pub(crate) articles: Vec<ArticleCoverage>,
    /// Templates that could not be rendered with defaults only (their text then counts
    /// as local).
    #[serde(skip)]
    pub(crate) notes: Vec<Diagnostic>,
}

/// A report, what the next run may reuse, and how much this one reused.
pub(crate) struct Analysis {
    pub(crate) coverage: Coverage,
    pub(crate) memo: CoverageMemo,
    pub(crate) reuse: Reuse,
}

/// Runs the analysis on one run's merge, plan and renderer, taking from `memo` what it
/// holds of unchanged articles (the figures are the same without it).
pub(crate) fn analyse(
    input: &SiteInput,
    merged: &Merged,
    plan: &Plan,
    renderer: &Renderer<'_>,
    memo: &CoverageMemo,
) -> Result<Analysis, Diagnostics> {
    let counted = figures::count(input, plan, renderer, memo)?;
    let today = plan.now.date();
    let articles: Vec<ArticleCoverage> = plan
        .articles
        .par_iter()
        .enumerate()
        .map(|(i, a)| {
            let city = &input.cities[a.city];
            let topic = &input.topics[a.topic];
            let (shingles, local) = (counted.shingles[i] as usize, counted.local[i] as usize);
            let lv = levels::levels(input, merged, a);
            let facts = levels::facts(input, a, &lv.own, today);
            let edit = levels::edit_place(city, &topic.slug);
            ArticleCoverage {
                article: a.id.clone(),
                city: city.slug.value.clone(),
                city_name: city.name.clone(),
                topic: topic.slug.clone(),
                topic_name: topic.name.clone(),
                url: format!("{}{}", input.site.base_url, a.path),
                published: a.published,
                own: lv.own,
                defaults: lv.defaults,
                facts,
                shingles,
                local_shingles: local,
                local_share: if shingles == 0 {
                    0.0
                } else {
                    local as f64 / shingles as f64
                },
                twin: counted.twins[i].map(|(j, similarity)| Twin {
                    article: plan.articles[ArticleId::new(j)].id.clone(),
                    similarity,
                }),
                edit_file: edit.file.display().to_string(),
                edit_line: edit.line,
            }
        })
        .collect();
    let (cities, topics, site) = totals::totals(input, &articles);
    Ok(Analysis {
        coverage: Coverage {
            site,
            cities,
            topics,
            articles,
            notes: counted.notes,
        },
        memo: counted.memo,
        reuse: counted.reuse,
    })
}

/// Content-lint warnings for thin articles (`lint.min_local_share`) and near-copies
/// (`lint.max_twin_similarity`); nothing, and no work, when neither is set.
pub(crate) fn lint(
    input: &SiteInput,
    merged: &Merged,
    plan: &Plan,
    renderer: &Renderer<'_>,
) -> Vec<Diagnostic> {
    let limits = &input.site.lint;
    if limits.min_local_share.is_none() && limits.max_twin_similarity.is_none() {
        return Vec::new();
    }
    match analyse(input, merged, plan, renderer, &CoverageMemo::default()) {
        Ok(a) => warnings(input, &a.coverage),
        // The render stage reports the same errors.
        Err(_) => Vec::new(),
    }
}

/// The threshold warnings of a report.
pub(crate) fn warnings(input: &SiteInput, c: &Coverage) -> Vec<Diagnostic> {
    let limits = &input.site.lint;
    let mut out = Vec::new();
    for a in &c.articles {
        let at = Origin::new(&a.edit_file, a.edit_line, 0);
        if let Some(min) = limits.min_local_share
            && a.local_share < min
        {
            out.push(
                Diagnostic::warning(
                    at.clone(),
                    format!(
                        "{} × {}: only {} of its text is its own (lint.min_local_share is {})",
                        a.city_name,
                        a.topic_name,
                        percent(a.local_share),
                        percent(min)
                    ),
                )
                .with_hint(format!(
                    "give {} its own facts, heading or materials for `{}` under `topics:` in {}; `sitegen coverage` lists what it takes from defaults",
                    a.city_name, a.topic, a.edit_file
                ))
                .in_article(&a.article),
            );
        }
        if let (Some(max), Some(t)) = (limits.max_twin_similarity, &a.twin)
            && t.similarity > max
        {
            out.push(
                Diagnostic::warning(
                    at,
                    format!(
                        "{} × {} is {} the same as {} (lint.max_twin_similarity is {})",
                        a.city_name,
                        a.topic_name,
                        percent(t.similarity),
                        t.article,
                        percent(max)
                    ),
                )
                .with_hint(
                    "write what is particular to this city (its own facts, heading, steps) so the two pages differ",
                )
                .in_article(&a.article),
            );
        }
    }
    out
}

/// `0.034` → `3 %`; below 10 % one decimal (`0.5 %`).
pub(crate) fn percent(share: f64) -> String {
    let p = share * 100.0;
    if p > 0.0 && p < 10.0 && (p.round() - p).abs() > 0.05 {
        format!("{p:.1} %")
    } else {
        format!("{:.0} %", p)
    }
}
