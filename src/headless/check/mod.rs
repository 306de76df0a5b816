//! `halo-onboard check`: audits an existing integration against its profile, for cron and RMM
//! scripts. With the application's own credentials: token, `Agent/me`, one probe per scope area.
//! With the (optional) bootstrap credentials as well: the Application, Agent and Role objects,
//! to find drift a token cannot show (extra scopes, inactive application, agent no longer
//! API-only, role changed). Exit 0 all good, 1 drift or failure, 2 could not run.

mod all;
mod args;
mod audit;
mod input;
mod objects;
mod one;
mod report;
mod subject;
mod token;

pub use args::CheckArgs;
pub use audit::{audit, audit_without_token};
pub use input::Audit;
pub(crate) use one::try_run;
pub use report::{BOOTSTRAP_CHECKS, CheckRow, Report, Status, report_text};

use crate::headless::common::*;

/// `halo-onboard check`.
pub async fn run(args: &CheckArgs) -> u8 {
    if args.all {
        return crate::headless::deadline::within(
            args.deadline,
            "check --all",
            args.json,
            all::run(args),
        )
        .await;
    }
    crate::headless::deadline::within(args.deadline, "check", args.json, run_check(args)).await
}

async fn run_check(args: &CheckArgs) -> u8 {
    match try_run(args).await {
        Ok(r) => {
            if args.json {
                outln!("{}", serde_json::to_string(&r).unwrap_or_default());
            } else {
                // Names and messages from Halo are in it; cron mails and RMM consoles show it.
                out!("{}", crate::text::block(&report_text(&r)));
            }
            r.code()
        }
        Err(f) => {
            print_failure(&f, args.json);
            f.code
        }
    }
}
