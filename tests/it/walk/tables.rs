//! The tables that steer the walk: how each type is read at the root,
//! identities, references, volatile fields, derived checks, and the limits
//! the walk keeps to.

use serde_json::Value;

use super::checks::{busy_merges_bookings, counts_match_edges};
use super::env::Env;

/// How an object of each type is read at the root: the read a nested read
/// must agree with. Every object type the walk reaches needs an entry
/// (except the structural `*Connection`, `*Edge` and `PageInfo`, which are
/// walked through): reaching one without fails the test, so a new type
/// forces a decision.
pub(super) const ROOT_READS: &[(&str, RootRead)] = &[
    ("Organization", RootRead::by_id("organization")),
    ("Agreement", RootRead::by_id("agreement")),
    ("Space", RootRead::by_id("space")),
    ("Booking", RootRead::by_id("booking")),
    ("Project", RootRead::by_id("project")),
    ("Goal", RootRead::by_id("goal")),
    ("SolidarityAction", RootRead::by_id("solidarityAction")),
    ("Event", RootRead::by_id("event")),
    ("EventSeries", RootRead::by_id("eventSeries")),
    ("DisclosureRequest", RootRead::by_id("disclosureRequest")),
    (
        "Agency",
        RootRead::Query {
            field: "agencies",
            arg: None,
            within: None,
        },
    ),
    (
        "AgencyStats",
        RootRead::Query {
            field: "agencyStats",
            arg: None,
            within: None,
        },
    ),
    (
        "AuditEntry",
        RootRead::Query {
            field: "auditLog",
            arg: Some(("organizationId", "organization.id")),
            within: None,
        },
    ),
    (
        "ApiToken",
        RootRead::Query {
            field: "myApiTokens",
            arg: None,
            within: None,
        },
    ),
    (
        "Invitation",
        RootRead::Query {
            field: "organization",
            arg: Some(("id", "organization.id")),
            within: Some("pendingInvitations"),
        },
    ),
    (
        "MemberGroup",
        RootRead::Query {
            field: "organization",
            arg: Some(("id", "organization.id")),
            within: Some("memberGroups"),
        },
    ),
    (
        "Membership",
        RootRead::Query {
            field: "organization",
            arg: Some(("id", "organization.id")),
            within: Some("members"),
        },
    ),
    (
        "CitizenSubmission",
        RootRead::Query {
            field: "organization",
            arg: Some(("id", "organization.id")),
            within: Some("citizenSubmissions"),
        },
    ),
    ("AgreementParty", RootRead::Contextual),
    ("PartyConsent", RootRead::Contextual),
    ("TimeSlot", RootRead::Contextual),
    ("GoalProgress", RootRead::Contextual),
    ("GoalPoint", RootRead::Contextual),
    ("OrganizationSeries", RootRead::Contextual),
    ("Endorsement", RootRead::Contextual),
    ("Rsvp", RootRead::Contextual),
    ("Objection", RootRead::Contextual),
    ("Attachment", RootRead::Contextual),
    ("Appeal", RootRead::Contextual),
    ("User", RootRead::PublicFace(USER_PUBLIC_FACE)),
    ("AuthPayload", RootRead::MutationOnly),
    ("CreatedApiToken", RootRead::MutationOnly),
    ("DisclosureImportReport", RootRead::MutationOnly),
    ("ImportRowError", RootRead::MutationOnly),
];

#[derive(Debug, Clone, Copy)]
pub(super) enum RootRead {
    /// `Query.<field>`, with `arg` (argument name, dotted path of the value
    /// in the object) when given; the object is the answer itself, or is
    /// found by identity in it (a list or a connection, paged with `first:
    /// 100`), or in its field `within`.
    Query {
        field: &'static str,
        arg: Option<(&'static str, &'static str)>,
        within: Option<&'static str>,
    },
    /// Exists only inside its parent: re-read through the parent's own root
    /// read plus the same field, found by identity.
    Contextual,
    /// No root read exists: the caller's own one shows anything, anyone
    /// else's only what the face allows.
    PublicFace(&'static [(&'static str, Face)]),
    /// Returned only by mutations; a read reaching it is a failure.
    MutationOnly,
}

impl RootRead {
    const fn by_id(field: &'static str) -> RootRead {
        RootRead::Query {
            field,
            arg: Some(("id", "id")),
            within: None,
        }
    }
}

