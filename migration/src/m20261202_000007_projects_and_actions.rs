//! Joint projects with their participants, goals and recorded progress;
//! solidarity actions and their endorsements. One endorsement per
//! organization and action, and one participation per organization and
//! project, are unique indexes; a goal's shape (a quantitative goal has a
//! measure and a positive target, a qualitative one neither) is a CHECK.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::refs::{Agreements, Organizations, Users};
use crate::{References, constraints, create_table, drop_tables, index, one_of, unique_index};
use ForeignKeyAction::{Cascade, Restrict, SetNull};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Projects {
    Table,
    Id,
    LeadOrganizationId,
    AgreementId,
    Title,
    Summary,
    Status,
    Visibility,
    StartsOn,
    EndsOn,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum ProjectParticipants {
    Table,
    Id,
    ProjectId,
    OrganizationId,
    AddedAt,
    AddedBy,
}

#[derive(DeriveIden, Clone, Copy)]
enum Goals {
    Table,
    Id,
    ProjectId,
    Kind,
    Measure,
    Title,
    Unit,
    TargetE4,
    DueOn,
    Status,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum GoalProgress {
    Table,
    Id,
    GoalId,
    OrganizationId,
    AmountE4,
    Note,
    RecordedAt,
    RecordedBy,
}

#[derive(DeriveIden, Clone, Copy)]
enum SolidarityActions {
    Table,
    Id,
    InitiatorId,
    AgreementId,
    Title,
    Kind,
    Body,
    CallToAction,
    Status,
    Deadline,
    Visibility,
    OpenedAt,
    ClosedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Endorsements {
    Table,
    Id,
    ActionId,
    OrganizationId,
    EndorsedBy,
    Comment,
    EndorsedAt,
}

const VISIBILITIES: &[&str] = &["PRIVATE", "PARTNERS", "PUBLIC"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        projects(manager).await?;
        goals(manager).await?;
        actions(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            &[
                "endorsements",
                "solidarity_actions",
                "goal_progress",
                "goals",
                "project_participants",
                "projects",
            ],
        )
        .await
    }
}

async fn projects(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    use Projects as P;
    let statuses = &["PLANNED", "ACTIVE", "COMPLETED", "CANCELLED"];
    create_table(
        manager,
        Table::create()
            .table(P::Table)
            .col(uuid(P::Id).primary_key())
            .col(uuid(P::LeadOrganizationId))
            .col(uuid_null(P::AgreementId))
            .col(string_len(P::Title, 200))
            .col(text_null(P::Summary))
            .col(one_of(P::Status, statuses))
            .col(one_of(P::Visibility, VISIBILITIES))
            .col(date_null(P::StartsOn))
            .col(date_null(P::EndsOn))
            .col(timestamp_with_time_zone(P::CreatedAt))
            .col(timestamp_with_time_zone(P::UpdatedAt))
            .check(Expr::cust(
                "starts_on IS NULL OR ends_on IS NULL OR starts_on <= ends_on",
            ))
            .references(P::LeadOrganizationId, Organizations::Table, Cascade)
            .references(P::AgreementId, Agreements::Table, SetNull),
    )
    .await?;
    index(
        manager,
        "projects_lead_idx",
        P::Table,
        &["lead_organization_id"],
    )
    .await?;
    index(
        manager,
        "projects_agreement_idx",
        P::Table,
        &["agreement_id"],
    )
    .await?;

    use ProjectParticipants as PP;
    create_table(
        manager,
        Table::create()
            .table(PP::Table)
            .col(uuid(PP::Id).primary_key())
            .col(uuid(PP::ProjectId))
            .col(uuid(PP::OrganizationId))
            .col(timestamp_with_time_zone(PP::AddedAt))
            .col(uuid_null(PP::AddedBy))
            .references(PP::ProjectId, P::Table, Cascade)
            .references(PP::OrganizationId, Organizations::Table, Cascade)
            .references(PP::AddedBy, Users::Table, SetNull),
    )
    .await?;
    let key = constraints::PROJECT_PARTICIPANTS_KEY.name;
    unique_index(manager, key, PP::Table, &["project_id", "organization_id"]).await?;
    index(
        manager,
        "project_participants_org_idx",
        PP::Table,
        &["organization_id"],
    )
    .await
}

async fn goals(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    use Goals as G;
    let statuses = &[
        "NOT_STARTED",
        "IN_PROGRESS",
        "ACHIEVED",
        "MISSED",
        "DROPPED",
    ];
    create_table(
        manager,
        Table::create()
            .table(G::Table)
            .col(uuid(G::Id).primary_key())
            .col(uuid(G::ProjectId))
            .col(one_of(G::Kind, &["QUANTITATIVE", "QUALITATIVE"]))
            .col(one_of(G::Measure, &["TOTAL", "LEVEL"]).null())
            .col(string_len(G::Title, 200))
            .col(string_len_null(G::Unit, 40))
            .col(big_integer_null(G::TargetE4))
            .col(date_null(G::DueOn))
            .col(one_of(G::Status, statuses))
            .col(timestamp_with_time_zone(G::CreatedAt))
            .col(timestamp_with_time_zone(G::UpdatedAt))
            .check(Expr::cust(
                "(kind = 'QUANTITATIVE' AND measure IS NOT NULL AND target_e4 IS NOT NULL AND target_e4 > 0)
                 OR (kind = 'QUALITATIVE' AND measure IS NULL AND target_e4 IS NULL AND unit IS NULL)",
            ))
            .references(G::ProjectId, Projects::Table, Cascade),
    )
    .await?;
    index(manager, "goals_project_idx", G::Table, &["project_id"]).await?;

    use GoalProgress as GP;
    create_table(
        manager,
        Table::create()
            .table(GP::Table)
            .col(uuid(GP::Id).primary_key())
            .col(uuid(GP::GoalId))
            .col(uuid(GP::OrganizationId))
            .col(big_integer(GP::AmountE4))
            .col(text_null(GP::Note))
            .col(timestamp_with_time_zone(GP::RecordedAt))
            .col(uuid_null(GP::RecordedBy))
            .references(GP::GoalId, G::Table, Cascade)
            .references(GP::OrganizationId, Organizations::Table, Cascade)
            .references(GP::RecordedBy, Users::Table, SetNull),
    )
    .await?;
    let cols = &["goal_id", "organization_id", "recorded_at"];
    index(manager, "goal_progress_goal_org_idx", GP::Table, cols).await
}

async fn actions(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    use SolidarityActions as A;
    let kinds = &[
        "STATEMENT",
        "PRESS_CONFERENCE",
        "RALLY",
        "PETITION",
        "CAMPAIGN",
        "OTHER",
    ];
    create_table(
        manager,
        Table::create()
            .table(A::Table)
            .col(uuid(A::Id).primary_key())
            .col(uuid(A::InitiatorId))
            .col(uuid_null(A::AgreementId))
            .col(string_len(A::Title, 200))
            .col(one_of(A::Kind, kinds))
            .col(text(A::Body))
            .col(text_null(A::CallToAction))
            .col(one_of(A::Status, &["DRAFT", "OPEN", "CLOSED"]))
            .col(timestamp_with_time_zone_null(A::Deadline))
            .col(one_of(A::Visibility, VISIBILITIES))
            .col(timestamp_with_time_zone_null(A::OpenedAt))
            .col(timestamp_with_time_zone_null(A::ClosedAt))
            .col(timestamp_with_time_zone(A::CreatedAt))
            .col(timestamp_with_time_zone(A::UpdatedAt))
            .references(A::InitiatorId, Organizations::Table, Cascade)
            .references(A::AgreementId, Agreements::Table, SetNull),
    )
    .await?;
    index(
        manager,
        "solidarity_actions_initiator_idx",
        A::Table,
        &["initiator_id"],
    )
    .await?;

    use Endorsements as E;
    create_table(
        manager,
        Table::create()
            .table(E::Table)
            .col(uuid(E::Id).primary_key())
            .col(uuid(E::ActionId))
            .col(uuid(E::OrganizationId))
            .col(uuid(E::EndorsedBy))
            .col(text_null(E::Comment))
            .col(timestamp_with_time_zone(E::EndorsedAt))
            .references(E::ActionId, A::Table, Cascade)
            .references(E::OrganizationId, Organizations::Table, Cascade)
            .references(E::EndorsedBy, Users::Table, Restrict),
    )
    .await?;
    let key = constraints::ENDORSEMENTS_KEY.name;
    unique_index(manager, key, E::Table, &["action_id", "organization_id"]).await
}
