//! Files attached to disclosure requests: added by EDITOR+ of the request's
//! organization, read by whoever reads the request — the list through the
//! request, the bytes through the transport's download route, which asks
//! [`open`] the same question.

use sea_orm::sea_query::{Expr, Func};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde_json::json;
use uuid::Uuid;

use super::files::{FileStore, clean_name, sha256_hex, sniff};
use super::lifecycle::locked;
use super::requests::find_in;
use crate::audit::Record;
use crate::context::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::mutate;
use crate::policy::{self, disclosure as rules};
use entity::{disclosure_attachment, disclosure_request};

/// A file as the transport received it.
pub struct Upload {
    /// As the client named it.
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// A size limit as people read it: whole MiB, or KiB below one.
fn size_text(bytes: i64) -> String {
    const MIB: i64 = 1024 * 1024;
    if bytes >= MIB {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{} KiB", bytes / 1024)
    }
}

/// Attach a file to request `id`.
pub async fn attach(
    ctx: &Ctx,
    store: &FileStore,
    id: Uuid,
    upload: Upload,
) -> ApiResult<disclosure_attachment::Model> {
    let user = policy::require_user(&ctx.viewer)?.id;
    let size = upload.bytes.len();
    if size == 0 {
        return Err(ApiError::bad_input("file", "the file is empty"));
    }
    if size > store.max_file_bytes {
        return Err(ApiError::bad_input(
            "file",
            format!(
                "a file holds at most {}",
                size_text(store.max_file_bytes as i64)
            ),
        ));
    }
    let size = i64::try_from(size).map_err(ApiError::internal)?;
    let sha256 = sha256_hex(&upload.bytes);
    let content_type = sniff(&upload.bytes)?;
    let file_name = clean_name(&upload.file_name);
    // Who may attach is checked before any byte is written, and again under
    // the locks; the write itself stays out of the transaction (content-
    // addressed and idempotent, a refused or rolled-back attempt leaves at
    // most a file no row names).
    let request = find_in(ctx.db(), &ctx.viewer, ctx.now(), id).await?;
    let access = policy::read_access(ctx, request.organization_id).await?;
    rules::ensure_can_change(&access)?;
    store.put(&sha256, &upload.bytes).await?;
    mutate!(ctx, |w| {
        let request = locked(w, id).await?;
        let held: Option<i64> = disclosure_attachment::Entity::find()
            .select_only()
            .expr(Func::cast_as(
                Func::coalesce([
                    Func::sum(Expr::col(disclosure_attachment::Column::SizeBytes)).into(),
                    Expr::val(0),
                ]),
                sea_orm::sea_query::Alias::new("BIGINT"),
            ))
            .filter(disclosure_attachment::Column::RequestId.eq(id))
            .into_tuple()
            .one(w.tx())
            .await?;
        if held.unwrap_or(0).saturating_add(size) > store.max_request_bytes {
            return Err(ApiError::bad_input(
                "file",
                format!(
                    "a request's attachments hold at most {} together",
                    size_text(store.max_request_bytes)
                ),
            ));
        }
        let row = disclosure_attachment::Model {
            id: Uuid::now_v7(),
            request_id: id,
            file_name: file_name.clone(),
            content_type: content_type.clone(),
            size_bytes: size,
            sha256: sha256.clone(),
            uploaded_by: Some(user),
            uploaded_at: w.now(),
        };
        w.insert(disclosure_attachment::ActiveModel::from(row.clone()))
            .await?;
        w.audit(
            Record::new("disclosure.attach", "disclosure_request", id)
                .in_org(request.organization_id)
                .details(
                    json!({ "fileName": row.file_name, "sha256": row.sha256, "sizeBytes": size }),
                ),
        );
        Ok(row)
    })
}

/// The attachments of a request the caller reads, oldest first.
pub async fn of_request(
    ctx: &Ctx,
    request: &disclosure_request::Model,
) -> ApiResult<Vec<disclosure_attachment::Model>> {
    ctx.reads().attachments(request.id).await
}

/// An attachment and its bytes, for a caller who may read its request;
/// NOT_FOUND otherwise.
pub async fn open(
    ctx: &Ctx,
    store: &FileStore,
    id: Uuid,
) -> ApiResult<(disclosure_attachment::Model, Vec<u8>)> {
    let not_found = || ApiError::NotFound("attachment");
    let found = disclosure_attachment::Entity::find_by_id(id)
        .one(ctx.db())
        .await?
        .ok_or_else(not_found)?;
    find_in(ctx.db(), &ctx.viewer, ctx.now(), found.request_id)
        .await
        .map_err(|e| match e {
            ApiError::NotFound(_) => not_found(),
            other => other,
        })?;
    let bytes = store.read(&found.sha256).await?;
    Ok((found, bytes))
}
