//! `app::update` after Submit: confirmation, apply progress, failure, verification, hand-over
//! keys, confirmation wiping the secret, least privilege from a profile, resuming a setup.

#![allow(clippy::field_reassign_with_default)]

use crate::common::screen::{draw, screen, text};
use crate::common::wizard::*;
use crossterm::event::KeyCode;
use halo_onboard::app::{self, Effect, Field, Model, Msg, ObjState, Overlay, Phase, Step};
use halo_onboard::plan::apply::Progress;
use halo_onboard::plan::build::Object;
use halo_onboard::ui::Theme;
use secrecy::ExposeSecret;

/// The whole screen as text, tall enough for the hand-over and its sections.
fn screen_text(m: &Model) -> String {
    text(&draw(m, &Theme::dark(), 120, 120))
}

fn debug_has_no_secret(m: &Model, fx: &[Effect]) {
    assert!(!format!("{m:?}").contains(NEW_SECRET), "secret in Debug");
    assert!(
        !format!("{fx:?}").contains(NEW_SECRET),
        "secret in effects' Debug"
    );
    for e in m.log.window(usize::MAX, 0) {
        assert!(!e.text.contains(NEW_SECRET), "secret in the log pane");
    }
}

#[test]
fn confirm_overlay_lists_risks_and_esc_cancels() {
    let mut m = filled(Step::Submit);
    m.answers.role.permissions.set_admin(true);
    press(&mut m, [key(KeyCode::Enter)]);
    assert_eq!(m.overlay, Overlay::ConfirmApply);
    let risks = app::applying::risks(&app::applying::current_plan(&m));
    assert!(
        risks.iter().any(|r| r.contains("grants admin")),
        "{risks:?}"
    );
    let fx = press(&mut m, [key(KeyCode::Esc)]);
    assert!(fx.iter().all(|e| !matches!(e, Effect::Apply(_))));
    assert_eq!(
        (m.overlay.clone(), m.apply.phase.clone()),
        (Overlay::None, Phase::Idle)
    );
    // Enter in the overlay applies too
    press(&mut m, [key(KeyCode::Enter)]);
    let fx = press(&mut m, [key(KeyCode::Enter)]);
    assert!(fx.iter().any(|e| matches!(e, Effect::Apply(_))));
}

#[test]
fn apply_starts_the_progress_view_at_the_top() {
    let mut m = filled(Step::Submit);
    press(
        &mut m,
        [key(KeyCode::Down), key(KeyCode::Down), key(KeyCode::Down)],
    );
    assert!(m.plan_scroll > 0, "the plan scrolls");
    press(&mut m, [key(KeyCode::Enter), key(KeyCode::Char('y'))]);
    assert_eq!(m.apply.phase, Phase::Running);
    assert_eq!(
        m.plan_scroll, 0,
        "progress lines would be hidden above the view"
    );
}

#[test]
fn progress_marks_objects_and_logs_every_line() {
    let mut m = applying();
    assert_eq!(m.apply.session_id.as_deref(), Some(SETUP_ID));
    app::update(
        &mut m,
        Msg::Progress(Progress::Step("Role 'Vendor API': created (id r-1)".into())),
    );
    assert_eq!(m.apply.objects[0].1, ObjState::Done);
    assert_eq!(m.apply.objects[1].1, ObjState::Pending);
    let email = halo_onboard::halo::model::Agent {
        email: "api@vendor.test".into(),
        ..Default::default()
    };
    let d = halo_onboard::plan::diff::diff_agent(&email, &Default::default());
    assert_eq!(d[0].object, Object::Agent);
    app::update(
        &mut m,
        Msg::Progress(Progress::Difference(Box::new(d[0].clone()))),
    );
    assert_eq!(m.apply.differences, d);
    app::update(&mut m, Msg::Verifying);
    assert_eq!(m.apply.phase, Phase::Verifying);
    assert!(m.apply.objects.iter().all(|o| o.1 == ObjState::Done));
    let log: Vec<String> = m
        .log
        .window(usize::MAX, 0)
        .map(|e| e.text.clone())
        .collect();
    assert!(
        log.iter().any(|l| l.contains("Role 'Vendor API': created")),
        "{log:?}"
    );
    assert!(
        log.iter()
            .any(|l| l.contains("read-back Agent: email: asked 'api@vendor.test', Halo has ''"))
    );
    assert!(m.busy(), "spinner ticks while applying");
}

