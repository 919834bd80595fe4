//! The nested-read walk: every field that returns an object or a list
//! applies the policy for that object exactly as the root read would.
//!
//! An object reached through a nested field (`booking(id:) { space {
//! bookings { organization } } }`) must be one that the root read of its
//! type (`space(id:)`, `booking(id:)`, …) returns to the same caller, and
//! it must show the same values. The walk checks that for every caller of
//! the authorization matrix (`authz/world.rs`'s `World`), generated from the
//! committed `schema.graphql`, so a new field or type is walked without
//! editing this file:
//!
//! 1. The schema is parsed at run time into types and fields.
//! 2. Arguments come from [`Env::args`]: `first` (1 on a path step, 100 in
//!    projections and root reads), `after` (the previous item's cursor on a
//!    path step), `from`/`to` (a window from yesterday to 300 days ahead);
//!    other optional arguments are omitted, and an unknown REQUIRED one
//!    panics ("no argument provider for Type.field(arg)").
//! 3. The roots are every Query field returning objects: as they are, per
//!    known id (`x(id:)`), or per known object of the type an `xId: ID!`
//!    argument names (`auditLog(organizationId:)`). The ids are what the
//!    platform admin's walk finds plus the World's.
//! 4. Every object found is read again along its path, selecting its
//!    *projection* (every scalar field, the identity of every object field,
//!    `totalCount pageInfo { hasNextPage } edges { cursor node { identity }
//!    }` of every connection), and compared with the same projection read
//!    by the root read of its type ([`ROOT_READS`]). Then the derived
//!    checks ([`DERIVED`]) run, and its object fields are enqueued with the
//!    path extended: through a connection one item per level
//!    (`field(first: 1, after: …)`), through a list picked by identity.
//!    Paths stop at [`MAX_STEPS`] steps, and where the query would break
//!    the server's limits (depth 10, 200,000 nodes).
//!
//! Extending it: a new object type needs a line in [`ROOT_READS`] (the
//! test fails until it has one), and one in [`IDENTITIES`] when it has no
//! `id: ID!`; a new required argument needs a case in [`Env::args`]; a
//! value that may legitimately change between two reads goes into
//! [`VOLATILE`]; a relation like "a count equals the length of a list" is
//! one line in [`DERIVED`].
//!
//! The files: `tables.rs` (the tables above and the limits), `schema.rs`
//! (the parsed schema), `selection.rs` (selection sets and steps), `env.rs`
//! (arguments, identities, projections), `paths.rs` (queries along paths
//! and root reads' steps), `items.rs` (what a walk carries), `driver.rs`
//! (one caller's walk from its roots), `compare.rs` (one object against its
//! root read), `checks.rs` (the checks within an object); this file holds
//! the test.
//!
//! [`Env::args`]: env::Env::args
//! [`ROOT_READS`]: tables::ROOT_READS
//! [`DERIVED`]: tables::DERIVED
//! [`MAX_STEPS`]: tables::MAX_STEPS
//! [`IDENTITIES`]: tables::IDENTITIES
//! [`VOLATILE`]: tables::VOLATILE

use std::collections::{BTreeMap, HashMap};

use crate::authz::{CALLERS, Caller, World};
use crate::db_test;

mod checks;
mod compare;
mod driver;
mod env;
mod items;
mod paths;
mod schema;
mod selection;
mod tables;

use driver::Walk;
use env::Env;
use items::{Failure, Known};
use tables::MIN_CHECKED;

/// The ids the World made, by type.
fn world_ids(world: &World<'_>) -> Known {
    let mut known = Known::new();
    let mut add = |ty: &str, id: &str| {
        known
            .entry(ty.to_owned())
            .or_default()
            .insert(id.to_owned());
    };
    for org in [&world.home, &world.club, &world.stranger] {
        add("Organization", &org.id);
    }
    for t in world.targets.values() {
        add("Organization", &t.org.id);
        add("Agreement", &t.agreement);
        add("Space", &t.space);
        add("Booking", &t.booking);
        add("Project", &t.project);
        add("Goal", &t.goal);
        add("SolidarityAction", &t.action);
    }
    add("Agreement", &world.former_agreement);
    add("Booking", &world.partner_booking);
    add("Booking", &world.former_booking);
    known
}

fn failure_report(failures: &[Failure]) -> String {
    const SHOWN: usize = 60;
    let mut by_kind: BTreeMap<(String, String), usize> = BTreeMap::new();
    for f in failures {
        *by_kind
            .entry((format!("{:?}", f.caller), f.ty.clone()))
            .or_default() += 1;
    }
    let summary: Vec<String> = by_kind
        .iter()
        .map(|((caller, ty), n)| format!("{caller}/{ty}: {n}"))
        .collect();
    let mut text = format!("by caller/type: {}\n\n", summary.join(", "));
    for f in failures.iter().take(SHOWN) {
        text.push_str(&f.to_string());
    }
    if failures.len() > SHOWN {
        text.push_str(&format!("… and {} more\n", failures.len() - SHOWN));
    }
    text
}

db_test! {
    async fn nested_reads_show_only_what_root_reads_show(app) {
        let world = World::build(&app).await;
        let env = Env::new(&app);
        let mut known = world_ids(&world);
        // The platform admin first: it reads everything, so its walk finds
        // the ids every other caller's root reads are tried with.
        let order = std::iter::once(Caller::PlatformAdmin)
            .chain(CALLERS.into_iter().filter(|c| *c != Caller::PlatformAdmin));
        let mut checked = HashMap::new();
        let mut failures = Vec::new();
        for caller in order {
            let report = {
                let walk = Walk::new(&env, &app, &world, caller, &known);
                walk.run().await;
                walk.finish()
            };
            eprintln!(
                "walk as {:?}: {} objects checked, {} requests, {} not expanded (query limits), {} failures",
                report.caller,
                report.checked,
                report.requests,
                report.pruned,
                report.failures.len()
            );
            if caller == Caller::PlatformAdmin {
                for (ty, ids) in report.found {
                    known.entry(ty).or_default().extend(ids);
                }
            }
            checked.insert(caller, report.checked);
            failures.extend(report.failures);
        }
        for caller in [Caller::Owner, Caller::PlatformAdmin] {
            assert!(
                checked[&caller] >= MIN_CHECKED,
                "the walk as {caller:?} checked only {} objects; expected at least {MIN_CHECKED}",
                checked[&caller]
            );
        }
        assert!(
            failures.is_empty(),
            "{} nested reads disagree with the root reads:\n{}",
            failures.len(),
            failure_report(&failures)
        );
    }
}
