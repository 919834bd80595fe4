//! The spreadsheet people move from: a filtered list of requests as CSV,
//! and a CSV of existing requests imported all or nothing — every row
//! checked by the same rules as filing and deciding, every refused row
//! reported with its line and field, and nothing written unless none is.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::json;
use unicode_normalization::UnicodeNormalization;
use uuid::Uuid;

use super::agencies::{MAX_NAME, fold};
use super::requests::{NewRequest, RequestFilter, list_condition, new_row};
use super::transitions::{self, DECISIONS, Decision, today};
use crate::audit::Record;
use crate::context::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::mutate;
use crate::policy::{self, Lock, disclosure as rules};
use entity::{
    AgencyKind, DisclosureChannel, DisclosureStatus as S, FiledBy, Visibility, agency,
    disclosure_request, organization,
};

/// The most rows one export or import holds.
pub const MAX_ROWS: usize = 5_000;

const HEADER: [&str; 18] = [
    "id",
    "organization",
    "agency",
    "agency_kind",
    "subject",
    "channel",
    "receipt_number",
    "filed_on",
    "filed_by",
    "status",
    "due_on",
    "overdue",
    "decided_on",
    "transferred_to",
    "objection_lodged_on",
    "objection_outcome",
    "appeal_kind",
    "visibility",
];

fn csv_error(e: impl std::fmt::Display) -> ApiError {
    ApiError::internal(anyhow::anyhow!("csv: {e}"))
}

/// The requests the viewer reads that `filter` keeps, oldest first, as
/// CSV (RFC 4180, UTF-8, a header line). More than [`MAX_ROWS`] is refused.
pub async fn export(ctx: &Ctx, filter: RequestFilter) -> ApiResult<String> {
    let cond = list_condition(ctx, &filter)?;
    let rows = disclosure_request::Entity::find()
        .filter(cond)
        .order_by_asc(disclosure_request::Column::Id)
        .limit(MAX_ROWS as u64 + 1)
        .all(ctx.db())
        .await?;
    if rows.len() > MAX_ROWS {
        return Err(ApiError::bad_input(
            "filter",
            format!("more than {MAX_ROWS} requests; narrow the filter"),
        ));
    }
    let mut agency_ids: Vec<Uuid> = rows.iter().map(|r| r.agency_id).collect();
    agency_ids.extend(rows.iter().filter_map(|r| r.transferred_to_agency_id));
    let agencies: HashMap<Uuid, agency::Model> = agency::Entity::find()
        .filter(agency::Column::Id.is_in(agency_ids))
        .all(ctx.db())
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let slugs: HashMap<Uuid, String> = organization::Entity::find()
        .filter(organization::Column::Id.is_in(rows.iter().map(|r| r.organization_id)))
        .all(ctx.db())
        .await?
        .into_iter()
        .map(|o| (o.id, o.slug))
        .collect();
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(HEADER).map_err(csv_error)?;
    let day = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let now = today(ctx.now());
    for r in &rows {
        let agency = agencies.get(&r.agency_id);
        let transferred = r.transferred_to_agency_id.and_then(|id| agencies.get(&id));
        let overdue = transitions::is_overdue(r.status, r.due_on, now);
        out.write_record([
            r.id.to_string(),
            slugs.get(&r.organization_id).cloned().unwrap_or_default(),
            agency.map(|a| a.name.clone()).unwrap_or_default(),
            agency
                .map(|a| a.kind.as_str().to_owned())
                .unwrap_or_default(),
            r.subject.clone(),
            r.channel.as_str().to_owned(),
            r.receipt_number.clone().unwrap_or_default(),
            r.filed_on.to_string(),
            r.filed_by.as_str().to_owned(),
            r.status.as_str().to_owned(),
            r.due_on.to_string(),
            overdue.to_string(),
            day(r.decided_on),
            transferred.map(|a| a.name.clone()).unwrap_or_default(),
            day(r.objection_lodged_on),
            r.objection_outcome
                .map(|o| o.as_str().to_owned())
                .unwrap_or_default(),
            r.appeal_kind
                .map(|k| k.as_str().to_owned())
                .unwrap_or_default(),
            r.visibility.as_str().to_owned(),
        ])
        .map_err(csv_error)?;
    }
    let bytes = out.into_inner().map_err(csv_error)?;
    String::from_utf8(bytes).map_err(csv_error)
}

