//! The table itself (data): every key of the wizard, per context, with the words the footer
//! and the help overlay show, and the conditions under which a row applies.

use crossterm::event::KeyCode;

use crate::app::fields::Widget;
use crate::app::model::{Model, Overlay, Step};
use crate::app::state::Phase;

use super::bind::{Bind, Ctx, Intent, K, code, row};

fn typing(m: &Model) -> bool {
    m.focused().takes_text()
}
fn kind(m: &Model) -> Widget {
    m.focused().kind()
}
fn movable(m: &Model) -> bool {
    matches!(kind(m), Widget::Toggle | Widget::Choice | Widget::Button)
}
fn on_toggle(m: &Model) -> bool {
    kind(m) == Widget::Toggle
}
fn on_choice(m: &Model) -> bool {
    kind(m) == Widget::Choice
}
fn on_button(m: &Model) -> bool {
    kind(m) == Widget::Button
}
fn not_on_log(m: &Model) -> bool {
    kind(m) != Widget::Log
}
fn not_submit(m: &Model) -> bool {
    m.step != Step::Submit
}
fn not_connect(m: &Model) -> bool {
    m.step != Step::Connect
}
fn creds(m: &Model) -> bool {
    m.apply
        .manual
        .as_ref()
        .is_some_and(crate::app::state::ManualState::needs_credentials)
}
fn no_creds(m: &Model) -> bool {
    !creds(m)
}
fn refused(m: &Model) -> bool {
    m.apply.refused.is_some()
}
fn pending(m: &Model) -> bool {
    m.apply.secret_pending()
}
/// Nothing waits for its hand-over: the next integration may start.
fn handed(m: &Model) -> bool {
    !m.apply.secret_pending()
}
fn attention(m: &Model) -> bool {
    m.apply.needs_attention()
}
fn steps_left(m: &Model) -> bool {
    m.apply.phase == Phase::Done && !m.apply.manual_left.is_empty()
}
fn unsaved(m: &Model) -> bool {
    m.apply.secret.is_some() && !m.apply.confirmed
}
/// The hand-over screen with both a secret to hand over and failed checks has no room for
/// the answers and scroll keys in the footer.
fn roomy(m: &Model) -> bool {
    !(pending(m) && attention(m))
}
fn all_done(m: &Model) -> bool {
    !pending(m) && !attention(m)
}
fn filtering(m: &Model) -> bool {
    matches!(&m.overlay, Overlay::ProfilePicker(p) if !p.filter.is_empty())
}
fn not_filtering(m: &Model) -> bool {
    !filtering(m)
}

use Ctx as C;
use Intent as A;
use KeyCode as KC;

