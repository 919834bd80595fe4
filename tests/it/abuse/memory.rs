//! Memory stays bounded under a flood of sign-ups and log-ins: Argon2's
//! 19 MiB per hash runs on a fixed set of hashing threads, and the server's
//! allocator (mimalloc, as in the shipped binary) gives each block back
//! when the hash is done.

use serde_json::json;

use yeondae_tests::bench::resident_mib;

use crate::support::process;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_sign_ups_and_log_ins_keeps_memory_bounded() {
    let dir = tempfile::tempdir().unwrap();
    // Hashes run two at a time on the server's two workers; clients send
    // 24 at once, as a flood does.
    let served = process::serve(dir.path(), &[("YEONDAE_HASH_CONCURRENCY", "2")]).await;
    let pid = served.child.id().expect("pid");
    let Some(before) = resident_mib(&pid.to_string()) else {
        return; // not Linux
    };
    let client = reqwest::Client::new();
    let url = format!("{}/graphql", served.url);
    let sign_up = "mutation($input: SignUpInput!) { signUp(input: $input) { user { id } } }";
    let log_in = "mutation($email: String!, $password: String!) { logIn(email: $email, password: $password) { user { id } } }";
    for round in 0..3 {
        let requests = (0..24).map(|i| {
            let (client, url) = (client.clone(), url.clone());
            let email = format!("flood-{round}-{i}@hanbat.example");
            async move {
                let body = if i % 2 == 0 {
                    json!({ "query": sign_up, "variables": { "input": { "email": email, "password": "correct horse battery", "displayName": "x" } } })
                } else {
                    json!({ "query": log_in, "variables": { "email": email, "password": "wrong horse battery" } })
                };
                client.post(&url).json(&body).send().await.map(|r| r.status().as_u16())
            }
        });
        for status in futures::future::join_all(requests).await {
            assert_eq!(status.unwrap(), 200);
        }
    }
    let after = resident_mib(&pid.to_string()).unwrap();
    println!("resident memory: {before} MiB at start, {after} MiB after 72 sign-ups and log-ins");
    // At most two 19 MiB blocks exist at once; hashing on tokio's blocking
    // pool left 19 MiB with every blocking thread used (38 -> 614 MiB here),
    // and so did glibc's malloc with a block per hash (45 -> 394 MiB).
    assert!(after < before + 3 * 19, "{before} MiB -> {after} MiB");
}
