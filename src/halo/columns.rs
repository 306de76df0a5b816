//! Halo's own limits on what it stores, checked before Halo sees a value: the column sizes of
//! Halo's SQL schema (`reference/halo-api.md`, DBSCHEMA). SQL Server's `nvarchar(n)` counts
//! UTF-16 code units, so lengths here are counted the same way (an emoji counts twice).

use crate::text;

/// A stored text field: its label in Halo's UI and its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub label: &'static str,
    /// UTF-16 code units.
    pub max: usize,
}

/// `NHD_Roles.Name nvarchar(256)` [C].
pub(crate) const ROLE_NAME: Column = Column {
    label: "Role name",
    max: 256,
};
/// `UNAME.uname nvarchar(4000)` [C]; capped at 256 here like the role name: a username is
/// typed into vendor forms and shown in lists, and no vendor guide uses a longer one.
pub(crate) const AGENT_USERNAME: Column = Column {
    label: "Username",
    max: 256,
};
/// `UNAME.ufirstname nvarchar(100)` [C].
pub(crate) const FIRST_NAME: Column = Column {
    label: "First Name",
    max: 100,
};
/// `UNAME.ulastname nvarchar(200)` [C].
pub(crate) const SURNAME: Column = Column {
    label: "Surname",
    max: 200,
};
/// `UNAME.uinitials nvarchar(3)` [C].
pub(crate) const INITIALS: Column = Column {
    label: "Initials",
    max: 3,
};
/// 254: the longest address SMTP carries (RFC 5321). Halo's own column (`UNAME.usmtp
/// nvarchar(4000)`, [I] the agent's email) is wider.
pub(crate) const EMAIL: Column = Column {
    label: "Email",
    max: 254,
};
/// `NHD_IDENTITY_Application.DisplayName nvarchar(max)` [C]; capped at 256 here like the role
/// name, the length Halo's list screens show.
pub(crate) const APPLICATION_NAME: Column = Column {
    label: "Application Name",
    max: 256,
};

/// The limit on a role's notes and an application's description (the wizard's, 1000
/// characters; Halo's columns are wider).
pub(crate) fn at_most_1000(v: &str) -> Option<String> {
    (v.chars().count() > 1000).then(|| "at most 1000 characters".into())
}

/// Length as Halo counts it.
pub(crate) fn units(s: &str) -> usize {
    s.encode_utf16().count()
}

/// What is wrong with a one-line value for `col`, if anything: a control or bidi character
/// (named, with its position), or too long.
pub(crate) fn check(col: Column, value: &str) -> Option<String> {
    if let Some((i, c)) = text::first_unsafe(value) {
        return Some(format!(
            "has a control character ({}) at position {}: remove it",
            text::code_point(c),
            i + 1
        ));
    }
    let n = units(value);
    if n > col.max {
        let chars = value.chars().count();
        let note = if chars == n {
            String::new()
        } else {
            format!(", counted as Halo counts: {chars} typed, some count twice")
        };
        return Some(format!("at most {} characters (now {n}{note})", col.max));
    }
    None
}

/// Initials: what [`check`] says, and letters and digits only (Halo shows them in a badge;
/// an emoji there is four bytes Halo's 3-unit column cannot hold).
pub(crate) fn check_initials(value: &str) -> Option<String> {
    if let Some(p) = check(INITIALS, value).filter(|p| p.starts_with("has a control")) {
        return Some(p);
    }
    if let Some(c) = value.chars().find(|c| !c.is_alphanumeric()) {
        return Some(format!(
            "only letters and digits ('{}' is {})",
            text::line(&c.to_string()),
            text::code_point(c)
        ));
    }
    check(INITIALS, value)
}

/// An email address: plausible (one `@`, a dotted domain, no spaces) and within [`EMAIL`].
pub(crate) fn check_email(value: &str) -> Option<String> {
    if let Some(p) = check(EMAIL, value) {
        return Some(p);
    }
    let bad = || Some("not an email address (name@example.com)".to_string());
    let Some((local, domain)) = value.split_once('@') else {
        return bad();
    };
    if local.is_empty()
        || domain.contains('@')
        || value.chars().any(char::is_whitespace)
        || !domain.contains('.')
        || domain.starts_with('.')
        || domain.ends_with('.')
    {
        return bad();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials() {
        for ok in ["", "TL", "ABC", "ÀÉÎ", "A1"] {
            assert_eq!(check_initials(ok), None, "{ok}");
        }
        assert_eq!(
            check_initials("ABCD").as_deref(),
            Some("at most 3 characters (now 4)")
        );
        // Four emoji: refused before Halo sees them.
        let e = check_initials("🙂🙂🙂🙂").unwrap();
        assert!(e.contains("only letters and digits"), "{e}");
        // Letters outside the BMP count twice, as nvarchar counts them.
        let e = check_initials("𝐀𝐁").unwrap();
        assert!(e.contains("now 4") && e.contains("count twice"), "{e}");
        assert!(check_initials("A\u{1b}").unwrap().contains("U+001B"));
        assert!(
            check_initials("A B")
                .unwrap()
                .contains("letters and digits")
        );
    }

    #[test]
    fn names_and_emails() {
        assert_eq!(check(ROLE_NAME, &"é".repeat(256)), None);
        assert!(check(ROLE_NAME, &"é".repeat(257)).is_some());
        assert!(
            check(FIRST_NAME, &"x".repeat(101))
                .unwrap()
                .contains("at most 100")
        );
        assert!(check(SURNAME, "a\u{202e}b").unwrap().contains("U+202E"));
        assert_eq!(check_email("api@acme.com"), None);
        for bad in ["a", "@b.co", "a@b", "a@b@c.d", "a b@c.d", "a@.b", "a@b."] {
            assert!(check_email(bad).is_some(), "{bad}");
        }
        let long = format!("{}@acme.com", "x".repeat(250));
        assert!(check_email(&long).unwrap().contains("at most 254"));
    }
}