#[test]
fn failure_shows_hint_and_resume_id_and_enter_retries_same_setup() {
    let mut m = applying();
    app::update(
        &mut m,
        Msg::ApplyFailed {
            message: "Halo refused the agent".into(),
            hint: "Check the licence count.".into(),
        },
    );
    let Phase::Failed { message, hint } = m.apply.phase.clone() else {
        panic!("not failed: {:?}", m.apply.phase)
    };
    assert_eq!(message, "Halo refused the agent");
    assert!(hint.contains("Check the licence count."), "{hint}");
    assert!(
        hint.contains(&format!("halo-onboard resume {SETUP_ID}")),
        "{hint}"
    );
    assert!(!m.busy());
    press(&mut m, [key(KeyCode::Enter)]);
    assert_eq!(m.overlay, Overlay::ConfirmApply);
    let fx = press(&mut m, [key(KeyCode::Char('y'))]);
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Apply(r) if r.resume_id.as_deref() == Some(SETUP_ID))),
        "a retry continues the same setup"
    );
    // Esc from a failure goes back to the answers
    app::update(
        &mut m,
        Msg::ApplyFailed {
            message: "x".into(),
            hint: String::new(),
        },
    );
    press(&mut m, [key(KeyCode::Esc)]);
    assert_eq!(m.step, Step::Permissions);
}

#[test]
fn ctrl_c_during_apply_asks_and_names_the_setup() {
    let mut m = applying();
    press(&mut m, [ctrl('c')]);
    assert_eq!(m.overlay, Overlay::ConfirmQuit);
    assert!(m.apply.running());
    press(&mut m, [key(KeyCode::Char('n'))]);
    assert!(!m.quit);
}

#[test]
fn applied_shows_handover_and_all_steps_done() {
    let m = applied(true);
    assert_eq!(m.apply.phase, Phase::Done);
    assert_eq!(m.done, [true; 6]);
    assert!(m.apply.secret_pending());
    assert_eq!(
        m.apply
            .secret
            .as_ref()
            .map(|s| s.expose_secret().to_string()),
        Some(NEW_SECRET.to_string())
    );
    let h = m.apply.handover.as_ref().unwrap();
    assert_eq!(
        h.client_secret.expose_secret(),
        "",
        "the copy in the hand-over is empty"
    );
    assert!(m.apply.verification.as_ref().unwrap().passed());
    debug_has_no_secret(&m, &[]);
    // cannot go back to edit answers after apply
    let mut m = m;
    press(&mut m, [key(KeyCode::Esc), ctrl('p')]);
    assert_eq!(m.step, Step::Submit);
}

#[test]
fn handover_keys_copy_save_answers_and_confirm() {
    let mut m = applied(false);
    m.state_dir = Some("/state".into());
    // c: OSC 52 effect with the secret, nothing in the log
    let fx = press(&mut m, [key(KeyCode::Char('c'))]);
    let clip: Vec<_> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::Clipboard(s) => Some(s.expose_secret().to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(clip, vec![NEW_SECRET.to_string()]);
    debug_has_no_secret(&m, &fx);
    // s: prompt with the default path, editable; Enter saves
    press(&mut m, [key(KeyCode::Char('s'))]);
    assert_eq!(
        m.overlay,
        Overlay::SavePath(format!("/state/handover/{SETUP_ID}.env"))
    );
    press(&mut m, [ctrl('u')]);
    type_str(&mut m, "/tmp/x.json");
    let fx = press(&mut m, [key(KeyCode::Enter)]);
    let saved: Vec<_> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::SaveHandover { path, handover, .. } => Some((
                path.display().to_string(),
                handover.client_secret.expose_secret().to_string(),
            )),
            _ => None,
        })
        .collect();
    assert_eq!(saved, vec![("/tmp/x.json".into(), NEW_SECRET.into())]);
    app::update(&mut m, Msg::HandoverSaved(Ok("/tmp/x.json".into())));
    assert_eq!(
        m.apply.saved_to.as_deref(),
        Some(std::path::Path::new("/tmp/x.json"))
    );
    // Esc cancels the prompt
    press(&mut m, [key(KeyCode::Char('s')), key(KeyCode::Esc)]);
    assert_eq!(m.overlay, Overlay::None);
    // a: answers next to the headless command
    let fx = press(&mut m, [key(KeyCode::Char('a'))]);
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::SaveAnswers { path, .. }
        if path.display().to_string() == format!("/state/answers/{SETUP_ID}.toml")))
    );
    let cmd = app::handover::headless_command(&m);
    assert!(
        cmd.starts_with(
            "halo-onboard apply --url https://acme.halopsa.com --client-id bootstrap-id"
        ),
        "{cmd}"
    );
    assert!(
        cmd.contains(&format!("--answers /state/answers/{SETUP_ID}.toml --yes")),
        "{cmd}"
    );
    assert!(!cmd.contains(SECRET) && !cmd.contains(NEW_SECRET));
    // quitting before confirmation warns
    press(&mut m, [key(KeyCode::Char('q'))]);
    assert_eq!(m.overlay, Overlay::ConfirmQuit);
    press(&mut m, [key(KeyCode::Char('n'))]);
    // Enter confirms: the secret leaves the model, the journal wipe is asked for
    let fx = press(&mut m, [key(KeyCode::Enter)]);
    assert!(m.apply.secret.is_none());
    assert!(m.apply.confirmed && !m.apply.secret_pending());
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::ConfirmHandover(s) if s.id == SETUP_ID))
    );
    assert!(!format!("{m:?}").contains(NEW_SECRET));
    // after confirmation: c copies nothing, s does not prompt, Enter/y do nothing more
    let fx = press(
        &mut m,
        [
            key(KeyCode::Char('c')),
            key(KeyCode::Char('s')),
            key(KeyCode::Char('y')),
        ],
    );
    assert!(
        fx.iter()
            .all(|e| !matches!(e, Effect::Clipboard(_) | Effect::ConfirmHandover(_)))
    );
    assert_eq!(m.overlay, Overlay::None);
    app::update(&mut m, Msg::HandedOver(Ok(())));
    // Said once, by the screen's own line (a note said it a second time).
    assert_eq!(m.apply.note, None);
    let screen = crate::common::screen::text(&crate::common::screen::draw(
        &m,
        &halo_onboard::ui::Theme::dark(),
        100,
        40,
    ));
    assert_eq!(screen.matches("Handed over").count(), 1, "{screen}");
}

