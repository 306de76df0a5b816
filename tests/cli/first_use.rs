//! What a new administrator hit using the headless commands for the first time (issue 20):
//! every plan line names its object, the output says what it means, and nothing said is false.

use crate::common::bin::*;
use crate::common::emulator::*;

/// A custom profile leaves the names to the user: its plan says so on each line instead of a
/// blank name ("create  Role" followed by nothing).
#[tokio::test]
async fn a_plan_without_names_says_so() {
    let sim = emulator().await;
    let home = Home::new();
    let r = home
        .run_sim(
            &sim,
            ["apply", "--url", &sim.url, "--profile", "custom", "--dry-run"],
        )
        .await;
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    for line in r.stdout.lines().filter(|l| l.trim_start().starts_with("create")) {
        let words: Vec<&str> = line.split_whitespace().collect();
        assert!(words.len() > 2, "a plan line without a name: {line:?}\n{}", r.stdout);
        assert!(line.contains("no name yet"), "{line:?}");
    }
}
