//! Incremental rebuilds (for `serve`): the same stages as [`super::build`], re-run after a
//! change with everything kept that the change cannot affect.
//!
//! A [`Session`] keeps the input file by file ([`Parts`]), the titles and the rendered pages
//! of the last good build. A rebuild re-reads only the changed files, merges and plans the
//! whole site again (both are cheap and pure), renders titles only for articles whose inputs
//! changed, and renders only the pages whose fingerprint changed. Nothing is written to
//! disk: the result is the site's files in memory, byte-identical to what `build` writes.

use super::pages::record_holds;
use super::{BuildOptions, apply_overrides, as_error, collect};
use crate::diag::{Diagnostic, Diagnostics};
use crate::lint::Linter;
use crate::load::{ChangeKind, Parts, Stamps};
use crate::merge::{self, Merged};
use crate::model::ModifiedEntry;
use crate::plan::{Page, Plan, PlanOptions};
use crate::render::fingerprint::{Shared, site_digest, title_inputs};
use crate::render::modified;
use crate::render::{FeedCache, FeedKeys, LinkParts, Renderer};
use crate::timings::Timings;
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;

/// A built site in memory: each file's path below the output folder and its bytes.
pub type SiteFiles = HashMap<String, Arc<[u8]>>;

/// A rendered page kept for the next rebuild, under its fingerprint.
struct KeptPage {
    path: String,
    bytes: Arc<[u8]>,
    /// Render and content-lint warnings of the page.
    warnings: Vec<Diagnostic>,
    /// For an article: its `modified.lock` record (it decides `dateModified` in feeds and
    /// the sitemap).
    record: Option<ModifiedEntry>,
}

/// Every page in plan order with its fingerprint, how many were rendered (not kept), and
/// all the pages' warnings.
type RenderedPages = (Vec<(u64, Arc<KeptPage>)>, usize, Vec<Diagnostic>);

/// An article's title, link and link hash, kept under the hash of their inputs.
struct KeptTitle {
    inputs: u64,
    title: String,
    link: LinkParts,
    link_hash: u64,
}

/// The input and the last good build's results, for rebuilding after changes.
pub struct Session {
    opts: BuildOptions,
    parts: Parts,
    /// Article id → what was made from its title's inputs last time.
    titles: HashMap<String, KeptTitle>,
    /// Page fingerprint → the page rendered from those inputs.
    /// Shared, so keeping one for the next rebuild only bumps a count.
    pages: HashMap<u64, Arc<KeptPage>>,
    /// The last build's feeds, under a hash of their inputs.
    feeds: FeedCache,
    /// The last merge and the stamps it was made from, to move unchanged cities' pairs
    /// out of.
    merged: Option<(Merged, MergeStamps)>,
}

/// What a merge was made from: site settings (with the site-wide defaults), topic files and
/// city files, by position.
struct MergeStamps {
    site: u64,
    topics: Vec<u64>,
    cities: Vec<u64>,
}

/// What a successful rebuild produced.
pub struct Rebuilt {
    pub files: SiteFiles,
    /// Published articles.
    pub articles: usize,
    /// Pages rendered by this rebuild.
    pub rendered: usize,
    /// Pages taken unchanged from the previous build.
    pub reused: usize,
    /// Every warning of the site as it is now (kept pages' included).
    pub warnings: Vec<Diagnostic>,
}

impl Session {
    /// Reads every input file; nothing is built yet.
    pub fn new(opts: BuildOptions) -> Session {
        Session {
            parts: Parts::read(&opts.root),
            opts,
            titles: HashMap::new(),
            pages: HashMap::new(),
            feeds: FeedCache::default(),
            merged: None,
        }
    }

    /// Re-reads the files named by `changes`.
    pub fn apply(&mut self, changes: &[ChangeKind]) {
        for change in changes {
            self.parts.reload(change);
        }
    }