/// Issue 20 item 1: OSC 52 may go nowhere (tmux `set-clipboard off`, many SSH clients) and the
/// wizard cannot know. After `c`, confirming asks a second question — did the paste arrive? —
/// and only `y` to it wipes the secret; anything else keeps it. Until then the exit summary
/// says the secret is kept, never "nothing" left.
#[test]
fn copying_is_not_handing_over() {
    for confirm in [KeyCode::Enter, KeyCode::Char('y')] {
        let mut m = applied(true);
        press(&mut m, [key(KeyCode::Char('c'))]);
        let fx = press(&mut m, [key(confirm)]);
        assert_eq!(m.overlay, Overlay::ConfirmPasted, "{confirm:?} asks first");
        assert!(m.apply.secret.is_some(), "nothing wiped yet");
        assert!(!fx.iter().any(|e| matches!(e, Effect::ConfirmHandover(_))));
        let text = screen(&m, &Theme::dark());
        assert!(text.contains("paste"), "{text}");
        // Any other key keeps it.
        for k in [KeyCode::Esc, KeyCode::Enter, KeyCode::Char('n')] {
            let fx = press(&mut m, [key(k)]);
            assert_eq!(m.overlay, Overlay::None, "{k:?}");
            assert!(m.apply.secret_pending(), "{k:?} kept it");
            assert!(!fx.iter().any(|e| matches!(e, Effect::ConfirmHandover(_))));
            press(&mut m, [key(confirm)]);
            assert_eq!(m.overlay, Overlay::ConfirmPasted);
        }
        let s = app::applying::exit_summary(&m).unwrap();
        assert!(!s.contains("nothing"), "{s}");
        assert!(s.contains("not confirmed"), "{s}");
        // `y`: the paste arrived; now it is handed over.
        let fx = press(&mut m, [key(KeyCode::Char('y'))]);
        assert!(m.apply.secret.is_none());
        assert!(fx.iter().any(|e| matches!(e, Effect::ConfirmHandover(_))));
        let s = app::applying::exit_summary(&m).unwrap();
        assert!(s.contains("paste confirmed"), "{s}");
    }
    // `s` on the question saves the secret to a file instead.
    let mut m = applied(true);
    press(&mut m, [key(KeyCode::Char('c')), key(KeyCode::Enter)]);
    press(&mut m, [key(KeyCode::Char('s'))]);
    assert!(matches!(m.overlay, Overlay::SavePath(_)), "{:?}", m.overlay);
}

#[test]
fn wiping_a_secret_never_copied_or_saved_needs_a_second_confirmation() {
    // The repro: apply, y, Enter — the only copy must not go with one key.
    let mut m = applied(true);
    let fx = press(&mut m, [key(KeyCode::Enter)]);
    assert_eq!(m.overlay, Overlay::ConfirmWipe);
    assert!(m.apply.secret.is_some(), "nothing wiped yet");
    assert!(!fx.iter().any(|e| matches!(e, Effect::ConfirmHandover(_))));
    let text = screen(&m, &Theme::dark());
    assert!(text.contains("neither copied"), "{text}");
    assert!(text.contains("only copy"), "{text}");
    // Enter, y or Esc on the second question keep it.
    for k in [KeyCode::Enter, KeyCode::Char('y'), KeyCode::Esc] {
        let fx = press(&mut m, [key(k)]);
        assert_eq!(m.overlay, Overlay::None);
        assert!(m.apply.secret_pending(), "{k:?} kept it");
        assert!(!fx.iter().any(|e| matches!(e, Effect::ConfirmHandover(_))));
        press(&mut m, [key(KeyCode::Char('y'))]);
        assert_eq!(m.overlay, Overlay::ConfirmWipe);
    }
    // Only w, named in the question, wipes it. It was never handed over: the journal is told
    // it was discarded (not "handed over"), and the summary names the rotation it needs.
    let fx = press(&mut m, [key(KeyCode::Char('w'))]);
    assert!(m.apply.secret.is_none() && m.apply.confirmed);
    assert!(!fx.iter().any(|e| matches!(e, Effect::ConfirmHandover(_))));
    assert!(fx.iter().any(|e| matches!(e, Effect::DiscardSecret(_))));
    let s = app::applying::exit_summary(&m).unwrap();
    assert!(!s.contains("nothing"), "{s}");
    assert!(s.contains("--new-secret"), "{s}");

    // Saved (or copied) first: one confirmation is enough, and the journal learns the file.
    let mut m = applied(true);
    app::update(&mut m, Msg::HandoverSaved(Ok("/tmp/v.env".into())));
    let fx = press(&mut m, [key(KeyCode::Enter)]);
    assert_eq!(m.overlay, Overlay::None);
    let file = fx.iter().find_map(|e| match e {
        Effect::ConfirmHandover(s) => Some(s.credentials_file.clone()),
        _ => None,
    });
    assert_eq!(file, Some(Some("/tmp/v.env".into())));
}

