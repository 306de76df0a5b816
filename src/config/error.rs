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
    #[error("{ROTATE_RULE}")]
    RotateAfterDays,
    #[error("{at}: {ROTATE_RULE}")]
    InstanceRotateAfterDays { at: String },
    #[error("{at}: an instance name is letters, digits, '-', '_' or '.' (at most {max})")]
    BadName { at: String, max: usize },
    #[error("{at}: an instance is a table of url, client_id, … (write it as {at})")]
    NotATable { at: String },
    #[error("{at}: fail_on_reported_expiry must be true or false")]
    NotABool { at: String },
    #[error(
        "{at} has {key}: halo-onboard never reads a secret from its config file. Remove it, keep the secret in an environment variable and name it here: secret_env = \"{stem}_HALO_SECRET\" (or secret_file = \"path/to/file\")"
    )]
    SecretInFile {
        at: String,
        key: String,
        stem: String,
    },
    #[error("{at}: unknown key '{key}' (an instance takes {takes})")]
    UnknownKey {
        at: String,
        key: String,
        /// The keys there are, joined.
        takes: String,
    },
    #[error("{at}: {key} must be a string in quotes")]
    NotAString { at: String, key: String },
    #[error("{at}: {key} has a control character ({code}) at position {position}")]
    ControlCharacter {
        at: String,
        key: String,
        code: String,
        position: usize,
    },
    #[error("{at}: give url (hosted) or resource_url and auth_url (on-premise), not both")]
    TwoAddresses { at: String },
    #[error("{at}: resource_url needs auth_url")]
    NoAuthUrl { at: String },
    #[error(
        "{at}: no Halo address: set url (e.g. url = \"https://acme.halopsa.com\"), or resource_url and auth_url"
    )]
    NoAddress { at: String },
    #[error("{at}: give secret_env or secret_file, not both")]
    TwoSecretSources { at: String },
    #[error(
        "{at}: secret_env {var} does not look like a Halo secret, so it is not read: only variables named HALO_* or *_HALO_* are sent to Halo (rename it, e.g. {stem}_HALO_SECRET)"
    )]
    NotAHaloVariable {
        at: String,
        var: String,
        stem: String,
    },
    /// `--instance NAME` names an instance that is in the file but cannot be used.
    #[error("config {file}: {problem}")]
    Unusable {
        file: String,
        problem: Box<ConfigError>,
    },
    #[error("no instance '{name}': {file} has no [instance.NAME] tables")]
    NoInstances { name: String, file: String },
    #[error("no instance '{name}' in {file} (it has {})", .known.join(", "))]
    UnknownInstance {
        name: String,
        file: String,
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
