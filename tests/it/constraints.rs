//! Every named constraint of `migration::constraints` violated for real, on
//! both databases, reaching the client as the intended error: renaming a
//! constraint in a migration without its constant (or the other way round)
//! fails here instead of turning a CONFLICT into an INTERNAL.

use chrono::{TimeDelta, Utc};
use migration::constraints::{self, Named};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, PrimaryKeyTrait, Set,
};
use service::ApiError;
use uuid::Uuid;

use crate::db_test;
use crate::support::TestApp;
use crate::support::fixtures::at;

fn id(s: &str) -> Uuid {
    Uuid::parse_str(s).unwrap()
}

/// The database error of inserting `model` (expected to fail).
async fn refused<A>(db: &impl ConnectionTrait, model: A) -> DbErr
where
    A: ActiveModelTrait + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    <A::Entity as EntityTrait>::insert(model)
        .exec_without_returning(db)
        .await
        .expect_err("the database refuses it")
}

/// The stored row `id` of `E`.
async fn row<E>(db: &impl ConnectionTrait, id: Uuid) -> E::Model
where
    E: EntityTrait,
    Uuid: Into<<E::PrimaryKey as PrimaryKeyTrait>::ValueType>,
{
    E::find_by_id(id)
        .one(db)
        .await
        .unwrap()
        .expect("the row exists")
}

