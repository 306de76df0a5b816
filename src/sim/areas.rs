//! The area endpoints (`evidence/areas.toml`): each a list in Halo's envelope form, guarded by
//! the area's read scope and the level of its gating claim in the agent's claims (its own and
//! its roles', in the instance's codes and scales). A role that denies the area answers as the
//! `denial` variant says (403, or an empty list). Tickets also apply the `ticket_visibility`
//! variant; Clients and Users at "View (Names Only)" show names only. Tickets can be written
//! (`POST /api/Tickets`): `edit:tickets` and Tickets "Read and Modify", plus "Can add new
//! Tickets" (`l6`) for a new one.

use axum::response::Response;
use serde_json::{Value, json};

use super::crud::Notes;
use super::record::{Record, schema_at};
use super::reply::{self, Query, bad_request};
use super::req::Ctx;
use super::state::{State, UNASSIGNED_AGENT_ID};
use super::variants::{Denial, TicketVisibility};
use super::{faults::Faults, schema};
use crate::evidence::{self, Access, ProbeArea};

/// The label of the setting that gates an area, for the refusal.
fn gate_label(code: &str) -> String {
    if code == "SA" {
        return "administrator".into();
    }
    evidence::claims()
        .get(code)
        .map_or_else(|| code.to_string(), |c| c.label.clone())
}

/// Is `ticket` in a list for the caller, by the `ticket_visibility` reading?
fn ticket_visible(st: &State, ctx: &Ctx, t: &Record, vis: TicketVisibility) -> bool {
    if ctx.is_admin {
        return true;
    }
    let assignee = t.i64("agent_id").unwrap_or(0);
    let unassigned = assignee == 0 || assignee == UNASSIGNED_AGENT_ID;
    // Its own tickets: an agent always sees what is assigned to it [I].
    if !unassigned && assignee == ctx.agent_id {
        return true;
    }
    let all_teams = evidence::scopes().any_grants(&ctx.scopes, "all:teams");
    let team = st
        .teams
        .iter()
        .find(|x| x.str("name").eq_ignore_ascii_case(t.str("team")));
    match vis {
        TicketVisibility::Teams => {
            all_teams
                || ctx.agent.list("teams").iter().any(|m| {
                    let in_team = team
                        .is_some_and(|x| m.get("team_id").and_then(Value::as_i64) == x.i64("id"));
                    let flag = if unassigned {
                        "unassigned_access"
                    } else {
                        "otheragent_access"
                    };
                    in_team && m.get(flag).and_then(Value::as_bool).unwrap_or(false)
                })
        }
        TicketVisibility::Switches => ctx.perms.allows(if unassigned { "l9" } else { "l8" }),
        TicketVisibility::Departments => {
            let department = team.and_then(|x| x.i64("department_id"));
            all_teams
                || department.is_some_and(|d| {
                    ctx.agent
                        .list("departments")
                        .iter()
                        .any(|m| m.get("department_id").and_then(Value::as_i64) == Some(d))
                })
        }
    }
}

/// `GET` of an area endpoint.
pub(crate) fn get(
    st: &State,
    ctx: &Ctx,
    area: &'static ProbeArea,
    q: &Query,
    f: &Faults,
) -> Result<Response, Response> {
    ctx.need_scope(&area.read_scope())?;
    let access = ctx.perms.access(&area.claim);
    if access == Access::None {
        return match f.denial {
            Denial::Forbidden => Err(ctx.role_refusal(&gate_label(&area.claim))),
            Denial::Empty => Ok(reply::list(Vec::new(), q, &area.list_key, true)),
        };
    }
    let rows: Vec<Value> = st
        .rows(&area.path)
        .iter()
        .filter(|t| area.path != "/Tickets" || ticket_visible(st, ctx, t, f.ticket_visibility))
        .map(|r| {
            if access == Access::Names {
                json!({ "id": r.get("id"), "name": r.str("name") })
            } else {
                r.to_value()
            }
        })
        .collect();
    Ok(reply::list(rows, q, &area.list_key, true))
}

