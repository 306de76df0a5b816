//! Import circles between the files of one folder.
//!
//! The layering (`src/layering.rs`) orders the folders; inside a folder the files must form no circle either
//! (issue 19): a file that needs its sibling's sibling back is one module cut in two. Each
//! folder's files are nodes (`mod.rs` or the folder's `x.rs` beside it is the folder's root,
//! named after the folder; a subfolder counts as one node), and a file ties itself to a sibling
//! by naming it in code outside `#[cfg(test)]` items: `use crate::x::y::…`, `use super::y…`,
//! `super::{y, z::…}` and inline `crate::x::y::f(…)` paths. A name the root re-exports
//! (`pub use y::Name;`) ties to `y`, the file that holds it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::rust_files;

/// Folders the walk must find: a guard that the test looks where the code is (every folder
/// under `src/` is checked, these and any added later).
const MUST_SEE: &[&str] = &[
    "app",
    "halo",
    "halo/dialect",
    "plan",
    "profile",
    "sim",
    "ui",
];

/// The code of a Rust file without comments, string and char literals (their text is blanked,
/// the quotes kept) and without the items marked `#[cfg(test)]`.
fn code_of(text: &str) -> String {
    let bare = strip_literals(text);
    inline_mods(&drop_test_items(&bare))
}

/// Code seen from one module further down: its `super::` is the module itself and its
/// `super::super::` is the `super::` of the level above.
fn one_level_down(code: &str) -> String {
    code.replace("super::super::", "\u{1}")
        .replace("super::", "self_::")
        .replace('\u{1}', "super::")
}

/// Rewrites the paths inside inline `mod name { … }` blocks as seen from the file.
fn inline_mods(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = tails(rest, "mod ").first().map(|t| rest.len() - t.len()) {
        let (name, after) = ident(&rest[at..]);
        let Some(body) = after
            .trim_start()
            .strip_prefix('{')
            .filter(|_| !name.is_empty())
        else {
            out.push_str(&rest[..at]);
            rest = &rest[at..];
            continue;
        };
        let open = rest.len() - body.len();
        let mut depth = 1usize;
        let mut close = rest.len();
        for (k, ch) in body.char_indices() {
            match ch {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        close = open + k;
                        break;
                    }
                }
                _ => {}
            }
        }
        out.push_str(&rest[..open]);
        out.push_str(&one_level_down(&inline_mods(&rest[open..close])));
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

