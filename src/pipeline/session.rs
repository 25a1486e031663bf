//! Incremental rebuilds (for `serve`): the same stages as [`super::build`], re-run after a
//! change with everything kept that the change cannot affect.
//!
//! A [`Session`] keeps the input file by file ([`Parts`]), the titles and the rendered pages
//! of the last good build. A rebuild re-reads only the changed files, merges and plans the
//! whole site again (both are cheap and pure), renders titles only for articles whose inputs
//! changed, and renders only the pages whose fingerprint changed. Nothing is written to
//! disk: the result is the site's files in memory.

use super::{BuildOptions, Now, merge_and_plan, with_overrides};
use crate::diag::{Diagnostic, Diagnostics, Severity};
use crate::load::{ChangeKind, Parts};
use crate::render::Renderer;
use crate::render::fingerprint::{site_digest, title_inputs};
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;

/// A built site in memory: each file's path below the output folder and its bytes.
pub type SiteFiles = HashMap<String, Arc<[u8]>>;

/// A rendered page kept for the next rebuild, under its fingerprint.
#[derive(Clone)]
struct KeptPage {
    path: String,
    bytes: Arc<[u8]>,
    warnings: Vec<Diagnostic>,
}

/// An article's title and link hash, kept under the hash of their inputs.
struct KeptTitle {
    inputs: u64,
    title: String,
    link: u64,
}

/// The input and the last good build's results, for rebuilding after changes.
pub struct Session {
    opts: BuildOptions,
    parts: Parts,
    /// Article id → what was made from its title's inputs last time.
    titles: HashMap<String, KeptTitle>,
    /// Page fingerprint → the page rendered from those inputs.
    pages: HashMap<u64, KeptPage>,
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
    /// Warnings of the pages rendered this time (kept pages reported theirs before).
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
        }
    }

    /// Re-reads the files named by `changes`.
    pub fn apply(&mut self, changes: &[ChangeKind]) {
        for change in changes {
            self.parts.reload(change);
        }
    }

    /// Sets "now" for the next rebuild (serve follows the clock unless `--now` was given).
    pub fn set_now(&mut self, now: Now) {
        self.opts.now = now;
    }

    /// Runs the stages on the current input. On failure the kept results stay as they were,
    /// so the next rebuild still reuses the last good build.
    pub fn rebuild(&mut self) -> Result<Rebuilt, Diagnostics> {
        let (input, stamps) = self.parts.assemble()?;
        let (input, now) = with_overrides(input, &self.opts)?;
        let (merged, plan) = merge_and_plan(&input, now, self.opts.future);
        let site = site_digest(&input);
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
            kept(i).map(|k| k.title.clone())
        })
        .map_err(|d| {
            let mut all = Diagnostics::default();
            all.extend(d);
            all
        })?;

        let shared = renderer.fingerprint_shared(|i| kept(i).map(|k| k.link));
        let outcomes: Vec<(u64, Result<KeptPage, Diagnostic>, bool)> = plan
            .pages
            .par_iter()
            .map(|&page| {
                let fingerprint = renderer.fingerprint(page, &shared, &stamps);
                match self.pages.get(&fingerprint) {
                    Some(kept) => (fingerprint, Ok(kept.clone()), false),
                    None => {
                        let page = renderer.render_page(page).map(|r| KeptPage {
                            path: r.file.path,
                            bytes: r.file.bytes.into(),
                            warnings: r.warnings,
                        });
                        (fingerprint, page, true)
                    }
                }
            })
            .collect();

        let mut errors = Diagnostics::default();
        let mut warnings = Vec::new();
        let mut pages = HashMap::with_capacity(outcomes.len());
        let mut rendered = 0;
        for (fingerprint, outcome, fresh) in outcomes {
            match outcome {
                Ok(page) => {
                    if fresh {
                        rendered += 1;
                        warnings.extend(page.warnings.iter().cloned());
                    }
                    if self.opts.strict {
                        errors.extend(page.warnings.iter().cloned().map(|w| Diagnostic {
                            severity: Severity::Error,
                            ..w
                        }));
                    }
                    pages.insert(fingerprint, page);
                }
                Err(d) => errors.push(d),
            }
        }
        if errors.has_errors() {
            errors.extend(warnings);
            return Err(errors);
        }

        let mut files: SiteFiles = pages
            .values()
            .map(|p| (p.path.clone(), p.bytes.clone()))
            .collect();
        for f in renderer.site_files() {
            files.insert(f.path, f.bytes.into());
        }
        self.titles = plan
            .articles
            .iter()
            .enumerate()
            .filter(|(_, a)| a.published)
            .map(|(i, a)| {
                let kept = KeptTitle {
                    inputs: title_keys[i],
                    title: renderer.article_title(i).to_string(),
                    link: shared.link(i),
                };
                (a.id.clone(), kept)
            })
            .collect();
        let total = pages.len();
        self.pages = pages;
        Ok(Rebuilt {
            files,
            articles: plan.articles.iter().filter(|a| a.published).count(),
            rendered,
            reused: total - rendered,
            warnings,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::ChangeKind;
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
            locked: true,
            strict: false,
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
            if entry.file_type().is_file() && !rel.starts_with(".sitegen") {
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
        assert_eq!(second.rendered + second.reused, first.rendered);
    }

    #[test]
    fn a_renamed_city_rerenders_every_page_listing_its_articles() {
        let (first, second) = edit_yueyang("name: 岳阳", "name: 岳阳市");
        assert_ne!(first.files["index.html"], second.files["index.html"]);
        assert!(second.reused > 0 && second.rendered > 7);
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