#[test]
fn saving_asks_before_replacing_and_refuses_foreign_extensions() {
    let mut m = applied(true);
    m.state_dir = Some("/state".into());
    // A .yaml name is refused at once; the prompt stays with the path to fix.
    press(&mut m, [key(KeyCode::Char('s')), ctrl('u')]);
    type_str(&mut m, "/tmp/creds.yaml");
    let fx = press(&mut m, [key(KeyCode::Enter)]);
    assert!(!fx.iter().any(|e| matches!(e, Effect::SaveHandover { .. })));
    assert_eq!(m.overlay, Overlay::SavePath("/tmp/creds.yaml".into()));
    let note = m.apply.note.clone().unwrap().1;
    assert!(note.contains(".env, .json or .toml"), "{note}");
    // A new path is saved without replacing anything.
    press(&mut m, [ctrl('u')]);
    type_str(&mut m, "/tmp/creds.env");
    let fx = press(&mut m, [key(KeyCode::Enter)]);
    assert!(fx.iter().any(|e| matches!(
        e,
        Effect::SaveHandover {
            overwrite: false,
            ..
        }
    )));
    // The runtime found the file there: ask; anything but y goes back to the path.
    app::update(&mut m, Msg::HandoverExists("/tmp/creds.env".into()));
    assert_eq!(
        m.overlay,
        Overlay::ConfirmOverwrite("/tmp/creds.env".into())
    );
    assert!(screen(&m, &Theme::dark()).contains("already exists"));
    let fx = press(&mut m, [key(KeyCode::Char('n'))]);
    assert!(fx.is_empty() || !fx.iter().any(|e| matches!(e, Effect::SaveHandover { .. })));
    assert_eq!(m.overlay, Overlay::SavePath("/tmp/creds.env".into()));
    press(&mut m, [key(KeyCode::Enter)]);
    app::update(&mut m, Msg::HandoverExists("/tmp/creds.env".into()));
    let fx = press(&mut m, [key(KeyCode::Char('y'))]);
    assert!(fx.iter().any(|e| matches!(
        e,
        Effect::SaveHandover { overwrite: true, path, .. } if path == std::path::Path::new("/tmp/creds.env")
    )));
    assert_eq!(m.overlay, Overlay::None);
}

#[test]
fn failed_verification_offers_verify_again_and_repair() {
    let mut m = applied(false);
    assert!(m.apply.needs_attention());
    let text = screen(&m, &Theme::dark());
    assert!(text.contains("r: verify again"), "{text}");
    let hints = halo_onboard::app::keys::footer(&m);
    assert!(hints.iter().any(|(k, _)| *k == "r"), "{hints:?}");
    assert!(hints.iter().any(|(k, _)| *k == "p"), "{hints:?}");
    // r: verifies again with the secret still on the screen.
    let fx = press(&mut m, [key(KeyCode::Char('r'))]);
    let req = fx
        .iter()
        .find_map(|e| match e {
            Effect::Reverify(r) => Some(r.clone()),
            _ => None,
        })
        .expect("a re-verify effect");
    assert_eq!(req.client_id, "client-id-1");
    assert_eq!(req.agent_id, 7);
    assert_eq!(
        req.secret.as_ref().map(|s| s.expose_secret().to_string()),
        Some(NEW_SECRET.to_string())
    );
    assert!(m.apply.reverifying);
    // A second r while it runs sends nothing more.
    let fx = press(&mut m, [key(KeyCode::Char('r'))]);
    assert!(!fx.iter().any(|e| matches!(e, Effect::Reverify(_))));
    app::update(&mut m, Msg::Reverified(Ok(verification(true))));
    assert!(!m.apply.reverifying);
    assert!(m.apply.verification.as_ref().unwrap().passed());
    assert!(!m.apply.needs_attention());
    // Passed: r and p do nothing any more.
    let fx = press(&mut m, [key(KeyCode::Char('r')), key(KeyCode::Char('p'))]);
    assert!(
        fx.iter()
            .all(|e| !matches!(e, Effect::Reverify(_) | Effect::Apply(_)))
    );

    // p: repair = the plan again, continuing the same setup.
    let mut m = applied(false);
    let fx = press(&mut m, [key(KeyCode::Char('p'))]);
    assert_eq!(m.overlay, Overlay::None);
    let resume = fx.iter().find_map(|e| match e {
        Effect::Apply(r) => Some(r.resume_id.clone()),
        _ => None,
    });
    assert_eq!(resume, Some(Some(SETUP_ID.to_string())));
    assert!(m.apply.running());
}

