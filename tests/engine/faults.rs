//! Fault matrix: the real apply engine against the emulator under every fault it can inject.
//! Each case ends in a finished, verified setup or in a clear, resumable stop (the error's hint
//! says to resume, the journal on disk loads); then resuming finishes it, with exactly one
//! role, agent and application carrying the setup's marker (no duplicate, no orphan) and
//! working credentials.

use std::time::Duration;

use futures::StreamExt;
use halo_onboard::halo::{Client, ClientOptions};
use halo_onboard::journal::Journal;
use halo_onboard::plan::apply::{Applied, ApplyError};
use halo_onboard::plan::verify::{self, Target};
use halo_onboard::sim::{DropMode, RequestRecord, SimConfig, SimHandle};

use crate::common::emulator::*;

/// A condition on the emulator's request log.
type When = fn(&[RequestRecord]) -> bool;
/// Something done to the emulator.
type Arm = fn(&SimHandle);

/// What to do to the emulator (and the client) for one case.
#[derive(Clone)]
struct Case {
    name: String,
    cfg: SimConfig,
    opts: ClientOptions,
    /// Arms the fault on the running emulator before the apply starts.
    arm: fn(&SimHandle),
    /// Once the request log satisfies the predicate, do this to the emulator (mid-apply faults).
    trigger: Option<(When, Arm)>,
    /// Wait this long before resuming (lets a slowed write land after the client gave up).
    settle: Duration,
    /// Resume attempts with the fault still active before it is cleared.
    retries_under_fault: usize,
}

fn case(name: &str, arm: fn(&SimHandle)) -> Case {
    Case {
        name: name.into(),
        cfg: SimConfig::default(),
        opts: fast_opts(),
        arm,
        trigger: None,
        settle: Duration::ZERO,
        retries_under_fault: 0,
    }
}

fn clear(sim: &SimHandle) {
    sim.with_faults(|f| {
        f.latency = Duration::ZERO;
        f.fail_rate = 0.0;
        f.force_429 = 0;
        f.drop_before = 0;
        f.drop_after = 0;
        f.drop_skip = 0;
        f.drop_writes_only = false;
        f.rate_limit = 10_000;
    });
}

async fn apply(
    client: &Client,
    j: &Journal,
    s: &mut halo_onboard::journal::Session,
) -> Result<Applied, ApplyError> {
    applier(client, j).apply(s).await
}

macro_rules! ensure {
    ($c:expr, $($m:tt)*) => {
        if !$c {
            return Err(format!($($m)*));
        }
    };
}

