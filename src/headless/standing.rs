//! Where a setup stands, in words for the listings (`status`, `sessions`, completions).

use crate::journal::Session;

/// Where a setup stands, in words that never claim more than the journal knows: a secret
/// thrown away or lost before its hand-over is said, not hidden behind "applied".
pub(crate) fn state_words(s: &Session) -> String {
    use crate::journal::Status;
    let app_made = s.objects.application_id.is_some();
    if s.secret_discarded && !s.secret_pending {
        return "applied; secret wiped before its hand-over (rotate it)".into();
    }
    match s.status {
        Status::Applied | Status::Verified if s.secret_pending => {
            "applied; secret waiting for its hand-over".into()
        }
        Status::Applied | Status::Verified if app_made && !s.handed_over => {
            "applied; secret not handed over (resume gives it a new one)".into()
        }
        _ => s.state_words(),
    }
}
