//! Attachments' bytes, outside the database: one file per content under a
//! configured directory, named by its SHA-256 (`ab/abcdef…`), written once
//! (to a temporary name, then renamed, so a reader never sees half a file).
//! Two uploads of the same bytes share one file. A file whose attachment
//! rows are all gone stays on disk (it may be written again tomorrow); an
//! operator may sweep files no row names.

use std::path::PathBuf;

use sha2::{Digest, Sha256};

use crate::error::{ApiError, ApiResult};

/// Where attachments are kept, and how large they may be.
#[derive(Debug, Clone)]
pub struct FileStore {
    dir: PathBuf,
    /// The most one file may hold.
    pub max_file_bytes: usize,
    /// The most one disclosure request's attachments may hold together.
    pub max_request_bytes: i64,
}

impl FileStore {
    pub fn new(dir: impl Into<PathBuf>, max_file_bytes: usize, max_request_bytes: i64) -> Self {
        FileStore {
            dir: dir.into(),
            max_file_bytes,
            max_request_bytes,
        }
    }

    fn path(&self, sha256: &str) -> ApiResult<PathBuf> {
        let valid = sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit());
        if !valid {
            return Err(ApiError::internal(anyhow::anyhow!(
                "not a content name: {sha256:?}"
            )));
        }
        Ok(self.dir.join(&sha256[..2]).join(sha256))
    }

    /// Keep `bytes` under their hash (no-op when they are there already).
    pub async fn put(&self, sha256: &str, bytes: &[u8]) -> ApiResult<()> {
        let path = self.path(sha256)?;
        if tokio::fs::try_exists(&path)
            .await
            .map_err(ApiError::internal)?
        {
            return Ok(());
        }
        let dir = path.parent().map(PathBuf::from).unwrap_or_default();
        tokio::fs::create_dir_all(&dir)
            .await
            .map_err(ApiError::internal)?;
        let partial = dir.join(format!(".{}.{}", sha256, uuid::Uuid::now_v7()));
        tokio::fs::write(&partial, bytes)
            .await
            .map_err(ApiError::internal)?;
        tokio::fs::rename(&partial, &path)
            .await
            .map_err(ApiError::internal)
    }

    /// The bytes kept under `sha256`.
    pub async fn read(&self, sha256: &str) -> ApiResult<Vec<u8>> {
        tokio::fs::read(self.path(sha256)?)
            .await
            .map_err(ApiError::internal)
    }
}

/// The SHA-256 of `bytes`, in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// What the bytes are (by their magic numbers, not the uploader's word):
/// a known type, plain text when they are UTF-8, else opaque bytes.
/// Markup a browser would run (HTML, XML, SVG) is kept as plain text, so no
/// client that trusts `contentType` renders it; programs (executables,
/// libraries) are refused.
pub fn sniff(bytes: &[u8]) -> ApiResult<String> {
    let active = |mime: &str| {
        ["html", "xml", "svg", "javascript"]
            .iter()
            .any(|m| mime.contains(m))
    };
    match infer::get(bytes) {
        Some(t) if t.matcher_type() == infer::MatcherType::App => Err(ApiError::bad_input(
            "file",
            "programs (executables and libraries) are not accepted",
        )),
        Some(t) if active(t.mime_type()) => Ok("text/plain".into()),
        Some(t) => Ok(t.mime_type().to_owned()),
        None if std::str::from_utf8(bytes).is_ok() => Ok("text/plain".into()),
        None => Ok("application/octet-stream".into()),
    }
}

/// Characters that change how a name reads without being seen: direction
/// overrides and isolates (a "fdp.exe" shown as "exe.pdf"), zero widths.
fn invisible(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// A file name as kept: its last path segment, without control or
/// invisible formatting characters, trimmed, at most 200 characters
/// ("file" when nothing is left).
pub fn clean_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !invisible(*c))
        .collect::<String>()
        .trim()
        .chars()
        .take(200)
        .collect();
    if cleaned.is_empty() || cleaned == "." || cleaned == ".." {
        "file".into()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_their_last_segment_only() {
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(
            clean_name("C:\\Users\\me\\결정통지서.pdf"),
            "결정통지서.pdf"
        );
        assert_eq!(clean_name("a\r\nb.txt"), "ab.txt");
        assert_eq!(clean_name(" .. "), "file");
        assert_eq!(
            clean_name("결정\u{202E}fdp.js"),
            "결정fdp.js",
            "no direction override"
        );
        assert_eq!(clean_name(""), "file");
    }

    #[test]
    fn types_come_from_the_bytes() {
        assert_eq!(sniff(b"%PDF-1.7\n...").unwrap(), "application/pdf");
        assert_eq!(
            sniff(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0]).unwrap(),
            "image/png"
        );
        assert_eq!(sniff("<html>결정</html>".as_bytes()).unwrap(), "text/plain");
        assert_eq!(
            sniff(&[0xff, 0xfe, 0x00, 0x9f]).unwrap(),
            "application/octet-stream"
        );
        let mut elf = vec![0x7f, b'E', b'L', b'F', 2, 1, 1, 0];
        elf.resize(64, 0);
        assert!(sniff(&elf).is_err(), "an executable is refused");
        let exe = [b'M', b'Z', 0x90, 0, 3, 0, 0, 0];
        assert!(sniff(&exe).is_err());
    }

    #[tokio::test]
    async fn content_is_written_once_under_its_hash() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path(), 100, 1000);
        let sha = sha256_hex(b"hello");
        store.put(&sha, b"hello").await.unwrap();
        store.put(&sha, b"hello").await.unwrap();
        assert_eq!(store.read(&sha).await.unwrap(), b"hello");
        assert!(dir.path().join(&sha[..2]).join(&sha).exists());
        assert!(store.read("../../x").await.is_err());
    }
}
