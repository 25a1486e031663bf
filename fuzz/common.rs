//! Shared by the fuzz targets: a small fixed site around the fuzzed file, and the whole
//! pipeline after loading (merge, plan, render every page). A panic anywhere is a crash.

use sitegen::model::{SiteInput, TemplateFile};
use sitegen::plan::{self, PlanOptions};
use sitegen::render::Renderer;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub const SITE: &str = "name: 测试站\nbase_url: https://fuzz.example.org/\ncategory: 医保知识\n\
editor: 小测\ndisclaimer: 提示\nstatement: 声明\ncomplaint_url: \"mailto:a@b.org\"\n\
related_count: 3\nhome_page_size: 2\nextra_sections: 1\nschedule:\n  start: \"2026-01-05 08:00:00\"\n  \
interval_minutes: 20\ntitle_date_formats: [\"(%Y年%-m月%-d日)\", \"(%y/%m/%d)\"]\n\
defaults:\n  hotline: \"12345\"\n";

pub const TOPIC_FRONT: &str = "---\nname: 甲专题\ntitles:\n  - \"{{ city.name }}甲专题怎么办?\"\n\
headings:\n  - \"{{ city.name }}如何办理甲专题?\"\nlead: \"导语,{{ city.name }}适用。\"\n\
teasers:\n  - \"跟着{{ site.editor }}了解。\"\ndefaults:\n  materials: [身份证]\n  time_limit: 15天\n---\n";

pub const TOPIC_BODY: &str = "### 材料:\n\n{% for m in materials %}\n- {{ m }}\n{% endfor %}\n\n\
办理时限为{{ time_limit }},电话 {{ hotline }}。\n";

pub const BETA: &str = "---\nname: 乙专题\ntitles: [\"{{ city.name }}乙专题\"]\nheadings: [\"{{ city.name }}乙?\"]\n\
lead: 乙导语\nteasers: [看看]\n---\n### 乙:\n\n正文\n";

pub const CITY: &str = "name: 甲城\nprovince: 甲省\nslug: aaa\nvalues:\n  time_limit: 10天\n\
topics:\n  alpha:\n    values:\n      materials: [身份证, 医保卡]\n";

/// The repository's layouts, read once.
pub fn templates() -> Vec<TemplateFile> {
    static CACHE: OnceLock<Vec<TemplateFile>> = OnceLock::new();
    CACHE
        .get_or_init(|| {
            let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("../templates");
            let mut out = Vec::new();
            for entry in walk(&base) {
                let name = entry.strip_prefix(&base).unwrap().to_string_lossy().replace('\\', "/");
                out.push(TemplateFile {
                    path: PathBuf::from("templates").join(&name),
                    source: std::fs::read_to_string(&entry).unwrap(),
                    name,
                });
            }
            out
        })
        .clone()
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// Runs merge, plan and render on a loaded site; errors are fine, panics are not.
pub fn render_all(input: &SiteInput) {
    let merged = sitegen::merge::merge(input, None);
    let now = sitegen::load::parse_datetime("2026-06-01 00:00:00").unwrap();
    let Ok(plan) = plan::plan(input, &merged, &PlanOptions { now, future: true }) else {
        return;
    };
    if let Ok(renderer) = Renderer::new(input, &merged, &plan, None) {
        let records: Vec<_> = plan
            .pages
            .iter()
            .filter_map(|&page| renderer.render_page(page).ok()?.record)
            .collect();
        let table = sitegen::plan::modified::table(&plan, &input.modified_lock, records);
        let sources = sitegen::site_files::Sources {
            input,
            plan: &plan,
            renderer: &renderer,
            modified: &table.modified,
        };
        let _ = sources.files();
    }
}
