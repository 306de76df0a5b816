//! `apply --batch`: three emulators, one with a wrong secret; the others succeed, the failure is
//! reported, the concurrency bound holds, and the binary's exit codes and output are right.

use std::path::Path;
use std::time::Duration;

use halo_onboard::headless::batch::{self, BatchOptions, InstanceResult};
use halo_onboard::journal::Journal;
use halo_onboard::sim::{SimConfig, SimHandle};
use serde_json::Value;

use crate::common::bin::Home;
use crate::common::emulator::{fast_opts, spawn};

async fn sims(n: usize, latency: Duration) -> Vec<SimHandle> {
    let mut v = Vec::new();
    for _ in 0..n {
        v.push(
            spawn(SimConfig {
                latency,
                ..SimConfig::default()
            })
            .await,
        );
    }
    v
}

/// A batch file for the emulators; `wrong` gets a wrong secret. Secrets go in files next to it.
fn batch_file(dir: &Path, sims: &[SimHandle], wrong: Option<usize>) -> std::path::PathBuf {
    let mut text = String::from("# test fleet\n");
    for (i, s) in sims.iter().enumerate() {
        let secret = if Some(i) == wrong {
            "wrong-secret-123"
        } else {
            &s.client_secret
        };
        std::fs::write(dir.join(format!("s{i}.secret")), format!("{secret}\n")).unwrap();
        text.push_str(&format!(
            "\n[[instance]]\nname = \"inst{i}\"\nurl = \"{}\"\nclient_id = \"{}\"\nclient_secret_file = \"s{i}.secret\"\nprofile = \"topleft\"\nout = \"out/inst{i}.env\"\n",
            s.url, s.client_id
        ));
    }
    let p = dir.join("fleet.toml");
    std::fs::write(&p, text).unwrap();
    p
}

fn opts(yes: bool, concurrency: usize) -> BatchOptions {
    BatchOptions {
        yes,
        dry_run: false,
        new_secret: false,
        force: false,
        no_verify: false,
        concurrency,
        progress: false,
        client: fast_opts(),
        deadline: None,
    }
}

fn writes(s: &SimHandle) -> usize {
    s.requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.starts_with("/api"))
        .count()
}

#[tokio::test]
async fn one_bad_instance_does_not_stop_the_others() {
    let sims = sims(3, Duration::ZERO).await;
    let dir = tempfile::tempdir().unwrap();
    let file = batch_file(dir.path(), &sims, Some(1));
    let journal = Journal::open(&dir.path().join("state")).unwrap();
    let instances = batch::load(&file).unwrap();
    // The hand-over folder must exist: halo-onboard never creates folders.
    let results = batch::run_batch(&instances, &journal, &opts(true, 4)).await;
    assert!(
        results.iter().all(|r| !r.ok()),
        "no folder, nothing applied"
    );
    assert!(
        results[0]
            .error
            .as_deref()
            .unwrap()
            .contains("does not exist"),
        "{:?}",
        results[0]
    );
    assert!(sims.iter().all(|s| writes(s) == 0));
    std::fs::create_dir(dir.path().join("out")).unwrap();
    let results = batch::run_batch(&instances, &journal, &opts(true, 4)).await;

    let names: Vec<_> = results.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["inst0", "inst1", "inst2"], "file order");
    let status: Vec<_> = results.iter().map(|r| r.status).collect();
    assert_eq!(status, ["ok", "failed", "ok"]);
    let bad = &results[1];
    assert!(bad.outcome.is_none());
    assert!(
        bad.error.as_deref().unwrap().contains("invalid_client"),
        "{bad:?}"
    );
    assert!(
        bad.hint
            .as_deref()
            .unwrap()
            .contains("Client ID and Secret")
    );
    assert_eq!(writes(&sims[1]), 0);

    for i in [0, 2] {
        let o = results[i].outcome.as_ref().unwrap();
        assert_eq!(o.writes, 3);
        assert!(o.verification.as_ref().unwrap().passed());
        let creds = o.credentials_file.as_ref().unwrap();
        assert_eq!(creds, &dir.path().join(format!("out/inst{i}.env")));
        let text = std::fs::read_to_string(creds).unwrap();
        assert!(text.contains(&sims[i].url));
        let made = sims[i].with_state(|st| {
            (
                st.count_named("roles", "TopLeft Role"),
                st.count_named("agents", "topleft"),
                st.count_named("applications", "TopLeft"),
            )
        });
        assert_eq!(made, (1, 1, 1));
    }
    let table = batch::results_text(&results);
    assert!(
        table.contains("inst1") && table.contains("failed"),
        "{table}"
    );
    assert!(table.contains("what to do:"), "{table}");
    // Every header sits over its values (VERIFICATION used to sit four columns left of them),
    // counted in characters: the ellipsis of a cut id is one.
    let at = |l: &str, what: &str| l.find(what).map(|b| l[..b].chars().count());
    let header = table.lines().next().unwrap();
    let rows: Vec<&str> = table.lines().filter(|l| l.starts_with("inst")).collect();
    for (col, values) in [
        ("VERIFICATION", ["24/24 pass", "-", "24/24 pass"]),
        ("STATUS", ["ok", "failed", "ok"]),
    ] {
        let c = at(header, col).unwrap();
        for (row, v) in rows.iter().zip(values) {
            let from: String = row.chars().skip(c).collect();
            assert!(from.starts_with(v), "{col} over {v}: {table}");
        }
    }
    assert_eq!(
        at(header, "CREDENTIALS FILE"),
        at(rows[0], dir.path().to_str().unwrap()),
        "{table}"
    );
    // The table and the JSON never hold a secret.
    let json = serde_json::to_string(&results).unwrap();
    for s in &sims {
        assert!(!json.contains(&s.client_secret) && !table.contains(&s.client_secret));
    }
}

