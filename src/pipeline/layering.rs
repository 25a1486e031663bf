//! Guards the crate's layering: stages import only earlier stages, the leaves import no
//! stage, and no two modules import each other (directly or round a longer loop), between
//! top-level modules or between sibling files of one folder.
//!
//! Read from the source text: every `crate::name` and `super::name` path outside comments
//! and test modules counts as an import.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The pipeline's stages in order, then the modules every stage may use. So `render`
/// imports neither `site_files` nor `lint` (which read what it renders), and the page
/// fingerprints and kept caches stay in `pipeline`, beside the memo.
const STAGES: [&str; 6] = ["load", "merge", "plan", "render", "site_files", "write"];
const LEAVES: [&str; 5] = ["diag", "model", "content", "sync", "keyed_text"];

/// Module name → the names it imports.
type Graph = BTreeMap<String, BTreeSet<String>>;

fn source_files(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect()
}

/// The code of a file without comments and without its test module (tests may build
/// whatever they need) or a file that is itself a test module.
fn code(path: &Path) -> String {
    if path.file_name().is_some_and(|n| n == "tests.rs") {
        return String::new();
    }
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let body = text.split("#[cfg(test)]").next().unwrap_or("");
    body.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The names that follow `prefix` in `code` (`crate::load::x` and `crate::{load, plan}`
/// give `load`, and `load` and `plan`).
fn names_after(code: &str, prefix: &str) -> BTreeSet<String> {
    let ident = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut out = BTreeSet::new();
    for (at, _) in code.match_indices(prefix) {
        let before = code[..at].chars().last();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &code[at + prefix.len()..];
        match rest.strip_prefix('{') {
            Some(group) => {
                // The names at the group's top level, up to its closing brace.
                let mut depth = 0;
                let mut start = 0;
                for (i, c) in group.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => {
                            out.insert(ident(&group[start..i]));
                            break;
                        }
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            out.insert(ident(&group[start..i]));
                            start = i + 1;
                        }
                        _ => {}
                    }
                }
            }
            None => {
                out.insert(ident(rest));
            }
        }
    }
    out.remove("");
    out.remove("self");
    out
}

/// A loop in `graph`, if there is one, as the names along it.
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &Graph,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

fn src() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Top-level module → the other top-level modules it imports.
fn top_level() -> Graph {
    let root = src();
    let mut graph = Graph::new();
    for file in source_files(&root) {
        let rel = file.strip_prefix(&root).unwrap_or(&file);
        let top = rel
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .unwrap_or("")
            .trim_end_matches(".rs")
            .to_string();
        if top == "main" || top == "lib" {
            continue;
        }
        let mut imports = names_after(&code(&file), "crate::");
        imports.remove(&top);
        graph.entry(top).or_default().extend(imports);
    }
    graph
}

#[test]
fn top_level_modules_import_no_loop() {
    let graph = top_level();
    assert!(graph.contains_key("render") && graph.contains_key("pipeline"));
    if let Some(cycle) = find_cycle(&graph) {
        panic!("import cycle: {}", cycle.join(" → "));
    }
}

#[test]
fn stages_import_only_earlier_stages_and_leaves() {
    let graph = top_level();
    for (n, stage) in STAGES.iter().enumerate() {
        for import in &graph[*stage] {
            let later = STAGES[n + 1..].contains(&import.as_str());
            let known = STAGES.contains(&import.as_str()) || LEAVES.contains(&import.as_str());
            assert!(
                !later && known,
                "stage `{stage}` imports `{import}`: a stage may use earlier stages and {LEAVES:?}"
            );
        }
    }
    for leaf in LEAVES {
        for import in &graph[leaf] {
            assert!(
                LEAVES.contains(&import.as_str()),
                "leaf `{leaf}` imports `{import}`"
            );
        }
    }
}

#[test]
fn sibling_files_import_no_loop() {
    for dir in walkdir::WalkDir::new(src())
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_dir())
    {
        let siblings: BTreeSet<String> = std::fs::read_dir(dir.path())
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .filter_map(|e| {
                let name = e.file_name().to_str()?.to_string();
                let stem = name.strip_suffix(".rs").unwrap_or(&name).to_string();
                (stem != "mod" && stem != "tests").then_some(stem)
            })
            .collect();
        let mut graph = Graph::new();
        for name in &siblings {
            let file = dir.path().join(format!("{name}.rs"));
            let mut imports: BTreeSet<String> = names_after(&code(&file), "super::")
                .intersection(&siblings)
                .cloned()
                .collect();
            imports.remove(name);
            graph.insert(name.clone(), imports);
        }
        if let Some(cycle) = find_cycle(&graph) {
            panic!(
                "import cycle in {}: {}",
                dir.path().display(),
                cycle.join(" → ")
            );
        }
    }
}

/// The stage order is written once: only the driver calls the stages' entry points.
#[test]
fn only_the_driver_runs_the_stages() {
    let calls = [
        "merge::merge(",
        "plan::plan(",
        "Renderer::new(",
        "render_into(",
    ];
    for path in source_files(&src()) {
        let code = code(&path);
        for call in calls.iter().filter(|c| code.contains(*c)) {
            assert!(
                path.ends_with("pipeline/run.rs"),
                "{} calls `{call}`: run the stages through pipeline::run",
                path.display()
            );
        }
    }
}

#[test]
fn a_loop_is_found() {
    let mut graph = Graph::new();
    graph.insert("a".into(), ["b".to_string()].into());
    graph.insert("b".into(), ["c".to_string()].into());
    graph.insert("c".into(), ["a".to_string()].into());
    assert_eq!(find_cycle(&graph).unwrap(), ["a", "b", "c", "a"]);
    graph.insert("c".into(), BTreeSet::new());
    assert_eq!(find_cycle(&graph), None);
    assert_eq!(
        names_after(
            "use crate::{load::{a, b}, x}; crate::plan::y; mycrate::z",
            "crate::"
        ),
        ["load", "plan", "x"].map(String::from).into()
    );
}
