//! Faults the tests inject into the wizard's runtime, read from the environment.

/// TEST ONLY: `after-first-frame` panics and `error-after-first-frame` returns an error from
/// the event loop once the first frame is drawn, so the tests can check that the terminal is
/// restored on both ways out; `after-connect` panics after the first frame drawn once the
/// bootstrap credential is connected (a secret and a token are in memory then). Read once at
/// start; `in-connect-task` panics inside the task that tests the connection (a worker thread,
/// not the event loop: the process must end all the same). Any other value is ignored.
pub const TEST_FAULT_ENV: &str = "HALO_ONBOARD_TEST_PANIC";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TestFault {
    None,
    Panic,
    Error,
    PanicConnected,
    PanicInTask,
}

impl TestFault {
    pub(super) fn from_env() -> Self {
        match std::env::var(TEST_FAULT_ENV).as_deref() {
            Ok("after-first-frame") => Self::Panic,
            Ok("error-after-first-frame") => Self::Error,
            Ok("after-connect") => Self::PanicConnected,
            Ok("in-connect-task") => Self::PanicInTask,
            _ => Self::None,
        }
    }
}
