//! Response shapes: a list is a bare array or an envelope `{"record_count":N,"<plural>":[...]}`;
//! a single object may come wrapped in a one-item array.

use serde_json::Value;

use crate::halo::error::{HaloError, Result};

/// Page size requested when Halo paginates a list.
pub(super) const PAGE_SIZE: usize = 100;
/// Most pages read from one list (20,000 rows at Halo's page size of 100).
pub(super) const MAX_PAGES: usize = 200;

/// Identifies a page's content, to notice a server that sends the same page again.
pub(super) fn fingerprint(rows: &[Value]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    serde_json::to_string(rows).unwrap_or_default().hash(&mut h);
    h.finish()
}

/// One page of a list response.
#[derive(Debug)]
pub struct Page {
    /// The list rows as Halo sent them, decoded by the caller.
    pub rows: Vec<Value>,
    /// Total rows on the server, when the response was an envelope that said so.
    pub record_count: Option<usize>,
}

/// Reads a list response. In an envelope the array under `plural` wins, else the first array.
pub fn page(v: Value, plural: &str, what: &str) -> Result<Page> {
    match v {
        Value::Array(rows) => Ok(Page {
            rows,
            record_count: None,
        }),
        Value::Object(mut map) => {
            let record_count = map.get("record_count").and_then(|c| {
                c.as_u64()
                    .or_else(|| c.as_str().and_then(|s| s.trim().parse().ok()))
                    .and_then(|n| usize::try_from(n).ok())
            });
            let key = map
                .keys()
                .find(|k| k.eq_ignore_ascii_case(plural) && map[*k].is_array())
                .or_else(|| map.keys().find(|k| map[*k].is_array()))
                .cloned();
            match key.and_then(|k| map.remove(&k)) {
                Some(Value::Array(rows)) => Ok(Page { rows, record_count }),
                _ if record_count.is_some() => Ok(Page {
                    rows: Vec::new(),
                    record_count,
                }),
                _ => Err(HaloError::Decode(
                    what.to_owned(),
                    format!("expected a list of {plural}, got an object without one"),
                )),
            }
        }
        Value::Null => Ok(Page {
            rows: Vec::new(),
            record_count: None,
        }),
        _ => Err(HaloError::Decode(
            what.to_owned(),
            format!("expected a list of {plural}"),
        )),
    }
}

/// A single object, accepting a bare object or an array (its first item).
pub fn single(v: Value, what: &str) -> Result<Value> {
    match v {
        Value::Object(_) => Ok(v),
        Value::Array(items) => items.into_iter().next().ok_or_else(|| {
            HaloError::Decode(what.to_owned(), "Halo answered an empty list".into())
        }),
        _ => Err(HaloError::Decode(
            what.to_owned(),
            "expected a JSON object".into(),
        )),
    }
}

/// Rows into typed models (unknown fields are ignored by the models themselves).
pub fn typed<T: serde::de::DeserializeOwned>(rows: Vec<Value>, what: &str) -> Result<Vec<T>> {
    rows.into_iter()
        .map(|r| {
            serde_json::from_value(r).map_err(|e| HaloError::Decode(what.to_owned(), e.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn shapes() {
        let p = page(json!([{"id":1}]), "agents", "x").unwrap();
        assert_eq!((p.rows.len(), p.record_count), (1, None));
        let p = page(
            json!({"page_no":1,"record_count":5,"agents":[{"id":1},{"id":2}],"other":[1,2,3]}),
            "agents",
            "x",
        )
        .unwrap();
        assert_eq!((p.rows.len(), p.record_count), (2, Some(5)));
        let p = page(
            json!({"record_count":"1","Things":[{"id":1}]}),
            "agents",
            "x",
        )
        .unwrap();
        assert_eq!((p.rows.len(), p.record_count), (1, Some(1)));
        let p = page(json!({"record_count":0}), "agents", "x").unwrap();
        assert!(p.rows.is_empty());
        assert!(page(json!({"id":1}), "agents", "x").is_err());
        assert!(page(json!(3), "agents", "x").is_err());
    }

    #[test]
    fn single_shapes() {
        assert_eq!(single(json!({"id":1}), "x").unwrap(), json!({"id":1}));
        assert_eq!(
            single(json!([{"id":2},{"id":3}]), "x").unwrap(),
            json!({"id":2})
        );
        assert!(single(json!([]), "x").is_err());
        assert!(single(json!("s"), "x").is_err());
    }
}
