//! The options every setup run takes (`apply`, `resume`, a batch's instances) and the checks
//! on them before anything reaches Halo.

use std::path::PathBuf;

use super::common::*;
use crate::journal::Journal;
use crate::plan::handover;

/// The flags `apply` and `resume` share: what applying may do, and where the result goes.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RunArgs {
    /// Apply without asking; without it the plan is printed and nothing is written.
    #[arg(long)]
    pub yes: bool,
    /// Print one machine-readable JSON result on stdout.
    #[arg(long)]
    pub json: bool,
    /// Print the plan and stop (never writes to Halo).
    #[arg(long)]
    pub dry_run: bool,
    /// Where to save the new credentials (0600); .env, .json or .toml. Default: the state dir.
    /// An existing file is never replaced without --force; the folder must exist.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the --out file if it exists.
    #[arg(long, requires = "out")]
    pub force: bool,
    /// Replace the secret of an application an earlier setup made, in place: the vendor's copy
    /// stops working at once (downtime until it has the new one). `halo-onboard rotate` hands
    /// over a new secret without downtime.
    #[arg(long)]
    pub new_secret: bool,
    /// For an application that already exists: a file holding its secret, to verify the
    /// result with (otherwise HALO_APP_CLIENT_SECRET, else the hand-over an earlier setup wrote).
    #[arg(long, value_name = "FILE")]
    pub app_secret_file: Option<PathBuf>,
    /// Accept a repair whose credentials cannot be verified (no secret at hand): exit 0.
    #[arg(long)]
    pub no_verify: bool,
}

/// `--out` must be a file halo-onboard may write: checked before anything reaches Halo, so a
/// file that exists (without `--force`), a missing folder or a foreign extension stops early.
/// An existing file that an earlier setup handed over to (the same command run again) is let
/// through: it is only replaced if a new secret must be handed over, and then only with
/// `--force` (the hand-over says so and the secret stays in the journal).
pub fn check_out(run: &RunArgs, journal: &Journal) -> Result<(), Failure> {
    let Some(out) = &run.out else {
        return Ok(());
    };
    // A dry run says what a real one would: an --out it could not write is an error there too.
    if !run.yes && !run.dry_run {
        return Ok(());
    }
    match handover::check_target(out, run.force) {
        Ok(_) => Ok(()),
        Err(handover::SaveError::Exists(_)) if journal.handed_over_to(out) => Ok(()),
        Err(e) => Err(Failure::new(e.to_string(), e.hint())),
    }
}

/// Whether a run may write to Halo: `--yes`, or a terminal that will be asked (never a dry run).
pub fn will_write(run: &RunArgs) -> bool {
    !run.dry_run && (run.yes || (!run.json && super::prompt::interactive()))
}
