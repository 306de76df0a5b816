//! Secret hygiene with the real binary: a full apply, a rollback, a run that fails at the
//! hand-over and its resume, and a run with a wrong bootstrap secret, all with a known bootstrap
//! secret. Neither the bootstrap secret nor any new client secret may appear in any file under
//! the state dir (other than the chosen hand-over file, which holds only its own secret), in
//! stdout/stderr, or in the running process's command line. Files are 0600, dirs 0700. Debug
//! and Display of the types that carry secrets never show them.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::common::bin::*;
use crate::common::emulator::*;
use halo_onboard::halo::{Client, ClientOptions, Credentials, Endpoint, HaloError};
use halo_onboard::sim::SimConfig;
use secrecy::SecretString;

const BOOT_SECRET: &str = "BOOTSTRAP-7f3c9a1e-SECRET-d2b4-41aa-9e0f-5c6d7e8f9a0b";

struct Run {
    out: String,
    err: String,
    code: i32,
    cmdlines: Vec<String>,
}

/// Runs the binary, sampling `/proc/<pid>/cmdline` while it runs.
async fn run(home: &Home, sim: &halo_onboard::sim::SimHandle, args: &[&str], secret: &str) -> Run {
    let mut cmd = home.cmd(sim, args);
    cmd.env("HALO_CLIENT_SECRET", secret);
    let child = cmd.spawn().unwrap();
    let pid = child.id().unwrap();
    let sampler = tokio::spawn(async move {
        let mut seen = Vec::new();
        for _ in 0..2000 {
            match std::fs::read(format!("/proc/{pid}/cmdline")) {
                Ok(b) if !b.is_empty() => seen.push(String::from_utf8_lossy(&b).replace('\0', " ")),
                _ => break,
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        seen
    });
    let out = child.wait_with_output().await.unwrap();
    let cmdlines = sampler.await.unwrap();
    Run {
        out: String::from_utf8_lossy(&out.stdout).into_owned(),
        err: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
        cmdlines,
    }
}

fn files_under(dir: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let (mut files, mut dirs) = (Vec::new(), vec![dir.to_path_buf()]);
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p.clone());
                stack.push(p);
            } else {
                files.push(p);
            }
        }
    }
    (files, dirs)
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_outside_the_chosen_handover_file() {
    let sim = spawn(SimConfig {
        client_secret: Some(BOOT_SECRET.into()),
        latency: Duration::from_millis(5),
        ..SimConfig::default()
    })
    .await;
    let home = Home::new();
    let url = sim.url.clone();
    let mut runs = Vec::new();

    // 1. A full apply.
    let r = run(&home, &sim, &apply_topleft(&url, &[]), BOOT_SECRET).await;
    assert_eq!(r.code, 0, "{}", r.err);
    runs.push(r);
    let first = home.session_ids().pop().unwrap();
    let first_secret = read_env_file(&home.handover(&first))["HALO_APP_CLIENT_SECRET"].clone();
    assert!(first_secret.len() > 20);

    // 2. Its rollback.
    let r = run(&home, &sim, &["rollback", &first, "--yes"], BOOT_SECRET).await;
    assert_eq!(r.code, 0, "{}", r.err);
    runs.push(r);

    // 3. A run that fails at the hand-over (unwritable --out), then its resume.
    // The folder exists and the name is a .env, so the checks before apply pass; the name is
    // longer than the file system allows, so the hand-over itself fails.
    let bad_out = home.dir.path().join(format!("{}.env", "x".repeat(300)));
    let bad_out_s = bad_out.to_string_lossy().into_owned();
    let r = run(
        &home,
        &sim,
        &apply_topleft(&url, &["--out", &bad_out_s]),
        BOOT_SECRET,
    )
    .await;
    assert_ne!(r.code, 0, "the hand-over must fail: {}", r.out);
    assert!(r.err.contains("resume"), "{}", r.err);
    runs.push(r);
    let second = home
        .session_ids()
        .into_iter()
        .find(|i| *i != first)
        .unwrap();
    let r = run(&home, &sim, &["resume", &second, "--yes"], BOOT_SECRET).await;
    assert_eq!(r.code, 0, "{}\n{}", r.out, r.err);
    runs.push(r);
    let second_secret = read_env_file(&home.handover(&second))["HALO_APP_CLIENT_SECRET"].clone();
    assert_ne!(first_secret, second_secret);

    // 4. A wrong bootstrap secret.
    let wrong = "WRONG-0c1d2e3f-bootstrap-secret-4a5b6c7d";
    let r = run(&home, &sim, &apply_topleft(&url, &[]), wrong).await;
    assert_eq!(r.code, 2, "{}", r.err);
    assert!(r.err.contains("invalid_client"), "{}", r.err);
    assert!(
        !(r.out.clone() + &r.err).contains(wrong),
        "wrong secret echoed"
    );
    runs.push(r);

    // Every secret the emulator knows about, too (bootstrap and any application's).
    let mut secrets: Vec<String> = sim.with_state(|st| {
        st.applications
            .iter()
            .map(|a| a.str("clientSecret").to_string())
            .filter(|s| !s.is_empty())
            .collect()
    });
    secrets.extend([
        BOOT_SECRET.to_string(),
        first_secret.clone(),
        second_secret.clone(),
    ]);
    secrets.sort();
    secrets.dedup();

    let mut hits = Vec::new();
    let mut scanned = 0;
    for (i, r) in runs.iter().enumerate() {
        for s in &secrets {
            scanned += 2;
            if r.out.contains(s.as_str()) || r.err.contains(s.as_str()) {
                hits.push(format!("run {i} output"));
            }
            for c in &r.cmdlines {
                scanned += 1;
                if c.contains(s.as_str()) {
                    hits.push(format!("run {i} cmdline"));
                }
            }
        }
    }
    let samples: usize = runs.iter().map(|r| r.cmdlines.len()).sum();
    assert!(samples >= runs.len(), "the command lines were sampled");
    let (files, dirs) = files_under(&home.state());
    let chosen = [
        (home.handover(&first), &first_secret),
        (home.handover(&second), &second_secret),
    ];
    for f in &files {
        let text = String::from_utf8_lossy(&std::fs::read(f).unwrap()).into_owned();
        for s in &secrets {
            scanned += 1;
            let allowed = chosen.iter().any(|(p, own)| p == f && *own == s);
            if text.contains(s.as_str()) && !allowed {
                hits.push(format!("{}", f.display()));
            }
        }
        #[cfg(unix)]
        assert_eq!(mode(f), 0o600, "{}", f.display());
    }
    #[cfg(unix)]
    for d in &dirs {
        assert_eq!(mode(d), 0o700, "{}", d.display());
    }
    for want in ["sessions", "handover"] {
        assert!(dirs.iter().any(|d| d.ends_with(want)), "{want} dir exists");
    }
    println!(
        "secret-scan hits: {} ({} files, {} cmdline samples, {} runs' output, {} checks)",
        hits.len(),
        files.len(),
        samples,
        runs.len(),
        scanned
    );
    assert!(hits.is_empty(), "secrets found in: {hits:?}");
}

