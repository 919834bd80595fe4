//! The checks within one object: the derived relations of [`DERIVED`]
//! (counts, busy intervals), the public face of other users, and what a
//! reference may show.

use chrono::{DateTime, FixedOffset};
use serde_json::Value;

use super::driver::Walk;
use super::env::Env;
use super::items::Item;
use super::tables::{DERIVED, Face, REFERENCE_FIELDS, is_connection};
use crate::authz::Caller;

/// A connection with no next page has exactly `totalCount` edges.
pub(super) fn counts_match_edges(env: &Env, ty: &str, obj: &Value) -> Result<(), String> {
    let mut problems = Vec::new();
    for f in env
        .schema
        .fields(ty)
        .iter()
        .filter(|f| is_connection(&f.ty))
    {
        let c = &obj[f.name.as_str()];
        if c.is_null() || c.get("totalCount").is_none() || c["pageInfo"]["hasNextPage"] != false {
            continue;
        }
        let edges = c["edges"].as_array().map_or(0, Vec::len);
        if c["totalCount"].as_u64() != Some(edges as u64) {
            problems.push(format!(
                "{}.totalCount is {} but it has {edges} edges and no next page",
                f.name, c["totalCount"]
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

type Interval = (DateTime<FixedOffset>, DateTime<FixedOffset>);

/// `busy` is the bookings' intervals, touching or overlapping ones joined,
/// clipped to the window.
pub(super) fn busy_merges_bookings(env: &Env, _ty: &str, space: &Value) -> Result<(), String> {
    let (from, to) = (instant(&env.window.0)?, instant(&env.window.1)?);
    let mut spans = intervals(&space["bookings"])?;
    spans.sort();
    let mut merged: Vec<Interval> = Vec::new();
    for (start, end) in spans {
        let (start, end) = (start.max(from), end.min(to));
        if start >= end {
            continue;
        }
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    let busy = intervals(&space["busy"])?;
    if busy == merged {
        Ok(())
    } else {
        Err(format!(
            "busy is {} but the bookings merge to {}",
            show_intervals(&busy),
            show_intervals(&merged)
        ))
    }
}

fn intervals(list: &Value) -> Result<Vec<Interval>, String> {
    let items = list
        .as_array()
        .ok_or_else(|| format!("not a list: {list}"))?;
    items
        .iter()
        .map(|x| -> Result<Interval, String> {
            let start = x["startsAt"]
                .as_str()
                .ok_or("an interval without startsAt")?;
            let end = x["endsAt"].as_str().ok_or("an interval without endsAt")?;
            Ok((instant(start)?, instant(end)?))
        })
        .collect()
}

fn instant(s: &str) -> Result<DateTime<FixedOffset>, String> {
    DateTime::parse_from_rfc3339(s).map_err(|e| format!("{s:?} is not a date-time: {e}"))
}

fn show_intervals(spans: &[Interval]) -> String {
    let parts: Vec<String> = spans
        .iter()
        .map(|(s, e)| format!("{}–{}", s.to_rfc3339(), e.to_rfc3339()))
        .collect();
    format!("[{}]", parts.join(", "))
}

impl Walk<'_> {
    /// Another user shows only its public face; the caller's own, anything.
    pub(super) fn check_public_face(&self, item: &Item, obj: &Value, face: &[(&str, Face)]) {
        if obj["id"]
            .as_str()
            .is_some_and(|id| Some(id) == self.me.as_deref())
        {
            return;
        }
        let admin = self.caller == Caller::PlatformAdmin;
        let shown: Vec<String> = face
            .iter()
            .filter_map(|(field, face)| {
                let v = obj.get(*field).unwrap_or_else(|| {
                    panic!(
                        "the public face of {} names `{field}`, which it lacks",
                        item.ty
                    )
                });
                let ok = match face {
                    Face::NullUnlessPlatformAdmin => admin || v.is_null(),
                    Face::FalseUnlessPlatformAdmin => admin || *v == false,
                    Face::Empty => v.as_array().is_some_and(Vec::is_empty),
                };
                (!ok).then(|| format!("{field} = {v}"))
            })
            .collect();
        if !shown.is_empty() {
            let what = format!(
                "another user shows more than its public face: {}",
                shown.join(", ")
            );
            self.fail(item, what, obj.clone(), Value::Null);
        }
    }

    /// A reference shows its reference fields and nothing else.
    pub(super) fn check_reference(&self, item: &Item, obj: &Value) {
        let allowed = REFERENCE_FIELDS
            .iter()
            .find(|(t, _)| *t == item.ty)
            .map(|(_, fields)| *fields)
            .unwrap_or_else(|| {
                panic!(
                    "REFERENCE_EDGES leads to {}, which has no REFERENCE_FIELDS",
                    item.ty
                )
            });
        let schema = &self.env.schema;
        let shown: Vec<String> = schema
            .fields(&item.ty)
            .iter()
            .filter(|f| !allowed.contains(&f.name.as_str()))
            .filter_map(|f| {
                let v = &obj[f.name.as_str()];
                let ok = if schema.is_leaf(&f.ty) {
                    v.is_null() || (f.ty == "Boolean" && *v == false)
                } else {
                    // Lists are walked: each item passes its own root read.
                    f.list || is_connection(&f.ty) || v.is_null()
                };
                (!ok).then(|| format!("{} = {v}", f.name))
            })
            .collect();
        if !shown.is_empty() {
            let what = format!(
                "a reference (its root read is NOT_FOUND) shows more than {}: {}",
                allowed.join(", "),
                shown.join(", ")
            );
            self.fail(item, what, obj.clone(), Value::Null);
        }
    }

    pub(super) fn derived(&self, item: &Item, obj: &Value) {
        for d in DERIVED
            .iter()
            .filter(|d| d.on.is_none_or(|on| on == item.ty))
        {
            if let Err(e) = (d.check)(self.env, &item.ty, obj) {
                self.fail(item, format!("{}: {e}", d.what), obj.clone(), Value::Null);
            }
        }
    }
}