fn strip_literals(text: &str) -> String {
    let c: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < c.len() {
        let at = |k: usize| c.get(k).copied();
        let rest = |k: usize| at(i + k);
        if c[i] == '/' && rest(1) == Some('/') {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if c[i] == '/' && rest(1) == Some('*') {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && at(i + 1) == Some('*') {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && at(i + 1) == Some('/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            out.push(' ');
        } else if c[i] == 'r'
            && (rest(1) == Some('"') || rest(1) == Some('#'))
            && (i == 0 || !(c[i - 1].is_alphanumeric() || c[i - 1] == '_'))
        {
            match raw_string_end(&c, i) {
                Some(end) => {
                    out.push_str("\"\"");
                    i = end;
                }
                None => {
                    out.push(c[i]);
                    i += 1;
                }
            }
        } else if c[i] == '"' {
            i += 1;
            while i < c.len() && c[i] != '"' {
                i += if c[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if c[i] == '\'' && rest(1) == Some('\\') {
            // An escaped char literal: '\n', '\'', '\u{..}'.
            i += 2;
            while i < c.len() && c[i] != '\'' {
                i += 1;
            }
            i += 1;
            out.push_str("' '");
        } else if c[i] == '\'' && rest(2) == Some('\'') {
            i += 3;
            out.push_str("' '");
        } else {
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

/// Where the raw string (`r"…"`, `r#"…"#`) that starts at `i` ends, if one does.
fn raw_string_end(c: &[char], i: usize) -> Option<usize> {
    let mut j = i + 1;
    let mut hashes = 0;
    while c.get(j) == Some(&'#') {
        hashes += 1;
        j += 1;
    }
    if c.get(j) != Some(&'"') {
        return None;
    }
    j += 1;
    loop {
        match c.get(j) {
            None => return Some(j),
            Some('"') if (1..=hashes).all(|h| c.get(j + h) == Some(&'#')) => {
                return Some(j + 1 + hashes);
            }
            _ => j += 1,
        }
    }
}

/// Drops every item that follows `#[cfg(test)]`: up to its `;`, or its `{…}` block.
fn drop_test_items(code: &str) -> String {
    const MARK: &str = "#[cfg(test)]";
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = rest.find(MARK) {
        out.push_str(&rest[..at]);
        let item = &rest[at + MARK.len()..];
        let mut depth = 0usize;
        let mut end = item.len();
        for (k, ch) in item.char_indices() {
            match ch {
                '{' | '(' | '[' => depth += 1,
                ')' | ']' => depth = depth.saturating_sub(1),
                '}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        end = k + 1;
                        break;
                    }
                }
                ';' if depth == 0 => {
                    end = k + 1;
                    break;
                }
                _ => {}
            }
        }
        rest = &item[end..];
    }
    out.push_str(rest);
    out
}

fn ident(s: &str) -> (&str, &str) {
    let n = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    (&s[..n], &s[n..])
}

/// The first names of a path's tail after a prefix such as `crate::plan::`: `y::Z` gives
/// `(y, Z)`, `{y::Z, w}` gives both `(y, Z)` and `(w, "")`.
fn heads(tail: &str) -> Vec<(String, String)> {
    let tail = tail.trim_start();
    if let Some(group) = tail.strip_prefix('{') {
        let mut depth = 0usize;
        let mut items = Vec::new();
        let mut start = 0;
        for (k, ch) in group.char_indices() {
            match ch {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    items.push(&group[start..k]);
                    break;
                }
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    items.push(&group[start..k]);
                    start = k + 1;
                }
                _ => {}
            }
        }
        return items.into_iter().flat_map(heads).collect();
    }
    let (first, after) = ident(tail);
    if first.is_empty() {
        return if tail.starts_with('*') {
            vec![("*".into(), String::new())]
        } else {
            Vec::new()
        };
    }
    match after.trim_start().strip_prefix("::") {
        Some(a) if a.trim_start().starts_with('{') => heads(a)
            .into_iter()
            .map(|(name, _)| (first.to_string(), name))
            .collect(),
        Some(a) => vec![(first.to_string(), ident(a.trim_start()).0.to_string())],
        None => vec![(first.to_string(), String::new())],
    }
}

/// Every tail that follows `prefix` in `code` where the prefix starts a path.
fn tails<'a>(code: &'a str, prefix: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = code[from..].find(prefix) {
        let at = from + i;
        let before = code[..at].chars().next_back();
        let starts_path =
            !before.is_some_and(|b| b.is_ascii_alphanumeric() || b == '_' || b == ':');
        if starts_path {
            out.push(&code[at + prefix.len()..]);
        }
        from = at + prefix.len();
    }
    out
}

/// One folder's files as a graph: node → (node it uses → the names that tie them).
type Ties = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

/// The ties among the files of a folder given as (node name, is root, code) with the crate
/// path of the folder (`plan`, `halo::dialect`).
fn folder_ties(folder: &str, files: &[(String, bool, String)]) -> Ties {
    let root_name = folder.rsplit("::").next().unwrap_or(folder).to_string();
    let siblings: BTreeSet<&str> = files
        .iter()
        .filter(|(_, root, _)| !root)
        .map(|(n, _, _)| n.as_str())
        .collect();
    // Names the root re-exports from a child (`pub use child::{A, B};`) belong to the child.
    let mut reexports: BTreeMap<String, String> = BTreeMap::new();
    for (_, _, code) in files.iter().filter(|(_, root, _)| *root) {
        for tail in tails(code, "pub use ") {
            let (child, after) = ident(tail);
            if siblings.contains(child) {
                if let Some(rest) = after.trim_start().strip_prefix("::") {
                    for (name, _) in heads(rest) {
                        reexports.insert(name, child.to_string());
                    }
                }
            }
        }
    }
    let crate_prefix = format!("crate::{folder}::");
    let mut ties: Ties = BTreeMap::new();
    for (node, is_root, code) in files {
        let mut found: Vec<(String, String)> = Vec::new();
        for tail in tails(code, &crate_prefix) {
            found.extend(heads(tail));
        }
        if *is_root {
            for tail in tails(code, "self::") {
                found.extend(heads(tail));
            }
            for name in &siblings {
                for tail in tails(code, &format!("{name}::")) {
                    found.extend(heads(tail).into_iter().map(|(n, _)| (name.to_string(), n)));
                }
            }
        } else {
            for tail in tails(code, "super::") {
                if !tail.trim_start().starts_with("super") {
                    found.extend(heads(tail));
                }
            }
        }
        for (first, second) in found {
            let (target, name) = if siblings.contains(first.as_str()) {
                (first, second)
            } else if let Some(child) = reexports.get(&first) {
                (child.clone(), first)
            } else if first == "self" {
                continue;
            } else {
                (root_name.clone(), first)
            };
            if &target != node {
                let name = if name.is_empty() {
                    "(module)".into()
                } else {
                    name
                };
                ties.entry(node.clone())
                    .or_default()
                    .entry(target)
                    .or_default()
                    .insert(name);
            }
        }
    }
    ties
}

/// The circles (strongly connected parts of more than one file), each as its sorted nodes.
fn circles(ties: &Ties) -> Vec<Vec<String>> {
    let nodes: BTreeSet<&String> = ties
        .keys()
        .chain(ties.values().flat_map(|t| t.keys()))
        .collect();
    let reach = |from: &String| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.clone()];
        while let Some(n) = todo.pop() {
            for next in ties.get(&n).into_iter().flat_map(|t| t.keys()) {
                if seen.insert(next.clone()) {
                    todo.push(next.clone());
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&String, BTreeSet<String>> =
        nodes.iter().map(|n| (*n, reach(n))).collect();
    let mut out: Vec<Vec<String>> = Vec::new();
    let mut placed: BTreeSet<&String> = BTreeSet::new();
    for n in &nodes {
        if placed.contains(n) || !reaches[n].contains(*n) {
            continue;
        }
        let part: Vec<String> = nodes
            .iter()
            .filter(|m| reaches[n].contains(**m) && reaches[*m].contains(*n))
            .map(|m| (*m).clone())
            .collect();
        placed.extend(nodes.iter().filter(|m| part.contains(m)));
        out.push(part);
    }
    out
}

/// A circle printed with the names that tie it: `a -> b (Name, other)`.
fn describe(ties: &Ties, part: &[String]) -> String {
    let mut lines = vec![format!("circle among {}:", part.join(", "))];
    for from in part {
        for (to, names) in ties.get(from).into_iter().flatten() {
            if part.contains(to) {
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                lines.push(format!("  {from} -> {to} ({})", names.join(", ")));
            }
        }
    }
    lines.join("\n")
}

/// The files of folder `dir` (relative to `src`) as nodes with their code.
fn folder_files(src: &Path, dir: &str) -> Vec<(String, bool, String)> {
    let root_name = dir.rsplit('/').next().unwrap_or(dir).to_string();
    let mut out = Vec::new();
    let beside = src.join(format!("{dir}.rs"));
    if beside.is_file() {
        let text = std::fs::read_to_string(&beside).unwrap_or_default();
        out.push((root_name.clone(), true, code_of(&text)));
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(src.join(dir))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        let mut files = Vec::new();
        rust_files(&path, &mut files);
        if path.is_file() && path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let code: String = files
            .iter()
            .map(|f| {
                let code = code_of(&std::fs::read_to_string(f).unwrap_or_default());
                if path.is_dir() {
                    // Inside a subfolder `super::` is the subfolder itself (this node).
                    one_level_down(&code)
                } else {
                    code
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        let is_root = stem == "mod";
        let name = if is_root { root_name.clone() } else { stem };
        if let Some(existing) = out.iter_mut().find(|(n, _, _)| *n == name) {
            existing.2.push('\n');
            existing.2.push_str(&code);
        } else {
            out.push((name, is_root, code));
        }
    }
    out
}

/// Every folder under `src/`, as a path relative to it (`plan`, `halo/dialect`).
fn folders(src: &Path, under: &str, out: &mut Vec<String>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(src.join(under))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    entries.sort();
    for e in entries {
        let name = e.file_name().and_then(|s| s.to_str()).unwrap_or_default();
        let rel = if under.is_empty() {
            name.to_string()
        } else {
            format!("{under}/{name}")
        };
        out.push(rel.clone());
        folders(src, &rel, out);
    }
}

fn folder_circles(src: &Path, dir: &str) -> Vec<String> {
    let ties = folder_ties(&dir.replace('/', "::"), &folder_files(src, dir));
    circles(&ties)
        .iter()
        .map(|part| format!("src/{dir}: {}", describe(&ties, part)))
        .collect()
}

/// Every folder under `src/` is held to it: a new circle anywhere fails.
#[test]
fn no_import_circle_among_the_files_of_a_folder() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    folders(&src, "", &mut all);
    for dir in MUST_SEE {
        assert!(
            all.iter().any(|d| d == dir),
            "the walk of src/ missed src/{dir}"
        );
    }
    let bad: Vec<String> = all
        .iter()
        .flat_map(|dir| folder_circles(&src, dir))
        .collect();
    assert!(bad.is_empty(), "import circles:\n{}", bad.join("\n"));
}

#[test]
fn a_two_file_circle_is_found_and_named() {
    let files = vec![
        (
            "apply".to_string(),
            false,
            code_of("use crate::plan::session::{Setup, Hooks};\nfn f() {}"),
        ),
        (
            "session".to_string(),
            false,
            code_of("use super::{apply::run, verify};\n// crate::plan::audit::x\n"),
        ),
        (
            "verify".to_string(),
            false,
            code_of("fn v() { crate::plan::Plan::new(); }"),
        ),
        (
            "audit".to_string(),
            false,
            code_of(
                "#[cfg(test)]\nmod tests { use crate::plan::apply::x; }\nconst S: &str = \"crate::plan::apply::y\";",
            ),
        ),
        (
            "plan".to_string(),
            true,
            code_of("pub use verify::Plan;\nmod apply;"),
        ),
    ];
    let ties = folder_ties("plan", &files);
    let found = circles(&ties);
    assert_eq!(
        found,
        vec![vec!["apply".to_string(), "session".to_string()]]
    );
    let text = describe(&ties, &found[0]);
    assert!(text.contains("apply -> session (Hooks, Setup)"), "{text}");
    assert!(text.contains("session -> apply (run)"), "{text}");
    // Comments, strings and test items tie nothing; a re-exported name ties to its file.
    assert!(!ties.contains_key("audit"), "{ties:?}");
    assert!(!ties["session"].contains_key("audit"), "{ties:?}");
    assert!(!ties.contains_key("verify"), "{ties:?}");
}

#[test]
fn a_folder_without_circles_passes() {
    let files = vec![
        ("a".to_string(), false, code_of("use super::b::X;")),
        ("b".to_string(), false, code_of("use super::c::{self, Y};")),
        ("c".to_string(), false, code_of("fn c() {}")),
    ];
    assert!(circles(&folder_ties("m", &files)).is_empty());
}

#[test]
fn raw_strings_and_comments_tie_nothing() {
    let code = code_of(
        "let s = r#\"crate::plan::apply::x\"#; /* crate::plan::c */ use crate::plan::b::Y;",
    );
    assert!(code.contains("crate::plan::b::Y"), "{code}");
    assert!(
        !code.contains("apply") && !code.contains("plan::c"),
        "{code}"
    );
}
