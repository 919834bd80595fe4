//! Input rules shared by the services. Each check names the input field it
//! judges, so the client gets BAD_USER_INPUT with `extensions.field`.
//!
//! Text comes in two kinds. A *line* (a name, title, location, region) is
//! shown in lists, calendar feeds and other organizations' screens: it
//! refuses every control character (CR, LF and tab included), the
//! bidirectional overrides and isolates that reorder what is shown, and the
//! zero-width characters that make look-alike names. *Text* (a
//! description, a purpose, a reason) may hold line breaks and tabs, but no
//! other control characters and no bidirectional overrides.

use std::str::FromStr;

use unicode_normalization::UnicodeNormalization;

use crate::error::ApiError;

pub const MAX_EMAIL_LEN: usize = 254;
/// Longer search terms are refused (no directory entry is that long, and
/// long LIKE patterns cost the database).
pub const MAX_SEARCH_LEN: usize = 100;

/// Unicode NFC, trimmed and lower-cased, so that one address has one form;
/// the database keeps them unique case-insensitively as well.
pub fn email(field: &str, raw: &str) -> Result<String, ApiError> {
    let normalized = raw.trim().nfc().collect::<String>().to_lowercase();
    let bad = || ApiError::bad_input(field, "not a valid e-mail address");
    if normalized.is_empty() || normalized.len() > MAX_EMAIL_LEN {
        return Err(bad());
    }
    let parsed = email_address::EmailAddress::from_str(&normalized).map_err(|_| bad())?;
    // Require a dotted domain: `user@localhost` is valid RFC 5322 but never
    // a deliverable address for our users.
    let domain = parsed.domain();
    if !domain.contains('.') || domain.starts_with('[') || domain.ends_with('.') {
        return Err(bad());
    }
    Ok(normalized)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Line,
    Text,
}

/// A single line: trimmed, non-empty, at most `max` characters.
pub fn line(field: &str, raw: &str, max: usize) -> Result<String, ApiError> {
    required(field, raw, max, Kind::Line)
}

/// Like [`line`], but an empty or blank value means "none".
pub fn optional_line(
    field: &str,
    raw: Option<&str>,
    max: usize,
) -> Result<Option<String>, ApiError> {
    optional(field, raw, max, Kind::Line)
}

/// Text that may span lines: trimmed, non-empty, at most `max` characters.
pub fn required_text(field: &str, raw: &str, max: usize) -> Result<String, ApiError> {
    required(field, raw, max, Kind::Text)
}

/// Like [`required_text`], but an empty or blank value means "none".
pub fn optional_text(
    field: &str,
    raw: Option<&str>,
    max: usize,
) -> Result<Option<String>, ApiError> {
    optional(field, raw, max, Kind::Text)
}

fn required(field: &str, raw: &str, max: usize, kind: Kind) -> Result<String, ApiError> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(ApiError::bad_input(
            field,
            format!("`{field}` must not be empty"),
        ));
    }
    checked(field, value, max, kind)
}

fn optional(
    field: &str,
    raw: Option<&str>,
    max: usize,
    kind: Kind,
) -> Result<Option<String>, ApiError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(value) => checked(field, value, max, kind).map(Some),
    }
}

/// Bidirectional embeddings, overrides and isolates, and the marks that
/// steer them (U+061C, U+200E, U+200F).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Invisible characters with no place in a name: zero-width space and
/// joiners, word joiner, byte-order mark, line and paragraph separators.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{2028}' | '\u{2029}'
    )
}

fn checked(field: &str, value: &str, max: usize, kind: Kind) -> Result<String, ApiError> {
    if value.chars().count() > max {
        return Err(ApiError::bad_input(
            field,
            format!("`{field}` must be at most {max} characters"),
        ));
    }
    let refused = |c: char| match kind {
        Kind::Line => c.is_control() || is_bidi_control(c) || is_invisible(c),
        Kind::Text => (c.is_control() && !matches!(c, '\n' | '\t' | '\r')) || is_bidi_control(c),
    };
    if value.chars().any(refused) {
        let what = match kind {
            Kind::Line => "line breaks, control characters or invisible formatting characters",
            Kind::Text => "control characters or bidirectional overrides",
        };
        return Err(ApiError::bad_input(
            field,
            format!("`{field}` must not contain {what}"),
        ));
    }
    Ok(value.to_owned())
}

/// A search term: trimmed (blank means no search), at most
/// [`MAX_SEARCH_LEN`] characters, one line.
pub fn search(field: &str, raw: Option<&str>) -> Result<Option<String>, ApiError> {
    optional_line(field, raw, MAX_SEARCH_LEN)
}

/// `LIKE` matching any text that contains the (lower-cased) search term.
pub fn contains_pattern(term: &str) -> sea_orm::sea_query::LikeExpr {
    let pattern = format!("%{}%", escape_like(&term.to_lowercase()));
    sea_orm::sea_query::LikeExpr::new(pattern).escape('\\')
}

