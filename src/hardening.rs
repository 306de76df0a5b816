//! Process hardening done first thing in `main`: the bootstrap secret, tokens and new client
//! secrets live in this process's memory, so it never writes a core dump (a crash on a failed
//! allocation once left four copies of the bootstrap secret in one) and cannot be read by
//! another process of the same user through ptrace or /proc/PID/mem.

/// `RLIMIT_CORE` 0 (soft and hard, so a child cannot raise it) and, on Linux, not dumpable.
/// Failures are ignored: the program still runs, only without this protection.
pub fn no_core_dumps() {
    #[cfg(unix)]
    {
        let zero = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: setrlimit reads the struct we pass and changes only this process's limit.
        unsafe {
            libc::setrlimit(libc::RLIMIT_CORE, &zero);
        }
    }
    #[cfg(target_os = "linux")]
    {
        // SAFETY: prctl(PR_SET_DUMPABLE, 0) only changes this process's dumpable flag.
        unsafe {
            libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
        }
    }
}

#[cfg(test)]
mod tests {
    /// Runs in its own process under nextest; under `cargo test` it hardens the test runner,
    /// which is harmless.
    #[cfg(target_os = "linux")]
    #[test]
    fn core_dumps_are_off() {
        super::no_core_dumps();
        let mut lim = libc::rlimit {
            rlim_cur: 1,
            rlim_max: 1,
        };
        // SAFETY: getrlimit writes into the struct we own; prctl reads a flag.
        let (r, dumpable) = unsafe {
            (
                libc::getrlimit(libc::RLIMIT_CORE, &mut lim),
                libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0),
            )
        };
        assert_eq!(r, 0);
        assert_eq!((lim.rlim_cur, lim.rlim_max), (0, 0));
        assert_eq!(dumpable, 0);
    }
}
