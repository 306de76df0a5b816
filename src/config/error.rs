//! What can be wrong with the config file's settings, and what to do about it. A broken
//! setting never stops the wizard: the file's loader turns these into warnings and uses the
//! defaults; `--instance NAME` naming a broken or unknown instance is refused with one.

/// The rule `rotate_after_days` breaks, said the same way at the top level and in an instance.
const ROTATE_RULE: &str =
    "rotate_after_days must be a whole number of days from 1 to 3650 (e.g. rotate_after_days = 90)";

/// Every text is what the file says (shown capped and clean) or a name derived from it; never
/// a secret's value. `at` names the table, e.g. `[instance.acme]`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The top-level `rotate_after_days` is not a whole number from 1 to 3650.
    #[error("{ROTATE_RULE}")]
    RotateAfterDays,
    /// An instance's `rotate_after_days` is not a whole number from 1 to 3650.
    #[error("{at}: {ROTATE_RULE}")]
    InstanceRotateAfterDays {
        /// The table, e.g. `[instance.acme]`.
        at: String,
    },
    /// The name in `[instance.NAME]` has characters other than letters, digits, `-`, `_`, `.`,
    /// or is too long.
    #[error("{at}: an instance name is letters, digits, '-', '_' or '.' (at most {max})")]
    BadName {
        /// The table, e.g. `[instance.acme]`.
        at: String,
        /// The longest name allowed, in characters ([`super::MAX_NAME`]).
        max: usize,
    },
    /// `instance.NAME` is a value, not a table.
    #[error("{at}: an instance is a table of url, client_id, … (write it as {at})")]
    NotATable {
        /// The table, e.g. `[instance.acme]`.
        at: String,
    },
    /// An instance's `fail_on_reported_expiry` is not `true` or `false`.
    #[error("{at}: fail_on_reported_expiry must be true or false")]
    NotABool {
        /// The table, e.g. `[instance.acme]`.
        at: String,
    },
    /// An instance has a key that would hold a secret (`client_secret`, `secret`,
    /// `password`); its value is never read or shown.
    #[error(
        "{at} has {key}: halo-onboard never reads a secret from its config file. Remove it, keep the secret in an environment variable and name it here: secret_env = \"{stem}_HALO_SECRET\" (or secret_file = \"path/to/file\")"
    )]
    SecretInFile {
        /// The table, e.g. `[instance.acme]`.
        at: String,
        /// The key as written.
        key: String,
        /// The instance name as an environment variable stem (`acme-eu` → `ACME_EU`), for
        /// the suggested `secret_env`.
        stem: String,
    },
    /// An instance has a key this version does not know.
    #[error("{at}: unknown key '{key}' (an instance takes {takes})")]
    UnknownKey {
        /// The table, e.g. `[instance.acme]`.
        at: String,
        /// The key as written, capped at 64 characters.
        key: String,
        /// The keys there are, joined.
        takes: String,
    },
    /// A string key (url, client_id, …) holds another kind of value.
    #[error("{at}: {key} must be a string in quotes")]
    NotAString {
        /// The table, e.g. `[instance.acme]`.
        at: String,
        /// The key whose value is not a string.
        key: String,
    },
    /// A string key's value holds a control character (which could drive a terminal).
    #[error("{at}: {key} has a control character ({code}) at position {position}")]
    ControlCharacter {
        /// The table, e.g. `[instance.acme]`.
        at: String,
        /// The key whose value holds it.
        key: String,
        /// The character as a code point, e.g. `U+001B`.
        code: String,
        /// Where it is in the value, counting characters from 1.
        position: usize,
    },
    /// Both `url` and `resource_url`/`auth_url` are set.
    #[error("{at}: give url (hosted) or resource_url and auth_url (on-premise), not both")]
    TwoAddresses {
        /// The table, e.g. `[instance.acme]`.
        at: String,
    },
    /// `resource_url` is set without `auth_url`.
    #[error("{at}: resource_url needs auth_url")]
    NoAuthUrl {
        /// The table, e.g. `[instance.acme]`.
        at: String,
    },
    /// Neither `url` nor `resource_url` is set.
    #[error(
        "{at}: no Halo address: set url (e.g. url = \"https://acme.halopsa.com\"), or resource_url and auth_url"
    )]
    NoAddress {
        /// The table, e.g. `[instance.acme]`.
        at: String,
    },
    /// Both `secret_env` and `secret_file` are set.
    #[error("{at}: give secret_env or secret_file, not both")]
    TwoSecretSources {
        /// The table, e.g. `[instance.acme]`.
        at: String,
    },
    /// `secret_env` names a variable without `HALO` among its `_`-separated words: it is not
    /// read, so a config file cannot send an unrelated variable (a cloud key) to Halo.
    #[error(
        "{at}: secret_env {var} does not look like a Halo secret, so it is not read: only variables named HALO_* or *_HALO_* are sent to Halo (rename it, e.g. {stem}_HALO_SECRET)"
    )]
    NotAHaloVariable {
        /// The table, e.g. `[instance.acme]`.
        at: String,
        /// The variable's name as written.
        var: String,
        /// The instance name as an environment variable stem (`acme-eu` → `ACME_EU`), for
        /// the suggested name.
        stem: String,
    },
    /// `--instance NAME` names an instance that is in the file but cannot be used.
    #[error("config {file}: {problem}")]
    Unusable {
        /// The config file's path, or "the config file" when it has none.
        file: String,
        /// What is wrong with the instance (one of the variants above).
        problem: Box<ConfigError>,
    },
    /// `--instance NAME` given, and the file has no instances at all.
    #[error("no instance '{name}': {file} has no [instance.NAME] tables")]
    NoInstances {
        /// The name asked for, capped and clean.
        name: String,
        /// The config file's path, or "the config file" when it has none.
        file: String,
    },
    /// `--instance NAME` names no instance in the file.
    #[error("no instance '{name}' in {file} (it has {})", .known.join(", "))]
    UnknownInstance {
        /// The name asked for, capped and clean.
        name: String,
        /// The config file's path, or "the config file" when it has none.
        file: String,
        /// The names of the instances the file has, usable or not.
        known: Vec<String>,
    },
}