/// Violate `named` and return the error the client would see.
async fn violate(app: &TestApp, n: usize, named: Named) -> ApiError {
    let db = app.db();
    let org = app.org_with_owner(&format!("org-{n}")).await;
    let org_id = id(&org.id);
    let owner_id = id(&org.owner.user_id);
    let err = if named == constraints::USERS_EMAIL {
        // The same address in other case: unique in the database itself.
        let mut user = row::<entity::user::Entity>(db, owner_id).await;
        user.id = Uuid::now_v7();
        user.email = user.email.to_uppercase();
        refused(db, user.into_active_model().reset_all()).await
    } else if named == constraints::ORGANIZATIONS_SLUG {
        let mut o = row::<entity::organization::Entity>(db, org_id).await;
        o.id = Uuid::now_v7();
        refused(db, o.into_active_model().reset_all()).await
    } else if named == constraints::MEMBERSHIPS_ORG_USER {
        let m = entity::membership::ActiveModel {
            id: Set(Uuid::now_v7()),
            organization_id: Set(org_id),
            user_id: Set(owner_id),
            role: Set(entity::Role::Member),
            joined_at: Set(Utc::now()),
        };
        refused(db, m).await
    } else if named == constraints::BOOKINGS_NO_OVERLAP {
        let space = app.space_id(&org.owner, &org.id, "회의실", false).await;
        let booked = app
            .book(
                org.owner.token(),
                &space,
                &org.id,
                &at(app, 24),
                &at(app, 26),
                None,
            )
            .await;
        let first = id(booked.data()["bookSpace"][0]["id"].as_str().unwrap());
        let b = row::<entity::booking::Entity>(db, first).await;
        let overlapping = entity::booking::Model {
            id: Uuid::now_v7(),
            starts_at: b.starts_at + TimeDelta::hours(1),
            ends_at: b.ends_at + TimeDelta::hours(1),
            ..b
        };
        refused(db, overlapping.into_active_model().reset_all()).await
    } else if named == constraints::AGREEMENT_PARTIES_AGREEMENT_ORG {
        let agreement = app
            .draft_agreement(&org.owner, &org.id, &["EVENTS"], "2026-01-01", None)
            .await;
        let agreement = id(&agreement);
        let party = entity::agreement_party::ActiveModel {
            id: Set(Uuid::now_v7()),
            agreement_id: Set(agreement),
            organization_id: Set(org_id),
            role: Set(entity::PartyRole::Partner),
            status: Set(entity::PartyStatus::Invited),
            invited_at: Set(Utc::now()),
            responded_at: Set(None),
            responded_by: Set(None),
            admitted_at: Set(None),
        };
        refused(db, party).await
    } else if named == constraints::AGREEMENT_CONSENTS_ANSWER {
        let other = app.org_with_owner(&format!("partner-{n}")).await;
        let agreement = app
            .ratified_agreement(&[&org, &other], &["EVENTS"], "2024-01-01", None)
            .await;
        let newcomer = app.org_with_owner(&format!("newcomer-{n}")).await;
        app.party_op(&org.owner, "inviteParty", &agreement, &newcomer.id)
            .await
            .data();
        crate::agreements::consent(app, &org, &agreement, &newcomer.id)
            .await
            .data();
        let answer = entity::agreement_consent::ActiveModel {
            id: Set(Uuid::now_v7()),
            agreement_id: Set(id(&agreement)),
            newcomer_id: Set(id(&newcomer.id)),
            organization_id: Set(org_id),
            status: Set(entity::ConsentStatus::Refused),
            responded_at: Set(Utc::now()),
            responded_by: Set(None),
        };
        refused(db, answer).await
    } else if named == constraints::PROJECT_PARTICIPANTS_KEY {
        let project = app.project_id(&org.owner, &org.id, None, "PRIVATE").await;
        let again = entity::project_participant::ActiveModel {
            id: Set(Uuid::now_v7()),
            project_id: Set(id(&project)),
            organization_id: Set(org_id),
            added_at: Set(Utc::now()),
            added_by: Set(None),
        };
        refused(db, again).await
    } else if named == constraints::ENDORSEMENTS_KEY {
        let action = app.open_action(&org.owner, &org.id, "PUBLIC", None).await;
        app.endorse(&org.owner, &action, &org.id).await.data();
        let again = entity::endorsement::ActiveModel {
            id: Set(Uuid::now_v7()),
            action_id: Set(id(&action)),
            organization_id: Set(org_id),
            endorsed_by: Set(owner_id),
            comment: Set(None),
            endorsed_at: Set(Utc::now()),
        };
        refused(db, again).await
    } else if named == constraints::MEMBER_GROUPS_NAME {
        app.group_id(&org.owner, &org.id, "집행위원회", &[]).await;
        let again = entity::member_group::ActiveModel {
            id: Set(Uuid::now_v7()),
            organization_id: Set(org_id),
            name: Set("집행위원회".into()),
            created_at: Set(Utc::now()),
            updated_at: Set(Utc::now()),
        };
        refused(db, again).await
    } else if [
        constraints::EVENT_CO_HOSTS_KEY,
        constraints::EVENT_INVITEES_KEY,
        constraints::RSVPS_KEY,
        constraints::EVENT_FULL,
    ]
    .contains(&named)
    {
        let event = id(&app
            .event_id(
                &org.owner,
                &org.id,
                24,
                26,
                serde_json::json!({ "capacity": 1 }),
            )
            .await);
        if named == constraints::EVENT_CO_HOSTS_KEY {
            let co_host = || entity::event_co_host::ActiveModel {
                id: Set(Uuid::now_v7()),
                event_id: Set(event),
                organization_id: Set(org_id),
            };
            co_host().insert(db).await.unwrap();
            refused(db, co_host()).await
        } else if named == constraints::EVENT_INVITEES_KEY {
            let invitee = || entity::event_invitee::ActiveModel {
                id: Set(Uuid::now_v7()),
                event_id: Set(event),
                user_id: Set(owner_id),
            };
            invitee().insert(db).await.unwrap();
            refused(db, invitee()).await
        } else {
            app.rsvp(org.owner.token(), &event.to_string(), "GOING")
                .await
                .data();
            let other = app.sign_up(&format!("other-{n}@example.org")).await;
            let rsvp = entity::rsvp::ActiveModel {
                id: Set(Uuid::now_v7()),
                event_id: Set(event),
                // The same person again, or a second person GOING to one seat.
                user_id: Set(if named == constraints::RSVPS_KEY {
                    owner_id
                } else {
                    id(&other.user_id)
                }),
                status: Set(if named == constraints::RSVPS_KEY {
                    entity::RsvpStatus::Maybe
                } else {
                    entity::RsvpStatus::Going
                }),
                position: Set(9),
                responded_at: Set(Utc::now()),
                checked_in_at: Set(None),
                checked_in_by: Set(None),
            };
            refused(db, rsvp).await
        }
    } else if named == constraints::LAST_OWNER {
        use sea_orm::{ColumnTrait, QueryFilter};
        entity::membership::Entity::delete_many()
            .filter(entity::membership::Column::OrganizationId.eq(org_id))
            .exec(db)
            .await
            .expect_err("the last OWNER stays")
    } else {
        panic!(
            "no violation written for constraint {} — add one here",
            named.name
        )
    };
    ApiError::from(err)
}

