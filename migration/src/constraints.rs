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

pub const USERS_EMAIL: Named = Named {
    name: "users_email_key",
    sqlite: "users.email",
};

pub const ORGANIZATIONS_SLUG: Named = Named {
    name: "organizations_slug_key",
    sqlite: "organizations.slug",
};

pub const MEMBERSHIPS_ORG_USER: Named = Named {
    name: "memberships_org_user_key",
    sqlite: "memberships.organization_id, memberships.user_id",
};

/// The exclusion constraint on PostgreSQL; the triggers' marker on SQLite.
pub const BOOKINGS_NO_OVERLAP: Named = Named {
    name: "bookings_no_overlap",
    sqlite: "yd_booking_overlap",
};

pub const AGREEMENT_PARTIES_AGREEMENT_ORG: Named = Named {
    name: "agreement_parties_agreement_org_key",
    sqlite: "agreement_parties.agreement_id, agreement_parties.organization_id",
};

pub const AGREEMENT_CONSENTS_ANSWER: Named = Named {
    name: "agreement_consents_key",
    sqlite: "agreement_consents.agreement_id, agreement_consents.newcomer_id, agreement_consents.organization_id",
};

/// Raised by the triggers that keep an organization's last OWNER.
pub const LAST_OWNER: Named = Named {
    name: "yd_last_owner",
    sqlite: "yd_last_owner",
};

/// Every constant above, for the test that violates each.
pub const ALL: [Named; 7] = [
    USERS_EMAIL,
    ORGANIZATIONS_SLUG,
    MEMBERSHIPS_ORG_USER,
    BOOKINGS_NO_OVERLAP,
    AGREEMENT_PARTIES_AGREEMENT_ORG,
    AGREEMENT_CONSENTS_ANSWER,
    LAST_OWNER,
];