impl ConfigError {
    /// What to do next.
    pub fn hint(&self) -> &'static str {
        match self {
            Self::Unusable { problem, .. } => problem.hint(),
            Self::NoInstances { .. } | Self::UnknownInstance { .. } => {
                "`halo-onboard status` lists the saved instances; the wizard offers to save one after it connects."
            }
            Self::SecretInFile { .. } | Self::NotAHaloVariable { .. } => {
                "Keep the secret in an environment variable named like HALO_* (or a file) and name it in the instance; the config file never holds it."
            }
            _ => {
                "Change what the message names in the config file; the rest of the file is used as it is."
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words are the ones `--instance` and the config warnings printed before the type
    /// existed (CLI tests and the README quote parts of them).
    #[test]
    fn the_messages_name_the_table_and_the_file() {
        let broken = ConfigError::Unusable {
            file: "/c/config.toml".into(),
            problem: Box::new(ConfigError::NoAuthUrl {
                at: "[instance.op]".into(),
            }),
        };
        assert_eq!(
            broken.to_string(),
            "config /c/config.toml: [instance.op]: resource_url needs auth_url"
        );
        assert_eq!(
            broken.hint(),
            ConfigError::NoAuthUrl { at: String::new() }.hint()
        );
        let unknown = ConfigError::UnknownInstance {
            name: "nope".into(),
            file: "/c/config.toml".into(),
            known: vec!["acme".into(), "sb".into()],
        };
        assert_eq!(
            unknown.to_string(),
            "no instance 'nope' in /c/config.toml (it has acme, sb)"
        );
        assert!(unknown.hint().contains("halo-onboard status"));
        assert_eq!(
            ConfigError::InstanceRotateAfterDays {
                at: "[instance.a]".into()
            }
            .to_string(),
            format!("[instance.a]: {}", ConfigError::RotateAfterDays)
        );
        let secret = ConfigError::SecretInFile {
            at: "[instance.sb]".into(),
            key: "password".into(),
            stem: "SB".into(),
        };
        assert!(
            secret
                .to_string()
                .starts_with("[instance.sb] has password: ")
        );
        assert!(secret.hint().contains("environment variable"));
    }
}
