//! Snapshots (plain text) of the screens after Submit and of the new overlays. Ids and times
//! are fixed by the fixtures; the new secret is masked.

#![allow(clippy::field_reassign_with_default)]

use crate::common::screen::screen;
use crate::common::wizard::*;
use crossterm::event::KeyCode;
use halo_onboard::app::{self, Field, LogKind, Model, Msg, Overlay, Step};
use halo_onboard::plan::apply::Progress;
use halo_onboard::ui::Theme;

/// Snapshots `m`; `secret` says whether the new secret must be on screen (in every theme).
fn snap(name: &str, m: &Model, secret: bool) {
    let s = screen(m, &Theme::dark());
    for t in [Theme::dark(), Theme::monochrome()] {
        let s = screen(m, &t);
        assert_eq!(
            s.contains(NEW_SECRET),
            secret,
            "{name} ({}): secret shown = {secret}?\n{s}",
            t.name
        );
        assert!(!s.contains(SECRET), "{name}: bootstrap secret on screen");
    }
    insta::assert_snapshot!(name, s.replace(NEW_SECRET, "<new secret masked>"));
}

fn quiet(mut m: Model) -> Model {
    m.log = Default::default();
    m.state_dir = Some("/state".into());
    m
}

/// Apply confirmed and started, with the log emptied before it (only the run's lines show).
fn applying_quietly() -> Model {
    let mut m = filled(Step::Submit);
    press(&mut m, [key(KeyCode::Enter), key(KeyCode::Char('y'))]);
    let mut m = quiet(m);
    app::update(&mut m, Msg::ApplyStarted(SETUP_ID.into()));
    m
}

fn topleft(m: &mut Model) {
    m.profiles = halo_onboard::profile::builtin();
    let i = m.profiles.iter().position(|p| p.id == "topleft").unwrap();
    app::picker::pick_profile(m, i, &mut Vec::new());
}

#[test]
fn profile_picker() {
    let mut m = connected();
    m.profiles = halo_onboard::profile::builtin();
    focus(&mut m, Field::Profile);
    press(&mut m, [key(KeyCode::Enter)]);
    // Unfiltered, the list says how many more lie below; the count is of all profiles.
    press(&mut m, [key(KeyCode::End), key(KeyCode::Up)]);
    let mut m = quiet(m);
    snap("profile_picker_scrolled", &m, false);
    press(&mut m, [key(KeyCode::Home)]);
    type_str(&mut m, "hu");
    snap("profile_picker", &m, false);
}

/// The Custom profile asks for the names; Next on the Agent step names what is missing.
#[test]
fn custom_profile_asks_for_the_names() {
    let mut m = connected();
    m.profiles = halo_onboard::profile::builtin();
    let i = m.profiles.iter().position(|p| p.id == "custom").unwrap();
    app::picker::pick_profile(&mut m, i, &mut Vec::new());
    m.step = Step::Agent;
    press(&mut m, [ctrl('n')]);
    snap("custom_agent_names", &quiet(m), false);
}

#[test]
fn submit_with_plan_risks_and_traps() {
    let mut m = filled(Step::Submit);
    topleft(&mut m);
    m.answers.agent.firstname = "TopLeft".into();
    m.step = Step::Submit;
    let mut m = quiet(m);
    snap("submit_plan_topleft", &m, false);
    m.plan_scroll = 12;
    snap("submit_plan_topleft_scrolled", &m, false);
}

#[test]
fn confirm_apply_overlay() {
    let mut m = filled(Step::Submit);
    m.answers.role.permissions.set_admin(true);
    m.answers.scopes.push("all".into());
    app::update(&mut m, key(KeyCode::Enter));
    assert_eq!(m.overlay, Overlay::ConfirmApply);
    snap("confirm_apply", &quiet(m), false);
}

#[test]
fn apply_in_progress_and_failed() {
    let mut m = applying_quietly();
    app::update(
        &mut m,
        Msg::Progress(Progress::Step("Role 'Vendor API': created (id r-1)".into())),
    );
    snap("apply_running", &m, false);
    press(&mut m, [ctrl('c')]);
    snap("apply_running_quit", &m, false);
    press(&mut m, [key(KeyCode::Char('n'))]);
    app::update(
        &mut m,
        Msg::ApplyFailed {
            message: "Halo answered 400 Bad Request to POST /api/Agent".into(),
            hint: "Check the agent's username is unique.".into(),
        },
    );
    snap("apply_failed", &m, false);
}