#[test]
fn quitting_leaves_a_plain_summary_without_the_secret() {
    let m = applied(false);
    let s = app::applying::exit_summary(&m).unwrap();
    assert!(s.contains(SETUP_ID), "{s}");
    assert!(s.contains("client-id-1"), "{s}");
    assert!(s.contains("FAILED"), "{s}");
    assert!(s.contains(&format!("halo-onboard check {SETUP_ID}")), "{s}");
    assert!(s.contains("not confirmed"), "{s}");
    assert!(!s.contains(NEW_SECRET));
    let mut m = applied(true);
    app::update(&mut m, Msg::HandoverSaved(Ok("/tmp/v.env".into())));
    press(&mut m, [key(KeyCode::Enter)]);
    let s = app::applying::exit_summary(&m).unwrap();
    assert!(s.contains("/tmp/v.env"), "{s}");
    assert!(s.contains("applied and verified"), "{s}");
    assert!(!s.contains("not confirmed"), "{s}");
    assert!(!s.contains(NEW_SECRET));
    assert!(app::applying::exit_summary(&Model::default()).is_none());
}

#[test]
fn least_privilege_areas_derive_scopes_and_role() {
    let mut m = connected();
    m.profiles = halo_onboard::profile::builtin();
    let i = m
        .profiles
        .iter()
        .position(|p| p.id == "least-privilege")
        .unwrap();
    app::picker::pick_profile(&mut m, i, &mut Vec::new());
    assert!(m.asks(halo_onboard::profile::Question::Areas));
    press(&mut m, [ctrl('n')]);
    assert_eq!(m.step, Step::Role);
    // no area marked yet: Next refuses with the question
    m.answers.role.name = "LP".into();
    m.sync_inputs();
    press(&mut m, [ctrl('n')]);
    assert_eq!(m.step, Step::Role);
    assert!(
        app::validate(&m, Step::Role)
            .iter()
            .any(|i| i.message.contains("reads or edits"))
    );
    let tickets = (0..)
        .find(|&i| app::fields::feature_area(i).is_some_and(|a| a.key == "tickets"))
        .unwrap();
    let customers = (0..)
        .find(|&i| app::fields::feature_area(i).is_some_and(|a| a.key == "clients"))
        .unwrap();
    // Each area on its own scale: Tickets No Access / Read Only / Read and Modify; Clients
    // No Access / View (Names Only) / Read Only / Read and Modify.
    focus(&mut m, Field::RoleFeature(tickets));
    press(&mut m, (0..3).map(|_| key(KeyCode::Right)));
    focus(&mut m, Field::RoleFeature(customers));
    press(&mut m, (0..3).map(|_| key(KeyCode::Right)));
    let level = |code: &str| m.answers.role.permissions.get(code).map(|l| l.label);
    assert_eq!(level("Tx"), Some("Read and Modify"));
    assert_eq!(level("Ux"), Some("Read Only"));
    let mut scopes = m.answers.scopes.clone();
    scopes.sort();
    assert_eq!(scopes, vec!["edit:tickets", "read:customers"]);
    press(&mut m, [ctrl('n')]);
    assert_eq!(m.step, Step::Agent);
}

#[test]
fn profile_questions_block_until_answered() {
    let mut m = connected();
    m.profiles = halo_onboard::profile::builtin();
    let Some(i) = m.profiles.iter().position(|p| {
        p.questions()
            .contains(&halo_onboard::profile::Question::DefaultTeam)
    }) else {
        return; // no built-in asks for a default team
    };
    app::picker::pick_profile(&mut m, i, &mut Vec::new());
    m.step = Step::Agent;
    assert!(
        app::validate(&m, Step::Agent)
            .iter()
            .any(|x| x.field == Some(Field::DefaultTeam))
    );
    focus(&mut m, Field::DefaultTeam);
    press(&mut m, [key(KeyCode::Right), key(KeyCode::Right)]);
    assert!(
        !app::validate(&m, Step::Agent)
            .iter()
            .any(|x| x.field == Some(Field::DefaultTeam))
    );
}

