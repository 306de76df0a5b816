//! Render cost of the wizard (criterion, in process, ratatui's TestBackend):
//! - every step screen at 200x60 and 80x24, filled from the built-in profile with the most
//!   scopes, connected, with 100 log lines; the busiest screen is reported with its ratio;
//! - the log pane (large) with 100 entries vs 100,000 pushed (the ring keeps its cap of 10,000:
//!   what the user sees) vs 100,000 held (cap lifted, to show the render cost does not depend on
//!   the buffer length). Target: 100,000 / 100 <= 2x.
//!
//! Run: `cargo bench --bench render` (or `benches/run-all.sh`).

mod support;
// The wizard tests' model fixtures: the same connected model the snapshots draw.
#[allow(dead_code)]
#[path = "../tests/common/wizard.rs"]
mod wizard;

use std::path::PathBuf;
use std::time::Duration;

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion};
use halo_onboard::app::{self, LogBuffer, LogKind, Model, Step};
use halo_onboard::ui::{self, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const SIZES: [(u16, u16); 2] = [(200, 60), (80, 24)];

/// The built-in profile with the most scopes (the longest Permissions and Submit screens).
fn busiest_profile() -> (String, halo_onboard::answers::Answers) {
    halo_onboard::profile::builtin()
        .into_iter()
        .map(|p| (p.id.clone(), p.to_answers()))
        .max_by_key(|(_, a)| a.scopes.len())
        .expect("built-in profiles exist")
}

/// A connected model on `step` with `log_lines` HTTP lines pushed into a log of `cap`.
fn model(step: Step, log_lines: usize, cap: usize, log_large: bool) -> Model {
    let (_, mut answers) = busiest_profile();
    answers.connection.url = "https://acme.halopsa.com".into();
    answers.connection.client_id = "bootstrap-id".into();
    let mut m = Model::new(answers);
    // Connected as the wizard's tests connect (an administrator, the fixture's look-ups).
    app::update(&mut m, wizard::connected_msg(true));
    m.log = LogBuffer::with_capacity(cap);
    for i in 0..log_lines {
        m.log.push(
            LogKind::Http,
            format!("GET /api/Agent?search=vendor-{i} -> 200 {} ms", i % 97),
        );
    }
    m.log_large = log_large;
    m.step = step;
    m
}

fn terminal(w: u16, h: u16) -> Terminal<TestBackend> {
    Terminal::new(TestBackend::new(w, h)).expect("test backend")
}

fn bench_screens(c: &mut Criterion, theme: &Theme) {
    let mut g = c.benchmark_group("screen");
    for (w, h) in SIZES {
        for step in Step::ALL {
            let m = model(step, 100, app::log::LOG_CAP, false);
            let mut term = terminal(w, h);
            g.bench_with_input(
                BenchmarkId::new(step.title(), format!("{w}x{h}")),
                &m,
                |b, m| {
                    b.iter(|| {
                        // The completed frame borrows the terminal: keep only success.
                        term.draw(|f| ui::view(black_box(m), theme, f))
                            .map(|_| ())
                            .expect("draw");
                    });
                },
            );
        }
    }
    g.finish();
}

fn bench_log(c: &mut Criterion, theme: &Theme) {
    let mut g = c.benchmark_group("log");
    let cases = [
        ("100", 100, app::log::LOG_CAP),
        ("100k_pushed", 100_000, app::log::LOG_CAP),
        ("100k_held", 100_000, 100_000),
    ];
    for (name, lines, cap) in cases {
        let m = model(Step::Connect, lines, cap, true);
        let mut term = terminal(200, 60);
        g.bench_function(name, |b| {
            b.iter(|| {
                term.draw(|f| ui::view(black_box(&m), theme, f))
                    .map(|_| ())
                    .expect("draw");
            });
        });
    }
    g.finish();
}

/// Mean time in ns from criterion's `estimates.json`; None in `--test` mode or on a filter.
fn mean_ns(dir: &std::path::Path, id: &str) -> Option<f64> {
    let text = std::fs::read_to_string(dir.join(id).join("new/estimates.json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v["mean"]["point_estimate"].as_f64()
}

fn report(dir: &std::path::Path) {
    let (profile, answers) = busiest_profile();
    // The busiest screen is the slowest one at the large size; the same screen is timed small.
    let at = |s: Step, w: u16, h: u16| mean_ns(dir, &format!("screen/{}/{w}x{h}", s.title()));
    let busiest = Step::ALL
        .iter()
        .filter_map(|s| at(*s, 200, 60).map(|t| (*s, t)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    if let Some((step, big)) = busiest {
        let label = format!(
            "{} screen, profile {profile} ({} scopes), 100 log lines",
            step.title(),
            answers.scopes.len()
        );
        support::row(
            &format!("render, busiest screen at 200x60: {label}"),
            &support::fmt_ns(big),
            "< 16 ms (a 60 Hz frame)",
            Some(big < 16e6),
        );
        if let Some(small) = at(step, 80, 24) {
            support::row(
                "render, same screen at 80x24 (ratio 200x60 / 80x24)",
                &format!("{} ({:.2}x)", support::fmt_ns(small), big / small),
                "< 16 ms",
                Some(small < 16e6),
            );
        }
    }
    let l100 = mean_ns(dir, "log/100");
    for (id, label) in [
        (
            "log/100k_pushed",
            "100,000 pushed (the ring keeps its cap, 10,000)",
        ),
        ("log/100k_held", "100,000 held (cap lifted to 100,000)"),
    ] {
        if let (Some(a), Some(b)) = (l100, mean_ns(dir, id)) {
            let ratio = b / a;
            support::row(
                &format!("render, large log pane at 200x60: {label} vs 100 entries"),
                &format!(
                    "{} vs {} = {ratio:.2}x",
                    support::fmt_ns(b),
                    support::fmt_ns(a)
                ),
                "<= 2x",
                Some(ratio <= 2.0),
            );
        }
    }
}

fn main() {
    let dir = std::env::var_os("CRITERION_HOME").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/criterion"),
        PathBuf::from,
    );
    let mut c = Criterion::default()
        .output_directory(&dir)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30)
        .configure_from_args();
    let theme = Theme::dark();
    bench_screens(&mut c, &theme);
    bench_log(&mut c, &theme);
    c.final_summary();
    report(&dir);
}
