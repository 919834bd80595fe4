//! Agreement windows: a ratified agreement's window does not move with its
//! convener's time zone; a draft's does.

use serde_json::json;

use super::audit_log;
use crate::db_test;
use crate::support::fixtures::day;

const SET_TZ: &str = "mutation($id: ID!, $tz: String!) { updateOrganization(id: $id, input: { timezone: $tz }) { timezone } }";

db_test! {
    async fn a_ratified_agreements_window_does_not_move(app) {
        let convener = app.org_with_owner("hanbat").await;
        let partner = app.org_with_owner("gapcheon").await;
        // Ended yesterday (Seoul): moving the convener twelve hours west
        // used to revive it; starting tomorrow, moving it east used to
        // start it early.
        let ended = app.ratified_agreement(&[&convener, &partner], &["EVENTS"], "2024-01-01", Some(&day(&app, -1))).await;
        let draft = app.draft_agreement(&convener.owner, &convener.id, &["EVENTS"], &day(&app, 0), None).await;
        let status = |id: &str| {
            let (app, id, token) = (&app, id.to_owned(), convener.owner.access_token.clone());
            async move { app.agreement(Some(&token), &id).await.data()["agreement"]["status"].as_str().unwrap().to_owned() }
        };
        assert_eq!(status(&ended).await, "EXPIRED");
        let window = |id: &str| {
            let (app, id) = (&app, uuid::Uuid::parse_str(id).unwrap());
            async move {
                use sea_orm::EntityTrait;
                let a = entity::agreement::Entity::find_by_id(id).one(app.db()).await.unwrap().unwrap();
                (a.active_from, a.active_until)
            }
        };
        let (ended_before, draft_before) = (window(&ended).await, window(&draft).await);
        for tz in ["Pacific/Kiritimati", "Pacific/Pago_Pago"] {
            app.gql(convener.owner.token(), SET_TZ, json!({ "id": convener.id, "tz": tz })).await.data();
            assert_eq!(status(&ended).await, "EXPIRED", "still expired after moving to {tz}");
            assert_eq!(window(&ended).await, ended_before, "the ratified window is fixed");
        }
        assert_ne!(window(&draft).await, draft_before, "a draft follows the convener's time zone");
        let log = audit_log(&app, &convener).await;
        let (_, details) = log.iter().rev().find(|(a, _)| a == "organization.update").unwrap();
        assert_eq!(details["agreementsMoved"], json!([draft]), "what moved is recorded");
    }
}
