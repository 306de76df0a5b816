//! Bad input through the real binary: each case must end with a message that says what to do
//! (an `error:` line and a `what to do:` line, or a BLOCKED plan naming the object) and must lose
//! nothing (no object half-made in Halo, no file of the user's changed).

use std::path::Path;

use crate::common::bin::*;
use crate::common::emulator::*;
use halo_onboard::sim::{SimConfig, SimHandle};

/// The standard "says what to do" shape of a headless failure.
fn says_what_to_do(code: i32, err: &str, must: &[&str]) {
    assert_eq!(code, 2, "exit 2 (could not run): {err}");
    assert!(err.contains("error: "), "{err}");
    assert!(err.contains("what to do: "), "{err}");
    for m in must {
        assert!(
            err.to_lowercase().contains(&m.to_lowercase()),
            "missing {m:?} in: {err}"
        );
    }
}

/// `apply` (plan only) with the bootstrap client id but no secret in the environment.
async fn plan_without_secret(home: &Home, sim: &SimHandle, extra: &[&str]) -> Run {
    let mut args = vec!["apply", "--profile", "topleft", "--url", &sim.url];
    args.extend_from_slice(extra);
    home.run(&args, &[("HALO_CLIENT_ID", &sim.client_id)]).await
}

fn nothing_made(sim: &SimHandle) {
    assert_eq!(any_marked(sim), (0, 0, 0), "objects were created");
}

