use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, Order, QueryFilter, Set,
};
use serde_json::json;
use uuid::Uuid;

use crate::audit::{self, Record};
use crate::auth::viewer::Viewer;
use crate::db::{self, Db, TransactionSession};
use crate::error::{ApiError, ApiResult};
use crate::graphql::connection::{CountWhere, Listing, PageArgs, TotalCount, load_page};
use crate::membership;
use crate::policy::{self, Lock};
use crate::validate;
use entity::{Role, organization};

pub const DEFAULT_TIMEZONE: &str = "Asia/Seoul";

pub struct NewOrganization {
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
    pub region: Option<String>,
    pub website: Option<String>,
    pub timezone: Option<String>,
}

/// `None`: leave as is; `Some(None)`: clear.
#[derive(Default)]
pub struct OrganizationPatch {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub region: Option<Option<String>>,
    pub website: Option<Option<String>>,
    pub timezone: Option<String>,
}

/// Create an organization; the creator becomes its OWNER.
pub async fn create(
    db: &impl Db,
    viewer: &Viewer,
    now: DateTime<Utc>,
    input: NewOrganization,
) -> ApiResult<organization::Model> {
    let user = policy::require_unbound(viewer)?.id;
    let model = organization::Model {
        id: Uuid::now_v7(),
        slug: validate::slug("slug", &input.slug)?,
        name: validate::required_text("name", &input.name, 200)?,
        description: validate::optional_text("description", input.description.as_deref(), 5000)?,
        region: validate::optional_text("region", input.region.as_deref(), 100)?,
        website: validate::website("website", input.website.as_deref())?,
        timezone: validate::timezone(
            "timezone",
            input.timezone.as_deref().unwrap_or(DEFAULT_TIMEZONE),
        )?,
        created_at: now,
        updated_at: now,
    };
    let tx = db::begin_write(db).await?;
    organization::Entity::insert(organization::ActiveModel::from(model.clone()))
        .exec_without_returning(&tx)
        .await?;
    membership::service::insert(&tx, model.id, user, Role::Owner, now).await?;
    audit::record(
        &tx,
        viewer,
        None,
        now,
        Record::new("organization.create", "organization", model.id)
            .in_org(model.id)
            .details(json!({ "slug": model.slug, "name": model.name })),
    )
    .await?;
    tx.commit().await?;
    Ok(model)
}

/// Edit the profile: ADMIN+.
pub async fn update(
    db: &impl Db,
    viewer: &Viewer,
    now: DateTime<Utc>,
    id: Uuid,
    patch: OrganizationPatch,
) -> ApiResult<organization::Model> {
    policy::require_user(viewer)?;
    let tx = db::begin_write(db).await?;
    let access = policy::org_access(&tx, viewer, id, Lock::Exclusive).await?;
    policy::ensure_can_update_organization(&access)?;
    let current = organization::Entity::find_by_id(id)
        .one(&tx)
        .await?
        .ok_or(ApiError::NotFound("organization"))?;
    let current_tz = current.timezone.clone();
    let mut active: organization::ActiveModel = current.into();
    let mut changed = Vec::new();
    if let Some(name) = patch.name {
        active.name = Set(validate::required_text("name", &name, 200)?);
        changed.push("name");
    }
    if let Some(description) = patch.description {
        active.description = Set(validate::optional_text(
            "description",
            description.as_deref(),
            5000,
        )?);
        changed.push("description");
    }
    if let Some(region) = patch.region {
        active.region = Set(validate::optional_text("region", region.as_deref(), 100)?);
        changed.push("region");
    }
    if let Some(website) = patch.website {
        active.website = Set(validate::website("website", website.as_deref())?);
        changed.push("website");
    }
    let mut reanchored = Vec::new();
    if let Some(timezone) = patch.timezone {
        let timezone = validate::timezone("timezone", &timezone)?;
        if timezone != current_tz {
            // "Today" for the agreements it convenes that are not yet
            // ratified moves with it; ratified ones keep their window.
            let tz = timezone
                .parse()
                .map_err(|_| ApiError::bad_input("timezone", "not an IANA time zone name"))?;
            reanchored = crate::agreement::service::reanchor_convened(&tx, id, tz).await?;
        }
        active.timezone = Set(timezone);
        changed.push("timezone");
    }
    active.updated_at = Set(now);
    let updated = active.update(&tx).await?;
    audit::record(
        &tx,
        viewer,
        None,
        now,
        Record::new("organization.update", "organization", id)
            .in_org(id)
            .details(json!({ "fields": changed, "agreementsMoved": reanchored })),
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

/// Look up by id or slug; organizations are a public directory.
pub async fn find(
    db: &impl ConnectionTrait,
    id: Option<Uuid>,
    slug: Option<&str>,
) -> ApiResult<organization::Model> {
    let query = match (id, slug) {
        (Some(id), None) => organization::Entity::find_by_id(id),
        (None, Some(slug)) => organization::Entity::find()
            .filter(organization::Column::Slug.eq(slug.trim().to_lowercase())),
        _ => {
            return Err(ApiError::bad_input(
                "id",
                "give exactly one of `id` and `slug`",
            ));
        }
    };
    query
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("organization"))
}

/// The directory, oldest first, optionally filtered by a case-insensitive
/// substring of the name or slug.
pub async fn list(
    db: &impl ConnectionTrait,
    search: Option<&str>,
    args: &PageArgs,
) -> ApiResult<Listing<organization::Model>> {
    let mut filter = Condition::all();
    if let Some(term) = search.map(str::trim).filter(|s| !s.is_empty()) {
        let pattern = format!("%{}%", escape_like(&term.to_lowercase()));
        filter = filter.add(
            Condition::any()
                .add(
                    Expr::expr(Func::lower(Expr::col(organization::Column::Name)))
                        .like(LikeExpr::new(pattern.clone()).escape('\\')),
                )
                .add(
                    Expr::col(organization::Column::Slug).like(LikeExpr::new(pattern).escape('\\')),
                ),
        );
    }
    let page = load_page::<organization::Entity, _>(
        db,
        filter.clone(),
        organization::Column::Id,
        Order::Asc,
        args,
    )
    .await?;
    Ok(Listing {
        page,
        total: TotalCount::lazy(CountWhere::<organization::Entity>::new(filter)),
    })
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
