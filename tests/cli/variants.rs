//! Every behaviour the evidence leaves open (`evidence/behaviours.toml`), played by the emulator,
//! against the four origin profiles (TopLeft, Guardz, HumanizeIT, Propel Your MSP) applied by
//! the binary: in each reading the verdict is the true one. "verified" only where every need was
//! proven; where a layer of Halo really denies access the run names that layer and never says
//! verified; manual steps left are never verified (exit 3).

use std::time::Duration;

use futures::StreamExt;
use halo_onboard::sim::{
    AgentListing, Denial, ListShape, SecretExpiry, SecretMode, SimConfig, SimDialect,
    TicketVisibility,
};

use crate::common::bin::Home;
use crate::common::emulator::spawn;

/// The answers each origin profile leaves to the admin (the teams it asks for).
fn answers(profile: &str) -> &'static str {
    match profile {
        "guardz" | "propel" => "[[agent.teams]]\nname = \"Service Desk\"\n",
        "humanizeit" => {
            "[agent]\ndefault_team = \"Service Desk\"\n\n[[agent.teams]]\nname = \"Service Desk\"\n"
        }
        _ => "",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    /// Exit 0, verdict `verified`.
    Verified,
    /// Exit 3, verdict `manual_steps_left`, never "Verified".
    ManualLeft,
    /// Exit 1, verdict `failed`, a failed check blaming this layer (`--json` words:
    /// `visibility`, `role`, `scope`, …).
    Fails(&'static str),
    /// Exit 1: the secret Halo keeps to itself must be pasted (`--manual application`).
    PasteSecret,
}

struct Variant {
    name: &'static str,
    cfg: SimConfig,
    /// TopLeft, Guardz, HumanizeIT, Propel.
    want: [Want; 4],
}

const PROFILES: [&str; 4] = ["topleft", "guardz", "humanizeit", "propel"];

fn variants() -> Vec<Variant> {
    use Want::*;
    let base = SimConfig::default;
    let usual = [Verified, Verified, ManualLeft, Verified];
    let v = |name, cfg, want| Variant { name, cfg, want };
    vec![
        v("default (teams, forbidden, anyone, 300/300)", base(), usual),
        v(
            "ticket_visibility = switches",
            SimConfig {
                ticket_visibility: TicketVisibility::Switches,
                ..base()
            },
            usual,
        ),
        // Neither Guardz nor Propel asks about departments, and their agents are in no
        // department: Halo shows them no tickets in this reading, and the run says so.
        v(
            "ticket_visibility = departments",
            SimConfig {
                ticket_visibility: TicketVisibility::Departments,
                ..base()
            },
            [
                Verified,
                Fails("visibility"),
                ManualLeft,
                Fails("visibility"),
            ],
        ),
        v(
            "denial = empty",
            SimConfig {
                denial: Denial::Empty,
                ..base()
            },
            usual,
        ),
        v(
            "agent_listing = admin",
            SimConfig {
                agent_listing: AgentListing::Admin,
                ..base()
            },
            usual,
        ),
        v(
            "rate_limit = 450/300",
            SimConfig {
                rate_limit: 450,
                rate_window: Duration::from_secs(300),
                ..base()
            },
            usual,
        ),
        v(
            "rate_limit = 500/180",
            SimConfig {
                rate_limit: 500,
                rate_window: Duration::from_secs(180),
                ..base()
            },
            usual,
        ),
        v(
            "secret_issuance = generate",
            SimConfig {
                secret_mode: SecretMode::Generate,
                ..base()
            },
            usual,
        ),
        v(
            "secret_issuance = hidden",
            SimConfig {
                secret_mode: SecretMode::Hidden,
                ..base()
            },
            [PasteSecret; 4],
        ),
        v(
            "secret_expiry = key_slots",
            SimConfig {
                secret_expiry: SecretExpiry::KeySlots,
                ..base()
            },
            usual,
        ),
        v(
            "list_shape = envelope",
            SimConfig {
                list_shape: ListShape::Envelope,
                ..base()
            },
            usual,
        ),
        v(
            "dialect = legacy",
            SimConfig {
                dialect: SimDialect::Legacy,
                ..base()
            },
            // The instance does not confirm today's codes: every role permission becomes a
            // manual step and the roles are created empty. Halo denies what they would grant
            // until the steps are done: manual steps left (exit 3), each denial named by its
            // layer in the checks, never verified.
            [ManualLeft; 4],
        ),
        // Today's codes are written; only "Is a HaloPSA Administrator" waits for a person
        // (the Administrator role shows the older long name): TopLeft, whose role is that
        // switch, has a manual step left; the others verify.
        v(
            "dialect = mixed (Administrator in long names)",
            SimConfig {
                dialect: SimDialect::Mixed,
                ..base()
            },
            [ManualLeft, Verified, ManualLeft, Verified],
        ),
        v(
            "dialect = l0-numeric",
            SimConfig {
                dialect: SimDialect::L0Numeric,
                ..base()
            },
            usual,
        ),
    ]
}

/// Runs one profile against one variant; returns (exit code, verdict, the layers of the failed
/// checks, stdout+stderr for the message).
async fn run(cfg: SimConfig, profile: &'static str) -> (i32, String, String, String) {
    let sim = spawn(cfg).await;
    let home = Home::new();
    let file = home.dir.path().join("answers.toml");
    std::fs::write(&file, answers(profile)).unwrap();
    let file = file.display().to_string();
    let r = home
        .run_sim(
            &sim,
            [
                "apply",
                "--url",
                sim.url.as_str(),
                "--profile",
                profile,
                "--answers",
                file.as_str(),
                "--yes",
                "--json",
            ],
        )
        .await;
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap_or_default();
    let verdict = v["verdict"].as_str().unwrap_or_default().to_string();
    let layer = v["verification"]["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["pass"] == false)
        .filter_map(|c| c["layer"].as_str())
        .collect::<Vec<_>>()
        .join(" ");
    sim.shutdown().await;
    (
        r.code,
        verdict,
        layer,
        format!("{}\n{}", r.stdout, r.stderr),
    )
}

fn judge(
    want: Want,
    (code, verdict, layer, out): &(i32, String, String, String),
) -> Result<(), String> {
    let ok = match want {
        Want::Verified => *code == 0 && verdict == "verified" && out.contains("\"verified\":true"),
        Want::ManualLeft => {
            *code == 3
                && verdict == "manual_steps_left"
                && !out.contains("Verified")
                && out.contains("\"verified\":false")
        }
        Want::Fails(l) => {
            *code == 1
                && verdict == "failed"
                && layer.split(' ').any(|x| x == l)
                && out.contains("\"verified\":false")
        }
        Want::PasteSecret => *code == 1 && out.contains("--manual application"),
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "want {want:?}, got exit {code}, verdict {verdict:?}, failed layers {layer:?}"
        ))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_open_behaviour_gives_the_origin_profiles_their_true_verdict() {
    let cases: Vec<(&'static str, usize, SimConfig, Want)> = variants()
        .into_iter()
        .flat_map(|v| {
            (0..4)
                .map(|i| (v.name, i, v.cfg.clone(), v.want[i]))
                .collect::<Vec<_>>()
        })
        .collect();
    let tried = cases.len();
    let results: Vec<(String, Result<(), String>)> = futures::stream::iter(cases)
        .map(|(name, i, cfg, want)| async move {
            let got = run(cfg, PROFILES[i]).await;
            (
                format!("{name} / {}", PROFILES[i]),
                judge(want, &got).map_err(|e| format!("{e}\n{}", got.3)),
            )
        })
        .buffer_unordered(4)
        .collect()
        .await;
    let mut failed = Vec::new();
    for (name, r) in &results {
        match r {
            Ok(()) => println!("  ok   {name}"),
            Err(e) => {
                println!("  FAIL {name}: {e}");
                failed.push(name.clone());
            }
        }
    }
    println!(
        "variant x profile verdicts right: {}/{tried}",
        tried - failed.len()
    );
    assert!(failed.is_empty(), "wrong verdicts: {failed:?}");
}
