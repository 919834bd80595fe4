//! Who is calling, as far as the network can tell, and how much they may
//! ask: the client's address, the per-address limit on log-in, sign-up and
//! refresh, the general request budget per token, user or address, and
//! the budget of citizen disclosure submissions per user or address.
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
use service::auth::Viewer;

/// The client, as limits and throttles count it: the connection's peer —
/// or, when the peer is a proxy the operator trusts, the last address in
/// `X-Forwarded-For` that is not itself a trusted proxy (earlier entries are
/// the client's own claim). Read from the right, an entry that is not an
/// address ends the walk at the proxy that wrote it, so nothing the client
/// wrote to its left is believed. An IPv6 client counts as its /64 network,
/// the block one subscriber is given (else one machine would be 2^64
/// clients); IPv4-mapped IPv6 addresses count as IPv4.
pub fn client_ip(
    peer: Option<SocketAddr>,
    headers: &HeaderMap,
    trusted: &[IpNet],
) -> Option<IpAddr> {
    let mut client = peer?.ip().to_canonical();
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect();
    for entry in entries.into_iter().rev() {
        if !is_trusted(&client) {
            break;
        }
        match forwarded_ip(entry) {
            Some(ip) => client = ip,
            None => break,
        }
    }
    Some(network(client))
}

/// One `X-Forwarded-For` entry: an address, possibly with a port
/// (`192.0.2.1:4711`, `[2001:db8::1]:4711`).
fn forwarded_ip(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    entry
        .parse::<IpAddr>()
        .or_else(|_| entry.parse::<SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(|ip| ip.to_canonical())
}

/// IPv4 as is; IPv6 as its /64 network.
fn network(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => IpAddr::V6((u128::from(v6) & !((1u128 << 64) - 1)).into()),
    }
}

/// The rate limits of one server (in memory: each instance counts its own).
pub struct RateLimits {
    auth: Option<DefaultKeyedRateLimiter<IpAddr>>,
    requests: Option<DefaultKeyedRateLimiter<String>>,
    citizens: Option<DefaultKeyedRateLimiter<String>>,
}

fn per_minute(n: u32) -> Option<Quota> {
    NonZeroU32::new(n).map(Quota::per_minute)
}

impl RateLimits {
    /// `auth_per_minute` log-ins, sign-ups and refreshes per address and
    /// `requests_per_minute` GraphQL requests per caller; 0 turns a limit
    /// off; `citizens_per_hour` citizen submissions per user or anonymous
    /// address. Each allows its whole period's worth at once, then refills.
    pub fn new(
        auth_per_minute: u32,
        requests_per_minute: u32,
        citizens_per_hour: u32,
    ) -> Arc<Self> {
        let limits = Arc::new(RateLimits {
            auth: per_minute(auth_per_minute).map(RateLimiter::keyed),
            requests: per_minute(requests_per_minute).map(RateLimiter::keyed),
            citizens: NonZeroU32::new(citizens_per_hour)
                .map(Quota::per_hour)
                .map(RateLimiter::keyed),
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
                    for limiter in limits.requests.iter().chain(limits.citizens.iter()) {
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

    /// One request by `viewer` from `client`: counted against the user
    /// (whatever token or session they use, so more tokens buy no more
    /// requests), else the address.
    pub fn check_request(&self, viewer: &Viewer, client: Option<IpAddr>) -> Result<(), ApiError> {
        let Some(limiter) = &self.requests else {
            return Ok(());
        };
        match caller_key(viewer, client) {
            Some(key) => check(limiter, &key, "request budget spent"),
            None => Ok(()),
        }
    }

    /// One citizen submission by `viewer` from `client`: counted against
    /// the user when signed in, else the address.
    pub fn check_citizen_submission(
        &self,
        viewer: &Viewer,
        client: Option<IpAddr>,
    ) -> Result<(), ApiError> {
        match (&self.citizens, caller_key(viewer, client)) {
            (Some(limiter), Some(key)) => check(limiter, &key, "too many citizen submissions"),
            _ => Ok(()),
        }
    }
}

/// Whom a budget counts: the user (whatever token or session), else the
/// address.
fn caller_key(viewer: &Viewer, client: Option<IpAddr>) -> Option<String> {
    match (viewer.user_id(), client) {
        (Some(user), _) => Some(format!("user:{user}")),
        (None, Some(ip)) => Some(format!("ip:{ip}")),
        (None, None) => None,
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
        let mut ported = HeaderMap::new();
        ported.insert(
            "x-forwarded-for",
            "[2001:db8::1]:4711, 198.51.100.7:80".parse().unwrap(),
        );
        assert_eq!(
            client_ip(Some(peer), &ported, &proxies),
            Some("198.51.100.7".parse().unwrap())
        );
        // What the proxy could not read ends the walk: the forged entry to
        // its left is not believed.
        let mut garbled = HeaderMap::new();
        garbled.insert("x-forwarded-for", "203.0.113.66, unknown".parse().unwrap());
        assert_eq!(client_ip(Some(peer), &garbled, &proxies), Some(peer.ip()));
        let mapped: SocketAddr = "[::ffff:10.0.0.5]:1".parse().unwrap();
        assert_eq!(
            client_ip(Some(mapped), &headers, &proxies),
            Some("198.51.100.7".parse().unwrap())
        );
    }

    #[test]
    fn an_ipv6_client_is_its_64_network() {
        let a: SocketAddr = "[2001:db8:1:2:aaaa::1]:1".parse().unwrap();
        let b: SocketAddr = "[2001:db8:1:2:bbbb::9]:1".parse().unwrap();
        let other: SocketAddr = "[2001:db8:1:3::1]:1".parse().unwrap();
        let none = HeaderMap::new();
        assert_eq!(
            client_ip(Some(a), &none, &[]),
            client_ip(Some(b), &none, &[])
        );
        assert_ne!(
            client_ip(Some(a), &none, &[]),
            client_ip(Some(other), &none, &[])
        );
    }

    #[tokio::test]
    async fn budgets_are_per_caller_and_say_when_to_return() {
        let limits = RateLimits::new(2, 0, 0);
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