/// A row refused by an import: its line in the file (the header is line
/// 1), the column, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: usize,
    pub column: Option<String>,
    pub message: String,
}

/// What an import did: how many requests it wrote (0 when any row was
/// refused), and every refused row.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    pub imported: usize,
    pub errors: Vec<RowError>,
}

/// A row's column for an input field of filing and deciding.
fn column(field: &str) -> Option<String> {
    Some(
        match field {
            "subject" => "subject",
            "body" => "body",
            "receiptNumber" => "receipt_number",
            "filedOn" => "filed_on",
            "decidedOn" => "decided_on",
            "status" => "status",
            _ => return None,
        }
        .to_owned(),
    )
}

fn refused(column: &str, message: impl Into<String>) -> (Option<String>, String) {
    (Some(column.to_owned()), message.into())
}

fn parse_enum<T: Copy>(all: &[T], text: &str, as_str: impl Fn(T) -> &'static str) -> Option<T> {
    let wanted = text.trim().to_uppercase();
    all.iter().copied().find(|v| as_str(*v) == wanted)
}

/// An optional enum cell: none when empty, refused when unknown.
fn optional<T: Copy>(
    text: Option<&str>,
    column: &str,
    all: &[T],
    as_str: impl Fn(T) -> &'static str,
) -> Result<Option<T>, (Option<String>, String)> {
    match text {
        None => Ok(None),
        Some(t) => parse_enum(all, t, as_str)
            .map(Some)
            .ok_or_else(|| refused(column, format!("unknown value {t:?}"))),
    }
}

/// One row, read and checked: the agency it names, and the request.
struct Row {
    agency: (String, AgencyKind),
    request: disclosure_request::Model,
}

/// The columns an import reads: `agency`, `subject` and `filed_on` are
/// required; `agency_kind` (OTHER), `channel` (PORTAL), `filed_by`
/// (MEMBER), `visibility` (PRIVATE), `receipt_number` and `body` are
/// optional, and so is a decision — `status` (FILED, or a decision other
/// than TRANSFERRED) with `decided_on`. Transfers, objections and appeals
/// are recorded afterwards, step by step.
fn read_row(
    ctx: &Ctx,
    organization_id: Uuid,
    user: Uuid,
    cells: &HashMap<String, String>,
) -> Result<Row, (Option<String>, String)> {
    let get = |c: &str| cells.get(c).map(|v| v.trim()).filter(|v| !v.is_empty());
    let need = |c: &str| get(c).ok_or_else(|| refused(c, format!("`{c}` is required")));
    let date = |c: &str, t: &str| {
        NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .map_err(|_| refused(c, format!("{t:?} is not a date (YYYY-MM-DD)")))
    };
    let agency_name: String = need("agency")?.nfc().collect();
    if agency_name.chars().count() > MAX_NAME || fold(&agency_name).is_empty() {
        return Err(refused("agency", "not an agency name"));
    }
    let kind = optional(
        get("agency_kind"),
        "agency_kind",
        AgencyKind::ALL,
        AgencyKind::as_str,
    )?;
    let channel = optional(
        get("channel"),
        "channel",
        DisclosureChannel::ALL,
        DisclosureChannel::as_str,
    )?;
    let filed_by = optional(get("filed_by"), "filed_by", FiledBy::ALL, FiledBy::as_str)?;
    let visibility = optional(
        get("visibility"),
        "visibility",
        Visibility::ALL,
        Visibility::as_str,
    )?;
    let input = NewRequest {
        organization_id,
        project_id: None,
        agency_id: Uuid::nil(),
        subject: need("subject")?.to_owned(),
        body: get("body").map(str::to_owned),
        channel: channel.unwrap_or(DisclosureChannel::Portal),
        receipt_number: get("receipt_number").map(str::to_owned),
        filed_on: date("filed_on", need("filed_on")?)?,
        filed_by: filed_by.unwrap_or(FiledBy::Member),
        visibility: visibility.unwrap_or(Visibility::Private),
    };
    let from_rule = |e: ApiError| match e {
        ApiError::BadUserInput { field, message } => (column(&field), message),
        other => (None, other.message()),
    };
    let mut request = new_row(ctx, input, user).map_err(from_rule)?;
    let status = match get("status") {
        None => S::Filed,
        Some(t) => parse_enum(S::ALL, t, S::as_str)
            .filter(|s| *s == S::Filed || (DECISIONS.contains(s) && *s != S::Transferred))
            .ok_or_else(|| {
                refused(
                    "status",
                    format!("{t:?}: FILED, or a decision other than TRANSFERRED"),
                )
            })?,
    };
    match (status, get("decided_on")) {
        (S::Filed, None) => {}
        (S::Filed, Some(_)) => {
            return Err(refused(
                "decided_on",
                "a FILED request has no decision date",
            ));
        }
        (_, None) => return Err(refused("decided_on", "a decision needs its date")),
        (status, Some(d)) => {
            let decision = Decision {
                status,
                decided_on: date("decided_on", d)?,
                transferred_to: None,
            };
            transitions::decide(&request, &decision, today(ctx.now())).map_err(from_rule)?;
            request.status = status;
            request.decided_on = Some(decision.decided_on);
        }
    }
    Ok(Row {
        agency: (agency_name, kind.unwrap_or(AgencyKind::Other)),
        request,
    })
}

