//! `update`: the only place the model changes. A message goes to the module that owns it; a key
//! is looked up in the key table ([`super::keys`]) and its action run. Returns the effects for
//! the runtime to run.

use crossterm::event::{Event, KeyCode, KeyEvent};
use tui_input::InputRequest;
use tui_input::backend::crossterm::to_input_request;

use super::applying as ap;
use super::edit;
use super::fields::{Field, Widget};
use super::handover as ho;
use super::keys::{self, Intent};
use super::model::{Model, Overlay};
use super::msg::{Effect, Msg};
use super::nav::{self, PAGE};
use super::{connect, manual, picker};

/// The runtime's spinner tick while a request runs (the backoff countdown counts it).
pub(crate) const TICK_MS: u64 = 100;

/// Applies `msg` to the model and returns what the runtime must do (in order). Never blocks
/// and does no I/O; the view is drawn from the model afterwards.
pub fn update(m: &mut Model, msg: Msg) -> Vec<Effect> {
    let mut fx = Vec::new();
    let fx_ = &mut fx;
    match msg {
        Msg::Key(k) => on_key(m, k, fx_),
        Msg::Paste(text) => paste(m, &text, fx_),
        Msg::Resize => {}
        Msg::Tick => {
            m.spinner = m.spinner.wrapping_add(1);
            if let Some(b) = &mut m.backoff {
                b.left_ms = b.left_ms.saturating_sub(TICK_MS);
            }
        }
        Msg::Request(e) => connect::request(m, fx_, e),
        Msg::Log(kind, text) => m.log(fx_, kind, text),
        Msg::Connected(res) => {
            if connect::finished(m, fx_, *res) {
                nav::next_step(m, fx_);
            }
        }
        Msg::ApplyStarted(id) => ap::started(m, fx_, id),
        Msg::Progress(p) => ap::progress(m, fx_, p),
        Msg::Verifying => ap::verifying(m, fx_),
        Msg::Applied(o) => ap::applied(m, fx_, *o),
        Msg::ApplyFailed { message, hint } => ap::failed(m, fx_, message, hint),
        Msg::ApplyRefused {
            object,
            message,
            hint,
        } => ap::refused(m, fx_, object, message, hint),
        Msg::SecretNeeded { message, hint } => ap::secret_needed(m, fx_, message, hint),
        Msg::ManualNotAdopted(message) => manual::not_adopted(m, fx_, message),
        Msg::HandoverSaved(r) => ho::saved(m, fx_, r),
        Msg::HandoverExists(p) => ho::exists(m, fx_, p),
        Msg::Reverified(r) => ho::reverified(m, fx_, r),
        Msg::AnswersSaved(r) => ho::answers_saved(m, fx_, r),
        Msg::HandedOver(r) => ho::handed_over(m, fx_, r),
        Msg::Started(s) => super::startup::started(m, fx_, *s),
        Msg::InstanceSaved(r) => super::instance::saved(m, fx_, r),
        Msg::RolesRead(r) => ap::roles_read(m, fx_, r),
    }
    fx
}

fn on_key(m: &mut Model, k: KeyEvent, fx: &mut Vec<Effect>) {
    if let Some(a) = keys::intent(m, &k) {
        act(m, a, k, fx);
    }
}

