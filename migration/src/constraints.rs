//! The names of the constraints and trigger markers whose violations are the
//! client's doing. The migrations create them under these names, and the
//! service maps a database error to the client's error by the same
//! constants, so renaming one cannot silently turn a CONFLICT into an
//! INTERNAL (a test violates each one on both databases).

/// A constraint as each database reports its violation: PostgreSQL by
/// `name`; SQLite by the columns of a unique index (`table.column, ...`) or,
/// for triggers, by the marker they raise (the same on both).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Named {
    pub name: &'static str,
    pub sqlite: &'static str,
}

impl Named {
    /// Whether a database error message reports this constraint.
    pub fn matches(&self, message: &str) -> bool {
        message.contains(self.name) || message.contains(self.sqlite)
    }
}

/// Declares each constraint, and [`ALL`] listing every one, so none can be
/// left out of the test.
macro_rules! named {
    ($($(#[$doc:meta])* $id:ident = ($name:literal, $sqlite:literal);)*) => {
        $($(#[$doc])* pub const $id: Named = Named { name: $name, sqlite: $sqlite };)*

        /// Every constraint above, for the test that violates each.
        pub const ALL: &[Named] = &[$($id),*];
    };
}

named! {
    /// Over `lower(email)`; SQLite names the index of an expression.
    USERS_EMAIL = ("users_email_key", "index 'users_email_key'");
    ORGANIZATIONS_SLUG = ("organizations_slug_key", "organizations.slug");
    MEMBERSHIPS_ORG_USER = (
        "memberships_org_user_key",
        "memberships.organization_id, memberships.user_id"
    );
    /// The exclusion constraint on PostgreSQL; the triggers' marker on SQLite.
    BOOKINGS_NO_OVERLAP = ("bookings_no_overlap", "yd_booking_overlap");
    AGREEMENT_PARTIES_AGREEMENT_ORG = (
        "agreement_parties_agreement_org_key",
        "agreement_parties.agreement_id, agreement_parties.organization_id"
    );
    AGREEMENT_CONSENTS_ANSWER = (
        "agreement_consents_key",
        "agreement_consents.agreement_id, agreement_consents.newcomer_id, agreement_consents.organization_id"
    );
    PROJECT_PARTICIPANTS_KEY = (
        "project_participants_key",
        "project_participants.project_id, project_participants.organization_id"
    );
    ENDORSEMENTS_KEY = (
        "endorsements_action_org_key",
        "endorsements.action_id, endorsements.organization_id"
    );
    EVENT_CO_HOSTS_KEY = (
        "event_co_hosts_key",
        "event_co_hosts.event_id, event_co_hosts.organization_id"
    );
    EVENT_INVITEES_KEY = (
        "event_invitees_key",
        "event_invitees.event_id, event_invitees.user_id"
    );
    RSVPS_KEY = ("rsvps_event_user_key", "rsvps.event_id, rsvps.user_id");
    MEMBER_GROUPS_NAME = (
        "member_groups_name_key",
        "member_groups.organization_id, member_groups.name"
    );
    /// Raised by the triggers that keep GOING RSVPs within capacity.
    EVENT_FULL = ("yd_event_full", "yd_event_full");
    /// Raised by the triggers that keep an organization's last OWNER.
    LAST_OWNER = ("yd_last_owner", "yd_last_owner");
}