#[test]
fn resume_offer_prefills_and_jumps_to_submit_after_connecting() {
    let mut base = filled(Step::Submit);
    base.answers.profile = Some("topleft".into());
    let mut s = session(&base);
    s.objects.role_id = Some("r-1".into());
    s.objects.role_created = true;
    let row = app::ResumeRow {
        session: s,
        age: "5m ago".into(),
    };
    let mut m = Model::default();
    m.profiles = halo_onboard::profile::builtin();
    m.resumable = vec![row.clone(), row];
    m.overlay = Overlay::Resume(0);
    // Esc starts a new setup
    let mut fresh = m.clone();
    press(&mut fresh, [key(KeyCode::Esc)]);
    assert_eq!(fresh.overlay, Overlay::None);
    assert!(fresh.apply.resume.is_none());
    // Down/Up move, Enter resumes
    press(&mut m, [key(KeyCode::Down)]);
    assert_eq!(m.overlay, Overlay::Resume(1));
    press(&mut m, [key(KeyCode::Up), key(KeyCode::Enter)]);
    assert_eq!(m.overlay, Overlay::None);
    assert_eq!(m.answers.agent.name, "vendor-api");
    assert_eq!(m.input_value(Field::Url), "https://acme.halopsa.com");
    assert_eq!(m.focused(), Field::ClientSecret, "only the secret is asked");
    assert_eq!(m.profile.as_ref().map(|p| p.id.as_str()), Some("topleft"));
    type_str(&mut m, SECRET);
    focus(&mut m, Field::TestButton);
    let fx = press(&mut m, [key(KeyCode::Enter)]);
    assert!(fx.iter().any(|e| matches!(e, Effect::Connect(_))));
    app::update(&mut m, connected_msg(true));
    assert_eq!(m.step, Step::Submit, "straight to Submit");
    // the plan knows the setup's role: apply continues the same session
    let p = app::applying::current_plan(&m);
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    press(&mut m, [key(KeyCode::Enter), key(KeyCode::Char('y'))]);
    assert_eq!(m.apply.phase, Phase::Running);
}

/// The setups offered at start include the finished ones; `r` on one closes the wizard and
/// hands the rotation to the terminal (`rotate --setup ID`); on an unfinished one it only says
/// there is nothing to rotate yet.
#[test]
fn a_finished_setups_line_offers_rotate() {
    let base = filled(Step::Submit);
    let mut done = session(&base);
    done.status = halo_onboard::journal::Status::HandedOver;
    let unfinished = app::ResumeRow {
        session: session(&base),
        age: "5m ago".into(),
    };
    let finished = app::ResumeRow {
        session: done,
        age: "40d ago".into(),
    };
    // Loaded at start they wait for `o` (no pop-up for finished setups alone).
    let mut m = Model::default();
    app::update(
        &mut m,
        Msg::Started(Box::new(app::Started {
            finished: vec![finished.clone()],
            ..Default::default()
        })),
    );
    assert_eq!(m.overlay, Overlay::None);
    assert_eq!(m.focused(), Field::Url);
    press(&mut m, [key(KeyCode::Char('o'))]);
    assert_eq!(m.overlay, Overlay::None, "o in a text field types");
    press(&mut m, [key(KeyCode::Up), key(KeyCode::Char('o'))]);
    assert_eq!(m.overlay, Overlay::Resume(0));
    let s = screen_text(&m);
    assert!(s.contains("r rotates"), "{s}");
    assert!(s.contains("done · r: rotate"), "{s}");
    let fx = press(&mut m, [key(KeyCode::Char('r'))]);
    assert!(m.quit);
    assert_eq!(m.hand_off.as_deref(), Some(SETUP_ID));
    assert!(fx.iter().any(|e| matches!(e, Effect::Quit)));

    let mut m = Model::default();
    m.resumable = vec![unfinished];
    m.setups = vec![finished];
    m.overlay = Overlay::Resume(0);
    press(&mut m, [key(KeyCode::Char('r'))]);
    assert!(
        !m.quit && m.hand_off.is_none(),
        "an unfinished setup is continued, not rotated"
    );
    press(&mut m, [key(KeyCode::Down), key(KeyCode::Enter)]);
    assert!(m.quit, "Enter on a finished one rotates it too");
    assert_eq!(m.hand_off.as_deref(), Some(SETUP_ID));
}

#[test]
fn resumed_apply_sends_the_session_id() {
    let base = filled(Step::Submit);
    let row = app::ResumeRow {
        session: session(&base),
        age: "1h ago".into(),
    };
    let mut m = Model::default();
    m.resumable = vec![row];
    m.overlay = Overlay::Resume(0);
    press(&mut m, [key(KeyCode::Enter)]);
    press(&mut m, [Msg::Paste(SECRET.into())]);
    app::update(&mut m, connected_msg(true));
    assert_eq!(m.step, Step::Submit);
    press(&mut m, [key(KeyCode::Enter)]);
    let fx = press(&mut m, [key(KeyCode::Char('y'))]);
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Apply(r) if r.resume_id.as_deref() == Some(SETUP_ID)))
    );
}

