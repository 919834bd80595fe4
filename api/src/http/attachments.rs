//! `GET /attachments/{id}`: an attachment's bytes, for a caller who may
//! read its disclosure request (authenticated like `/graphql`, by the
//! `Authorization` header; anonymous callers reach PUBLIC requests' files).
//! Always a download, never shown inline: `Content-Disposition:
//! attachment`, `X-Content-Type-Options: nosniff` and a sandboxing CSP, so
//! an uploaded HTML or SVG file cannot run in the API's origin.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use service::ApiError;
use service::disclosure::attachments;

use service::auth::Viewer;

use super::clients::client_ip;
use super::{Shared, authenticate, errors};

/// `filename*` per RFC 8187 (UTF-8, percent-encoded), with a plain ASCII
/// `filename` for old clients.
fn disposition(file_name: &str) -> String {
    let mut encoded = String::new();
    for b in file_name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

pub async fn download(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    request: axum::extract::Request,
) -> Response {
    let app = &shared.app;
    let headers = request.headers();
    let peer = request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0);
    let client = client_ip(peer, headers, &app.config.edges.trusted_proxies);
    let timeout = app.config.request_timeout;
    let answer = tokio::time::timeout(timeout, serve(app, headers, client, &id)).await;
    answer.unwrap_or_else(|_| {
        errors::response(ApiError::Unavailable(anyhow::anyhow!(
            "download exceeded {timeout:?}"
        )))
    })
}

/// The download for the caller: authenticated, within its request budget.
async fn serve(
    app: &crate::state::AppState,
    headers: &HeaderMap,
    client: Option<std::net::IpAddr>,
    id: &str,
) -> Response {
    let now = app.clock.now();
    let viewer = match authenticate(app, headers, now).await {
        Ok(v) => v,
        Err(refused) => {
            return match app.limits.check_request(&Viewer::anonymous(), client) {
                Err(spent) => errors::response(spent),
                Ok(()) => refused,
            };
        }
    };
    if let Err(e) = app.limits.check_request(&viewer, client) {
        return errors::response(e);
    }
    if let Err(e) = service::policy::ensure_may_run(&viewer, service::policy::Operation::Read) {
        return errors::response(e);
    }
    let Ok(id) = uuid::Uuid::parse_str(id) else {
        return errors::response(ApiError::NotFound("attachment"));
    };
    let ctx = app.request_at(viewer, now);
    let opened =
        crate::graphql::loaders::drive(attachments::open(&ctx, &app.config.uploads, id)).await;
    let (attachment, bytes) = match opened {
        Ok(found) => found,
        Err(e) => return errors::response(e),
    };
    let content_type = HeaderValue::from_str(&attachment.content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let disposition = HeaderValue::from_str(&disposition(&attachment.file_name))
        .unwrap_or(HeaderValue::from_static("attachment"));
    let mut response = bytes.into_response();
    let out = response.headers_mut();
    out.insert(header::CONTENT_TYPE, content_type);
    out.insert(header::CONTENT_DISPOSITION, disposition);
    out.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    out.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    out.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::disposition;

    #[test]
    fn file_names_are_encoded_for_the_header() {
        assert_eq!(
            disposition("결정 통지서.pdf"),
            "attachment; filename=\"______.pdf\"; filename*=UTF-8''%EA%B2%B0%EC%A0%95%20%ED%86%B5%EC%A7%80%EC%84%9C.pdf"
        );
        let d = disposition("a\"b;c.txt");
        assert!(
            d.starts_with("attachment; filename=\"a_b_c.txt\"; filename*=UTF-8''a%22b%3Bc.txt"),
            "{d}"
        );
    }
}
