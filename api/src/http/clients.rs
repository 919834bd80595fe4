//! Who is calling, as far as the network can tell, and how much they may
//! ask: the client's address, the per-address limit on log-in, sign-up and
//! refresh, and the general request budget per token, user or address.
//! Both limits answer RATE_LIMITED (HTTP 429 with `Retry-After`).

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::{Arc, Weak};
use std::time::Duration;

use axum::http::HeaderMap;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use ipnet::IpNet;
use service::ApiError;
use service::auth::{Credential, Viewer};

/// The client's address: the connection's peer — or, when the peer is a
/// proxy the operator trusts, the last address in `X-Forwarded-For` that is
/// not itself a trusted proxy (earlier entries are the client's own claim).
pub fn client_ip(
    peer: Option<SocketAddr>,
    headers: &HeaderMap,
    trusted: &[IpNet],
) -> Option<IpAddr> {
    let peer = peer?.ip();
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return Some(peer);
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|part| part.trim().parse().ok())
        .collect();
    Some(
        forwarded
            .into_iter()
            .rev()
            .find(|ip| !is_trusted(ip))
            .unwrap_or(peer),
    )
}

/// The rate limits of one server (in memory: each instance counts its own).
pub struct RateLimits {
    auth: Option<DefaultKeyedRateLimiter<IpAddr>>,
    requests: Option<DefaultKeyedRateLimiter<String>>,
}

fn per_minute(n: u32) -> Option<Quota> {
    NonZeroU32::new(n).map(Quota::per_minute)
}

impl RateLimits {
    /// `auth_per_minute` log-ins, sign-ups and refreshes per address and
    /// `requests_per_minute` GraphQL requests per caller; 0 turns a limit
    /// off. Each allows its whole minute's worth at once, then refills.
    pub fn new(auth_per_minute: u32, requests_per_minute: u32) -> Arc<Self> {
        let limits = Arc::new(RateLimits {
            auth: per_minute(auth_per_minute).map(RateLimiter::keyed),
            requests: per_minute(requests_per_minute).map(RateLimiter::keyed),
        });
        // Forget callers whose budget is full again, so the maps stay as
        // small as the set of recent callers.
        let weak: Weak<RateLimits> = Arc::downgrade(&limits);
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                loop {
                    tokio::time::sleep(Duration::from_secs(60)).await;
                    let Some(limits) = weak.upgrade() else { return };
                    for limiter in limits.auth.iter() {
                        limiter.retain_recent();
                        limiter.shrink_to_fit();
                    }
                    for limiter in limits.requests.iter() {
                        limiter.retain_recent();
                        limiter.shrink_to_fit();
                    }
                }
            });
        }
        limits
    }

    /// One log-in, sign-up or refresh from `client`.
    pub fn check_auth(&self, client: Option<IpAddr>) -> Result<(), ApiError> {
        match (&self.auth, client) {
            (Some(limiter), Some(ip)) => check(
                limiter,
                &ip,
                "too many log-in, sign-up or refresh attempts from this address",
            ),
            _ => Ok(()),
        }
    }

    /// One request by `viewer` from `client`: counted against the API
    /// token, else the user, else the address.
    pub fn check_request(&self, viewer: &Viewer, client: Option<IpAddr>) -> Result<(), ApiError> {
        let Some(limiter) = &self.requests else {
            return Ok(());
        };
        let key = match (&viewer.credential, viewer.user_id(), client) {
            (Credential::ApiToken { token_id, .. }, _, _) => format!("token:{token_id}"),
            (_, Some(user), _) => format!("user:{user}"),
            (_, None, Some(ip)) => format!("ip:{ip}"),
            (_, None, None) => return Ok(()),
        };
        check(limiter, &key, "request budget spent")
    }
}

fn check<K: std::hash::Hash + Eq + Clone>(
    limiter: &DefaultKeyedRateLimiter<K>,
    key: &K,
    what: &str,
) -> Result<(), ApiError> {
    limiter.check_key(key).map_err(|not_until| {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        let secs = secs.max(1);
        ApiError::RateLimited {
            message: format!("{what}; try again in {secs} seconds"),
            retry_after_secs: secs,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_is_the_peer_unless_a_trusted_proxy_says_otherwise() {
        let peer: SocketAddr = "10.0.0.5:4000".parse().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            "203.0.113.9, 198.51.100.7".parse().unwrap(),
        );
        assert_eq!(
            client_ip(Some(peer), &headers, &[]),
            Some(peer.ip()),
            "no proxy trusted"
        );
        let proxies: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        assert_eq!(
            client_ip(Some(peer), &headers, &proxies),
            Some("198.51.100.7".parse().unwrap()),
            "the last hop before our proxy, not the client's own claim"
        );
        let chain: Vec<IpNet> = vec![
            "10.0.0.0/8".parse().unwrap(),
            "198.51.100.7/32".parse().unwrap(),
        ];
        assert_eq!(
            client_ip(Some(peer), &headers, &chain),
            Some("203.0.113.9".parse().unwrap())
        );
        assert_eq!(
            client_ip(Some(peer), &HeaderMap::new(), &proxies),
            Some(peer.ip())
        );
    }

    #[tokio::test]
    async fn budgets_are_per_caller_and_say_when_to_return() {
        let limits = RateLimits::new(2, 0);
        let a = Some("192.0.2.1".parse().unwrap());
        let b = Some("192.0.2.2".parse().unwrap());
        assert!(limits.check_auth(a).is_ok());
        assert!(limits.check_auth(a).is_ok());
        match limits.check_auth(a) {
            Err(ApiError::RateLimited {
                retry_after_secs, ..
            }) => assert!((1..=30).contains(&retry_after_secs)),
            other => panic!("{other:?}"),
        }
        assert!(
            limits.check_auth(b).is_ok(),
            "another address has its own budget"
        );
        assert!(
            limits.check_request(&Viewer::anonymous(), a).is_ok(),
            "the request budget is off"
        );
    }
}