/// The hand-over screen says when the secret was issued (a fact: the journal), what Halo
/// reports about an expiry only as reported (its field, and that the field is outside the
/// published schema), and what is left to set by hand in Halo's web UI.
#[test]
fn handover_shows_the_issue_date_a_reported_expiry_and_the_manual_steps() {
    let mut m = applied(true);
    if let Some(h) = m.apply.handover.as_mut() {
        h.secret_issued = "2026-11-30T10:00:00Z".into();
        h.reported_expiry = halo_onboard::halo::expiry::Reported::parse_short(
            "apiKey1ExpiryDate = 2027-02-28T04:55:00Z",
        );
    }
    m.answers.role.other_permissions = vec!["Billing: Can View Item SKU = Read Only".into()];
    let s = screen_text(&m);
    assert!(
        s.contains("Secret issued") && s.contains("2026-11-30"),
        "{s}"
    );
    assert!(
        s.contains("Halo reports apiKey1ExpiryDate = 2027-02-28"),
        "{s}"
    );
    assert!(s.contains("not in the published API schema"), "{s}");
    assert!(!s.contains("Secret expires"), "{s}");
    assert!(s.contains("Set by hand in Halo's web UI"), "{s}");
    assert!(s.contains("Can View Item SKU"), "{s}");
}

/// A setup with a manual step left is never called verified: the screen says how many steps
/// are left, `m` records them done and checks again, and the quit summary says so too.
#[test]
fn manual_steps_left_are_not_verified_until_confirmed() {
    let mut m = applied(true);
    m.apply.manual_left = vec!["Roles > 'X' > Permissions: the matrix".into()];
    if let Some(s) = m.apply.session.as_mut() {
        s.manual_steps = m.apply.manual_left.clone();
    }
    let s = screen_text(&m);
    assert!(s.contains("1 manual step left"), "{s}");
    assert!(!s.contains("applied and verified"), "{s}");
    assert!(s.contains("steps done"), "the footer names m: {s}");
    let summary = app::applying::exit_summary(&m).unwrap();
    assert!(
        summary.contains("1 manual step left; not verified")
            && summary.contains("--confirm-manual"),
        "{summary}"
    );
    let fx = press(&mut m, [key(KeyCode::Char('m'))]);
    assert!(
        fx.iter().any(|e| matches!(e, Effect::ConfirmManual(_))),
        "{fx:?}"
    );
    assert!(
        fx.iter().any(|e| matches!(e, Effect::Reverify(_))),
        "{fx:?}"
    );
    assert!(m.apply.manual_left.is_empty());
    assert!(
        m.apply
            .session
            .as_ref()
            .is_some_and(|s| s.manual_left().is_empty())
    );
}

/// On connect the wizard says whether this Halo confirms the claim vocabulary.
#[test]
fn connect_says_when_halo_speaks_another_claim_vocabulary() {
    let mut m = connected();
    assert!(
        m.log
            .window(usize::MAX, 0)
            .any(|e| e.text.contains("permission codes confirmed")),
        "the fixture's Administrator carries SA=true"
    );
    let mut lk = lookups();
    for r in &mut lk.roles {
        for c in &mut r.claims {
            c.claim_type = "Administration".into();
        }
    }
    let Msg::Connected(mut c) = connected_msg(true) else {
        unreachable!()
    };
    if let Ok(conn) = c.as_mut() {
        conn.lookups = lk;
    }
    app::update(&mut m, Msg::Connected(c));
    assert!(m.log.window(usize::MAX, 0).any(|e| {
        e.text
            .contains("does not confirm halo-onboard's permission codes")
    }));
}

/// The focused permission on the Role step is shown in full with its claim code and scale.
#[test]
fn role_step_shows_the_focused_permissions_scale() {
    let mut m = filled(Step::Role);
    m.step = Step::Role;
    let clients = (0..)
        .find(|&i| app::fields::feature_area(i).is_some_and(|a| a.code == "Ux"))
        .unwrap();
    focus(&mut m, Field::RoleFeature(clients));
    let s = screen_text(&m);
    assert!(
        s.contains(
            "Clients (claim Ux): Not set, No Access, View (Names Only), Read Only, Read and Modify"
        ),
        "{s}"
    );
}