/// `--deadline`: the whole batch stops on time. One instance is cut off mid-apply (slow Halo),
/// the next never starts (one slot); both are reported with what to do, and the cut-off one is
/// journaled, so resume finishes it without creating anything twice.
#[tokio::test]
async fn the_deadline_stops_the_whole_batch() {
    let sims = sims(2, Duration::from_millis(150)).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("out")).unwrap();
    let file = batch_file(dir.path(), &sims, None);
    let journal = Journal::open(&dir.path().join("state")).unwrap();
    let instances = batch::load(&file).unwrap();
    let o = BatchOptions {
        deadline: Some(Duration::from_millis(900)),
        ..opts(true, 1)
    };
    let t = std::time::Instant::now();
    let results = batch::run_batch(&instances, &journal, &o).await;
    let took = t.elapsed();
    assert!(took < Duration::from_millis(2500), "took {took:?}");
    let status: Vec<_> = results.iter().map(|r| r.status).collect();
    assert_eq!(status, ["failed", "failed"]);
    let e0 = results[0].error.as_deref().unwrap();
    assert!(e0.contains("stopped at the batch deadline"), "{e0}");
    assert!(results[0].hint.as_deref().unwrap().contains("resume"));
    let e1 = results[1].error.as_deref().unwrap();
    assert!(e1.contains("not started"), "{e1}");
    assert_eq!(writes(&sims[1]), 0, "the second instance never started");
    // Whatever the cut-off instance started is journaled (resume finishes it); on a slow
    // machine the deadline may come before its setup was even opened.
    let (list, bad) = journal.unfinished();
    assert!(list.len() <= 1 && bad.is_empty(), "{list:?} {bad:?}");
}

/// [start, end] of each emulator's traffic, in ms.
fn spans(sims: &[SimHandle]) -> Vec<(u64, u64)> {
    sims.iter()
        .map(|s| {
            let ts: Vec<u64> = s.requests().iter().map(|r| r.ts_ms).collect();
            (*ts.iter().min().unwrap(), *ts.iter().max().unwrap())
        })
        .collect()
}

/// Largest number of instances talking to their Halo at the same moment.
fn max_overlap(spans: &[(u64, u64)]) -> usize {
    spans
        .iter()
        .map(|(start, _)| {
            spans
                .iter()
                .filter(|(s, e)| s <= start && start <= e)
                .count()
        })
        .max()
        .unwrap_or(0)
}

#[tokio::test]
async fn concurrency_bound_is_respected() {
    // Latency makes each instance take a while, so overlap is visible in the request times.
    for (bound, expect_max) in [(1, 1), (2, 2), (3, 3)] {
        let sims = sims(3, Duration::from_millis(40)).await;
        let dir = tempfile::tempdir().unwrap();
        let file = batch_file(dir.path(), &sims, None);
        let journal = Journal::open(&dir.path().join("state")).unwrap();
        let instances = batch::load(&file).unwrap();
        let results = batch::run_batch(&instances, &journal, &opts(false, bound)).await;
        assert!(results.iter().all(InstanceResult::ok), "{results:?}");
        let sp = spans(&sims);
        assert_eq!(
            max_overlap(&sp),
            expect_max,
            "concurrency {bound}: spans {sp:?}"
        );
        for s in sims {
            s.shutdown().await;
        }
    }
}

