//! Input rules shared by the services. Each check names the input field it
//! judges, so the client gets BAD_USER_INPUT with `extensions.field`.

use std::str::FromStr;

use crate::error::ApiError;

pub const MAX_EMAIL_LEN: usize = 254;

/// Trimmed and lower-cased; e-mails are unique case-insensitively.
pub fn email(field: &str, raw: &str) -> Result<String, ApiError> {
    let normalized = raw.trim().to_lowercase();
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

/// Trimmed, non-empty, at most `max` characters, no control characters.
pub fn required_text(field: &str, raw: &str, max: usize) -> Result<String, ApiError> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(ApiError::bad_input(
            field,
            format!("`{field}` must not be empty"),
        ));
    }
    checked_text(field, value, max)
}

/// Like [`required_text`], but an empty or blank value means "none".
pub fn optional_text(
    field: &str,
    raw: Option<&str>,
    max: usize,
) -> Result<Option<String>, ApiError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(value) => checked_text(field, value, max).map(Some),
    }
}

fn checked_text(field: &str, value: &str, max: usize) -> Result<String, ApiError> {
    if value.chars().count() > max {
        return Err(ApiError::bad_input(
            field,
            format!("`{field}` must be at most {max} characters"),
        ));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(ApiError::bad_input(
            field,
            format!("`{field}` contains control characters"),
        ));
    }
    Ok(value.to_owned())
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
    let Some(value) = optional_text(field, raw, 2048)? else {
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