/// Issue 20 item 10b: with five or more roles in Halo, the connect reads the details of only a
/// few; the setup's own role (from an earlier run) came without its permissions, and the plan
/// said it would be updated (the confirmation counted a write and warned). The plan reads the
/// roles it compares before it judges: until their details are in, Apply waits; then the role
/// is kept.
#[test]
fn the_plan_reads_the_roles_it_compares_before_judging() {
    use halo_onboard::halo::model::{Claim, Role};
    use halo_onboard::plan::build::Kind;
    let mut m = filled(Step::Permissions);
    let mut s = session(&m);
    s.objects.role_id = Some("r-own".into());
    s.objects.role_created = true;
    let marker = s.marker();
    m.apply.resume = Some(s);
    let want = halo_onboard::plan::build::role_object(&m.answers, &marker);
    // The role as Halo holds it, and as its list shows it (no claims).
    let full = Role {
        id: Some("r-own".into()),
        name: want.name.clone(),
        notes: want.notes.clone(),
        claims: want.claims.clone(),
        ..Role::default()
    };
    let listed = Role {
        claims: Vec::new(),
        ..full.clone()
    };
    for i in 0..4 {
        m.lookups.roles.push(Role {
            id: Some(format!("r-{i}")),
            name: format!("Other {i}"),
            claims: vec![Claim {
                claim_type: "Tx".into(),
                value: "1".into(),
            }],
            ..Role::default()
        });
    }
    m.lookups.roles.push(listed);
    let fx = press(&mut m, [ctrl('n')]);
    assert_eq!(m.step, Step::Submit);
    let asked = fx.iter().find_map(|e| match e {
        Effect::ReadRoles(names) => Some(names.clone()),
        _ => None,
    });
    assert!(
        asked.as_ref().is_some_and(|n| n.contains(&want.name)),
        "the role's details are read: {asked:?}"
    );
    // Until they are in, Apply waits (no confirmation with a write that is not one).
    press(&mut m, [key(KeyCode::Enter)]);
    assert_eq!(m.overlay, Overlay::None);
    let mut roles = m.lookups.roles.clone();
    *roles.last_mut().unwrap() = full;
    app::update(&mut m, Msg::RolesRead(Ok(roles)));
    let p = app::applying::current_plan(&m);
    let role = p.action(halo_onboard::plan::Object::Role).unwrap();
    assert_eq!(role.kind, Kind::Keep, "{:?}", role.changes);
    press(&mut m, [key(KeyCode::Enter)]);
    assert_eq!(m.overlay, Overlay::ConfirmApply);
    assert!(
        !app::applying::risks(&p).iter().any(|r| r.contains("Role")),
        "{:?}",
        app::applying::risks(&p)
    );
}

/// Issue 20 item 10c: the exit summary's "Left to do" names the steps to do by hand in Halo's
/// web UI (the profile's settings the API cannot set), where an SSH user scrolls back to it.
#[test]
fn the_exit_summary_names_the_steps_left_by_hand() {
    let mut m = applied(true);
    m.apply.manual_left = vec![
        "Configuration > Teams & Agents > Roles > 'Vendor API' > Permissions: Billing: Can View Item SKU = Read Only".into(),
    ];
    press(&mut m, [key(KeyCode::Char('s'))]);
    app::update(&mut m, Msg::HandoverSaved(Ok("/tmp/v.env".into())));
    press(&mut m, [key(KeyCode::Enter)]);
    let s = app::applying::exit_summary(&m).unwrap();
    assert!(!s.contains("nothing"), "{s}");
    assert!(s.contains("Can View Item SKU = Read Only"), "{s}");
    assert!(s.contains("by hand"), "{s}");
}

/// Issue 20: on the hand-over screen the help opens at the hand-over keys (its own section
/// first), not at the top of a long list.
#[test]
fn help_opens_at_the_hand_over_keys() {
    let mut m = applied(true);
    press(&mut m, [key(KeyCode::Char('?'))]);
    assert_eq!(m.overlay, Overlay::Help);
    let s = text(&draw(&m, &Theme::dark(), 80, 24));
    assert!(s.contains("Hand-over"), "{s}");
    assert!(s.contains("copy the secret to the clipboard"), "{s}");
    // Elsewhere it opens at the top.
    let mut m = filled(Step::Role);
    press(&mut m, [key(KeyCode::Char('?'))]);
    assert_eq!(m.help_scroll, 0);
}

/// Issue 20: the wizard is a place to stay: once the secret is handed over, `n` offers the next
/// vendor on the same connection (the profile picker, the Halo's objects read again), without
/// retyping the connection. Never while a secret waits for its hand-over.
#[test]
fn after_a_hand_over_n_starts_the_next_integration() {
    let mut m = applied(true);
    m.profiles = halo_onboard::profile::builtin();
    let fx = press(&mut m, [key(KeyCode::Char('n'))]);
    assert!(
        m.apply.secret_pending(),
        "n does nothing while the secret waits"
    );
    assert!(!fx.iter().any(|e| matches!(e, Effect::Connect(_))));
    app::update(&mut m, Msg::HandoverSaved(Ok("/tmp/v.env".into())));
    press(&mut m, [key(KeyCode::Enter)]);
    assert!(!m.apply.secret_pending());
    let url = m.answers.connection.url.clone();
    let fx = press(&mut m, [key(KeyCode::Char('n'))]);
    assert!(
        matches!(m.overlay, Overlay::ProfilePicker(_)),
        "{:?}",
        m.overlay
    );
    assert_eq!(m.step, Step::Connect);
    assert_eq!(m.answers.connection.url, url, "the same Halo");
    assert!(m.answers.role.name.is_empty() && m.profile.is_none());
    assert_eq!(m.apply.phase, Phase::Idle);
    assert!(m.apply.session_id.is_none());
    assert!(
        fx.iter().any(|e| matches!(e, Effect::Connect(_))),
        "Halo's objects are read again"
    );
    assert!(
        !m.secret.is_empty(),
        "the bootstrap secret is kept for the next one"
    );
}
