//! What Halo's model binder does with a posted object: properties its schema lacks are dropped
//! (halo-api.md §3.2a [I]: not stored, no error), nested objects of the schemas we hold are
//! treated the same, and values of the wrong JSON type are refused with a 400 — an integer
//! property takes a JSON integer only ("95.0" is rejected, §5.1 [C]), an id is the type the
//! spec gives it (`Uname.id` integer, `NHD_Roles.id` and `NHD_Identity_Application.id` string).

use serde_json::{Map, Value};

use super::error::SimError;
use crate::evidence::{self, Schema};

/// Is `v` a value of the spec type `ty`? `null` stands for "not sent" and fits every type.
fn fits(ty: &str, v: &Value) -> bool {
    if v.is_null() {
        return true;
    }
    match ty {
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "string" => v.is_string(),
        t if t.starts_with("array<") => v.is_array(),
        // A named object type, or one the extract does not know: an object, or anything.
        t if evidence::schema(t).is_some() => v.is_object(),
        _ => true,
    }
}

fn describe(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s
    }
}

/// The schema of the objects a property of type `ty` holds (`array<UnameSection>` →
/// `UnameSection`), when the extract has it.
fn nested(ty: &str) -> Option<&'static Schema> {
    let inner = ty
        .strip_prefix("array<")
        .and_then(|t| t.strip_suffix('>'))
        .unwrap_or(ty);
    evidence::schema(inner)
}

/// Drops from `item` every property `schema` lacks (and `extra` does not allow), recursing into
/// nested objects whose schema the extract holds; names dropped ones (`notes`,
/// `teams[].foo`) in `dropped`.
pub(super) fn drop_unknown(
    schema: &Schema,
    item: &mut Map<String, Value>,
    extra: &[&str],
    prefix: &str,
    dropped: &mut Vec<String>,
) {
    item.retain(|k, _| {
        let keep = schema.has(k) || extra.contains(&k.as_str());
        let name = format!("{prefix}{k}");
        if !keep && !dropped.contains(&name) {
            dropped.push(name);
        }
        keep
    });
    for (k, v) in item.iter_mut() {
        let Some(inner) = schema.type_of(k).and_then(nested) else {
            continue;
        };
        match v {
            Value::Array(items) => {
                let p = format!("{prefix}{k}[].");
                for x in items.iter_mut() {
                    if let Value::Object(m) = x {
                        drop_unknown(inner, m, &[], &p, dropped);
                    }
                }
            }
            Value::Object(m) => drop_unknown(inner, m, &[], &format!("{prefix}{k}."), dropped),
            _ => {}
        }
    }
}

/// Refuses a value of the wrong JSON type, naming the property; nested objects too.
pub(super) fn check_types(
    schema: &Schema,
    item: &Map<String, Value>,
    prefix: &str,
) -> Result<(), SimError> {
    for (k, v) in item {
        let Some(ty) = schema.type_of(k) else {
            continue;
        };
        if !fits(ty, v) {
            return Err(SimError::WrongType {
                value: describe(v),
                property: format!("{prefix}{k}"),
                expected: ty.to_string(),
            });
        }
        let Some(inner) = nested(ty) else { continue };
        match v {
            Value::Array(items) => {
                for x in items {
                    match x {
                        Value::Object(m) => check_types(inner, m, &format!("{prefix}{k}[]."))?,
                        Value::Null => {}
                        other => {
                            return Err(SimError::WrongType {
                                value: describe(other),
                                property: format!("{prefix}{k}[]"),
                                expected: inner.name.clone(),
                            });
                        }
                    }
                }
            }
            Value::Object(m) => check_types(inner, m, &format!("{prefix}{k}."))?,
            _ => {}
        }
    }
    Ok(())
}

/// What the model binder keeps of a posted object: [`drop_unknown`], then [`check_types`].
pub(super) fn clean(
    schema: &Schema,
    item: &mut Map<String, Value>,
    extra: &[&str],
    dropped: &mut Vec<String>,
) -> Result<(), SimError> {
    drop_unknown(schema, item, extra, "", dropped);
    check_types(schema, item, "")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn run(schema: &str, v: Value) -> (Result<Value, SimError>, Vec<String>) {
        let Value::Object(mut m) = v else {
            panic!("object")
        };
        let mut dropped = Vec::new();
        let r = clean(evidence::schema(schema).unwrap(), &mut m, &[], &mut dropped);
        (r.map(|()| Value::Object(m)), dropped)
    }

    #[test]
    fn drops_what_the_schema_lacks_at_every_level() {
        let (r, d) = run(
            "Uname",
            json!({"name": "bot", "notes": "x", "is_admin": true,
                   "teams": [{"team_id": 1, "colour": "red"}], "roles": [{"id": "g", "x": 1}]}),
        );
        assert_eq!(d, ["notes", "roles[].x", "teams[].colour"]);
        let v = r.unwrap();
        assert_eq!(v["teams"], json!([{"team_id": 1}]));
        assert_eq!(v["is_admin"], true, "a schema field is kept");
        let (r, d) = run(
            "NHD_Identity_Application",
            json!({"displayName": "A", "description": "ours"}),
        );
        assert_eq!(d, ["description"], "the 2024 schema has no Description");
        assert_eq!(r.unwrap(), json!({"displayName": "A"}));
    }

    #[test]
    fn refuses_the_wrong_json_types() {
        for (schema, body, needle) in [
            ("Uname", json!({"workday_id": 95.0}), "workday_id"),
            ("Uname", json!({"id": "7"}), "id (integer"),
            ("Uname", json!({"isapiagent": "yes"}), "isapiagent"),
            (
                "Uname",
                json!({"teams": [{"team_id": "1"}]}),
                "teams[].team_id",
            ),
            ("Uname", json!({"teams": {"team_id": 1}}), "teams"),
            ("NHD_Roles", json!({"id": 5}), "id (string"),
            ("NHD_Identity_Application", json!({"id": 5}), "id (string"),
        ] {
            let (r, _) = run(schema, body.clone());
            let e = r.unwrap_err().to_string();
            assert!(e.contains(needle), "{body}: {e}");
        }
        let (r, _) = run("Uname", json!({"workday_id": 95, "team": null}));
        assert!(r.is_ok());
    }
}
