//! API tokens (`yd_pat_…`) for third-party tools: made and managed with a
//! password session only, so a leaked token cannot mint or hide others.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;
use uuid::Uuid;

use crate::audit::Record;
use crate::auth::secret;
use crate::context::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::mutate;
use crate::policy::{self, Lock};
use crate::validate;
use entity::api_token;

pub struct NewApiToken {
    pub name: String,
    pub can_read: bool,
    pub can_write: bool,
    pub organization_id: Option<Uuid>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// Mint an API token for the signed-in user. The secret is returned once.
pub async fn create_api_token(
    ctx: &Ctx,
    input: NewApiToken,
) -> ApiResult<(api_token::Model, String)> {
    let user_id = policy::require_session(&ctx.viewer)?.id;
    let name = validate::line("name", &input.name, 100)?;
    let scopes = api_token::scopes_text(input.can_read, input.can_write)
        .ok_or_else(|| ApiError::bad_input("scopes", "give at least one scope"))?;
    if input.expires_at.is_some_and(|e| e <= ctx.now()) {
        return Err(ApiError::bad_input(
            "expiresAt",
            "`expiresAt` must be in the future",
        ));
    }
    let made = mutate!(ctx, |w| {
        // A bound token keeps the role its creator holds there now as the
        // most it may ever act as.
        let role = match input.organization_id {
            Some(org) => {
                let access = w.act_for(org, Lock::Share).await?;
                policy::ensure_can_bind_token(&access)?;
                access.role
            }
            None => None,
        };
        let token = secret::generate(secret::API_TOKEN_PREFIX);
        let model = api_token::Model {
            id: Uuid::now_v7(),
            user_id,
            name: name.clone(),
            scopes: scopes.to_owned(),
            organization_id: input.organization_id,
            token_hash: secret::hash(&token),
            created_at: w.now(),
            expires_at: input.expires_at,
            last_used_at: None,
            revoked_at: None,
            role,
        };
        w.insert(api_token::ActiveModel::from(model.clone()))
            .await?;
        let mut record = Record::new("api_token.create", "api_token", model.id)
            .details(json!({ "name": model.name, "scopes": scopes }));
        record.organization_id = model.organization_id;
        w.audit(record);
        Ok((model, token))
    })?;
    Ok(made)
}

/// Revoke one of the viewer's tokens (platform admins: anyone's).
pub async fn revoke_api_token(ctx: &Ctx, id: Uuid) -> ApiResult<api_token::Model> {
    policy::require_session(&ctx.viewer)?;
    mutate!(ctx, |w| {
        let token = api_token::Entity::find_by_id(id)
            .one(w.tx())
            .await?
            .filter(|t| policy::can_manage_api_token(w.viewer(), t.user_id))
            .ok_or(ApiError::NotFound("API token"))?;
        if token.revoked_at.is_some() {
            return Ok(token);
        }
        api_token::Entity::update_many()
            .col_expr(api_token::Column::RevokedAt, Expr::value(Some(w.now())))
            .filter(api_token::Column::Id.eq(id))
            .exec(w.tx())
            .await?;
        let mut record = Record::new("api_token.revoke", "api_token", id);
        record.organization_id = token.organization_id;
        w.audit(record);
        Ok(api_token::Model {
            revoked_at: Some(w.now()),
            ..token
        })
    })
}

/// The signed-in user's API tokens, newest first.
pub async fn api_tokens_of_viewer(ctx: &Ctx) -> ApiResult<Vec<api_token::Model>> {
    let user_id = policy::require_session(&ctx.viewer)?.id;
    Ok(api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(user_id))
        .order_by_desc(api_token::Column::Id)
        .all(ctx.db())
        .await?)
}
