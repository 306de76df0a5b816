//! The read-backs of one apply: each write is read again from Halo and compared with what was
//! sent, while the next write goes on.

use crate::halo::model::{Agent, Application, Role};
use crate::halo::{Client, HaloError};
use crate::plan::build::{self, Object};

pub(super) enum ReadBack {
    Diffs(Vec<(Object, String)>),
    ClientId(String, Vec<(Object, String)>),
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

fn failed(o: Object, e: HaloError) -> Vec<(Object, String)> {
    vec![(o, format!("could not read it back: {e}"))]
}

impl ReadBacks {
    pub(super) fn role(&mut self, c: &Client, id: &str, want: &Role) {
        let (c, id, want) = (c.clone(), id.to_string(), want.clone());
        self.tasks.push(tokio::spawn(async move {
            ReadBack::Diffs(match c.get_role(&id).await {
                Ok(got) => build::diff_role(&want, &got)
                    .into_iter()
                    .map(|d| (Object::Role, d))
                    .collect(),
                Err(e) => failed(Object::Role, e),
            })
        }));
    }
    pub(super) fn agent(&mut self, c: &Client, id: i64, want: &Agent) {
        let (c, want) = (c.clone(), want.clone());
        self.tasks.push(tokio::spawn(async move {
            ReadBack::Diffs(match c.get_agent(id).await {
                Ok(got) => build::diff_agent(&want, &got)
                    .into_iter()
                    .map(|d| (Object::Agent, d))
                    .collect(),
                Err(e) => failed(Object::Agent, e),
            })
        }));
    }
    pub(super) fn application(&mut self, c: &Client, id: &str, want: &Application) {
        let (c, id, want) = (c.clone(), id.to_string(), want.clone());
        self.tasks.push(tokio::spawn(async move {
            match c.get_application(&id).await {
                Ok(got) => ReadBack::ClientId(
                    got.client_id.clone(),
                    build::diff_application(&want, &got)
                        .into_iter()
                        .map(|d| (Object::Application, d))
                        .collect(),
                ),
                Err(e) => ReadBack::Diffs(failed(Object::Application, e)),
            }
        }));
    }
}
