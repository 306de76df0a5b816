//! The Connect step's fields: the profile, where Halo is, the bootstrap credentials.

use super::spec::*;
use crate::answers::ConnectionMode;
use crate::app::field::Field;

/// A text field on the answer at `$path` (the getter and the setter from the one path).
macro_rules! text {
    ($label:expr, $placeholder:expr, $($path:ident).+, $rule:expr) => {
        Spec::of(Behaviour::Text(TextSpec {
            label: $label,
            placeholder: $placeholder,
            get: |a, _| &a.$($path).+,
            slot: |a, _| &mut a.$($path).+,
            connection: false,
            rule: |v, _| {
                let rule: fn(&str) -> Option<String> = $rule;
                rule(v)
            },
            index: 0,
        }))
    };
}

/// A text field of the connection: a change invalidates the connection test.
macro_rules! connection_text {
    ($($arg:tt)*) => {{
        let mut s = text!($($arg)*);
        if let Behaviour::Text(t) = &mut s.behaviour {
            t.connection = true;
        }
        s
    }};
}

fn url_rule(v: &str) -> Option<String> {
    crate::app::url::check_url(v).err().map(|e| e.to_string())
}

/// The spec of a Connect field.
pub(super) fn spec(f: Field) -> Spec {
    use Field::*;
    match f {
        Profile => profile(),
        Mode => hosting(),
        Url => connection_text!(
            "Halo URL",
            "https://acme.halopsa.com",
            connection.url,
            url_rule
        ),
        ResourceUrl => connection_text!(
            "Resource server",
            "https://halo.example.com/api",
            connection.resource_url,
            url_rule
        ),
        AuthUrl => connection_text!(
            "Authorisation server",
            "https://halo.example.com/auth",
            connection.auth_url,
            url_rule
        ),
        Tenant => connection_text!("Tenant", "(optional)", connection.tenant, any_text),
        ClientId => connection_text!(
            "Bootstrap client ID",
            "client id of an admin API application",
            connection.client_id,
            required
        ),
        ClientSecret => {
            Spec::of(Behaviour::Secret).check(|m, _| m.secret.is_empty().then(|| "required".into()))
        }
        TestButton => Spec::of(Behaviour::Button(ButtonSpec {
            label: "Test connection",
            press: Press::TestConnection,
            value: |_| (String::new(), Tone::Muted),
        })),
        _ => Spec::of(Behaviour::Log),
    }
}

/// The profile picker, with the profile picked.
pub(super) fn profile() -> Spec {
    Spec::of(Behaviour::Button(ButtonSpec {
        label: "Profile",
        press: Press::OpenPicker,
        value: |m| match &m.profile {
            Some(p) => (
                format!(
                    "{} ({}, confidence {})",
                    p.vendor,
                    p.id,
                    p.confidence.as_str()
                ),
                Tone::Accent,
            ),
            None => (
                "none: answer every step yourself (Enter to pick)".into(),
                Tone::Muted,
            ),
        },
    }))
}

/// Hosted or on-premise.
pub(super) fn hosting() -> Spec {
    Spec::of(Behaviour::Choice(ChoiceSpec {
        connection: true,
        ..choice(
            Label::Fixed("Halo hosting"),
            |_, _| {
                vec![
                    "Hosted (one Halo URL)".into(),
                    "On-premise (separate servers)".into(),
                ]
            },
            |m, _| Some((m.answers.connection.mode == ConnectionMode::OnPremise).into()),
            |m, _, j| {
                m.answers.connection.mode = if j == 1 {
                    ConnectionMode::OnPremise
                } else {
                    ConnectionMode::Hosted
                }
            },
            nothing,
        )
    }))
}