db_test! {
    async fn every_named_constraint_reaches_the_client_as_its_error(app) {
        let expected = |named: Named| match named {
            n if n == constraints::USERS_EMAIL => ("CONFLICT", "email"),
            n if n == constraints::ORGANIZATIONS_SLUG => ("CONFLICT", "slug"),
            n if n == constraints::MEMBERSHIPS_ORG_USER => ("CONFLICT", "userId"),
            n if n == constraints::BOOKINGS_NO_OVERLAP => ("CONFLICT", "startsAt"),
            n if n == constraints::AGREEMENT_PARTIES_AGREEMENT_ORG => ("CONFLICT", "organizationId"),
            n if n == constraints::AGREEMENT_CONSENTS_ANSWER => ("CONFLICT", "organizationId"),
            n if n == constraints::PROJECT_PARTICIPANTS_KEY => ("CONFLICT", "organizationId"),
            n if n == constraints::ENDORSEMENTS_KEY => ("CONFLICT", "organizationId"),
            n if n == constraints::EVENT_CO_HOSTS_KEY => ("CONFLICT", "coHostIds"),
            n if n == constraints::EVENT_INVITEES_KEY => ("CONFLICT", "inviteeUserIds"),
            n if n == constraints::RSVPS_KEY => ("CONFLICT", "eventId"),
            n if n == constraints::EVENT_FULL => ("CONFLICT", "capacity"),
            n if n == constraints::MEMBER_GROUPS_NAME => ("CONFLICT", "name"),
            n if n == constraints::LAST_OWNER => ("BAD_USER_INPUT", "role"),
            other => panic!("no expectation for constraint {}", other.name),
        };
        for (n, &named) in constraints::ALL.iter().enumerate() {
            let error = violate(&app, n, named).await;
            let (code, field) = expected(named);
            assert_eq!(error.code(), code, "{}: {error:?}", named.name);
            assert_eq!(error.extensions()["field"], field, "{}", named.name);
        }
    }
}

db_test! {
    async fn a_goal_keeps_its_shape_in_the_database(app) {
        let org = app.org_with_owner("shape").await;
        let project = app.project_id(&org.owner, &org.id, None, "PRIVATE").await;
        let goal = |kind: entity::GoalKind, measure: Option<entity::GoalMeasure>, target_e4: Option<i64>| entity::goal::Model {
            id: Uuid::now_v7(),
            project_id: id(&project),
            kind,
            measure,
            title: "shape".into(),
            unit: None,
            target_e4,
            due_on: None,
            status: entity::GoalStatus::NotStarted,
            source: None,
            event_series_id: None,
            disclosure_filed_by: None,
            disclosure_decided_only: false,
            counts_since: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        use entity::{GoalKind::*, GoalMeasure::*};
        for broken in [
            goal(Quantitative, Some(Total), None),
            goal(Quantitative, Some(Total), Some(0)),
            goal(Quantitative, None, Some(10)),
            goal(Qualitative, None, Some(10)),
            goal(Qualitative, Some(Level), None),
        ] {
            refused(app.db(), broken.into_active_model().reset_all()).await;
        }
        let fine = goal(Quantitative, Some(Level), Some(1));
        fine.into_active_model().reset_all().insert(app.db()).await.unwrap();
    }
}