/// Runs what a key does.
fn act(m: &mut Model, a: Intent, k: KeyEvent, fx: &mut Vec<Effect>) {
    let ch = match k.code {
        KeyCode::Char(c) => Some(c),
        _ => None,
    };
    let focus = m.focused();
    match a {
        Intent::Nothing => {}
        Intent::AskQuit => m.overlay = Overlay::ConfirmQuit,
        Intent::Quit => {
            m.quit = true;
            fx.push(Effect::Quit);
        }
        Intent::CloseOverlay => m.overlay = Overlay::None,
        Intent::Help => {
            m.help_scroll = keys::help_start(m);
            m.overlay = Overlay::Help;
        }
        Intent::HelpUp => nav::scroll_help(m, -1),
        Intent::HelpDown => nav::scroll_help(m, 1),
        Intent::HelpPageUp => nav::scroll_help(m, -(PAGE as isize)),
        Intent::HelpPageDown => nav::scroll_help(m, PAGE as isize),
        Intent::HelpTop => m.help_scroll = 0,
        Intent::ToggleLog => nav::toggle_log(m),
        Intent::EnlargeLog => nav::enlarge_log(m),
        Intent::NextStep => nav::next_step(m, fx),
        Intent::PrevStep => nav::prev_step(m),
        Intent::FocusNext => nav::focus(m, 1),
        Intent::FocusPrev => nav::focus(m, -1),
        Intent::ChoiceNext => nav::focus_choice(m, 1),
        Intent::ChoicePrev => nav::focus_choice(m, -1),
        Intent::Activate => edit::activate(m, focus, fx),
        Intent::CycleNext => edit::cycle(m, focus, 1, fx),
        Intent::CyclePrev => edit::cycle(m, focus, -1, fx),
        Intent::TestConnection => connect::test(m, fx),
        Intent::Edit => {
            if let Some(req) = to_input_request(&Event::Key(k)) {
                edit_text(m, focus, req, fx);
            }
        }
        Intent::ClearText if focus.kind() == Widget::Secret => {
            m.secret.clear();
            connect::edited(m, fx);
        }
        Intent::ClearText => edit_text(m, focus, InputRequest::DeleteLine, fx),
        Intent::SecretType => {
            m.secret.push_str(&ch.unwrap_or_default().to_string());
            connect::edited(m, fx);
        }
        Intent::SecretBackspace => {
            m.secret.pop();
            connect::edited(m, fx);
        }
        Intent::LogOlder => nav::scroll_log(m, 1),
        Intent::LogNewer => nav::scroll_log(m, -1),
        Intent::LogPageOlder => nav::scroll_log(m, PAGE as isize),
        Intent::LogPageNewer => nav::scroll_log(m, -(PAGE as isize)),
        Intent::LogOldest => nav::scroll_log(m, isize::MAX),
        Intent::LogNewest => m.log_scroll = 0,
        Intent::PlanDown => nav::scroll_plan(m, 1),
        Intent::PlanUp => nav::scroll_plan(m, -1),
        Intent::PlanPageDown => nav::scroll_plan(m, PAGE as isize),
        Intent::PlanPageUp => nav::scroll_plan(m, -(PAGE as isize)),
        Intent::TrustAuthUrl => connect::trust_auth_url(m, fx),
        Intent::DeclineAuthUrl => connect::decline_auth_url(m, fx),
        _ => act_lists_and_submit(m, a, ch, fx),
    }
}

