//! `tighten`: an over-privileged integration down to its profile's least privilege, without
//! cutting the vendor off.
//!
//! Two routes, chosen from what Halo shows:
//! - **In place**, when the agent may stay (API-only, not an administrator the profile does not
//!   ask for, its one role held by no other agent): the application's scopes, then the role's
//!   permissions, are set to the profile's, one step at a time. Each step is journaled with what
//!   it replaced, checked with the application's own credentials, and put back at once if a
//!   check that passed before fails after it (the vendor's needs stopped being met).
//! - **A new agent** (the rotation route), when the agent must change (a person's account, an
//!   administrator, a role shared with other agents or unreadable): a new role, API-only agent
//!   and application from the profile, verified and handed over; `rotate --finish` then
//!   deletes the old application. The old agent, the person's account and any Administrator
//!   role are never edited or deleted. If the new credentials do not verify, what was created
//!   is deleted again and the setup is as it was.

mod in_place;
mod new_agent;
mod plan;

pub(crate) use in_place::{InPlace, TightenError};
pub(crate) use new_agent::{abandon, begin_new_agent, create_new_agent};
pub(crate) use plan::*;

#[cfg(test)]
#[path = "tighten_tests.rs"]
mod tests;
