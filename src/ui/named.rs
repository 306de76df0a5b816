//! Key names for screen text, asked of the key table (`app::keys::key_of`) so a rebinding
//! changes what the screens say: one short function per phrase's key.

use crossterm::event::KeyCode;

use crate::app::keys::{Ctx, Intent, K, key_of};

pub(super) fn enter(ctx: Ctx, a: Intent) -> String {
    key_of(ctx, K::Code(KeyCode::Enter), a)
}

pub(super) fn esc(ctx: Ctx, a: Intent) -> String {
    key_of(ctx, K::Code(KeyCode::Esc), a)
}

pub(super) fn backspace(ctx: Ctx, a: Intent) -> String {
    key_of(ctx, K::Code(KeyCode::Backspace), a)
}

pub(super) fn ch(ctx: Ctx, c: char, a: Intent) -> String {
    key_of(ctx, K::Ch(c), a)
}

pub(super) fn ctrl(ctx: Ctx, c: char, a: Intent) -> String {
    key_of(ctx, K::Ctrl(c), a)
}
