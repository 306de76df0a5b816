//! Tests of `batch`.

use std::path::PathBuf;

use super::*;

fn write(dir: &Path, text: &str) -> PathBuf {
    let p = dir.join("batch.toml");
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn loads_entries_with_relative_paths_and_lines() {
    let d = tempfile::tempdir().unwrap();
    let p = write(
        d.path(),
        "# fleet\n[[instance]]\nname = \"a\"\nurl = \"https://a.halopsa.com\"\nclient_id = \"x\"\nclient_secret_env = \"A_HALO_SECRET\"\nprofile = \"topleft\"\nout = \"a.env\"\n\n[[instance]]\nname = \"b\"\nresource_url = \"https://b/api\"\nauth_url = \"https://b/auth\"\ntenant = \"b\"\nclient_id = \"y\"\nclient_secret_file = \"b.secret\"\nprofile = \"guardz\"\n",
    );
    let v = load(&p).unwrap();
    assert_eq!(v.len(), 2);
    assert_eq!(v[0].line, 2);
    assert_eq!(v[0].secret, SecretSource::Env("A_HALO_SECRET".into()));
    assert_eq!(v[0].out.as_deref(), Some(d.path().join("a.env").as_path()));
    assert_eq!(v[1].line, 10);
    assert_eq!(v[1].secret, SecretSource::File(d.path().join("b.secret")));
    assert_eq!(v[1].connect.tenant.as_deref(), Some("b"));
}

#[test]
fn errors_name_file_and_line() {
    let d = tempfile::tempdir().unwrap();
    let cases = [
        ("[[instance]]\nname = \"a\"\nurl = \n", "line 3"),
        (
            "[[instance]]\nname = \"a\"\nurl = \"https://a\"\nclient_id = \"x\"\nprofile = \"p\"\n",
            "line 1",
        ),
        (
            "[[instance]]\nname=\"a\"\nurl=\"https://a\"\nclient_id=\"x\"\nclient_secret_env=\"HALO_S\"\nprofile=\"p\"\n[[instance]]\nname=\"a\"\nurl=\"https://b\"\nclient_id=\"x\"\nclient_secret_env=\"HALO_S\"\nprofile=\"p\"\n",
            "line 7",
        ),
        (
            "[[instance]]\nname=\"a\"\nurl=\"https://a\"\nclient_id=\"x\"\nclient_secret=\"oops\"\nprofile=\"p\"\n",
            "client_secret",
        ),
        ("", "no [[instance]]"),
    ];
    for (text, want) in cases {
        let p = write(d.path(), text);
        let e = load(&p).unwrap_err();
        assert!(e.message.contains("batch.toml"), "{}", e.message);
        assert!(e.message.contains(want), "{want}: {}", e.message);
        assert_eq!(e.code, EXIT_CANNOT_RUN);
    }
    let e = load(&d.path().join("missing.toml")).unwrap_err();
    assert!(e.message.contains("missing.toml"));
}

#[test]
fn durations() {
    use std::time::Duration;
    assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
    assert_eq!(parse_duration("30m"), Ok(Duration::from_secs(1800)));
    assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
    assert_eq!(parse_duration(" 45 "), Ok(Duration::from_secs(45)));
    for bad in [
        "",
        "0",
        "0s",
        "m",
        "5x",
        "1.5h",
        "99999999999999999999h",
        "-3s",
    ] {
        assert!(parse_duration(bad).is_err(), "{bad}");
    }
}

#[test]
fn secret_env_must_look_like_halo_or_be_allowed() {
    assert!(looks_like_halo_secret("HALO_CLIENT_SECRET"));
    assert!(looks_like_halo_secret("ACME_HALO_SECRET"));
    assert!(!looks_like_halo_secret("AWS_SECRET_ACCESS_KEY"));
    assert!(!looks_like_halo_secret("HALOX_SECRET"));
    let d = tempfile::tempdir().unwrap();
    let entry = |env: &str| {
        format!(
            "[[instance]]\nname=\"acme\"\nurl=\"https://a\"\nclient_id=\"x\"\nclient_secret_env=\"{env}\"\nprofile=\"p\"\n"
        )
    };
    let e = load(&write(d.path(), &entry("AWS_SECRET_ACCESS_KEY"))).unwrap_err();
    assert!(
        e.message.contains("AWS_SECRET_ACCESS_KEY") && e.message.contains("line 1"),
        "{}",
        e.message
    );
    assert!(
        e.hint.contains("allow_secret_env") && e.hint.contains("ACME_HALO_SECRET"),
        "{}",
        e.hint
    );
    let allowed = format!(
        "allow_secret_env = [\"VAULT_TOKEN_X\"]\n{}",
        entry("VAULT_TOKEN_X")
    );
    assert_eq!(
        load(&write(d.path(), &allowed)).unwrap()[0].secret,
        SecretSource::Env("VAULT_TOKEN_X".into())
    );
}

#[test]
fn names_and_addresses_are_checked() {
    let d = tempfile::tempdir().unwrap();
    let e = load(&write(d.path(), "[[instance]]\nname=\"a\\u001b]0;x\\u0007\"\nurl=\"https://a\"\nclient_id=\"x\"\nclient_secret_env=\"HALO_S\"\nprofile=\"p\"\n")).unwrap_err();
    assert!(e.message.contains("U+001B"), "{}", e.message);
    assert!(!e.message.contains('\x1b'));
    // url with auth_url: the authorisation server is confirmed, as with --auth-url.
    let v = load(&write(d.path(), "[[instance]]\nname=\"a\"\nurl=\"https://a.halopsa.com\"\nauth_url=\"https://auth.example\"\nclient_id=\"x\"\nclient_secret_env=\"HALO_S\"\nprofile=\"p\"\n")).unwrap();
    assert_eq!(
        v[0].connect.auth_url.as_deref(),
        Some("https://auth.example")
    );
}