#[tokio::test]
async fn debug_and_display_never_show_secrets() {
    let secret = "SeCrEt-0123-4567-89ab-cdef-DEBUGCHECK";
    let creds = Credentials::new("cid", secret, &["all"]);
    assert!(!format!("{creds:?}").contains(secret));

    let app = halo_onboard::halo::Application {
        client_id: "cid".into(),
        client_secret: secret.into(),
        ..Default::default()
    };
    assert!(!format!("{app:?}").contains(secret));
    assert!(!format!("{app:#?}").contains(secret));

    let ep = Endpoint::hosted("https://acme.halopsa.com").unwrap();
    let ho = halo_onboard::plan::handover::Handover::new(
        &ep,
        "cid",
        &SecretString::from(secret.to_string()),
        7,
    );
    assert!(!format!("{ho:?}").contains(secret));
    assert!(!format!("{ho:#?}").contains(secret));

    let client = Client::new(ep.clone(), creds.clone(), ClientOptions::default()).unwrap();
    assert!(!format!("{client:?}").contains(secret));

    // Errors built from server answers that echo the secret back.
    let sim = spawn(SimConfig::default()).await;
    let ep = Endpoint::hosted(&sim.url).unwrap();
    let bad = Client::new(
        ep.clone(),
        Credentials::new(&sim.client_id, secret, &["all"]),
        fast_opts(),
    )
    .unwrap();
    let e: HaloError = bad.token().await.unwrap_err();
    for text in [e.to_string(), format!("{e:?}"), e.hint().to_string()] {
        assert!(!text.contains(secret), "{text}");
    }
    let admin = admin(&sim);
    // A save that Halo refuses: the body (with the new secret) must not surface in the error.
    let refused = halo_onboard::halo::Application {
        client_id: "not-a-guid".into(),
        client_secret: secret.into(),
        display_name: String::new(),
        ..Default::default()
    };
    if let Err(e) = admin.save_application(&refused).await {
        for text in [e.to_string(), format!("{e:?}")] {
            assert!(!text.contains(secret), "{text}");
        }
    }
    let mut applied = halo_onboard::plan::apply::Applied::default();
    applied.client_secret = Some(SecretString::from(secret.to_string()));
    applied.client_id = "c".into();
    assert!(!format!("{applied:?}").contains(secret));
    sim.shutdown().await;
}