/// Runs what a key does in the pop-up lists, on the Submit step's screens and in the
/// instance offer (`act` runs the rest: every other action is its).
fn act_lists_and_submit(m: &mut Model, a: Intent, ch: Option<char>, fx: &mut Vec<Effect>) {
    match a {
        Intent::PickerNext | Intent::ResumeNext => picker::step(m, 1),
        Intent::PickerPrev | Intent::ResumePrev => picker::step(m, -1),
        Intent::PickerFirst => picker::step(m, isize::MIN),
        Intent::PickerLast => picker::step(m, isize::MAX),
        Intent::PickerType => picker::type_char(m, ch.unwrap_or_default()),
        Intent::PickerBackspace => picker::backspace(m),
        Intent::PickerClear => picker::clear(m),
        Intent::PickProfile => picker::pick(m, fx),
        Intent::ResumePick => picker::resume(m, fx),
        Intent::ResumeRotate => picker::rotate(m, fx),
        Intent::OpenSetups => picker::open_setups(m),
        Intent::NewSetup => picker::new_setup(m, fx),
        Intent::StartApply => ap::start_apply(m, fx),
        Intent::Retry => ap::request_apply(m, fx),
        Intent::ManualOpen => manual::open(m, fx),
        Intent::ManualClose => manual::close(m),
        Intent::ManualSubmit => manual::submit(m, fx),
        Intent::ManualSwitch => manual::switch(m),
        Intent::ManualClear => manual::clear(m),
        Intent::ManualBackspace => manual::backspace(m),
        Intent::ManualType => manual::type_text(m, &ch.unwrap_or_default().to_string()),
        Intent::Copy => ho::copy(m, fx),
        Intent::SavePrompt => {
            m.overlay = Overlay::None;
            ho::save_prompt(m);
        }
        Intent::SaveAnswers => ho::save_answers(m, fx),
        Intent::ConfirmHandOver => ho::confirm(m, fx),
        Intent::VerifyAgain => ho::reverify(m, fx),
        Intent::Repair => ho::repair(m, fx),
        Intent::ConfirmManual => ho::confirm_manual(m, fx),
        Intent::NextIntegration => picker::next_integration(m, fx),
        Intent::PathSave | Intent::PathClear | Intent::PathBackspace | Intent::PathType => {
            let Overlay::SavePath(p) = &mut m.overlay else {
                return;
            };
            match a {
                Intent::PathClear => p.clear(),
                Intent::PathBackspace => {
                    p.pop();
                }
                Intent::PathType => p.extend(ch),
                _ => {
                    let p = std::mem::take(p);
                    ho::save_to(m, p, fx);
                }
            }
        }
        Intent::Overwrite => {
            if let Overlay::ConfirmOverwrite(p) = std::mem::take(&mut m.overlay) {
                ho::overwrite(m, p, fx);
            }
        }
        Intent::BackToPath => {
            // The file is kept: back to the path, to choose another one.
            if let Overlay::ConfirmOverwrite(p) = std::mem::take(&mut m.overlay) {
                m.overlay = Overlay::SavePath(p);
            }
        }
        Intent::Wipe => ho::discard(m, fx),
        Intent::PasteArrived => ho::wipe(m, fx),
        Intent::InstanceType => super::instance::type_char(m, ch.unwrap_or_default()),
        Intent::InstanceBackspace => super::instance::backspace(m),
        Intent::InstanceClear => super::instance::clear(m),
        Intent::InstanceSave => super::instance::save(m, fx),
        Intent::InstanceOpen => super::instance::open(m),
        Intent::InstanceDecline => super::instance::decline(m),
        Intent::InstanceReplace => super::instance::replace(m, fx),
        Intent::InstanceKeep => super::instance::keep(m),
        Intent::KeepSecret => ho::keep_secret(m),
        _ => {}
    }
}

/// A key for a text field's editor; the answer follows what is typed (trimmed).
fn edit_text(m: &mut Model, f: Field, req: InputRequest, fx: &mut Vec<Effect>) {
    let Some(spec) = f.text() else { return };
    let input = m.input(f);
    if input.handle(req).is_some_and(|c| c.value) {
        let v = input.value().trim().to_string();
        *spec.value_mut(&mut m.answers) = v;
        if spec.connection {
            connect::edited(m, fx);
        }
    }
}

/// Bracketed paste into the focused field (or the "do it by hand" screen's field).
fn paste(m: &mut Model, text: &str, fx: &mut Vec<Effect>) {
    if m.step == super::Step::Submit && manual::paste(m, text) {
        return;
    }
    // Fields are single-line: a pasted newline would only ever be a mistake.
    let clean: String = text.chars().filter(|c| !c.is_control()).collect();
    let f = m.focused();
    match f.kind() {
        Widget::Secret => {
            m.secret.push_str(&clean);
            connect::edited(m, fx);
        }
        Widget::Text => {
            for c in clean.chars() {
                edit_text(m, f, InputRequest::InsertChar(c), fx);
            }
        }
        _ => {}
    }
}
