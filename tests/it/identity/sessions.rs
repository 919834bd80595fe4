//! Sessions: access tokens checked strictly (forgeries, expiry, malformed
//! headers), refresh tokens rotated and revoked on reuse, and log-out.

use chrono::TimeDelta;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use sea_orm::EntityTrait;
use serde_json::{Value, json};

use super::ME;
use crate::db_test;
use crate::support::TEST_JWT_SECRET;
use crate::support::fixtures::{PASSWORD, session_from};

fn forge(claims: Value, secret: &str, alg: Algorithm) -> String {
    jsonwebtoken::encode(
        &Header::new(alg),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()).unwrap(),
    )
    .unwrap()
}

fn claims_of(token: &str) -> Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

db_test! {
    async fn access_tokens_are_checked_strictly(app) {
        let s = app.sign_up("someone@hanbat.example").await;
        let claims = claims_of(&s.access_token);
        assert_eq!(claims["iss"], "yeondae");
        assert_eq!(claims["aud"], "yeondae-api");
        assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 15 * 60);

        // A token built by the test with the real secret works: the forgeries
        // below fail for the reason they name, not by accident.
        let good = forge(claims.clone(), TEST_JWT_SECRET, Algorithm::HS256);
        assert!(app.gql(Some(&good), ME, json!({})).await.is_ok());

        let mut tampered = s.access_token.clone();
        let last = tampered.pop().unwrap();
        tampered.push(if last == 'A' { 'B' } else { 'A' });
        let mut other_user = claims.clone();
        other_user["sub"] = json!(uuid::Uuid::now_v7().to_string());
        let mut forged_payload = s.access_token.split('.').map(str::to_owned).collect::<Vec<_>>();
        forged_payload[1] = {
            use base64::Engine;
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(other_user.to_string())
        };
        let unsigned = {
            use base64::Engine;
            let e = base64::engine::general_purpose::URL_SAFE_NO_PAD;
            format!("{}.{}.", e.encode(r#"{"alg":"none","typ":"JWT"}"#), e.encode(claims.to_string()))
        };
        let mut no_iat = claims.clone();
        no_iat.as_object_mut().unwrap().remove("iat");
        let mut no_aud = claims.clone();
        no_aud.as_object_mut().unwrap().remove("aud");
        let mut wrong_aud = claims.clone();
        wrong_aud["aud"] = json!("someone-else");
        let mut wrong_iss = claims.clone();
        wrong_iss["iss"] = json!("evil");

        let bad_tokens = [
            tampered,
            forged_payload.join("."),
            unsigned,
            forge(claims.clone(), "another-secret-another-secret-another-secret", Algorithm::HS256),
            forge(claims.clone(), TEST_JWT_SECRET, Algorithm::HS384),
            forge(no_iat, TEST_JWT_SECRET, Algorithm::HS256),
            forge(no_aud, TEST_JWT_SECRET, Algorithm::HS256),
            forge(wrong_aud, TEST_JWT_SECRET, Algorithm::HS256),
            forge(wrong_iss, TEST_JWT_SECRET, Algorithm::HS256),
            forge(other_user, TEST_JWT_SECRET, Algorithm::HS256),
            "not.a.jwt".to_owned(),
        ];
        for token in &bad_tokens {
            let r = app.gql(Some(token), ME, json!({})).await;
            assert_eq!(r.status, 401, "{token}: {}", r.body);
            r.assert_error("UNAUTHENTICATED", None);
        }

        // Expiry follows the service clock.
        app.clock.advance(TimeDelta::minutes(14));
        assert!(app.gql(s.token(), ME, json!({})).await.is_ok());
        app.clock.advance(TimeDelta::minutes(2));
        let expired = app.gql(s.token(), ME, json!({})).await;
        assert_eq!(expired.status, 401);
        expired.assert_error("UNAUTHENTICATED", None);

        // A malformed header is refused, not downgraded to anonymous.
        let resp = app
            .client
            .post(format!("{}/graphql", app.url))
            .header("authorization", "Basic dXNlcjpwYXNz")
            .json(&json!({ "query": ME }))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 401);
        assert_eq!(resp.headers()["www-authenticate"], "Bearer");
    }
}

