//! How a secret shows on screen: never its characters.

/// A masked secret of `n` characters in `room` columns. Wider than that, the count says it,
/// so every key typed shows (a mask that stopped growing made a typed `t` look like a key).
pub(super) fn mask(n: usize, room: usize) -> String {
    if n <= room {
        return "•".repeat(n);
    }
    let count = format!(" {n} characters");
    let dots = room.saturating_sub(count.chars().count()).max(1);
    format!("{}{count}", "•".repeat(dots))
}
