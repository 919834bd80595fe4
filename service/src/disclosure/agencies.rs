//! Agencies: the public bodies requests go to, shared by the whole
//! coalition so that partners' requests to one agency add up. Anyone reads
//! them; any signed-in user adds one, and adding one that exists (the same
//! name however spaced, cased or composed, and the same kind) returns it.

use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, TryInsertResult};
use serde_json::json;
use unicode_normalization::UnicodeNormalization;
use uuid::Uuid;

use crate::audit::Record;
use crate::context::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::mutate;
use crate::paging::{Listing, PageArgs, list_sorted};
use crate::policy;
use crate::validate;
use crate::write::Write;
use entity::{AgencyKind, agency};

/// The longest agency name.
pub const MAX_NAME: usize = 200;

/// A name folded for comparison and search: compatibility-composed (so
/// Hangul typed as jamo and as syllables agree), lower case, no white space
/// ("서울특별시 종로구" and "서울특별시종로구" are one agency).
pub fn fold(name: &str) -> String {
    name.nfkc()
        .flat_map(char::to_lowercase)
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// Add an agency, or find the one that exists under that name and kind.
pub async fn create(ctx: &Ctx, name: &str, kind: AgencyKind) -> ApiResult<agency::Model> {
    let user = policy::require_user(&ctx.viewer)?.id;
    let name = validate::line("name", &name.nfc().collect::<String>(), MAX_NAME)?;
    let key = fold(&name);
    if key.is_empty() {
        return Err(ApiError::bad_input("name", "`name` must not be empty"));
    }
    mutate!(ctx, |w| find_or_add(w, &name, kind, user).await)
}

/// The agency of that name (folded) and kind, added (and audited) when
/// there is none. Two adding it at once both end with the one row.
pub(super) async fn find_or_add(
    w: &mut Write<'_>,
    name: &str,
    kind: AgencyKind,
    user: Uuid,
) -> ApiResult<agency::Model> {
    let key = fold(name);
    let row = agency::Model {
        id: Uuid::now_v7(),
        name: name.to_owned(),
        search_key: key.clone(),
        kind,
        created_by: Some(user),
        created_at: w.now(),
    };
    let inserted = agency::Entity::insert(agency::ActiveModel::from(row))
        .on_conflict_do_nothing_on([agency::Column::SearchKey, agency::Column::Kind])
        .exec_without_returning(w.tx())
        .await?;
    let found = agency::Entity::find()
        .filter(agency::Column::SearchKey.eq(key.as_str()))
        .filter(agency::Column::Kind.eq(kind))
        .one(w.tx())
        .await?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("agency vanished")))?;
    if matches!(inserted, TryInsertResult::Inserted(n) if n > 0) {
        w.audit(
            Record::new("agency.create", "agency", found.id)
                .details(json!({ "name": found.name, "kind": kind.as_str() })),
        );
    }
    Ok(found)
}

/// Agencies by name, optionally those whose name contains `search`
/// (compared folded, see [`fold`]).
pub async fn list(
    ctx: &Ctx,
    search: Option<&str>,
    args: &PageArgs,
) -> ApiResult<Listing<agency::Model>> {
    let mut cond = Condition::all();
    if let Some(term) = validate::search("search", search)? {
        let folded = fold(&term);
        if !folded.is_empty() {
            cond = cond.add(agency::Column::SearchKey.like(validate::contains_pattern(&folded)));
        }
    }
    list_sorted::<agency::Entity, String>(
        ctx.db(),
        cond,
        agency::Column::Name,
        agency::Column::Id,
        args,
    )
    .await
}

/// An agency, which anyone may read; NOT_FOUND when there is none.
pub async fn find(ctx: &Ctx, id: Uuid) -> ApiResult<agency::Model> {
    ctx.reads()
        .agency(id)
        .await?
        .ok_or(ApiError::NotFound("agency"))
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn folding_ignores_spacing_case_and_composition() {
        assert_eq!(fold("서울특별시 종로구"), fold("서울특별시종로구"));
        assert_eq!(fold(" Seoul  Metropolitan\tCity "), "seoulmetropolitancity");
        // 한 as conjoining jamo (U+1112 U+1161 U+11AB) and as a syllable.
        assert_eq!(fold("\u{1112}\u{1161}\u{11AB}강"), fold("한강"));
        assert_eq!(fold("   "), "");
    }
}
