//! What the wizard learns right after its first frame: the profiles to pick from, the
//! unfinished setups to offer, and (with `--demo`) the embedded Halo it fills the Connect step
//! with. Loaded after the frame so the screen appears at once.

use super::fields::Field;
use super::keys::{Ctx, Intent, K, key_of};
use super::log::LogKind;
use super::model::{Model, Overlay, Step};
use super::msg::{Effect, Started};
use super::secret::SecretInput;

pub(crate) fn started(m: &mut Model, fx: &mut Vec<Effect>, s: Started) {
    if let Some(p) = s.profiles {
        m.profiles = p;
    }
    for w in s.warnings {
        m.log(fx, LogKind::Warn, w);
    }
    match s.demo {
        Some(Ok(h)) => {
            let c = &mut m.answers.connection;
            c.url = h.url.clone();
            c.client_id = h.client_id;
            m.sync_inputs();
            m.secret = SecretInput::from_secret(&h.client_secret);
            // Everything is filled in: one Enter tests the connection.
            if m.step == Step::Connect {
                m.focus_on(Field::TestButton);
            }
            m.log(
                fx,
                LogKind::Info,
                format!(
                    "demo: Halo emulator at {} (press {} to connect)",
                    h.url,
                    key_of(Ctx::Connect, K::Ch('t'), Intent::TestConnection)
                ),
            );
        }
        Some(Err(e)) => m.log(
            fx,
            LogKind::Error,
            format!("could not start the demo Halo emulator: {e}"),
        ),
        None => {}
    }
    if !s.finished.is_empty() {
        m.log(
            fx,
            LogKind::Info,
            format!(
                "{} finished setup(s) here: {} on the Connect step lists them ({} rotates one's secret without downtime)",
                s.finished.len(),
                key_of(Ctx::Connect, K::Ch('o'), Intent::OpenSetups),
                key_of(Ctx::Resume, K::Ch('r'), Intent::ResumeRotate)
            ),
        );
        m.setups = s.finished;
    }
    if !s.resumable.is_empty() {
        m.resumable = s.resumable;
        // Offered only while nothing else is going on (finished ones wait for `o`).
        if m.overlay == Overlay::None && m.step == Step::Connect && m.apply.resume.is_none() {
            m.overlay = Overlay::Resume(0);
        }
    }
}