/// A user other than the caller's own person.
const USER_PUBLIC_FACE: &[(&str, Face)] = &[
    ("email", Face::NullUnlessPlatformAdmin),
    ("memberships", Face::Empty),
    ("isPlatformAdmin", Face::FalseUnlessPlatformAdmin),
    ("suspendedAt", Face::NullUnlessPlatformAdmin),
];

#[derive(Debug, Clone, Copy)]
pub(super) enum Face {
    NullUnlessPlatformAdmin,
    FalseUnlessPlatformAdmin,
    Empty,
}

/// The identity (dotted paths) of types without `id: ID!`; types in neither
/// are told apart by nothing (`__typename`), which only works for single
/// objects.
pub(super) const IDENTITIES: &[(&str, &[&str])] = &[
    ("Membership", &["organization.id", "user.id"]),
    ("AgreementParty", &["organization.id"]),
    ("PartyConsent", &["organization.id"]),
    ("TimeSlot", &["startsAt", "endsAt"]),
    ("GoalPoint", &["periodStart"]),
    ("OrganizationSeries", &["organization.id"]),
    ("Endorsement", &["organization.id"]),
    ("Rsvp", &["event.id", "user.id"]),
    ("AgencyStats", &["agency.id"]),
    ("ImportRowError", &["line", "column", "message"]),
];

/// Edges (parent type, field) that may lead to an object its root read does
/// not return: such an object is a *reference*, showing only its
/// [`REFERENCE_FIELDS`]; every other scalar is null (`false` for a
/// Boolean), every other single object null, and its lists are walked as
/// usual (so each item in them must pass its own root read).
pub(super) const REFERENCE_EDGES: &[(&str, &str)] = &[("Booking", "space"), ("Event", "space")];

/// What a reference of each type may show.
pub(super) const REFERENCE_FIELDS: &[(&str, &[&str])] =
    &[("Space", &["id", "name", "owner", "requiresApproval"])];

/// Fields left out of value comparisons: they may change between two reads.
pub(super) const VOLATILE: &[(&str, &str)] = &[("ApiToken", "lastUsedAt")];

/// Checks within one projection. `on` is the type (None: every type,
/// including the root listings); `needs` adds fields to the selection of
/// an object field of that type (field, subfields) for the check to use.
pub(super) const DERIVED: &[Derived] = &[
    Derived {
        on: None,
        what: "no totalCount reveals more",
        needs: &[],
        check: counts_match_edges,
    },
    Derived {
        on: Some("Space"),
        what: "busy is the merge of bookings",
        needs: &[("bookings", &["startsAt", "endsAt"])],
        check: busy_merges_bookings,
    },
];

pub(super) struct Derived {
    pub(super) on: Option<&'static str>,
    pub(super) what: &'static str,
    pub(super) needs: &'static [(&'static str, &'static [&'static str])],
    pub(super) check: fn(&Env, &str, &Value) -> Result<(), String>,
}

/// Paths stop growing at this many steps.
pub(super) const MAX_STEPS: usize = 4;
/// The server's request limits (docs/api.md, "Request limits"); the walk
/// stays within them, and a QUERY_TOO_COMPLEX answer is a bug in the walk.
pub(super) const MAX_DEPTH: usize = 10;
pub(super) const MAX_NODES: u64 = 200_000;
pub(super) const LIST_FANOUT: u64 = 10;
pub(super) const DEFAULT_FIRST: u64 = 20;
/// `first` of connections in projections: 100, less where 100 would break
/// the node limit deep in a path (the root read then uses the same).
pub(super) const PROJECTION_FIRSTS: [u32; 3] = [100, 10, 1];
/// Requests in flight per caller.
pub(super) const CONCURRENCY: usize = 8;
/// A root read pages at most this far to find an object.
pub(super) const MAX_PAGES: usize = 100;
/// "Some dozens" of objects the OWNER and the platform admin must check.
pub(super) const MIN_CHECKED: usize = 36;
/// Codes by which a root read says "not for you".
pub(super) const HIDDEN: &[&str] = &["NOT_FOUND", "FORBIDDEN", "UNAUTHENTICATED"];
pub(super) const OPERATION_TYPES: &[&str] = &["Query", "Mutation", "Subscription"];

pub(super) fn is_connection(ty: &str) -> bool {
    ty.ends_with("Connection")
}

pub(super) fn is_structural(ty: &str) -> bool {
    is_connection(ty) || ty.ends_with("Edge") || ty == "PageInfo"
}