#[test]
fn handover_before_and_after_confirm() {
    let mut m = applied(true);
    topleft(&mut m);
    // pick_profile resets the answers; the hand-over screen only needs the profile's list.
    let mut m = quiet(m);
    snap("handover_pass_before_confirm", &m, true);
    app::update(&mut m, key(KeyCode::Char('s')));
    snap("handover_save_prompt", &m, true);
    app::update(&mut m, key(KeyCode::Esc));
    app::update(&mut m, key(KeyCode::Char('q')));
    snap("handover_quit_warns", &m, true);
    app::update(&mut m, key(KeyCode::Char('n')));
    app::update(&mut m, Msg::HandoverExists("/tmp/topleft.env".into()));
    snap("handover_overwrite_prompt", &m, true);
    app::update(&mut m, key(KeyCode::Esc));
    app::update(&mut m, key(KeyCode::Esc));
    // Neither copied nor saved: Enter asks a second time, naming the loss.
    app::update(&mut m, key(KeyCode::Enter));
    snap("handover_confirm_wipe", &m, true);
    app::update(&mut m, key(KeyCode::Char('w')));
    app::update(&mut m, Msg::HandedOver(Ok(())));
    snap("handover_after_confirm", &m, false);
}

#[test]
fn verification_failure_table() {
    let mut m = quiet(applied(false));
    snap("handover_verification_fail_top", &m, true);
    // With the log enlarged (it still leaves the hand-over whole), scrolled to the checks.
    m.log_large = true;
    m.plan_scroll = 14;
    snap("handover_verification_fail", &m, false);
}

#[test]
fn resume_overlay() {
    let base = filled(Step::Submit);
    let mut s = session(&base);
    s.answers.profile = Some("topleft".into());
    let mut m = Model::default();
    m.resumable = vec![
        app::ResumeRow {
            session: s.clone(),
            age: "5m ago".into(),
        },
        app::ResumeRow {
            session: {
                let mut s2 = s;
                s2.id = "1699990000-setup-def456".into();
                s2.answers.profile = None;
                s2
            },
            age: "2d ago".into(),
        },
    ];
    m.overlay = Overlay::Resume(0);
    app::update(&mut m, Msg::Log(LogKind::Info, "1 unfinished setup".into()));
    snap("resume_overlay", &quiet(m), false);
}

#[test]
fn manual_checklist_for_a_refused_application() {
    let mut m = applying_quietly();
    app::update(
        &mut m,
        Msg::ApplyRefused {
            object: halo_onboard::plan::build::Object::Application,
            message: "Halo refused to save the application: Halo denied access (403) to /api/Application: You do not have permission".into(),
            hint: "Or do this step by hand.".into(),
        },
    );
    snap("manual_refused", &m, false);
    press(&mut m, [key(KeyCode::Char('m'))]);
    type_str(&mut m, "0d5b7a2e-client-id");
    press(&mut m, [key(KeyCode::Tab)]);
    app::update(&mut m, Msg::Paste(NEW_SECRET.into()));
    app::update(
        &mut m,
        Msg::ManualNotAdopted("no application named 'Vendor' in Halo yet".into()),
    );
    snap("manual_checklist_application", &m, false);
}

#[test]
fn secret_paste_when_halo_keeps_the_secret() {
    let mut m = applying_quietly();
    app::update(
        &mut m,
        Msg::SecretNeeded {
            message: "Halo did not accept the client secret of application 'Vendor' (it keeps a secret of its own and does not show it through the API)".into(),
            hint: "Generate and copy the secret in Halo's web UI (the checklist says where), then continue.".into(),
        },
    );
    press(&mut m, [key(KeyCode::Char('m'))]);
    type_str(&mut m, "0d5b7a2e-client-id");
    press(&mut m, [key(KeyCode::Tab)]);
    app::update(&mut m, Msg::Paste(NEW_SECRET.into()));
    snap("manual_secret_paste", &m, false);
}