/// `POST /api/Tickets`: a JSON array of tickets (`Faults`); no id = new ticket.
pub(crate) fn post_tickets(
    st: &mut State,
    ctx: &Ctx,
    body: &[u8],
    notes: &mut Notes,
) -> Result<Response, Response> {
    ctx.need_scope("edit:tickets")?;
    ctx.need_role(
        ctx.perms.access("Tx") >= Access::Modify,
        "Tickets Read and Modify",
    )?;
    let items: Vec<Value> = match serde_json::from_slice(body) {
        Ok(Value::Array(a)) if !a.is_empty() => a,
        _ => {
            return Err(bad_request(
                "The request body must be a non-empty JSON array",
            ));
        }
    };
    let Some(faults) = schema_at("/Tickets") else {
        return Err(reply::not_emulated("/Tickets"));
    };
    let mut work = st.tickets().to_vec();
    let mut out = Vec::new();
    for item in items {
        let Value::Object(mut item) = item else {
            return Err(bad_request("Each item must be a JSON object"));
        };
        schema::clean(faults, &mut item, &[], &mut notes.dropped)
            .map_err(|m| bad_request(&m.to_string()))?;
        let id = item.get("id").and_then(Value::as_i64).unwrap_or(0);
        if id == 0 {
            ctx.need_role(ctx.perms.allows("l6"), "\"Can add new Tickets\"")?;
            let next = work
                .iter()
                .filter_map(|t| t.i64("id"))
                .max()
                .unwrap_or(1000)
                + 1;
            let mut t = Record::from_map(item);
            t.set("id", next);
            if !t.has("status_id") {
                t.set("status_id", 1);
            }
            if !t.has("agent_id") {
                t.set("agent_id", UNASSIGNED_AGENT_ID);
            }
            out.push(t.to_value());
            work.push(t);
        } else {
            let Some(t) = work.iter_mut().find(|t| t.i64("id") == Some(id)) else {
                return Err(bad_request(&format!("Ticket {id} does not exist")));
            };
            for (k, v) in item {
                t.set(&k, v);
            }
            out.push(t.to_value());
        }
    }
    *st.tickets_mut() = work;
    Ok(match out.len() {
        1 => reply::json(201, &out[0]),
        _ => reply::json(201, &out),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::perms::Perms;
    use crate::sim::state::{BOOTSTRAP_AGENT_ID, HUMAN_AGENT_ID};

    fn ctx(st: &State, agent_id: i64, scopes: &[&str]) -> Ctx {
        let agent = st.agent(agent_id).unwrap().clone();
        let perms: Perms = st.perms(&agent);
        Ctx {
            scopes: scopes
                .iter()
                .map(std::string::ToString::to_string)
                .collect(),
            agent_id,
            is_admin: perms.admin(),
            perms,
            agent,
        }
    }

    fn visible(st: &State, c: &Ctx, vis: TicketVisibility) -> Vec<i64> {
        st.tickets()
            .iter()
            .filter(|t| ticket_visible(st, c, t, vis))
            .filter_map(|t| t.i64("id"))
            .collect()
    }

    /// Each reading gives Sam Support (Service Desk, Support department, `l8`/`l9` on his role)
    /// and an agent in no team a different list; an administrator sees everything in each.
    #[test]
    fn each_visibility_reading_differs() {
        let mut st = State::seed("c".into(), "s".into());
        let sam = ctx(&st, HUMAN_AGENT_ID, &["read:tickets"]);
        use TicketVisibility::*;
        assert_eq!(visible(&st, &sam, Teams), [1001, 1002, 1004]);
        assert_eq!(visible(&st, &sam, Switches), [1001, 1002, 1003, 1004, 1005]);
        assert_eq!(visible(&st, &sam, Departments), [1001, 1002, 1003, 1004]);
        let admin = ctx(&st, BOOTSTRAP_AGENT_ID, &["read:tickets"]);
        for v in [Teams, Switches, Departments] {
            assert_eq!(visible(&st, &admin, v).len(), 5, "{v:?}");
        }
        // An agent with no tickets of its own: the membership flags decide in the teams
        // reading, the role switches in the switches reading, the departments in the last;
        // all:teams opens every team but changes nothing for the switches.
        let bot = st.add_agent(json!({"name": "bot", "isapiagent": true,
            "teams": [{"team_id": 1, "unassigned_access": true, "otheragent_access": false}],
            "departments": [{"department_id": 3}],
            "roles": [{"id": crate::sim::state::FIRST_LINE_ROLE_ID}]}));
        let c = ctx(&st, bot, &["read:tickets"]);
        assert_eq!(visible(&st, &c, Teams), [1001]);
        assert_eq!(visible(&st, &c, Switches), [1001, 1002, 1003, 1004, 1005]);
        assert_eq!(visible(&st, &c, Departments), [1005]);
        st.role_mut(crate::sim::state::FIRST_LINE_ROLE_ID)
            .unwrap()
            .set(
                "claims",
                json!([{"type": "Tx", "value": "1"}, {"type": "l9", "value": "1"}]),
            );
        let c = ctx(&st, bot, &["read:tickets", "all:teams"]);
        assert_eq!(visible(&st, &c, Switches), [1001, 1003, 1005]);
        assert_eq!(visible(&st, &c, Teams).len(), 5);
        assert_eq!(visible(&st, &c, Departments).len(), 5);
    }
}
