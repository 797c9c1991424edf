//! `crates/` stays generic: no file under it uses a business word of any system. Each
//! system lists its words in its `Cargo.toml`
//! (`[package.metadata.system] business-words = [...]`), so this file names none.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    devstack::system::workspace_of(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// Every system's business words, lower-case.
fn business_words(workspace: &Path) -> Vec<(String, String)> {
    let mut words = Vec::new();
    for entry in std::fs::read_dir(workspace.join("systems")).unwrap() {
        let manifest = entry.unwrap().path().join("Cargo.toml");
        let Ok(text) = std::fs::read_to_string(&manifest) else { continue };
        let table: toml::Table = text.parse().unwrap();
        let system = manifest.parent().unwrap().file_name().unwrap().to_string_lossy().into_owned();
        let listed = table["package"]["metadata"]["system"]["business-words"]
            .as_array()
            .unwrap_or_else(|| panic!("{} lists no business-words", manifest.display()));
        for word in listed {
            words.push((system.clone(), word.as_str().unwrap().to_lowercase()));
        }
    }
    words
}

fn files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, found);
        } else if path
            .extension()
            .is_some_and(|e| ["rs", "toml", "yaml", "yml", "md", "json"].contains(&&*e.to_string_lossy()))
        {
            found.push(path);
        }
    }
}

#[test]
fn no_generic_crate_names_a_business_concept() {
    let workspace = workspace();
    let words = business_words(&workspace);
    assert!(words.len() >= 5, "the systems list too few business words: {words:?}");
    let mut sources = Vec::new();
    files(&workspace.join("crates"), &mut sources);
    assert!(sources.len() > 20, "found only {} files under crates/", sources.len());
    let mut hits = Vec::new();
    for path in &sources {
        let text = std::fs::read_to_string(path).unwrap().to_lowercase();
        for (system, word) in &words {
            let pattern = regex::Regex::new(&format!(r"\b{}\b", regex::escape(word))).unwrap();
            for (number, line) in text.lines().enumerate() {
                if pattern.is_match(line) {
                    hits.push(format!("{}:{}: {word} ({system})", path.display(), number + 1));
                }
            }
        }
    }
    assert!(hits.is_empty(), "business words in crates/:\n{}", hits.join("\n"));
}
