//! An overall deadline for every headless command that talks to Halo (`apply`, `resume`,
//! `rollback`, `check`, `doctor`): per-request timeouts and `Retry-After` waits are each
//! bounded, but a Halo that answers 429 with a long `Retry-After` to every request would
//! otherwise hold a run for hours. At the deadline the run stops where it is; every write is
//! journaled before and after, so `resume` continues it and nothing is created twice.
//! (`apply --batch` has its own `--deadline` for the whole batch.)

use std::cell::RefCell;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::failure::{EXIT_CANNOT_RUN, Failure, print_failure};

/// How long a command may take unless `--deadline` says otherwise.
pub(crate) const DEFAULT: Duration = Duration::from_secs(10 * 60);

tokio::task_local! {
    /// The setup the running command writes, once it has one: named when it is cut off.
    static WORKING_ON: RefCell<Option<String>>;
}

/// Time spent waiting for a person (a question on the terminal), in milliseconds: not Halo's
/// time, so it does not count against the deadline. (One command runs per process.)
static PERSON_MS: AtomicU64 = AtomicU64::new(0);

/// A question to a person is open while this lives; its time is added to the deadline.
pub(crate) struct Person(Instant);

impl Person {
    pub(crate) fn waits() -> Self {
        Self(Instant::now())
    }
}

impl Drop for Person {
    fn drop(&mut self) {
        let ms = u64::try_from(self.0.elapsed().as_millis()).unwrap_or(u64::MAX);
        PERSON_MS.fetch_add(ms, Ordering::SeqCst);
    }
}

fn person() -> Duration {
    Duration::from_millis(PERSON_MS.load(Ordering::SeqCst))
}

/// Records that the command now works on setup `id` (said if the deadline cuts it off).
/// Outside [`within`] (the wizard, a batch) it does nothing.
pub(crate) fn working_on(id: &str) {
    let _ = WORKING_ON.try_with(|w| *w.borrow_mut() = Some(id.to_string()));
}

/// Runs `command` (its future `fut`) for at most `deadline` (default [`DEFAULT`]), not counting
/// the time a person takes to answer a question. Cut off, it prints what was stopped and how
/// to continue, and exits 2.
pub(crate) async fn within<F: Future<Output = u8>>(
    deadline: Option<Duration>,
    command: &str,
    json: bool,
    fut: F,
) -> u8 {
    let d = deadline.unwrap_or(DEFAULT);
    let start = tokio::time::Instant::now();
    let asked_before = person();
    WORKING_ON
        .scope(RefCell::new(None), async move {
            tokio::pin!(fut);
            loop {
                let end = start + d + person().saturating_sub(asked_before);
                tokio::select! {
                    code = &mut fut => return code,
                    () = tokio::time::sleep_until(end) => {
                        // A question answered meanwhile moved the end: wait on.
                        if start + d + person().saturating_sub(asked_before)
                            > tokio::time::Instant::now()
                        {
                            continue;
                        }
                        let setup = WORKING_ON.with(|w| w.borrow().clone());
                        let f = cut_off(command, d, setup.as_deref());
                        print_failure(&f, json);
                        return f.code;
                    }
                }
            }
        })
        .await
}

/// `90s`, `10m`, `1h30m`: as `--deadline` takes it.
pub(crate) fn words(d: Duration) -> String {
    let s = d.as_secs();
    let (h, m, sec) = (s / 3600, s % 3600 / 60, s % 60);
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    if sec > 0 || out.is_empty() {
        out.push_str(&format!("{sec}s"));
    }
    out
}

/// A command's run within its deadline: its exit code, or its failure printed (text, or the
/// JSON object under `--json`) and that failure's code.
pub(crate) async fn run_command<F>(
    deadline: Option<Duration>,
    command: &str,
    json: bool,
    fut: F,
) -> u8
where
    F: Future<Output = Result<u8, Failure>>,
{
    within(deadline, command, json, async {
        match fut.await {
            Ok(code) => code,
            Err(f) => {
                print_failure(&f, json);
                f.code
            }
        }
    })
    .await
}