async fn apply_with(
    home: &Home,
    sim: &SimHandle,
    url: &str,
    extra: &[&str],
) -> (i32, String, String) {
    let mut args = vec!["apply", "--profile", "topleft", "--url", url];
    args.extend_from_slice(extra);
    home.run_sim(sim, &args).await.parts()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_urls_and_unreachable_hosts() {
    let mut n = 0;
    let sim = spawn(SimConfig::default()).await;
    let home = Home::new();
    let cases: Vec<(String, Vec<&str>)> = vec![
        (
            "not a url at all".into(),
            vec!["not a valid url", "e.g. https://"],
        ),
        (
            "ftp://acme.halopsa.com".into(),
            vec!["ftp:// is not how halo is reached", "https://"],
        ),
        ("https://acme.invalid".into(), vec!["acme.invalid", "dns"]),
        (
            "http://acme.halopsa.com".into(),
            vec!["http://", "https://"],
        ),
        // TLS to a plain-http port.
        (format!("https://{}", sim.addr), vec!["tls"]),
        // Nothing listens there.
        ("http://127.0.0.1:9".into(), vec!["could not connect"]),
    ];
    for (url, must) in cases {
        let (code, _, err) = apply_with(&home, &sim, &url, &["--yes"]).await;
        says_what_to_do(code, &err, &must);
        n += 1;
    }
    nothing_made(&sim);
    assert!(
        home.session_ids().is_empty(),
        "no setup is started without a connection"
    );
    println!("bad inputs tried: {n} (bad_urls_and_unreachable_hosts)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_credentials() {
    let mut n = 0;
    let sim = spawn(SimConfig::default()).await;
    let home = Home::new();
    // Wrong secret.
    let (code, _, err) = home
        .cmd(&sim, apply_topleft(&sim.url, &[]))
        .env("HALO_CLIENT_SECRET", "wrong-secret")
        .output()
        .await
        .map(|o| {
            (
                o.status.code().unwrap_or(-1),
                String::from_utf8_lossy(&o.stdout).into_owned(),
                String::from_utf8_lossy(&o.stderr).into_owned(),
            )
        })
        .unwrap();
    says_what_to_do(code, &err, &["invalid_client", "Client ID and Secret"]);
    n += 1;
    // No secret at all.
    let r = plan_without_secret(&home, &sim, &[]).await;
    says_what_to_do(r.code, &r.stderr, &["HALO_CLIENT_SECRET"]);
    n += 1;
    // An application with read scopes only, used as bootstrap.
    let (rid, rsecret) = (
        "0f0e0d0c-aaaa-bbbb-cccc-000000000001",
        "read-only-secret-1234567890",
    );
    add_read_only_app(&sim, rid, rsecret);
    let o = home
        .cmd(&sim, apply_topleft(&sim.url, &[]))
        .env("HALO_CLIENT_ID", rid)
        .env("HALO_CLIENT_SECRET", rsecret)
        .output()
        .await
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    says_what_to_do(o.status.code().unwrap_or(-1), &err, &["admin"]);
    n += 1;
    // A pasted secret with spaces and a newline around it (secret file) works.
    let f = home.dir.path().join("secret.txt");
    std::fs::write(&f, format!("  {}\r\n\n", sim.client_secret)).unwrap();
    let from_file = ["--client-secret-file", f.to_str().unwrap()];
    let r = plan_without_secret(&home, &sim, &from_file).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("Nothing was written"));
    n += 1;
    // An empty secret file.
    std::fs::write(&f, " \n").unwrap();
    let r = plan_without_secret(&home, &sim, &from_file).await;
    says_what_to_do(r.code, &r.stderr, &["empty"]);
    n += 1;
    nothing_made(&sim);
    println!("bad inputs tried: {n} (bad_credentials)");
}

fn answers(home: &Home, name: &str, text: &str) -> String {
    let p = home.dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_taken_by_someone_else_block_the_plan() {
    let mut n = 0;
    let sim = spawn(SimConfig::default()).await;
    let home = Home::new();
    sim.with_state(|st| {
        let mut a = st.agents[0].clone();
        a.set("id", 900);
        a.set("name", "taken-agent");
        st.agents.push(a);
        st.add_application(serde_json::json!({
            "id": "app-taken",
            "clientId": "0f0e0d0c-aaaa-bbbb-cccc-000000000002",
            "displayName": "Taken App",
        }));
    });
    let cases = [
        (
            "role",
            "[role]\nname = \"1st Line Support\"\n",
            "1st Line Support",
        ),
        ("agent", "[agent]\nname = \"taken-agent\"\n", "taken-agent"),
        (
            "application",
            "[application]\nname = \"Taken App\"\n",
            "Taken App",
        ),
    ];
    for (what, text, name) in cases {
        let f = answers(&home, &format!("{what}.toml"), text);
        let writes_before = sim.requests().iter().filter(|r| r.method != "GET").count();
        for yes in [false, true] {
            let mut extra = vec!["--answers", f.as_str()];
            if yes {
                extra.push("--yes");
            }
            let (code, out, err) = apply_with(&home, &sim, &sim.url, &extra).await;
            let all = format!("{out}{err}");
            assert_eq!(code, 1, "{what} (yes={yes}): blocked is exit 1: {all}");
            assert!(all.contains(name), "{what}: names the object: {all}");
            assert!(
                all.contains("not made by halo-onboard"),
                "{what}: says why: {all}"
            );
            assert!(
                all.contains("reuse") || all.contains("choose another"),
                "{what}: says what to do: {all}"
            );
            n += 1;
        }
        let writes_after = sim.requests().iter().filter(|r| r.method != "GET").count();
        // Only token requests (POST /auth/token) may have been made.
        let api_writes = sim
            .requests()
            .iter()
            .filter(|r| r.method != "GET" && r.path.starts_with("/api/"))
            .count();
        assert_eq!(
            api_writes, 0,
            "{what}: nothing written ({writes_before}->{writes_after})"
        );
    }
    nothing_made(&sim);
    println!("bad inputs tried: {n} (names_taken_by_someone_else_block_the_plan)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_and_non_ascii_names() {
    let mut n = 0;
    let long = "x".repeat(300);
    let cases = [
        (
            "non-ASCII",
            "Rôle Ünïcødé 日本 — ü".to_string(),
            "agent-ß-ñ".to_string(),
            "Appliçation ✓".to_string(),
        ),
        (
            "over-long",
            format!("R{long}"),
            format!("a{long}"),
            format!("A{long}"),
        ),
    ];
    for (what, role, agent, app) in cases {
        let sim = spawn(SimConfig::default()).await;
        let home = Home::new();
        let text = format!(
            "[role]\nname = {role:?}\n[agent]\nname = {agent:?}\n[application]\nname = {app:?}\n"
        );
        let f = answers(&home, "names.toml", &text);
        let (code, out, err) = apply_with(&home, &sim, &sim.url, &["--answers", &f, "--yes"]).await;
        println!("{what} names: exit {code}");
        if code == 0 {
            // Accepted: exactly one of each, stored under exactly the name asked for.
            let id = home.session_ids().pop().unwrap();
            assert_finished(&sim, &home, &id, what).await;
            let names = sim.with_state(|st| {
                (
                    st.named("roles", &role).is_some(),
                    st.named("agents", &agent).is_some(),
                    st.named("applications", &app).is_some(),
                )
            });
            assert_eq!(names, (true, true, true), "{what}: names round-trip");
            assert!(
                !out.contains("read-back"),
                "{what}: read-back differences: {err}"
            );
        } else {
            assert!(
                err.contains("what to do: ") || out.contains("BLOCKED"),
                "{what}: {out}{err}"
            );
            nothing_made(&sim);
        }
        n += 1;
    }
    println!("bad inputs tried: {n} (long_and_non_ascii_names)");
}

fn bytes(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn damaged_files_are_named_with_their_line_and_left_untouched() {
    let mut n = 0;
    let sim = spawn(SimConfig::default()).await;
    let home = Home::new();
    // A blocked plan (a name Halo already uses) writes nothing and leaves no setup behind,
    // --yes or not: there is nothing to resume.
    let f = answers(
        &home,
        "blocked.toml",
        "[role]\nname = \"1st Line Support\"\n",
    );
    let (code, _, _) = apply_with(&home, &sim, &sim.url, &["--answers", &f, "--yes"]).await;
    assert_eq!(code, 1);
    assert!(home.session_ids().is_empty(), "{:?}", home.session_ids());
    // Three unfinished setups, as runs stopped before their first write leave them.
    let j = home.journal();
    for _ in 0..3 {
        j.create(halo_onboard::answers::Answers::default(), None)
            .unwrap();
    }
    let ids = home.session_ids();
    assert_eq!(ids.len(), 3);
    let sessions = home.state().join("sessions");
    // Corrupt one (garbage on line 3) and truncate another.
    let corrupt = sessions.join(format!("{}.json", ids[0]));
    let text = std::fs::read_to_string(&corrupt).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines[2] = "  \"status\": planned,,";
    std::fs::write(&corrupt, lines.join("\n")).unwrap();
    let truncated = sessions.join(format!("{}.json", ids[1]));
    let t = bytes(&truncated);
    std::fs::write(&truncated, &t[..t.len() / 3]).unwrap();
    let (c_before, t_before) = (bytes(&corrupt), bytes(&truncated));

    let (code, out, err) = home.run_sim(&sim, &["sessions"]).await.parts();
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(&ids[2]),
        "the good setup is still listed: {out}"
    );
    assert!(
        err.contains(&corrupt.display().to_string()) && err.contains("line 3"),
        "{err}"
    );
    assert!(err.contains(&truncated.display().to_string()), "{err}");
    assert!(
        err.contains("what to do: ") && err.contains("untouched"),
        "{err}"
    );
    n += 1;
    for (id, path) in [(&ids[0], &corrupt), (&ids[1], &truncated)] {
        let (code, _, err) = home.run_sim(&sim, &["resume", id, "--yes"]).await.parts();
        says_what_to_do(
            code,
            &err,
            &[&path.display().to_string(), "damaged", "untouched"],
        );
        n += 1;
    }
    assert_eq!(bytes(&corrupt), c_before, "corrupt journal untouched");
    assert_eq!(bytes(&truncated), t_before, "truncated journal untouched");

    // A corrupt answers file: file and line.
    let bad = answers(&home, "bad.toml", "[agent]\nemail = \"a@b.c\"\nname = = \n");
    let (code, _, err) = apply_with(&home, &sim, &sim.url, &["--answers", &bad]).await;
    says_what_to_do(code, &err, &[&bad, "line 3"]);
    n += 1;
    // An answers field of the wrong type.
    let bad = answers(&home, "type.toml", "scopes = \"all\"\n");
    let (code, _, err) = apply_with(&home, &sim, &sim.url, &["--answers", &bad]).await;
    says_what_to_do(code, &err, &[&bad]);
    n += 1;
    // A missing answers file.
    let (code, _, err) = apply_with(
        &home,
        &sim,
        &sim.url,
        &["--answers", "/nonexistent/answers.toml"],
    )
    .await;
    says_what_to_do(code, &err, &["/nonexistent/answers.toml"]);
    n += 1;

    // A corrupt user profile: file and line; the other profiles still listed.
    let pdir = home.dir.path().join("profiles");
    std::fs::write(
        pdir.join("broken.toml"),
        "id = \"broken\"\nvendor = \"X\"\nscopes = [\"read:tickets\"\n",
    )
    .unwrap();
    let (code, out, err) = home.run_sim(&sim, &["profiles"]).await.parts();
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("topleft") && out.contains("propel"), "{out}");
    assert!(
        err.contains("broken.toml") && err.contains(":3:"),
        "file and line: {err}"
    );
    n += 1;
    nothing_made(&sim);
    println!("bad inputs tried: {n} (damaged_files_are_named_with_their_line_and_left_untouched)");
}

#[test]
fn apply_without_arguments_names_the_instance_first() {
    let out = Home::new().run_blocking(["apply"], &[]);
    says_what_to_do(out.code, &out.stderr, &["no Halo instance given", "--url"]);
}
