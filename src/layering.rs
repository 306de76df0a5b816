//! The folders' layering, enforced: each top-level module (a folder under `src/` or a file
//! beside `lib.rs`) may use only the modules listed for it below, and the list has no cycle,
//! so data flows one way (`shared/design.md`): Halo's dialect and client at the bottom, then
//! answers, journal and profiles, the plan and its workflow, the wizard's state machine and
//! view, and the front ends (runtime, headless commands, command line) on top.
//!
//! Every `crate::x` path in a module's files counts (in `use` lines and inline), tests
//! included: a test that needs a higher layer belongs in `tests/`.

#![cfg(test)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module → the modules it may use.
const ALLOWED: &[(&str, &[&str])] = &[
    ("evidence", &[]),
    ("hardening", &[]),
    ("print", &[]),
    ("limits", &[]),
    ("timestamp", &[]),
    ("text", &["timestamp"]),
    ("config", &["journal", "limits", "text"]),
    ("halo", &["evidence", "limits", "text", "timestamp"]),
    ("answers", &["halo"]),
    (
        "journal",
        &["answers", "halo", "limits", "text", "timestamp"],
    ),
    ("profile", &["answers", "halo", "limits", "text"]),
    ("sim", &["evidence"]),
    (
        "plan",
        &["answers", "halo", "journal", "limits", "profile", "text"],
    ),
    (
        "app",
        &[
            "answers", "config", "halo", "journal", "plan", "profile", "text",
        ],
    ),
    (
        "ui",
        &[
            "answers", "app", "halo", "limits", "plan", "profile", "text",
        ],
    ),
    (
        "runtime",
        &[
            "answers", "app", "config", "halo", "journal", "plan", "profile", "sim", "text", "ui",
        ],
    ),
    (
        "headless",
        &[
            "answers",
            "config",
            "halo",
            "journal",
            "limits",
            "plan",
            "profile",
            "text",
            "timestamp",
        ],
    ),
    ("cli", &["headless", "sim", "ui"]),
];

fn allowed() -> BTreeMap<&'static str, BTreeSet<&'static str>> {
    ALLOWED
        .iter()
        .map(|(m, deps)| (*m, deps.iter().copied().collect()))
        .collect()
}

fn rust_files(p: &Path, out: &mut Vec<PathBuf>) {
    if p.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for e in entries {
            rust_files(&e, out);
        }
    } else if p.extension().is_some_and(|e| e == "rs") {
        out.push(p.to_path_buf());
    }
}

/// The top-level modules each module's files name as `crate::x`.
fn used(src: &Path, module: &str) -> BTreeMap<String, Vec<String>> {
    let mut files = Vec::new();
    rust_files(&src.join(module), &mut files);
    rust_files(&src.join(format!("{module}.rs")), &mut files);
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            let mut rest = code;
            while let Some(i) = rest.find("crate::") {
                rest = &rest[i + "crate::".len()..];
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() && name != module {
                    let at = format!("{}:{}", f.display(), n + 1);
                    out.entry(name).or_default().push(at);
                }
            }
        }
    }
    out
}

#[test]
fn every_module_uses_only_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let table = allowed();
    let mut bad = Vec::new();
    for (module, deps) in &table {
        for (name, places) in used(&src, module) {
            if !deps.contains(name.as_str()) {
                bad.push(format!("{module} -> {name} at {}", places.join(", ")));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "imports against the layering:\n{}",
        bad.join("\n")
    );
}

#[test]
fn every_module_is_in_the_table() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap_or_default();
    let table = allowed();
    for line in lib.lines() {
        if let Some(name) = line
            .trim()
            .strip_prefix("pub mod ")
            .and_then(|r| r.strip_suffix(';'))
        {
            assert!(table.contains_key(name), "module {name} is not in ALLOWED");
        }
    }
}

#[test]
fn the_layering_has_no_cycle() {
    let table = allowed();
    // Kahn's algorithm: peel off the modules whose dependencies are all peeled.
    let mut done: BTreeSet<&str> = BTreeSet::new();
    while done.len() < table.len() {
        let next: Vec<&str> = table
            .iter()
            .filter(|(m, deps)| !done.contains(*m) && deps.iter().all(|d| done.contains(d)))
            .map(|(m, _)| *m)
            .collect();
        assert!(
            !next.is_empty(),
            "a cycle among {:?}",
            table
                .keys()
                .filter(|m| !done.contains(*m))
                .collect::<Vec<_>>()
        );
        done.extend(next);
    }
    for deps in table.values() {
        for d in deps {
            assert!(table.contains_key(d), "{d} is used but not in ALLOWED");
        }
    }
}

mod circles;