/// Runs one case: Ok(how it ended) or Err(what broke).
async fn run(c: Case) -> Result<String, String> {
    let sim = std::sync::Arc::new(spawn(c.cfg.clone()).await);
    let client = client_with(&sim.url, &sim.client_id, &sim.client_secret, c.opts.clone());
    let ep = client.endpoint().clone();
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::open(&dir.path().join("state")).unwrap();
    let mut s = journal.create(topleft(), Some(ep.clone())).unwrap();
    let id = s.id.clone();
    (c.arm)(&sim);
    let watcher = c.trigger.map(|(when, act)| {
        let sim = sim.clone();
        tokio::spawn(async move {
            loop {
                if when(&sim.requests()) {
                    act(&sim);
                    return;
                }
                tokio::time::sleep(Duration::from_micros(200)).await;
            }
        })
    });
    let mut ended = match apply(&client, &journal, &mut s).await {
        Ok(_) => "finished".to_string(),
        Err(e) => {
            ensure!(
                e.hint().contains("resume") || e.hint().contains("Resume"),
                "stop without a resume hint: {e} / {}",
                e.hint()
            );
            ensure!(!e.to_string().is_empty(), "empty error");
            format!("stopped ({e})")
        }
    };
    if let Some(w) = watcher {
        w.abort();
        let _ = w.await;
    }
    tokio::time::sleep(c.settle).await;
    if ended != "finished" {
        let m = marked(&sim, &s.marker());
        ended.push_str(&format!("; in Halo before resume: {m:?}"));
    }
    // Resume as a new process would: from the journal on disk, and once the faults are
    // cleared with an ordinary request timeout (a case's short timeout is part of its fault,
    // not of the later resume; on a loaded machine 150 ms can pass with no fault at all).
    let resume_client = client_with(
        &sim.url,
        &sim.client_id,
        &sim.client_secret,
        ClientOptions {
            timeout: fast_opts().timeout.max(c.opts.timeout),
            ..c.opts.clone()
        },
    );
    let mut attempts = 0;
    let applied = loop {
        let mut resumed = journal
            .load(&id)
            .map_err(|e| format!("journal unreadable after the stop: {e}"))?;
        let cleared = attempts >= c.retries_under_fault;
        if cleared {
            clear(&sim);
        }
        attempts += 1;
        let by = if cleared { &resume_client } else { &client };
        match apply(by, &journal, &mut resumed).await {
            Ok(a) => {
                s = resumed;
                break a;
            }
            Err(e) if attempts <= c.retries_under_fault + 1 => {
                ended.push_str(&format!("; resume {attempts} stopped"));
                let _ = e;
            }
            Err(e) => return Err(format!("resume failed with faults cleared: {e}")),
        }
    };
    clear(&sim);
    ensure!(
        marked(&sim, &s.marker()) == (1, 1, 1),
        "by marker: {:?}",
        marked(&sim, &s.marker())
    );
    ensure!(
        named(&sim, &s) == (1, 1, 1),
        "by name: {:?}",
        named(&sim, &s)
    );
    let secret = applied
        .client_secret
        .clone()
        .ok_or("no secret to hand over")?;
    let t = Target {
        endpoint: &ep,
        client_id: &applied.client_id,
        client_secret: &secret,
        scopes: &s.answers.scopes,
        agent_id: applied.agent_id,
        role: &s.answers.role,
        application_name: &s.answers.application.name,
    };
    let v = verify::verify(&t, fast_opts(), Some(&client)).await;
    ensure!(
        v.passed(),
        "verification: {:?}",
        v.failures().collect::<Vec<_>>()
    );
    use secrecy::ExposeSecret;
    creds_work(
        &sim,
        &applied.client_id,
        secret.expose_secret(),
        &s.answers.scopes,
        applied.agent_id,
    )
    .await?;
    if let Ok(sim) = std::sync::Arc::try_unwrap(sim) {
        sim.shutdown().await;
    }
    Ok(ended)
}

fn posts(r: &[RequestRecord]) -> usize {
    r.iter()
        .filter(|x| x.method == "POST" && x.path.starts_with("/api/"))
        .count()
}

fn gets(r: &[RequestRecord], under: &str) -> usize {
    r.iter()
        .filter(|x| x.method == "GET" && x.path.starts_with("/api/") && x.path.starts_with(under))
        .count()
}

