//! One check of a verification: what it found, the layer that blocks it when it failed, and
//! the fix; how an error maps to a layer.

use serde::Serialize;

use crate::halo::HaloError;

/// The setting in Halo that blocks a failed check, or why the check could not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layer {
    /// The token could not be obtained at all.
    Credentials,
    /// The application's ticked permissions.
    Scope,
    /// The agent's role (feature access).
    Role,
    /// Team/department membership of the agent.
    Visibility,
    /// The network: Halo could not be reached (DNS, connect, TLS, timeout, a dropped
    /// connection).
    Transport,
    /// Halo's rate limit (429) held the requests back: not a setting, try again later.
    RateLimit,
    /// Halo answered with a server error (5xx) or something that is not an answer of its
    /// API: not a setting.
    Server,
}

impl Layer {
    /// The layer in words, for result lists.
    pub fn label(self) -> &'static str {
        match self {
            Self::Credentials => "credentials",
            Self::Scope => "application scope",
            Self::Role => "agent role",
            Self::Visibility => "team/department visibility",
            Self::Transport => "network",
            Self::RateLimit => "Halo's rate limit (429)",
            Self::Server => "Halo's server (an HTTP error)",
        }
    }

    /// Not a setting in Halo: the check could not run, so nothing about the setup was learnt.
    pub fn not_a_setting(self) -> bool {
        matches!(self, Self::Transport | Self::RateLimit | Self::Server)
    }

    /// Why a check could not run, in words (for "did not finish: …").
    pub fn why(self) -> &'static str {
        match self {
            Self::RateLimit => "Halo kept answering 429 (rate limit)",
            Self::Server => "Halo answered with a server error",
            _ => "Halo could not be reached",
        }
    }
}

/// The layer of an error that is not about a setting (the network, the rate limit, Halo's
/// server), if it is one.
pub fn outside_layer(e: &HaloError) -> Option<Layer> {
    match e {
        HaloError::RateLimited(_) => Some(Layer::RateLimit),
        HaloError::Server(..)
        | HaloError::Http(..)
        | HaloError::Decode(..)
        | HaloError::TooLarge(..) => Some(Layer::Server),
        HaloError::Dns(_)
        | HaloError::Connect(_)
        | HaloError::Tls(_)
        | HaloError::Timeout(..)
        | HaloError::ConnectionReset(_) => Some(Layer::Transport),
        _ => None,
    }
}

/// One check of a verification: what it found and, when it failed, what to change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// What is checked, in words.
    pub name: String,
    /// The check passed.
    pub pass: bool,
    /// The check could not run or proves nothing (a path Halo does not serve, no records to
    /// see): not a pass, not a finding about a setting either.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub could_not_check: bool,
    /// What blocks it when it failed; `None` when it passed or could not run.
    pub layer: Option<Layer>,
    /// What the check found, in words.
    pub detail: String,
    /// What to change in Halo (empty when passed), or what would let it be checked.
    pub fix: String,
}

impl Check {
    /// `pass`, `FAIL` or `could not check`, as the result lists say it.
    pub fn mark(&self) -> &'static str {
        if self.pass {
            "pass"
        } else if self.could_not_check {
            "could not check"
        } else {
            "FAIL"
        }
    }
}

pub(super) fn pass(name: impl Into<String>, detail: impl Into<String>) -> Check {
    Check {
        name: name.into(),
        pass: true,
        could_not_check: false,
        layer: None,
        detail: detail.into(),
        fix: String::new(),
    }
}

pub(super) fn fail(
    name: impl Into<String>,
    layer: Layer,
    detail: impl Into<String>,
    fix: impl Into<String>,
) -> Check {
    Check {
        name: name.into(),
        pass: false,
        could_not_check: false,
        layer: Some(layer),
        detail: detail.into(),
        fix: fix.into(),
    }
}

/// A need that could not be proven: `detail` says why, `fix` what would let it be checked.
pub(super) fn unchecked(
    name: impl Into<String>,
    detail: impl Into<String>,
    fix: impl Into<String>,
) -> Check {
    Check {
        name: name.into(),
        pass: false,
        could_not_check: true,
        layer: None,
        detail: detail.into(),
        fix: fix.into(),
    }
}

/// The layer that blocks a probe or `Agent/me` that Halo answered with `e`.
pub(super) fn classify_layer(e: &HaloError) -> Layer {
    match e {
        HaloError::Forbidden(..) => Layer::Role,
        HaloError::Unauthorized(_) | HaloError::InvalidClient | HaloError::InvalidGrant(_) => {
            Layer::Credentials
        }
        HaloError::InvalidScope(_) => Layer::Scope,
        e => outside_layer(e).unwrap_or(Layer::Transport),
    }
}