    /// Runs the stages on the current input. On failure the kept results stay as they were,
    /// so the next rebuild still reuses the last good build.
    pub fn rebuild(&mut self) -> Result<Rebuilt, Diagnostics> {
        let mut timings = Timings::from_env();
        let (input, stamps) = self.parts.assemble()?;
        let (input, now) = apply_overrides(input, &self.opts)?;
        timings.mark("assemble");
        let merge_stamps = MergeStamps {
            site: site_digest(&input),
            topics: stamps.topics.clone(),
            cities: stamps.cities.clone(),
        };
        // The last merge was made from shape-clean input: only cities changed since need
        // checking, and the whole site again when one of them has problems (so they read
        // as `build` reports them).
        let shapes = match &self.merged {
            Some((_, was)) if was.site == merge_stamps.site && was.topics == stamps.topics => {
                let changed = |c: usize| was.cities.get(c) != Some(&stamps.cities[c]);
                let found = merge::check_shapes_of(&input, changed);
                if found.is_empty() {
                    found
                } else {
                    merge::check_shapes(&input)
                }
            }
            _ => merge::check_shapes(&input),
        };
        if !shapes.is_empty() {
            return Err(collect(shapes));
        }
        timings.mark("shapes");
        let merged = match self.merged.take() {
            Some((old, was)) if was.site == merge_stamps.site && was.topics == stamps.topics => {
                let unchanged = |c: usize| was.cities.get(c) == Some(&stamps.cities[c]);
                merge::merge_reusing(&input, Some(old), unchanged)
            }
            _ => merge::merge(&input),
        };
        timings.mark("merge");
        let options = PlanOptions {
            now,
            future: self.opts.future,
        };
        let plan = crate::plan::plan(&input, &merged, &options);
        timings.mark("plan");
        let site = merge_stamps.site;
        let title_keys: Vec<u64> = plan
            .articles
            .iter()
            .map(|a| title_inputs(site, a, &stamps))
            .collect();
        // What is kept for article `i`, if its inputs are unchanged.
        let kept = |i: usize| {
            let a = &plan.articles[i];
            self.titles
                .get(&a.id)
                .filter(|k| a.published && k.inputs == title_keys[i])
        };
        let renderer = Renderer::with_known_titles(&input, &merged, &plan, |i| {
            kept(i).map(|k| (k.title.clone(), k.link.clone()))
        })
        .map_err(collect)?;
        timings.mark("titles");
        let linter = Linter::new(&input, &merged);
        let shared = renderer.fingerprint_shared(|i| kept(i).map(|k| k.link_hash));
        let early = linter.input(plan.now.date());
        timings.mark("lint");
        let (pages, rendered, mut warnings) =
            self.render(&renderer, &linter, &plan, &shared, &stamps)?;
        timings.mark("pages");
        warnings.splice(0..0, early);
        if self.opts.strict && !warnings.is_empty() {
            return Err(collect(warnings.into_iter().map(as_error)));
        }

        // The modified table as `build` makes it; unpublished articles' records only matter
        // to modified.lock, which serve does not write.
        let records: Vec<(usize, ModifiedEntry)> = plan
            .pages
            .iter()
            .zip(&pages)
            .filter_map(|(page, (_, kept))| match (page, &kept.record) {
                (Page::Article(i), Some(r)) => Some((*i, r.clone())),
                _ => None,
            })
            .collect();
        let table = modified::table(&plan, &input.modified_lock, records);
        let mut files: SiteFiles = pages
            .iter()
            .map(|(_, p)| (p.path.clone(), p.bytes.clone()))
            .collect();
        // Per article, its page's fingerprint: a feed entry is made from what its page is.
        let mut article_keys = vec![0; plan.articles.len()];
        for (page, (fingerprint, _)) in plan.pages.iter().zip(&pages) {
            if let Page::Article(i) = page {
                article_keys[*i] = *fingerprint;
            }
        }
        let keys = FeedKeys {
            global: shared.global(),
            articles: &article_keys,
        };
        files.extend(renderer.site_files_kept(&table.modified, &keys, &mut self.feeds));
        timings.mark("site files");
        // Kept titles move over to the new map; only new ones are built.
        let mut old_titles = std::mem::take(&mut self.titles);
        self.titles.reserve(plan.articles.len());
        for (i, a) in plan
            .articles
            .iter()
            .enumerate()
            .filter(|(_, a)| a.published)
        {
            let kept = match old_titles.remove_entry(&a.id) {
                Some(entry) if entry.1.inputs == title_keys[i] => entry,
                _ => (
                    a.id.clone(),
                    KeptTitle {
                        inputs: title_keys[i],
                        title: renderer.article_title(i).to_string(),
                        link: renderer.article_link(i),
                        link_hash: shared.link(i),
                    },
                ),
            };
            self.titles.insert(kept.0, kept.1);
        }
        let total = pages.len();
        let articles = plan.articles.iter().filter(|a| a.published).count();
        let old_pages = std::mem::replace(&mut self.pages, pages.into_iter().collect());
        timings.mark("keep");
        // Freeing the last build's pages and this build's input, merge and plan takes tens
        // of milliseconds at 10,000 articles; the result does not wait for it.
        drop((renderer, linter, shared, table));
        std::thread::spawn(move || drop((old_pages, old_titles, input, plan, stamps)));
        self.merged = Some((merged, merge_stamps));
        timings.mark("free");
        Ok(Rebuilt {
            files,
            articles,
            rendered,
            reused: total - rendered,
            warnings,
        })
    }

