use sea_orm::entity::prelude::*;

/// A file attached to a disclosure request (the agency's notice, the
/// disclosed documents). The bytes live outside the database, in one file
/// per content named by `sha256`; the type is what the bytes are, sniffed,
/// not what the uploader claimed.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "disclosure_attachments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub request_id: Uuid,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_by: Option<Uuid>,
    pub uploaded_at: DateTimeUtc,
}

no_relations!();
