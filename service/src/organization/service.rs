//! Organizations: the tenants. A public directory (name, slug, region...);
//! everything private about one is another domain's, behind the policy.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, Order, QueryFilter, Set,
};
use serde_json::json;
use uuid::Uuid;

use crate::audit::Record;
use crate::context::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::membership;
use crate::mutate;
use crate::paging::{Listing, PageArgs};
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
pub async fn create(ctx: &Ctx, input: NewOrganization) -> ApiResult<organization::Model> {
    let user = policy::require_unbound(&ctx.viewer)?.id;
    let model = organization::Model {
        id: Uuid::now_v7(),
        slug: validate::slug("slug", &input.slug)?,
        name: validate::line("name", &input.name, 200)?,
        description: validate::optional_text("description", input.description.as_deref(), 5000)?,
        region: validate::optional_line("region", input.region.as_deref(), 100)?,
        website: validate::website("website", input.website.as_deref())?,
        timezone: validate::timezone(
            "timezone",
            input.timezone.as_deref().unwrap_or(DEFAULT_TIMEZONE),
        )?,
        created_at: ctx.now(),
        updated_at: ctx.now(),
    };
    mutate!(ctx, |w| {
        w.insert(organization::ActiveModel::from(model.clone()))
            .await?;
        membership::members::insert(w.tx(), model.id, user, Role::Owner, w.now()).await?;
        w.audit(
            Record::new("organization.create", "organization", model.id)
                .in_org(model.id)
                .details(json!({ "slug": model.slug, "name": model.name })),
        );
        Ok(model.clone())
    })
}

/// Edit the profile: ADMIN+.
pub async fn update(
    ctx: &Ctx,
    id: Uuid,
    patch: OrganizationPatch,
) -> ApiResult<organization::Model> {
    policy::require_user(&ctx.viewer)?;
    mutate!(ctx, |w| {
        let access = w.act_for(id, Lock::Exclusive).await?;
        policy::ensure_can_update_organization(&access)?;
        let current = crate::db::find::<organization::Entity>(w.tx(), id, "organization").await?;
        let current_tz = current.timezone.clone();
        let mut active: organization::ActiveModel = current.into();
        let mut changed = Vec::new();
        if let Some(name) = &patch.name {
            active.name = Set(validate::line("name", name, 200)?);
            changed.push("name");
        }
        if let Some(description) = &patch.description {
            active.description = Set(validate::optional_text(
                "description",
                description.as_deref(),
                5000,
            )?);
            changed.push("description");
        }
        if let Some(region) = &patch.region {
            active.region = Set(validate::optional_line("region", region.as_deref(), 100)?);
            changed.push("region");
        }
        if let Some(website) = &patch.website {
            active.website = Set(validate::website("website", website.as_deref())?);
            changed.push("website");
        }
        let mut reanchored = Vec::new();
        if let Some(timezone) = &patch.timezone {
            let timezone = validate::timezone("timezone", timezone)?;
            if timezone != current_tz {
                // "Today" for the agreements it convenes that are not yet
                // ratified moves with it; ratified ones keep their window.
                let tz = timezone
                    .parse()
                    .map_err(|_| ApiError::bad_input("timezone", "not an IANA time zone name"))?;
                reanchored = crate::agreement::lifecycle::reanchor_convened(w.tx(), id, tz).await?;
            }
            active.timezone = Set(timezone);
            changed.push("timezone");
        }
        active.updated_at = Set(w.now());
        let updated = active.update(w.tx()).await?;
        w.audit(
            Record::new("organization.update", "organization", id)
                .in_org(id)
                .details(json!({ "fields": changed, "agreementsMoved": reanchored })),
        );
        Ok(updated)
    })
}

/// Look up by id or slug; organizations are a public directory.
pub async fn find(
    ctx: &Ctx,
    id: Option<Uuid>,
    slug: Option<&str>,
) -> ApiResult<organization::Model> {
    let query = match (id, slug) {
        (Some(id), None) => organization::Entity::find_by_id(id),
        (None, Some(slug)) => organization::Entity::find()
            .filter(organization::Column::Slug.eq(validate::slug("slug", &slug.to_lowercase())?)),
        _ => {
            return Err(ApiError::bad_input(
                "id",
                "give exactly one of `id` and `slug`",
            ));
        }
    };
    query
        .one(ctx.db())
        .await?
        .ok_or(ApiError::NotFound("organization"))
}

/// The directory, oldest first, optionally filtered by a case-insensitive
/// substring of the name or slug.
pub async fn list(
    ctx: &Ctx,
    search: Option<&str>,
    args: &PageArgs,
) -> ApiResult<Listing<organization::Model>> {
    let mut filter = Condition::all();
    if let Some(term) = validate::search("search", search)? {
        filter = filter.add(
            Condition::any()
                .add(validate::contains_ignoring_case(
                    organization::Column::Name,
                    &term,
                ))
                .add(Expr::col(organization::Column::Slug).like(validate::contains_pattern(&term))),
        );
    }
    crate::paging::list(ctx.db(), filter, organization::Column::Id, Order::Asc, args).await
}

/// The time zone an organization's dates and local times are read in (an
/// agreement's `startsOn`, a space's recurring bookings).
pub async fn time_zone(db: &impl ConnectionTrait, id: Uuid) -> ApiResult<chrono_tz::Tz> {
    let org = crate::db::find::<organization::Entity>(db, id, "organization").await?;
    org.timezone.parse().map_err(|_| {
        ApiError::internal(anyhow::anyhow!(
            "organization {id} has an invalid time zone"
        ))
    })
}