    /// Every page of the plan, in plan order with its fingerprint: kept when the
    /// fingerprint is known, rendered and linted otherwise. Also gives how many were
    /// rendered and every page's warnings.
    fn render(
        &self,
        renderer: &Renderer<'_>,
        linter: &Linter<'_>,
        plan: &Plan,
        shared: &Shared,
        stamps: &Stamps,
    ) -> Result<RenderedPages, Diagnostics> {
        let outcomes: Vec<(u64, Result<Arc<KeptPage>, Diagnostic>, bool)> = plan
            .pages
            .par_iter()
            .map(|&page| {
                let fingerprint = renderer.fingerprint(page, shared, stamps);
                let kept = self.pages.get(&fingerprint);
                if let Some(kept) = kept.filter(|k| record_holds(renderer, page, k.record.as_ref()))
                {
                    return (fingerprint, Ok(kept.clone()), false);
                }
                let fresh = renderer.render_page(page).map(|r| {
                    let mut warnings = r.warnings;
                    if let Page::Article(i) = page {
                        let title = renderer.article_title(i);
                        warnings.extend(linter.article(&plan.articles[i], title, &r.sections));
                    }
                    Arc::new(KeptPage {
                        path: r.file.path,
                        bytes: r.file.bytes.into(),
                        warnings,
                        record: r.record.map(|(_, e)| e),
                    })
                });
                (fingerprint, fresh, true)
            })
            .collect();
        let mut errors = Diagnostics::default();
        let mut warnings = Vec::new();
        let mut pages = Vec::with_capacity(outcomes.len());
        let mut rendered = 0;
        for (fingerprint, outcome, fresh) in outcomes {
            match outcome {
                Ok(page) => {
                    rendered += usize::from(fresh);
                    warnings.extend(page.warnings.iter().cloned());
                    pages.push((fingerprint, page));
                }
                Err(d) => errors.push(d),
            }
        }
        if errors.has_errors() {
            errors.extend(warnings);
            return Err(errors);
        }
        Ok((pages, rendered, warnings))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::ChangeKind;
    use crate::pipeline::Now;
    use std::path::{Path, PathBuf};

    /// Copies the real site (input only) to a temporary folder.
    fn real_site() -> (tempfile::TempDir, PathBuf) {
        let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        for part in [
            "templates",
            "static",
            "topics",
            "cities",
            "site.yaml",
            "schedule.lock",
        ] {
            for entry in walkdir::WalkDir::new(repo.join(part)) {
                let entry = entry.unwrap();
                let to = root.join(entry.path().strip_prefix(&repo).unwrap());
                if entry.file_type().is_dir() {
                    std::fs::create_dir_all(&to).unwrap();
                } else {
                    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
                    std::fs::copy(entry.path(), &to).unwrap();
                }
            }
        }
        (tmp, root)
    }

    fn options(root: &Path) -> BuildOptions {
        BuildOptions {
            root: root.to_path_buf(),
            output: root.join("public"),
            now: Now::Local(crate::load::parse_datetime("2026-03-01 00:00:00").unwrap()),
            future: false,
            base_url: None,
            locked: false,
            strict: false,
            report_dir: Some(root.join("report")),
        }
    }

    fn sorted(files: &SiteFiles) -> Vec<(&str, &[u8])> {
        let mut v: Vec<_> = files.iter().map(|(p, b)| (p.as_str(), &b[..])).collect();
        v.sort();
        v
    }

    #[test]
    fn gives_the_same_files_as_build() {
        let (_tmp, root) = real_site();
        let opts = options(&root);
        let rebuilt = Session::new(opts.clone()).rebuild().expect("builds");
        assert_eq!(rebuilt.reused, 0);
        super::super::build(&opts).expect("builds");
        let mut written = Vec::new();
        for entry in walkdir::WalkDir::new(&opts.output) {
            let entry = entry.unwrap();
            let rel = entry.path().strip_prefix(&opts.output).unwrap();
            // Not the output folder's own files (.sitegen, .sitegen-manifest).
            if entry.file_type().is_file() && !rel.to_string_lossy().starts_with(".sitegen") {
                let bytes = std::fs::read(entry.path()).unwrap();
                written.push((rel.to_string_lossy().into_owned(), bytes));
            }
        }
        written.sort();
        let in_memory: Vec<(String, Vec<u8>)> = sorted(&rebuilt.files)
            .into_iter()
            .map(|(p, b)| (p.to_string(), b.to_vec()))
            .collect();
        assert_eq!(written.len(), in_memory.len());
        assert!(written == in_memory, "serve's pages differ from build's");
    }

    /// Edits yueyang.yaml, rebuilds incrementally and compares with a fresh build.
    fn edit_yueyang(from: &str, to: &str) -> (Rebuilt, Rebuilt) {
        let (_tmp, root) = real_site();
        let mut session = Session::new(options(&root));
        let first = session.rebuild().expect("builds");
        let city = root.join("cities/yueyang.yaml");
        let text = std::fs::read_to_string(&city).unwrap();
        assert!(text.contains(from));
        std::fs::write(&city, text.replace(from, to)).unwrap();
        session.apply(&[ChangeKind::City(city.clone())]);
        let second = session.rebuild().expect("rebuilds");
        let fresh = Session::new(options(&root)).rebuild().expect("builds");
        assert!(sorted(&second.files) == sorted(&fresh.files));
        (first, second)
    }

    #[test]
    fn an_edited_value_rerenders_only_the_pages_showing_it() {
        let (first, second) = edit_yueyang("- 医保卡", "- 社保卡");
        assert_ne!(
            first.files["yueyang/canbaodi-biangeng/index.html"],
            second.files["yueyang/canbaodi-biangeng/index.html"]
        );
        // The city's articles, its city page and the list of cities; titles are unchanged,
        // so no list or related block needs rendering.
        assert!(second.rendered <= 7, "rendered {}", second.rendered);
        // Other cities' feeds are kept, not rendered again; all equal a fresh build's.
        assert!(Arc::ptr_eq(
            &first.files["jinhua/atom.xml"],
            &second.files["jinhua/atom.xml"]
        ));
        assert_eq!(second.rendered + second.reused, first.rendered);
    }

    #[test]
    fn a_renamed_city_rerenders_every_page_listing_its_articles() {
        let (first, second) = edit_yueyang("name: 岳阳", "name: 岳阳市");
        assert_ne!(first.files["index.html"], second.files["index.html"]);
        assert!(second.reused > 0 && second.rendered > 7);
        // The city's feed names it; every feed equals a fresh build's (see edit_yueyang).
        assert_ne!(
            first.files["yueyang/atom.xml"],
            second.files["yueyang/atom.xml"]
        );
    }

    #[test]
    fn a_shape_mismatch_in_an_edited_city_is_found_after_a_good_build() {
        let (_tmp, root) = real_site();
        let mut session = Session::new(options(&root));
        session.rebuild().expect("builds");
        let city = root.join("cities/yueyang.yaml");
        let text = std::fs::read_to_string(&city).unwrap();
        let from = "      materials:\n        - 身份证\n        - 医保卡\n";
        assert!(text.contains(from));
        let broken = text.replacen(from, "      materials: 身份证\n", 1);
        std::fs::write(&city, broken).unwrap();
        session.apply(&[ChangeKind::City(city.clone())]);
        let incremental = session.rebuild().err().expect("fails");
        let fresh = Session::new(options(&root)).rebuild().err().expect("fails");
        assert!(
            incremental
                .iter()
                .any(|d| d.origin.file.ends_with("yueyang.yaml"))
        );
        let texts = |p: &Diagnostics| p.iter().map(|d| format!("{d:?}")).collect::<Vec<_>>();
        assert_eq!(texts(&incremental), texts(&fresh));
    }

    #[test]
    fn a_broken_edit_keeps_the_last_good_pages_for_the_next_rebuild() {
        let (_tmp, root) = real_site();
        let mut session = Session::new(options(&root));
        session.rebuild().expect("builds");
        let city = root.join("cities/yueyang.yaml");
        let good = std::fs::read_to_string(&city).unwrap();
        std::fs::write(&city, format!("{good}\nnot yaml: [\n")).unwrap();
        session.apply(&[ChangeKind::City(city.clone())]);
        let problems = session.rebuild().err().expect("fails");
        assert!(
            problems
                .iter()
                .any(|d| d.origin.file.ends_with("yueyang.yaml"))
        );
        std::fs::write(&city, &good).unwrap();
        session.apply(&[ChangeKind::City(city)]);
        let again = session.rebuild().expect("builds");
        assert_eq!(
            again.rendered, 0,
            "nothing changed since the last good build"
        );
    }
}