/// The table. Within a context the first row that matches wins (an `Any` row comes last);
/// across contexts the footer shows the rows in this order.
pub(crate) static TABLE: &[Bind] = &[
    // The Submit step once apply started: footers of their own.
    row(C::Running, &[code(KC::Enter), K::Ch(' ')], A::Nothing),
    row(C::Running, &[K::Ch('l')], A::ToggleLog).hint("log"),
    row(C::Running, &[K::Ctrl('c')], A::AskQuit).hint("quit (asks; the setup can be resumed)"),
    row(C::Failed, &[code(KC::Enter)], A::Retry)
        .hint("try again")
        .help("apply again (nothing is created twice)"),
    row(C::Failed, &[K::Ch('m')], A::ManualOpen)
        .when(refused)
        .hint("do this step by hand")
        .help("refused step: do it by hand (Enter checks)"),
    row(C::Failed, &[code(KC::Esc)], A::PrevStep).hint("back"),
    row(C::Failed, &[K::Ch('l')], A::ToggleLog).hint("log"),
    row(C::Failed, &[K::Ch('q')], A::AskQuit).hint("quit"),
    row(C::Manual, &[code(KC::Enter)], A::ManualSubmit)
        .hint("find it and continue")
        .help("find what you made in Halo and continue"),
    row(
        C::Manual,
        &[code(KC::Tab), code(KC::BackTab)],
        A::ManualSwitch,
    )
    .when(creds)
    .hint("Client ID / Secret")
    .help("switch between the Client ID and Secret fields")
    .label("Tab"),
    row(C::Manual, &[code(KC::Up)], A::PlanUp)
        .hint("scroll")
        .help("scroll the checklist back")
        .label("↑/↓"),
    row(C::Manual, &[code(KC::Down)], A::PlanDown).help("scroll the checklist"),
    row(C::Manual, &[code(KC::PageUp)], A::PlanPageUp),
    row(C::Manual, &[code(KC::PageDown)], A::PlanPageDown),
    row(C::Manual, &[code(KC::Esc)], A::ManualClose)
        .hint("back")
        .help("back to the failure"),
    row(C::Manual, &[K::Ch('l')], A::ToggleLog)
        .when(no_creds)
        .hint("log"),
    row(C::Manual, &[K::Ctrl('c')], A::AskQuit)
        .when(creds)
        .hint("quit"),
    row(C::Manual, &[K::Ch('q')], A::AskQuit)
        .when(no_creds)
        .hint("quit"),
    row(C::Manual, &[K::Ctrl('u')], A::ManualClear).when(creds),
    row(C::Manual, &[code(KC::Backspace)], A::ManualBackspace).when(creds),
    row(C::Manual, &[K::AnyChar], A::ManualType).when(creds),
    row(C::HandOver, &[K::Ch('c')], A::Copy)
        .hint("copy secret")
        .show(pending)
        .help("copy the secret to the clipboard (OSC 52)"),
    row(C::HandOver, &[K::Ch('s')], A::SavePrompt)
        .when(unsaved)
        .hint("save")
        .show(pending)
        .help("save the credentials to a file (0600)"),
    row(C::HandOver, &[K::Ch('a')], A::SaveAnswers)
        .hint("save answers")
        .show(roomy)
        .help("save the answers (for `apply --answers`)"),
    row(
        C::HandOver,
        &[code(KC::Enter), K::Ch('y')],
        A::ConfirmHandOver,
    )
    .hint("confirm hand-over")
    .show(pending)
    .help("confirm the hand-over: the secret is wiped (after c, once you said the paste arrived)"),
    row(C::HandOver, &[K::Ch('m')], A::ConfirmManual)
        .when(steps_left)
        .hint("steps done")
        .help("the manual steps listed are done in Halo: record them and verify again"),
    row(C::HandOver, &[K::Ch('r')], A::VerifyAgain)
        .when(attention)
        .hint("verify again")
        .help("not verified: verify again after fixing Halo"),
    row(C::HandOver, &[K::Ch('p')], A::Repair)
        .when(attention)
        .hint("repair")
        .help("not verified: repair (apply the plan again)"),
    row(C::HandOver, &[K::Ch('n')], A::NextIntegration)
        .when(handed)
        .hint("next integration")
        .help("set up the next vendor on the same Halo (after the hand-over)"),
    row(C::HandOver, &[code(KC::Down), K::Ch('j')], A::PlanDown)
        .hint("scroll")
        .show(roomy)
        .help("scroll")
        .label("↑/↓"),
    row(C::HandOver, &[code(KC::Up), K::Ch('k')], A::PlanUp).help("scroll back"),
    row(C::HandOver, &[K::Ch('l')], A::ToggleLog)
        .hint("log")
        .show(all_done),
    row(C::HandOver, &[K::Ch('q')], A::AskQuit).hint("quit"),
    // Every step, then the focused field; in footer order.
    row(C::Everywhere, &[code(KC::Tab)], A::FocusNext)
        .hint("next field")
        .show(typing)
        .help("next field")
        .label("Tab/↓"),
    row(C::Everywhere, &[code(KC::BackTab)], A::FocusPrev).help("previous field"),
    row(C::Typing, &[K::Ctrl('u')], A::ClearText)
        .hint("clear")
        .help("clear the field"),
    row(C::Typing, &[code(KC::Enter)], A::FocusNext).help("next field"),
    row(C::Log, &[code(KC::Up), K::Ch('k')], A::LogOlder)
        .hint("scroll")
        .help("scroll back")
        .label("↑↓ PgUp/PgDn Home/End"),
    row(C::Log, &[code(KC::Down), K::Ch('j')], A::LogNewer).help("scroll forward"),
    row(C::Log, &[code(KC::PageUp)], A::LogPageOlder).help("a page back"),
    row(C::Log, &[code(KC::PageDown)], A::LogPageNewer).help("a page forward"),
    row(C::Log, &[code(KC::Home)], A::LogOldest).help("the oldest entry"),
    row(C::Log, &[code(KC::End)], A::LogNewest).help("the newest entry (follow)"),
    row(C::Log, &[code(KC::Tab)], A::FocusNext).hint("leave log"),
    row(C::NotTyping, &[K::Ch('j')], A::ChoiceNext)
        .when(not_on_log)
        .hint("move")
        .show(movable)
        .help("next field that is not a text field")
        .label("j/k"),
    row(C::NotTyping, &[K::Ch('k')], A::ChoicePrev)
        .when(not_on_log)
        .help("previous field that is not a text field"),
    row(C::NotTyping, &[K::Ch(' ')], A::Activate)
        .hint("toggle")
        .show(on_toggle)
        .help("tick or untick; next value of a choice"),
    row(C::NotTyping, &[code(KC::Enter)], A::Activate)
        .hint("run")
        .show(on_button)
        .help("run a button (Profile, Test, Apply)"),
    row(C::NotTyping, &[code(KC::Right)], A::CycleNext)
        .hint("change")
        .show(on_choice)
        .help("next value of a choice")
        .label("←/→"),
    row(C::NotTyping, &[code(KC::Left)], A::CyclePrev).help("previous value of a choice"),
    row(C::Connect, &[K::Ch('s')], A::InstanceOpen)
        .when(crate::app::offer::can_offer)
        .hint("save this Halo")
        .help("save this Halo as a named instance for headless --instance (no secret)"),
    row(C::Connect, &[K::Ch('o')], A::OpenSetups)
        .when(Model::has_setups)
        .hint("your setups")
        .help("the setups made here: continue an unfinished one, rotate a finished one's secret"),
    row(C::Connect, &[K::Ch('t')], A::TestConnection)
        .hint("test")
        .help("test the connection"),
    row(C::Plan, &[code(KC::Down), K::Ch('j')], A::PlanDown)
        .hint("scroll plan")
        .help("scroll the plan")
        .label("↑/↓"),
    row(C::Plan, &[code(KC::Up), K::Ch('k')], A::PlanUp).help("scroll the plan back"),
    row(
        C::Everywhere,
        &[K::Ctrl('n'), code(KC::PageDown)],
        A::NextStep,
    )
    .hint("next step")
    .show(not_submit)
    .help("next step (checks first; tests the connection)")
    .label("Ctrl-N"),
    row(
        C::Everywhere,
        &[code(KC::Esc), K::Ctrl('p'), code(KC::PageUp)],
        A::PrevStep,
    )
    .hint("back")
    .show(not_connect)
    .help("previous step")
    .label("Esc"),
    row(C::Everywhere, &[code(KC::F(1))], A::Help)
        .hint("help")
        .show(typing)
        .help("this help"),
    row(C::NotTyping, &[K::Ch('?')], A::Help)
        .hint("help")
        .help("this help"),
    row(C::Everywhere, &[code(KC::F(2))], A::ToggleLog)
        .hint("log")
        .show(typing)
        .help("show or hide the log pane"),
    row(C::NotTyping, &[K::Ch('l')], A::ToggleLog)
        .hint("log")
        .help("show or hide the log pane"),
    row(C::Everywhere, &[code(KC::F(3))], A::EnlargeLog).help("enlarge or shrink the log pane"),
    row(C::NotTyping, &[K::Ch('L')], A::EnlargeLog).help("enlarge or shrink the log pane"),
    row(C::Everywhere, &[K::Ctrl('c')], A::AskQuit)
        .hint("quit")
        .show(typing)
        .help("quit (asks first)"),
    row(C::NotTyping, &[K::Ch('q')], A::AskQuit)
        .hint("quit")
        .help("quit (asks first)"),
    row(C::Everywhere, &[code(KC::Down)], A::FocusNext).help("next field"),
    row(C::Everywhere, &[code(KC::Up)], A::FocusPrev).help("previous field"),
    row(C::Secret, &[code(KC::Backspace)], A::SecretBackspace),
    row(C::Secret, &[K::AnyChar], A::SecretType),
    row(C::Text, &[K::Any], A::Edit),
    // Overlays; their own lines show the hints.
    row(C::Help, &[code(KC::Up), K::Ch('k')], A::HelpUp)
        .hint("scroll")
        .help("scroll back")
        .label("↑/↓ PgUp/PgDn"),
    row(C::Help, &[code(KC::Down), K::Ch('j')], A::HelpDown).help("scroll"),
    row(C::Help, &[code(KC::PageUp)], A::HelpPageUp).help("a page back"),
    row(C::Help, &[code(KC::PageDown)], A::HelpPageDown).help("a page forward"),
    row(C::Help, &[code(KC::Home)], A::HelpTop).help("the top"),
    row(C::Help, &[K::Ctrl('c')], A::AskQuit),
    row(
        C::Help,
        &[
            code(KC::Esc),
            K::Ch('q'),
            K::Ch('?'),
            code(KC::Enter),
            code(KC::F(1)),
        ],
        A::CloseOverlay,
    )
    .hint("close")
    .help("close this help")
    .label("Esc"),
    row(C::Help, &[K::Any], A::Nothing),
    row(C::Message, &[K::Ctrl('c')], A::AskQuit),
    row(C::Message, &[K::Any], A::CloseOverlay).help("close the message"),
    row(
        C::ConfirmQuit,
        &[K::Ch('y'), K::Ch('Y'), K::Ctrl('c')],
        A::Quit,
    )
    .help("quit"),
    row(C::ConfirmQuit, &[K::Any], A::CloseOverlay).help("stay"),
    row(
        C::ConfirmAuthUrl,
        &[K::Ch('y'), K::Ch('Y')],
        A::TrustAuthUrl,
    )
    .help("send the secret to the login server Halo names"),
    row(C::ConfirmAuthUrl, &[K::Ctrl('c')], A::AskQuit),
    row(C::ConfirmAuthUrl, &[K::Any], A::DeclineAuthUrl).help("send nothing"),
    row(C::Picker, &[code(KC::Down)], A::PickerNext)
        .hint("move")
        .help("next profile")
        .label("↑/↓"),
    row(C::Picker, &[code(KC::Up)], A::PickerPrev).help("previous profile"),
    row(C::Picker, &[code(KC::Home)], A::PickerFirst).help("first profile"),
    row(C::Picker, &[code(KC::End)], A::PickerLast).help("last profile"),
    row(C::Picker, &[code(KC::Enter)], A::PickProfile)
        .hint("pick")
        .help("pick it: every step is pre-filled"),
    row(C::Picker, &[K::Ctrl('c')], A::AskQuit),
    row(C::Picker, &[code(KC::Esc)], A::PickerClear)
        .when(filtering)
        .hint("clear filter")
        .help("clear the filter; with none, close"),
    row(C::Picker, &[code(KC::Esc)], A::CloseOverlay)
        .hint("close")
        .show(not_filtering),
    row(C::Picker, &[K::Ctrl('u')], A::PickerClear).help("clear the filter"),
    row(C::Picker, &[code(KC::Backspace)], A::PickerBackspace).help("edit the filter"),
    row(C::Picker, &[K::AnyChar], A::PickerType)
        .hint("to filter")
        .help("filter by vendor, id or summary (any case)")
        .label("type"),
    row(C::Resume, &[code(KC::Down), K::Ch('j')], A::ResumeNext)
        .hint("move")
        .help("next setup")
        .label("↑/↓"),
    row(C::Resume, &[code(KC::Up), K::Ch('k')], A::ResumePrev).help("previous setup"),
    row(C::Resume, &[code(KC::Enter)], A::ResumePick)
        .hint("resume (asks only for the bootstrap secret)")
        .help("continue that setup"),
    row(C::Resume, &[K::Ch('r')], A::ResumeRotate)
        .help("a finished setup: rotate its secret without downtime (a second application, handed over in a new file)"),
    row(C::Resume, &[K::Ctrl('c')], A::AskQuit),
    row(C::Resume, &[code(KC::Esc), K::Ch('n')], A::NewSetup)
        .hint("start a new setup")
        .help("start a new setup")
        .label("Esc"),
    row(C::Resume, &[K::Any], A::Nothing),
    row(
        C::ConfirmApply,
        &[K::Ch('y'), K::Ch('Y'), code(KC::Enter)],
        A::StartApply,
    )
    .help("write to Halo"),
    row(C::ConfirmApply, &[K::Ctrl('c')], A::AskQuit),
    row(C::ConfirmApply, &[K::Any], A::CloseOverlay).help("cancel"),
    row(C::SavePath, &[code(KC::Enter)], A::PathSave)
        .hint("save")
        .help("save"),
    row(C::SavePath, &[code(KC::Esc)], A::CloseOverlay)
        .hint("cancel")
        .help("cancel"),
    row(C::SavePath, &[K::Ctrl('c')], A::AskQuit),
    row(C::SavePath, &[K::Ctrl('u')], A::PathClear)
        .hint("clear")
        .help("clear the path"),
    row(C::SavePath, &[code(KC::Backspace)], A::PathBackspace),
    row(C::SavePath, &[K::AnyChar], A::PathType),
    row(C::SavePath, &[K::Any], A::Nothing),
    row(C::ConfirmOverwrite, &[K::Ch('y'), K::Ch('Y')], A::Overwrite).help("replace the file"),
    row(C::ConfirmOverwrite, &[K::Ctrl('c')], A::AskQuit),
    row(C::ConfirmOverwrite, &[K::Any], A::BackToPath).help("keep it: choose another path"),
    row(C::ConfirmWipe, &[K::Ch('w')], A::Wipe).help("wipe it anyway"),
    row(C::ConfirmWipe, &[K::Ctrl('c')], A::AskQuit),
    row(C::ConfirmWipe, &[K::Any], A::KeepSecret).help("keep it"),
    row(C::ConfirmPasted, &[K::Ch('y'), K::Ch('Y')], A::PasteArrived)
        .help("the paste arrived whole: hand over (the secret is wiped)"),
    row(C::ConfirmPasted, &[K::Ch('s')], A::SavePrompt)
        .help("save the credentials to a file instead"),
    row(C::ConfirmPasted, &[K::Ctrl('c')], A::AskQuit),
    row(C::ConfirmPasted, &[K::Any], A::KeepSecret).help("keep it (copy again, or save it)"),
    row(C::SaveInstance, &[code(KC::Enter)], A::InstanceSave)
        .hint("save")
        .help("save it under this name"),
    row(C::SaveInstance, &[code(KC::Esc)], A::InstanceDecline)
        .hint("not now")
        .help("do not save it"),
    row(C::SaveInstance, &[K::Ctrl('c')], A::AskQuit),
    row(C::SaveInstance, &[K::Ctrl('u')], A::InstanceClear)
        .hint("clear")
        .help("clear the name"),
    row(
        C::SaveInstance,
        &[code(KC::Backspace)],
        A::InstanceBackspace,
    ),
    row(C::SaveInstance, &[K::AnyChar], A::InstanceType),
    row(C::SaveInstance, &[K::Any], A::Nothing),
    row(
        C::ConfirmInstanceReplace,
        &[K::Ch('y'), K::Ch('Y')],
        A::InstanceReplace,
    )
    .help("replace the saved instance"),
    row(C::ConfirmInstanceReplace, &[K::Ctrl('c')], A::AskQuit),
    row(C::ConfirmInstanceReplace, &[K::Any], A::InstanceKeep).help("keep it: choose another name"),
];
