//! Gives the binary a code identity: a hash of its sources, `Cargo.toml` and `Cargo.lock`.
//! The build keeps rendered pages' fingerprints between runs (`.sitegen-pages` in the
//! output folder); a binary built from other code must not trust them, since the same
//! inputs may render differently.

use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let mut files = vec![root.join("Cargo.toml"), root.join("Cargo.lock")];
    collect(&root.join("src"), &mut files);
    files.sort();
    let mut hash = xxhash_rust::xxh3::Xxh3::new();
    for file in &files {
        let rel = file.strip_prefix(&root).unwrap_or(file);
        hash.update(rel.to_string_lossy().as_bytes());
        hash.update(&[0]);
        hash.update(&std::fs::read(file).unwrap_or_default());
        hash.update(&[0]);
    }
    println!("cargo:rustc-env=SITEGEN_CODE_ID={:016x}", hash.digest());
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=Cargo.toml");
    println!("cargo:rerun-if-changed=Cargo.lock");
}

/// Every file below `dir`.
fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else {
            out.push(path);
        }
    }
}
