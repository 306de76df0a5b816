//! Dynamic completion (clap_complete's `CompleteEnv`): the script `completions SHELL` prints
//! asks this binary for candidates, so what only this installation knows completes too —
//! profile ids (built-in and the user's), setup ids (and `last`), saved instance names.

use std::ffi::OsStr;

use clap_complete::engine::CompletionCandidate;

/// Candidates among `items` (value, help) that start with what is typed.
fn starting(
    current: &OsStr,
    items: impl IntoIterator<Item = (String, String)>,
) -> Vec<CompletionCandidate> {
    let typed = current.to_string_lossy();
    items
        .into_iter()
        .filter(|(v, _)| v.starts_with(typed.as_ref()))
        .map(|(v, help)| CompletionCandidate::new(v).help(Some(help.into())))
        .collect()
}

/// Profile ids: built-in and the user's.
pub(crate) fn profiles(current: &OsStr) -> Vec<CompletionCandidate> {
    let (all, _) = crate::profile::load_all(crate::profile::user_profiles_dir().as_deref());
    starting(current, all.into_iter().map(|p| (p.id, p.vendor)))
}

/// Setup ids (newest first) and `last`.
pub(crate) fn setups(current: &OsStr) -> Vec<CompletionCandidate> {
    let Ok(j) = crate::journal::Journal::open_default() else {
        return Vec::new();
    };
    let list = j.list().0;
    let mut items = vec![("last".to_string(), "the most recent setup".to_string())];
    items.extend(list.iter().map(|s| {
        (
            s.id.clone(),
            format!(
                "{} — {}",
                s.answers.profile.as_deref().unwrap_or("-"),
                super::standing::state_words(s)
            ),
        )
    }));
    starting(current, items)
}

/// Saved instance names from the config file.
pub(crate) fn instances(current: &OsStr) -> Vec<CompletionCandidate> {
    let (cfg, _) = crate::config::load(crate::config::default_path().as_deref());
    starting(
        current,
        cfg.instances.iter().map(|(n, i)| {
            let at = i
                .as_ref()
                .ok()
                .and_then(|i| i.address().map(str::to_string))
                .unwrap_or_default();
            (n.clone(), at)
        }),
    )
}
