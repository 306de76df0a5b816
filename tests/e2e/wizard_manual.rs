//! End to end in tmux: the demo's emulator refuses writes to the Application endpoint; the
//! wizard stops at the application, `m` shows the checklist, Enter with the copied credentials
//! goes through the runtime (journal, lookups, adoption) and comes back with "not found yet";
//! once Halo accepts again, Esc and Enter retry the same setup to the hand-over.

use crate::common::tmux::{Tui, have_tmux, topleft_to_apply};

fn set_faults(url: &str, body: serde_json::Value) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let r = crate::common::http()
            .post(format!("{url}/_sim/faults"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    });
}

#[test]
fn refused_application_offers_the_manual_step_in_the_wizard() {
    if !have_tmux() {
        eprintln!("tmux not installed; skipping");
        return;
    }
    let t = Tui::start("manual", &[], "--demo", 120, 45);
    let s = t.wait_demo();
    let at = s.find("http://127.0.0.1:").expect("demo URL on screen");
    let url: String = s[at..].chars().take_while(|c| !c.is_whitespace()).collect();
    set_faults(&url, serde_json::json!({"refuse_writes": ["application"]}));

    t.keys(&["Enter"]);
    t.wait_for("✓ Connected as");
    topleft_to_apply(&t);
    t.wait_for("Halo refused to save the application");
    t.wait_for("m do this step by hand");

    t.keys(&["m"]);
    let s = t.wait_for("Configuration > Integrations > Halo API > View Applications > New");
    assert!(s.contains("Application Name = 'TopLeft'"), "{s}");
    assert!(s.contains("Agent to log in as = topleft"), "{s}");
    t.text("client-id-copied");
    t.keys(&["Tab"]);
    t.text("secret-copied-from-halo");
    let s = t.wait_for("•••");
    assert!(!s.contains("secret-copied-from-halo"), "masked: {s}");
    t.keys(&["Enter"]);
    t.wait_for("no application named 'TopLeft' in Halo yet — create it, then press Enter again");

    // Halo accepts again: back to the failure screen, and Enter retries the same setup.
    set_faults(&url, serde_json::json!({"refuse_writes": []}));
    t.keys(&["Escape"]);
    t.wait_for("m do this step by hand");
    t.keys(&["Enter"]);
    t.wait_for("Write to Halo now?");
    t.keys(&["y"]);
    t.wait_for("applied and verified");
}