/// What a command cut off at its deadline says: what it was doing, where the setup stands (as
/// its journal says), and the command that continues.
fn cut_off(command: &str, d: Duration, setup: Option<&str>) -> Failure {
    let when = words(d);
    let longer = "or give Halo more time with a longer --deadline (e.g. --deadline 30m); --verbose shows each request and every wait (a rate limit's Retry-After)";
    let stopped = format!(
        "{command} stopped at its deadline ({when}, --deadline) before Halo had answered everything"
    );
    let Some(id) = setup else {
        let what = if matches!(command, "check" | "doctor") {
            "it only reads, so nothing changed"
        } else {
            "nothing was written to Halo by this run"
        };
        return Failure {
            message: format!("{stopped}; {what}"),
            hint: format!("Run it again when Halo answers faster, {longer}."),
            code: EXIT_CANNOT_RUN,
        };
    };
    let state = crate::journal::Journal::open_default()
        .and_then(|j| j.load(id))
        .map_or_else(
            |_| "as its journal says".into(),
            |s| {
                let doubt = s
                    .in_doubt()
                    .map(|(subj, action)| {
                        format!(", the {} {action} sent but not confirmed", subj.words())
                    })
                    .unwrap_or_default();
                format!("{}{doubt}", s.status.words())
            },
        );
    let again = if command == "rollback" {
        format!(
            "Nothing is lost: `halo-onboard rollback {id} --yes` again reads Halo afresh and deletes nothing twice"
        )
    } else {
        format!(
            "Nothing is lost: `halo-onboard resume {id} --yes` continues where it stopped (it finds out from Halo what the last write did; nothing is created twice)"
        )
    };
    Failure {
        message: format!("{stopped}; setup {id} is left {state}"),
        hint: format!("{again}, {longer}."),
        code: EXIT_CANNOT_RUN,
    }
}

/// A `--deadline`-style value that is not a duration (shown clean).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a duration: use e.g. 90s, 30m or 2h")]
pub struct NotADuration(String);

/// `90s`, `30m`, `2h`, `1h30m` or plain seconds (`45`).
pub fn parse_duration(s: &str) -> Result<std::time::Duration, NotADuration> {
    let bad = || NotADuration(crate::text::line(s));
    let t = s.trim();
    if let Ok(secs) = t.parse::<u64>() {
        return (secs > 0)
            .then(|| std::time::Duration::from_secs(secs))
            .ok_or_else(bad);
    }
    let mut total: u64 = 0;
    let mut num = String::new();
    for c in t.chars() {
        match c {
            '0'..='9' => num.push(c),
            'h' | 'm' | 's' if !num.is_empty() => {
                let n: u64 = num.parse().map_err(|_| bad())?;
                let unit = match c {
                    'h' => 3600,
                    'm' => 60,
                    _ => 1,
                };
                total = n
                    .checked_mul(unit)
                    .and_then(|x| total.checked_add(x))
                    .ok_or_else(bad)?;
                num.clear();
            }
            _ => return Err(bad()),
        }
    }
    if !num.is_empty() || total == 0 {
        return Err(bad());
    }
    Ok(std::time::Duration::from_secs(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_in_the_flags_words() {
        assert_eq!(words(DEFAULT), "10m");
        assert_eq!(words(Duration::from_secs(90)), "1m30s");
        assert_eq!(words(Duration::from_secs(5400)), "1h30m");
        assert_eq!(words(Duration::from_millis(500)), "0s");
        assert_eq!(words(Duration::from_secs(2)), "2s");
    }

    #[tokio::test]
    async fn a_command_past_its_deadline_is_cut_off_with_exit_2() {
        let code = within(Some(Duration::from_millis(50)), "check", false, async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            0
        })
        .await;
        assert_eq!(code, EXIT_CANNOT_RUN);
        let f = cut_off("check", Duration::from_secs(2), None);
        assert!(
            f.message
                .contains("check stopped at its deadline (2s, --deadline)")
        );
        assert!(f.message.contains("nothing changed"), "{}", f.message);
        let f = cut_off("apply", DEFAULT, Some("20260101-000000-topleft-abc123"));
        assert!(
            f.hint
                .contains("halo-onboard resume 20260101-000000-topleft-abc123 --yes"),
            "{}",
            f.hint
        );
        // In time: the command's own code.
        assert_eq!(within(None, "apply", false, async { 1 }).await, 1);
        // Time a person takes to answer is not Halo's: the end moves by it.
        let code = within(Some(Duration::from_millis(300)), "apply", false, async {
            {
                let _q = Person::waits();
                std::thread::sleep(Duration::from_millis(400));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            0
        })
        .await;
        assert_eq!(code, 0, "the question's time counted against the deadline");
    }
}