/// A text column containing the search term, case-insensitively (as far as
/// the database's `lower()` folds: every letter on PostgreSQL, ASCII on
/// SQLite; Korean has no case).
pub fn contains_ignoring_case(
    col: impl sea_orm::sea_query::IntoColumnRef,
    term: &str,
) -> sea_orm::sea_query::Expr {
    use sea_orm::sea_query::{Expr, ExprTrait, Func};
    Expr::expr(Func::lower(Expr::col(col))).like(contains_pattern(term))
}

/// `s` as a literal inside a `LIKE` pattern escaped with `\\`.
fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Organization slugs: 2–40 of `a-z`, `0-9` and single inner hyphens.
pub fn slug(field: &str, raw: &str) -> Result<String, ApiError> {
    let s = raw.trim();
    let ok = (2..=40).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--");
    if ok {
        Ok(s.to_owned())
    } else {
        Err(ApiError::bad_input(
            field,
            "a slug is 2-40 lower-case letters, digits and single hyphens, not starting or ending with a hyphen",
        ))
    }
}

/// An IANA time zone name such as `Asia/Seoul`.
pub fn timezone(field: &str, raw: &str) -> Result<String, ApiError> {
    let s = raw.trim();
    chrono_tz::Tz::from_str(s)
        .map(|tz| tz.name().to_owned())
        .map_err(|_| ApiError::bad_input(field, "not an IANA time zone name (e.g. Asia/Seoul)"))
}

/// An absolute http(s) URL.
pub fn website(field: &str, raw: Option<&str>) -> Result<Option<String>, ApiError> {
    let Some(value) = optional_line(field, raw, 2048)? else {
        return Ok(None);
    };
    match url::Url::parse(&value) {
        Ok(u) if (u.scheme() == "http" || u.scheme() == "https") && u.host().is_some() => {
            Ok(Some(value))
        }
        _ => Err(ApiError::bad_input(
            field,
            "must be an http:// or https:// address",
        )),
    }
}

/// A list of ids without repeats, in the order given; at most `max`
/// (BAD_USER_INPUT on `field` otherwise).
pub fn distinct_ids(
    field: &str,
    ids: &[uuid::Uuid],
    max: usize,
) -> Result<Vec<uuid::Uuid>, ApiError> {
    let mut out: Vec<uuid::Uuid> = Vec::with_capacity(ids.len());
    for id in ids {
        if !out.contains(id) {
            out.push(*id);
        }
    }
    if out.len() > max {
        return Err(ApiError::bad_input(field, format!("at most {max}")));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalized_and_checked() {
        assert_eq!(
            email("email", "  Owner@Hanbat.Example ").unwrap(),
            "owner@hanbat.example"
        );
        for bad in [
            "",
            "plain",
            "a@b",
            "@x.org",
            "a@@x.org",
            "a b@x.org",
            "a@x.org.",
        ] {
            assert!(email("email", bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn emails_are_one_unicode_form() {
        // "é" precomposed and as e + combining acute: one address.
        assert_eq!(
            email("email", "Jos\u{65}\u{301}@hanbat.example").unwrap(),
            email("email", "jos\u{e9}@hanbat.example").unwrap()
        );
    }

    #[test]
    fn lines_refuse_what_text_may_hold() {
        for bad in [
            "a\nb",
            "a\rb",
            "a\tb",
            "a\u{0}b",
            "a\u{7f}b",
            "a\u{202E}b",
            "a\u{2067}b",
            "a\u{200B}b",
            "a\u{200D}b",
            "a\u{FEFF}b",
            "a\u{2028}b",
        ] {
            assert!(line("name", bad, 200).is_err(), "{bad:?}");
        }
        assert_eq!(
            line("name", " 한밭 시민모임 ", 200).unwrap(),
            "한밭 시민모임"
        );
        assert!(required_text("purpose", "line one\r\nline\ttwo", 200).is_ok());
        for bad in ["a\u{0}b", "a\u{202E}b", "a\u{1b}[31mb"] {
            assert!(required_text("purpose", bad, 200).is_err(), "{bad:?}");
        }
        assert!(search("search", Some(&"x".repeat(MAX_SEARCH_LEN + 1))).is_err());
        assert!(search("search", Some("a\u{0}")).is_err());
        assert_eq!(search("search", Some("  ")).unwrap(), None);
    }

    #[test]
    fn slugs() {
        assert!(slug("slug", "dj-rights").is_ok());
        for bad in ["a", "-ab", "ab-", "a--b", "Hanbat", "한밭", "a_b"] {
            assert!(slug("slug", bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn timezones() {
        assert_eq!(timezone("timezone", "Asia/Seoul").unwrap(), "Asia/Seoul");
        assert!(timezone("timezone", "Mars/Olympus").is_err());
    }
}
