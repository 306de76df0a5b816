//! The read-backs of one apply: each write is read again from Halo and compared with what was
//! sent, while the next write goes on.

use crate::halo::model::{Agent, Application, Role};
use crate::halo::{Client, HaloError};
use crate::plan::build::{self, Object};
use crate::plan::diff::Difference;

pub(super) enum ReadBack {
    Diffs(Vec<Difference>),
    ClientId(String, Vec<Difference>),
}

/// Read-backs run in the background while the next write goes out: each object's read-back
/// depends only on its own write, so they add no sequential round trip.
pub(super) struct ReadBacks {
    pub(super) tasks: Vec<tokio::task::JoinHandle<ReadBack>>,
}

impl std::fmt::Debug for ReadBacks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ReadBacks({} pending)", self.tasks.len())
    }
}

fn failed(o: Object, e: HaloError) -> Vec<Difference> {
    vec![Difference::unread(o, &e.to_string())]
}

impl ReadBacks {
    pub(super) fn role(&mut self, c: &Client, id: &str, want: &Role) {
        let (c, id, want) = (c.clone(), id.to_string(), want.clone());
        self.tasks.push(tokio::spawn(async move {
            ReadBack::Diffs(match c.get_role(&id).await {
                Ok(got) => build::diff_role(&want, &got),
                Err(e) => failed(Object::Role, e),
            })
        }));
    }
    pub(super) fn agent(&mut self, c: &Client, id: i64, want: &Agent) {
        let (c, want) = (c.clone(), want.clone());
        self.tasks.push(tokio::spawn(async move {
            ReadBack::Diffs(match c.get_agent(id).await {
                Ok(got) => build::diff_agent(&want, &got),
                Err(e) => failed(Object::Agent, e),
            })
        }));
    }
    pub(super) fn application(&mut self, c: &Client, id: &str, want: &Application) {
        let (c, id, want) = (c.clone(), id.to_string(), want.clone());
        self.tasks.push(tokio::spawn(async move {
            match c.get_application(&id).await {
                Ok(got) => {
                    ReadBack::ClientId(got.client_id.clone(), build::diff_application(&want, &got))
                }
                Err(e) => ReadBack::Diffs(failed(Object::Application, e)),
            }
        }));
    }
}
