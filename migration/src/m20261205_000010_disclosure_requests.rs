//! Information-disclosure requests and the agencies they go to. An agency
//! is one row per folded name and kind (a unique index: creating one that
//! exists returns it). A request's dates and decisions hang together under
//! CHECKs: no decision before filing, a decided status has a decision date
//! and an undecided one none, a transfer names another agency, an
//! objection's outcome comes with its date and after its lodging.
//!
//! Goals may now be measured from requests: `goals.source` gains
//! DISCLOSURE_REQUESTS (a column's CHECK cannot be altered on SQLite, so the
//! column is rebuilt: added anew, copied, the old one dropped, renamed),
//! with the filter of which requests count and the date counting starts
//! when the project has no start.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::refs::{Organizations, Users};
use crate::{
    References, add_column, create_table, drop_tables, index, one_of, run_sql, unique_index,
};
use ForeignKeyAction::{Cascade, Restrict, SetNull};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Agencies {
    Table,
    Id,
    Name,
    SearchKey,
    Kind,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum DisclosureRequests {
    Table,
    Id,
    OrganizationId,
    ProjectId,
    AgencyId,
    Subject,
    Body,
    Channel,
    ReceiptNumber,
    FiledOn,
    FiledBy,
    Status,
    DueOn,
    ExtendedOn,
    DecidedOn,
    TransferredToAgencyId,
    TransferredOn,
    ObjectionLodgedOn,
    ObjectionDecidedOn,
    ObjectionOutcome,
    AppealKind,
    AppealNotedOn,
    Visibility,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum DisclosureAttachments {
    Table,
    Id,
    RequestId,
    FileName,
    ContentType,
    SizeBytes,
    Sha256,
    UploadedBy,
    UploadedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum CitizenSubmissions {
    Table,
    Id,
    OrganizationId,
    AgencyName,
    Subject,
    Channel,
    FiledOn,
    ReceiptNumber,
    Contact,
    SubmittedBy,
    SubmittedAt,
    Resolution,
    ResolvedAt,
    RequestId,
}

#[derive(DeriveIden, Clone, Copy)]
enum Projects {
    Table,
}

#[derive(DeriveIden, Clone, Copy)]
enum Goals {
    Table,
    DisclosureFiledBy,
    DisclosureDecidedOnly,
    CountsSince,
}

/// Where a goal's readings come from, when not recorded by hand.
const GOAL_SOURCES: &str = "('ATTENDANCE', 'DISCLOSURE_REQUESTS')";

const AGENCY_KINDS: &[&str] = &[
    "CITY",
    "PROVINCE",
    "DISTRICT",
    "COUNCIL",
    "EDUCATION_OFFICE",
    "POLICE",
    "PUBLIC_CORPORATION",
    "OTHER",
];

const STATUSES: &[&str] = &[
    "FILED",
    "EXTENDED",
    "DISCLOSED",
    "PARTIALLY_DISCLOSED",
    "REFUSED",
    "NO_INFORMATION",
    "TRANSFERRED",
    "WITHDRAWN",
];

const CHANNELS: &[&str] = &["PORTAL", "POST", "IN_PERSON", "EMAIL", "FAX", "OTHER"];

/// How a request's dates and decisions hang together.
const REQUEST_CHECKS: &[&str] = &[
    "due_on >= filed_on",
    "extended_on IS NULL OR extended_on >= filed_on",
    "decided_on IS NULL OR decided_on >= filed_on",
    "status NOT IN ('FILED', 'EXTENDED') OR decided_on IS NULL",
    "status NOT IN ('DISCLOSED', 'PARTIALLY_DISCLOSED', 'REFUSED', 'NO_INFORMATION', 'TRANSFERRED') OR decided_on IS NOT NULL",
    "(transferred_to_agency_id IS NULL) = (transferred_on IS NULL)",
    "transferred_to_agency_id IS NULL OR transferred_to_agency_id <> agency_id",
    "transferred_on IS NULL OR decided_on >= transferred_on",
    "(objection_decided_on IS NULL) = (objection_outcome IS NULL)",
    "objection_lodged_on IS NOT NULL OR objection_decided_on IS NULL",
    "objection_decided_on IS NULL OR objection_decided_on >= objection_lodged_on",
    "(appeal_kind IS NULL) = (appeal_noted_on IS NULL)",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// One transaction on SQLite too: the goals' `source` is never missing.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        agencies(manager).await?;
        requests(manager).await?;
        citizen_submissions(manager).await?;
        attachments(manager).await?;
        goals_from_requests(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_sql(
            manager,
            &["DELETE FROM goals WHERE source = 'DISCLOSURE_REQUESTS'"],
        )
        .await?;
        for column in [
            Goals::CountsSince,
            Goals::DisclosureDecidedOnly,
            Goals::DisclosureFiledBy,
        ] {
            let drop = Table::alter()
                .table(Goals::Table)
                .drop_column(column)
                .to_owned();
            manager.alter_table(drop).await?;
        }
        drop_tables(
            manager,
            &[
                "disclosure_attachments",
                "citizen_submissions",
                "disclosure_requests",
                "agencies",
            ],
        )
        .await
    }
}

async fn agencies(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    use Agencies as A;
    create_table(
        manager,
        Table::create()
            .table(A::Table)
            .col(uuid(A::Id).primary_key())
            .col(string_len(A::Name, 200))
            .col(string_len(A::SearchKey, 200))
            .col(one_of(A::Kind, AGENCY_KINDS))
            .col(uuid_null(A::CreatedBy))
            .col(timestamp_with_time_zone(A::CreatedAt))
            .check(Expr::cust("search_key <> ''"))
            .references(A::CreatedBy, Users::Table, SetNull),
    )
    .await?;
    unique_index(manager, "agencies_key", A::Table, &["search_key", "kind"]).await?;
    index(manager, "agencies_name_idx", A::Table, &["name", "id"]).await
}

async fn requests(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    use DisclosureRequests as R;
    let mut table = Table::create();
    table
        .table(R::Table)
        .col(uuid(R::Id).primary_key())
        .col(uuid(R::OrganizationId))
        .col(uuid_null(R::ProjectId))
        .col(uuid(R::AgencyId))
        .col(string_len(R::Subject, 200))
        .col(text_null(R::Body))
        .col(one_of(R::Channel, CHANNELS))
        .col(string_len_null(R::ReceiptNumber, 100))
        .col(date(R::FiledOn))
        .col(one_of(R::FiledBy, &["MEMBER", "CITIZEN"]))
        .col(one_of(R::Status, STATUSES))
        .col(date(R::DueOn))
        .col(date_null(R::ExtendedOn))
        .col(date_null(R::DecidedOn))
        .col(uuid_null(R::TransferredToAgencyId))
        .col(date_null(R::TransferredOn))
        .col(date_null(R::ObjectionLodgedOn))
        .col(date_null(R::ObjectionDecidedOn))
        .col(
            one_of(
                R::ObjectionOutcome,
                &["UPHELD", "PARTLY_UPHELD", "DISMISSED"],
            )
            .null(),
        )
        .col(one_of(R::AppealKind, &["ADMINISTRATIVE_APPEAL", "LAWSUIT"]).null())
        .col(date_null(R::AppealNotedOn))
        .col(one_of(R::Visibility, &["PRIVATE", "PARTNERS", "PUBLIC"]))
        .col(uuid_null(R::CreatedBy))
        .col(timestamp_with_time_zone(R::CreatedAt))
        .col(timestamp_with_time_zone(R::UpdatedAt))
        .references(R::OrganizationId, Organizations::Table, Cascade)
        .references(R::ProjectId, Projects::Table, SetNull)
        .references(R::AgencyId, Agencies::Table, Restrict)
        .references(R::TransferredToAgencyId, Agencies::Table, Restrict)
        .references(R::CreatedBy, Users::Table, SetNull);
    for check in REQUEST_CHECKS {
        table.check(Expr::cust(*check));
    }
    create_table(manager, &mut table).await?;
    let t = R::Table;
    index(
        manager,
        "disclosure_requests_org_idx",
        t,
        &["organization_id", "id"],
    )
    .await?;
    index(
        manager,
        "disclosure_requests_agency_idx",
        t,
        &["agency_id", "filed_on"],
    )
    .await?;
    index(
        manager,
        "disclosure_requests_project_idx",
        t,
        &["project_id"],
    )
    .await?;
    index(
        manager,
        "disclosure_requests_transferred_idx",
        t,
        &["transferred_to_agency_id"],
    )
    .await
}

async fn goals_from_requests(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    run_sql(
        manager,
        &[
            &format!(
                "ALTER TABLE goals ADD COLUMN yd_source VARCHAR(24) NULL CHECK (yd_source IN {GOAL_SOURCES})"
            ),
            "UPDATE goals SET yd_source = source",
            "ALTER TABLE goals DROP COLUMN source",
            "ALTER TABLE goals RENAME COLUMN yd_source TO source",
        ],
    )
    .await?;
    add_column(
        manager,
        Goals::Table,
        one_of(Goals::DisclosureFiledBy, &["MEMBER", "CITIZEN"]).null(),
    )
    .await?;
    add_column(
        manager,
        Goals::Table,
        boolean(Goals::DisclosureDecidedOnly).default(false),
    )
    .await?;
    add_column(manager, Goals::Table, date_null(Goals::CountsSince)).await
}

async fn citizen_submissions(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    use CitizenSubmissions as C;
    create_table(
        manager,
        Table::create()
            .table(C::Table)
            .col(uuid(C::Id).primary_key())
            .col(uuid(C::OrganizationId))
            .col(string_len(C::AgencyName, 200))
            .col(string_len(C::Subject, 200))
            .col(one_of(C::Channel, CHANNELS))
            .col(date(C::FiledOn))
            .col(string_len_null(C::ReceiptNumber, 100))
            .col(string_len_null(C::Contact, 200))
            .col(uuid_null(C::SubmittedBy))
            .col(timestamp_with_time_zone(C::SubmittedAt))
            .col(one_of(C::Resolution, &["ACCEPTED", "DECLINED"]).null())
            .col(timestamp_with_time_zone_null(C::ResolvedAt))
            .col(uuid_null(C::RequestId))
            .check(Expr::cust("(resolution IS NULL) = (resolved_at IS NULL)"))
            .check(Expr::cust("request_id IS NULL OR resolution = 'ACCEPTED'"))
            .references(C::OrganizationId, Organizations::Table, Cascade)
            .references(C::SubmittedBy, Users::Table, SetNull)
            .references(C::RequestId, DisclosureRequests::Table, SetNull),
    )
    .await?;
    let cols = &["organization_id", "resolved_at", "id"];
    index(manager, "citizen_submissions_pending_idx", C::Table, cols).await
}

async fn attachments(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    use DisclosureAttachments as A;
    create_table(
        manager,
        Table::create()
            .table(A::Table)
            .col(uuid(A::Id).primary_key())
            .col(uuid(A::RequestId))
            .col(string_len(A::FileName, 200))
            .col(string_len(A::ContentType, 100))
            .col(big_integer(A::SizeBytes))
            .col(string_len(A::Sha256, 64))
            .col(uuid_null(A::UploadedBy))
            .col(timestamp_with_time_zone(A::UploadedAt))
            .check(Expr::cust("size_bytes > 0"))
            .check(Expr::cust("length(sha256) = 64"))
            .references(A::RequestId, DisclosureRequests::Table, Cascade)
            .references(A::UploadedBy, Users::Table, SetNull),
    )
    .await?;
    index(
        manager,
        "disclosure_attachments_request_idx",
        A::Table,
        &["request_id", "id"],
    )
    .await
}