/// The rows of `text`, each read and checked; refused ones reported.
fn read_all(ctx: &Ctx, organization_id: Uuid, user: Uuid, text: &str) -> (Vec<Row>, Vec<RowError>) {
    let (mut rows, mut errors) = (Vec::new(), Vec::new());
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_lowercase()).collect(),
        Err(e) => {
            errors.push(RowError {
                line: 1,
                column: None,
                message: format!("not CSV: {e}"),
            });
            return (rows, errors);
        }
    };
    for required in ["agency", "subject", "filed_on"] {
        if !header.iter().any(|h| h == required) {
            errors.push(RowError {
                line: 1,
                column: Some(required.into()),
                message: format!("the header has no `{required}` column"),
            });
        }
    }
    if !errors.is_empty() {
        return (rows, errors);
    }
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        if i >= MAX_ROWS {
            errors.push(RowError {
                line,
                column: None,
                message: format!("at most {MAX_ROWS} rows at once"),
            });
            break;
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(RowError {
                    line,
                    column: None,
                    message: format!("not CSV: {e}"),
                });
                continue;
            }
        };
        let line = record.position().map_or(line, |p| p.line() as usize);
        let cells: HashMap<String, String> = header
            .iter()
            .cloned()
            .zip(record.iter().map(str::to_owned))
            .collect();
        match read_row(ctx, organization_id, user, &cells) {
            Ok(row) => rows.push(row),
            Err((column, message)) => errors.push(RowError {
                line,
                column,
                message,
            }),
        }
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(RowError {
            line: 2,
            column: None,
            message: "no rows to import".into(),
        });
    }
    (rows, errors)
}

/// Import requests of an organization from CSV: EDITOR+ of it. All or
/// nothing: with any row refused nothing is written, and the report lists
/// every refused row. Agencies are found by name and kind (folded, as
/// `createAgency` does), or added.
pub async fn import(ctx: &Ctx, organization_id: Uuid, text: &str) -> ApiResult<ImportReport> {
    let user = policy::require_user(&ctx.viewer)?.id;
    let access = policy::read_access(ctx, organization_id).await?;
    rules::ensure_can_file(&access)?;
    let (rows, errors) = read_all(ctx, organization_id, user, text);
    if !errors.is_empty() {
        return Ok(ImportReport {
            imported: 0,
            errors,
        });
    }
    mutate!(ctx, |w| {
        let access = w.act_for(organization_id, Lock::Share).await?;
        rules::ensure_can_file(&access)?;
        let mut ids: HashMap<(String, AgencyKind), Uuid> = HashMap::new();
        for row in &rows {
            let key = (fold(&row.agency.0), row.agency.1);
            if ids.contains_key(&key) {
                continue;
            }
            let found = super::agencies::find_or_add(w, &row.agency.0, row.agency.1, user).await?;
            ids.insert(key, found.id);
        }
        let mut requests = Vec::with_capacity(rows.len());
        for row in &rows {
            let mut request = row.request.clone();
            request.agency_id = ids[&(fold(&row.agency.0), row.agency.1)];
            requests.push(disclosure_request::ActiveModel::from(request));
        }
        let n = requests.len();
        for chunk in requests.chunks(500) {
            disclosure_request::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(w.tx())
                .await?;
        }
        w.audit(
            Record::new("disclosure.import", "organization", organization_id)
                .in_org(organization_id)
                .details(json!({ "imported": n })),
        );
        Ok(ImportReport {
            imported: n,
            errors: Vec::new(),
        })
    })
}