fn cases() -> Vec<Case> {
    let mut v = Vec::new();
    v.push(Case {
        cfg: SimConfig {
            latency: Duration::from_millis(40),
            ..SimConfig::default()
        },
        ..case("latency 40 ms", |_| {})
    });
    for seed in 1..=4 {
        v.push(Case {
            cfg: SimConfig {
                fail_rate: 0.25,
                seed,
                ..SimConfig::default()
            },
            retries_under_fault: 6,
            ..case(&format!("5xx burst 25% seed {seed}"), |_| {})
        });
    }
    v.push(case("5xx on everything, then cleared", |s| {
        s.set_fail_rate(1.0);
    }));
    v.push(case("429 x2 with Retry-After: 0", |s| {
        s.force_429(2, Some(0));
    }));
    v.push(case("429 x2 with Retry-After: 1", |s| {
        s.force_429(2, Some(1));
    }));
    v.push(case("429 x2 without Retry-After", |s| s.force_429(2, None)));
    v.push(case("429 x20 (retries exhausted)", |s| {
        s.force_429(20, None);
    }));
    // A timeout is retried once at most, so the stop comes fast; the resume comes once the
    // slow answers still in flight have drained (as a user's later resume would).
    v.push(Case {
        opts: ClientOptions {
            timeout: Duration::from_millis(150),
            ..fast_opts()
        },
        settle: Duration::from_millis(500),
        ..case("timeout: latency 400 ms > client timeout 150 ms", |s| {
            s.set_latency(Duration::from_millis(400));
        })
    });
    for (n, mode) in [
        (1, DropMode::BeforeProcessing),
        (1, DropMode::AfterProcessing),
        (3, DropMode::BeforeProcessing),
        (3, DropMode::AfterProcessing),
        (20, DropMode::BeforeProcessing),
    ] {
        v.push(Case {
            arm: match (n, mode) {
                (1, DropMode::BeforeProcessing) => {
                    |s| s.drop_connections(1, DropMode::BeforeProcessing)
                }
                (1, _) => |s| s.drop_connections(1, DropMode::AfterProcessing),
                (3, DropMode::BeforeProcessing) => {
                    |s| s.drop_connections(3, DropMode::BeforeProcessing)
                }
                (3, _) => |s| s.drop_connections(3, DropMode::AfterProcessing),
                _ => |s| s.drop_connections(20, DropMode::BeforeProcessing),
            },
            ..case(
                &format!("reads: {n} dropped connection(s) {mode:?}"),
                |_| {},
            )
        });
    }
    let writes: [(u32, DropMode, Arm); 6] = [
        (0, DropMode::BeforeProcessing, |s| {
            s.drop_nth_write(0, DropMode::BeforeProcessing);
        }),
        (0, DropMode::AfterProcessing, |s| {
            s.drop_nth_write(0, DropMode::AfterProcessing);
        }),
        (1, DropMode::BeforeProcessing, |s| {
            s.drop_nth_write(1, DropMode::BeforeProcessing);
        }),
        (1, DropMode::AfterProcessing, |s| {
            s.drop_nth_write(1, DropMode::AfterProcessing);
        }),
        (2, DropMode::BeforeProcessing, |s| {
            s.drop_nth_write(2, DropMode::BeforeProcessing);
        }),
        (2, DropMode::AfterProcessing, |s| {
            s.drop_nth_write(2, DropMode::AfterProcessing);
        }),
    ];
    for (n, mode, arm) in writes {
        v.push(case(
            &format!("write {}: connection dropped {mode:?}", n + 1),
            arm,
        ));
    }
    let after_write: [fn(&[RequestRecord]) -> bool; 3] =
        [|r| posts(r) >= 1, |r| posts(r) >= 2, |r| posts(r) >= 3];
    for (n, when) in after_write.into_iter().enumerate() {
        v.push(Case {
            trigger: Some((when, |s: &SimHandle| s.expire_tokens())),
            cfg: SimConfig {
                latency: Duration::from_millis(5),
                ..SimConfig::default()
            },
            ..case(&format!("tokens expire after write {}", n + 1), |_| {})
        });
    }
    // A write that outlives the client's timeout: the request before it arrives, the emulator
    // turns slow, the write times out on the client and lands in Halo later (in doubt).
    let before_write: [(&str, When); 3] = [
        ("role", |r| gets(r, "") >= 6),
        ("agent", |r| gets(r, "/api/Roles/") >= 1),
        ("application", |r| gets(r, "/api/Agent/") >= 1),
    ];
    for (what, when) in before_write {
        v.push(Case {
            trigger: Some((when, |s: &SimHandle| {
                s.set_latency(Duration::from_millis(300));
            })),
            settle: Duration::from_millis(500),
            opts: ClientOptions {
                timeout: Duration::from_millis(150),
                ..fast_opts()
            },
            ..case(&format!("{what} create times out and lands later"), |_| {})
        });
    }
    v.push(Case {
        cfg: SimConfig {
            token_lifetime: Duration::from_millis(200),
            latency: Duration::from_millis(20),
            ..SimConfig::default()
        },
        ..case("token lifetime 200 ms (expires mid-apply)", |_| {})
    });
    v.push(case("rate limit 5 per 2 s (stop, resume later)", |s| {
        s.set_rate_limit(5, Duration::from_secs(2));
    }));
    v.push(Case {
        opts: ClientOptions {
            backoff_base: Duration::from_millis(60),
            backoff_max: Duration::from_millis(400),
            max_retries: 6,
            ..fast_opts()
        },
        retries_under_fault: 4,
        ..case("rate limit 8 per 300 ms (client backs off)", |s| {
            s.set_rate_limit(8, Duration::from_millis(300));
        })
    });
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_fault_ends_finished_or_resumable_and_resume_finishes_once() {
    let all = cases();
    let tried = all.len();
    let results: Vec<(String, Result<String, String>)> = futures::stream::iter(all)
        .map(|c| async move {
            let name = c.name.clone();
            (name, run(c).await)
        })
        .buffer_unordered(6)
        .collect()
        .await;
    let mut failed = Vec::new();
    for (name, r) in &results {
        match r {
            Ok(how) => println!("  ok   {name}: {how}"),
            Err(e) => {
                println!("  FAIL {name}: {e}");
                failed.push(name.clone());
            }
        }
    }
    println!("fault cases passed/tried: {}/{tried}", tried - failed.len());
    assert!(failed.is_empty(), "failed: {failed:?}");
}
