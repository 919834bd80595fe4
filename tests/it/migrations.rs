//! Migrations over data written before them: what an upgrade does to rows
//! that exist already, on both databases.

use chrono::{DateTime, TimeDelta, Utc};
use migration::MigratorTrait;
use sea_orm::sea_query::{Alias, Query, SimpleExpr};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait};
use uuid::Uuid;

use crate::support::{Backend, empty_database};

async fn insert(db: &DatabaseConnection, table: &str, row: &[(&str, SimpleExpr)]) {
    let mut q = Query::insert();
    q.into_table(Alias::new(table))
        .columns(row.iter().map(|(c, _)| Alias::new(*c)))
        .values_panic(row.iter().map(|(_, v)| v.clone()));
    db.execute(&q)
        .await
        .unwrap_or_else(|e| panic!("insert into {table}: {e}"));
}

fn v<T: Into<sea_orm::Value>>(x: T) -> SimpleExpr {
    SimpleExpr::Value(x.into())
}

async fn tenancy_upgrade(backend: Backend) {
    let Some((db, _guard)) = empty_database(backend).await else {
        return;
    };
    // Everything up to the spaces migration: the schema before issue 7.
    migration::Migrator::up(&db, Some(3)).await.unwrap();
    let base = {
        use chrono::DurationRound;
        (Utc::now() - TimeDelta::days(30))
            .duration_trunc(TimeDelta::seconds(1))
            .unwrap()
    };
    let t = |h: i64| -> DateTime<Utc> { base + TimeDelta::hours(h) };
    let [owner, left, rejoined, org, partner, late] = [(); 6].map(|_| Uuid::now_v7());
    // Stored before e-mails were normalized: decomposed and capitalized.
    let decomposed = Uuid::now_v7();
    for (id, email) in [
        (owner, "o@x.example"),
        (left, "l@x.example"),
        (rejoined, "r@x.example"),
        (decomposed, "Jose\u{301}@X.example"),
    ] {
        insert(
            &db,
            "users",
            &[
                ("id", v(id)),
                ("email", v(email)),
                ("display_name", v("x")),
                ("password_hash", v("x")),
                ("is_platform_admin", v(false)),
                ("created_at", v(t(0))),
            ],
        )
        .await;
    }
    for (id, slug) in [(org, "org"), (partner, "partner"), (late, "late")] {
        insert(
            &db,
            "organizations",
            &[
                ("id", v(id)),
                ("slug", v(slug)),
                ("name", v(slug)),
                ("timezone", v("Asia/Seoul")),
                ("created_at", v(t(0))),
                ("updated_at", v(t(0))),
            ],
        )
        .await;
    }
    for (user, role, joined) in [(owner, "OWNER", 0), (rejoined, "EDITOR", 5)] {
        insert(
            &db,
            "memberships",
            &[
                ("id", v(Uuid::now_v7())),
                ("organization_id", v(org)),
                ("user_id", v(user)),
                ("role", v(role)),
                ("joined_at", v(t(joined))),
            ],
        )
        .await;
    }
    // Bound tokens: the owner's (kept, as OWNER), one of a user who left
    // (revoked), one made before its creator left and came back (revoked);
    // and an unbound one (untouched).
    let tokens = [
        (owner, Some(org), 1),
        (left, Some(org), 1),
        (rejoined, Some(org), 1),
        (left, None, 1),
    ]
    .map(|(user, bound, made)| {
        let id = Uuid::now_v7();
        (id, user, bound, made)
    });
    for (id, user, bound, made) in tokens {
        insert(
            &db,
            "api_tokens",
            &[
                ("id", v(id)),
                ("user_id", v(user)),
                ("name", v("tool")),
                ("scopes", v("READ,WRITE")),
                ("organization_id", v(bound)),
                ("token_hash", v(id.to_string())),
                ("created_at", v(t(made))),
            ],
        )
        .await;
    }
    // A ratified agreement: two signed by ratification, one after it.
    let agreement = Uuid::now_v7();
    insert(
        &db,
        "agreements",
        &[
            ("id", v(agreement)),
            ("convener_id", v(org)),
            ("title", v("MOU")),
            ("shares_projects", v(true)),
            ("shares_events", v(true)),
            ("shares_actions", v(true)),
            ("shares_spaces", v(true)),
            ("starts_on", v(t(0).date_naive())),
            ("active_from", v(t(0))),
            ("created_at", v(t(0))),
            ("updated_at", v(t(0))),
            ("proposed_at", v(t(1))),
            ("ratified_at", v(t(10))),
        ],
    )
    .await;
    for (o, role, responded) in [
        (org, "CONVENER", 8),
        (partner, "PARTNER", 9),
        (late, "PARTNER", 20),
    ] {
        insert(
            &db,
            "agreement_parties",
            &[
                ("id", v(Uuid::now_v7())),
                ("agreement_id", v(agreement)),
                ("organization_id", v(o)),
                ("role", v(role)),
                ("status", v("SIGNED")),
                ("invited_at", v(t(0))),
                ("responded_at", v(t(responded))),
                ("responded_by", v(owner)),
            ],
        )
        .await;
    }

    migration::Migrator::up(&db, None).await.unwrap();

    let normalized = entity::user::Entity::find_by_id(decomposed)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        normalized.email, "jos\u{e9}@x.example",
        "the form log-ins now look up"
    );

    let tokens_after = entity::api_token::Entity::find().all(&db).await.unwrap();
    let by_id = |id: Uuid| tokens_after.iter().find(|x| x.id == id).unwrap();
    let kept = by_id(tokens[0].0);
    assert_eq!(
        (kept.role, kept.revoked_at),
        (Some(entity::Role::Owner), None)
    );
    assert!(by_id(tokens[1].0).revoked_at.is_some(), "its creator left");
    assert!(
        by_id(tokens[2].0).revoked_at.is_some(),
        "made before its creator came back"
    );
    assert_eq!(
        (by_id(tokens[3].0).role, by_id(tokens[3].0).revoked_at),
        (None, None),
        "unbound"
    );
    let parties = entity::agreement_party::Entity::find()
        .all(&db)
        .await
        .unwrap();
    let admitted = |o: Uuid| {
        parties
            .iter()
            .find(|p| p.organization_id == o)
            .unwrap()
            .admitted_at
    };
    assert_eq!(
        admitted(org),
        Some(t(10)),
        "signed by ratification: shares from then"
    );
    assert_eq!(admitted(partner), admitted(org));
    assert_eq!(
        admitted(late),
        None,
        "joined after ratification: waits for consent"
    );
    // The users read back with the new columns.
    assert!(
        entity::user::Entity::find()
            .all(&db)
            .await
            .unwrap()
            .iter()
            .all(|u| u.suspended_at.is_none())
    );
}

crate::on_each_backend!(tenancy_upgrade);