pub(super) const REFRESH: &str = "mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken user { id email } } }";
const LOG_OUT: &str = "mutation($t: String!) { logOut(refreshToken: $t) }";

db_test! {
    async fn refresh_rotates_and_reuse_revokes_the_session(app) {
        let s = app.sign_up("rotating@hanbat.example").await;
        let first = app.gql(None, REFRESH, json!({ "t": s.refresh_token })).await;
        let rotated = session_from(&first.data()["refreshSession"], &s.email);
        assert_ne!(rotated.refresh_token, s.refresh_token);
        assert_eq!(first.data()["refreshSession"]["user"]["email"], "rotating@hanbat.example");
        assert!(app.gql(rotated.token(), ME, json!({})).await.is_ok());

        // The old token again: treated as stolen, the whole family ends —
        // the newest refresh token and the access tokens with it.
        let replay = app.gql(None, REFRESH, json!({ "t": s.refresh_token })).await;
        replay.assert_error("UNAUTHENTICATED", None);
        app.gql(None, REFRESH, json!({ "t": rotated.refresh_token })).await.assert_error("UNAUTHENTICATED", None);
        assert_eq!(app.gql(rotated.token(), ME, json!({})).await.status, 401);
        assert_eq!(app.gql(s.token(), ME, json!({})).await.status, 401);

        // Another session of the same user is untouched.
        let other = app.log_in("rotating@hanbat.example", PASSWORD).await;
        let other = session_from(&other.data()["logIn"], &s.email);
        assert!(app.gql(other.token(), ME, json!({})).await.is_ok());

        app.gql(None, REFRESH, json!({ "t": "yd_rt_unknown" })).await.assert_error("UNAUTHENTICATED", None);

        // Refresh tokens are stored only as hashes.
        let stored = entity::refresh_token::Entity::find().all(app.db()).await.unwrap();
        assert!(stored.iter().all(|t| t.token_hash.len() == 64 && !t.token_hash.starts_with("yd_")));
        use sha2::Digest;
        let expected = hex::encode(sha2::Sha256::digest(other.refresh_token.as_bytes()));
        assert!(stored.iter().any(|t| t.token_hash == expected));
    }
}

db_test! {
    async fn concurrent_refreshes_with_one_token_end_the_session(app) {
        let s = app.sign_up("racer@hanbat.example").await;
        let results = futures::future::join_all((0..6).map(|_| app.gql(None, REFRESH, json!({ "t": s.refresh_token })))).await;
        assert!(results.iter().filter(|r| r.is_ok()).count() <= 1, "a refresh token works at most once");
        // At least one lost the race and so revoked the family.
        for r in &results {
            if r.is_ok() {
                let next = r.data()["refreshSession"]["refreshToken"].as_str().unwrap();
                app.gql(None, REFRESH, json!({ "t": next })).await.assert_error("UNAUTHENTICATED", None);
            }
        }
    }
}

db_test! {
    async fn refresh_tokens_expire(app) {
        let s = app.sign_up("sleepy@hanbat.example").await;
        app.clock.advance(TimeDelta::days(31));
        app.gql(None, REFRESH, json!({ "t": s.refresh_token })).await.assert_error("UNAUTHENTICATED", None);
    }
}

db_test! {
    async fn log_out_ends_the_session(app) {
        let s = app.sign_up("leaving@hanbat.example").await;
        let r = app.gql(s.token(), LOG_OUT, json!({ "t": s.refresh_token })).await;
        assert_eq!(r.data()["logOut"], true);
        assert_eq!(app.gql(s.token(), ME, json!({})).await.status, 401, "access tokens of the session end too");
        app.gql(None, REFRESH, json!({ "t": s.refresh_token })).await.assert_error("UNAUTHENTICATED", None);
        let again = app.gql(None, LOG_OUT, json!({ "t": s.refresh_token })).await;
        assert_eq!(again.data()["logOut"], false);
        let unknown = app.gql(None, LOG_OUT, json!({ "t": "yd_rt_nope" })).await;
        assert_eq!(unknown.data()["logOut"], false);
    }
}