// --- the binary ---------------------------------------------------------------------------

#[tokio::test]
async fn binary_batch_json_progress_and_exit_codes() {
    let sims = sims(3, Duration::ZERO).await;
    let dir = tempfile::tempdir().unwrap();
    // Secrets through env vars named in the file, as an operator would.
    let mut text = String::new();
    for (i, s) in sims.iter().enumerate() {
        text.push_str(&format!(
            "[[instance]]\nname = \"site{i}\"\nurl = \"{}\"\nclient_id = \"{}\"\nclient_secret_env = \"SITE{i}_HALO_SECRET\"\nprofile = \"topleft\"\nout = \"site{i}.json\"\n\n",
            s.url, s.client_id
        ));
    }
    let file = dir.path().join("fleet.toml");
    std::fs::write(&file, text).unwrap();
    let file_s = file.to_str().unwrap();
    let env = [
        ("SITE0_HALO_SECRET", sims[0].client_secret.as_str()),
        ("SITE1_HALO_SECRET", "not-the-secret"),
        ("SITE2_HALO_SECRET", sims[2].client_secret.as_str()),
    ];
    let home = Home::new();

    // Without --yes: plans only, nothing written, the bad instance still reported.
    let (code, out, err) = home.run(&["apply", "--batch", file_s], &env).await.parts();
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(out.contains("[site0] plan:"), "{out}");
    assert!(out.contains("Nothing was written"), "{out}");
    assert!(sims.iter().all(|s| writes(s) == 0));
    assert!(err.contains("[site1] failed:"), "{err}");

    // --yes --json: one JSON document; progress stays off stdout.
    let (code, out, err) = home
        .run(
            &[
                "apply",
                "--batch",
                file_s,
                "--yes",
                "--json",
                "--concurrency",
                "2",
            ],
            &env,
        )
        .await
        .parts();
    assert_eq!(code, 1, "{out}\n{err}");
    let v: Value = serde_json::from_str(out.trim()).expect("one JSON document");
    assert_eq!(v["ok"], false);
    let inst = v["instances"].as_array().unwrap();
    let status: Vec<_> = inst.iter().map(|i| i["status"].as_str().unwrap()).collect();
    assert_eq!(status, ["ok", "failed", "ok"]);
    assert_eq!(inst[0]["writes"], 3);
    assert_eq!(
        inst[0]["credentials_file"],
        dir.path().join("site0.json").to_str().unwrap()
    );
    assert!(
        inst[1]["error"]
            .as_str()
            .unwrap()
            .contains("invalid_client")
    );
    for s in &sims {
        assert!(!out.contains(&s.client_secret) && !err.contains(&s.client_secret));
    }
    let new_secret: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("site0.json")).unwrap())
            .unwrap();
    let new_secret = new_secret["client_secret"].as_str().unwrap();
    assert!(!out.contains(new_secret) && !err.contains(new_secret));

    // Text mode with all secrets right: exit 0, progress lines prefixed, a results table.
    let good = [
        env[0],
        ("SITE1_HALO_SECRET", sims[1].client_secret.as_str()),
        env[2],
    ];
    let (code, out, err) = home
        .run(&["apply", "--batch", file_s, "--yes"], &good)
        .await
        .parts();
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(err.contains("[site1] connected"), "{err}");
    assert!(
        out.contains("NAME") && out.contains("VERIFICATION"),
        "{out}"
    );
    assert_eq!(out.matches(" ok ").count(), 3, "{out}");

    // A batch file that cannot be read: exit 2, file and line named.
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[[instance]]\nname = \"x\"\nurl = https://nope\n").unwrap();
    let (code, _out, err) = home
        .run(&["apply", "--batch", bad.to_str().unwrap()], &[])
        .await
        .parts();
    assert_eq!(code, 2);
    assert!(err.contains("bad.toml") && err.contains("line 3"), "{err}");
    let (code, _, err) = home
        .run(&["apply", "--batch", "/nonexistent/fleet.toml"], &[])
        .await
        .parts();
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/fleet.toml"), "{err}");
    // Flags the file provides are refused.
    let (code, _, err) = home
        .run(&["apply", "--batch", file_s, "--profile", "topleft"], &[])
        .await
        .parts();
    assert_eq!(code, 2);
    assert!(err.contains("--profile"), "{err}");
}
