//! Attachments: uploaded by the request's editors through the GraphQL
//! multipart request convention, typed by their bytes, kept outside the
//! database under their hash, limited per file and per request, and
//! downloadable — always as a download — only by those who read the request.

use serde_json::json;
use sha2::{Digest, Sha256};

use super::{file, world};
use crate::db_test;
use crate::on_each_backend;
use crate::support::disclosure::Upload;
use crate::support::{Backend, Options, TestApp};

/// A small PDF's first bytes (enough for the type to be sniffed).
const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

async fn attachments_of(app: &TestApp, token: Option<&str>, id: &str) -> Vec<String> {
    let r = app
        .gql(
            token,
            "query($id: ID!) { disclosureRequest(id: $id) { attachments { id } } }",
            json!({ "id": id }),
        )
        .await;
    r.data()["disclosureRequest"]["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect()
}

db_test! {
    async fn an_editor_attaches_a_file_typed_by_its_bytes_and_kept_under_its_hash(app) {
        let w = world(&app).await;
        let id = file(&app, &w.editor, &w.hanbat.id, json!({ "agencyId": w.agency })).await;
        // Claimed to be HTML, named with a path: kept as the PDF it is, by its last segment.
        let upload = Upload { claimed_type: "text/html", ..Upload::new("../../통지서/결정통지서.pdf", PDF) };
        let made = app.upload(w.editor.token(), &id, upload).await;
        let a = made.data()["attachToDisclosureRequest"].clone();
        assert_eq!(a["fileName"], "결정통지서.pdf");
        assert_eq!(a["contentType"], "application/pdf");
        assert_eq!(a["sizeBytes"], PDF.len());
        assert_eq!(a["sha256"], sha(PDF));
        let url = a["url"].as_str().unwrap().to_owned();
        assert_eq!(url, format!("/attachments/{}", a["id"].as_str().unwrap()));
        let digest = sha(PDF);
        let kept = app.uploads.path().join(&digest[..2]).join(&digest);
        assert_eq!(std::fs::read(&kept).unwrap(), PDF, "the bytes are on disk under their hash");
        assert_eq!(attachments_of(&app, w.editor.token(), &id).await, vec![a["id"].as_str().unwrap().to_owned()]);

        // The same bytes again: a second attachment, one file.
        let again = app.upload(w.editor.token(), &id, Upload::new("사본.pdf", PDF)).await;
        assert_eq!(again.data()["attachToDisclosureRequest"]["sha256"], sha(PDF));
        assert_eq!(attachments_of(&app, w.editor.token(), &id).await.len(), 2);
        assert_eq!(std::fs::read_dir(kept.parent().unwrap()).unwrap().count(), 1);

        // Text is text, whatever it holds; programs are refused.
        let html = app.upload(w.editor.token(), &id, Upload::new("page.html", "<script>alert(1)</script>".as_bytes())).await;
        assert_eq!(html.data()["attachToDisclosureRequest"]["contentType"], "text/plain");
        let mut elf = vec![0x7f, b'E', b'L', b'F', 2, 1, 1, 0];
        elf.resize(64, 0);
        app.upload(w.editor.token(), &id, Upload::new("run", &elf)).await.assert_error("BAD_USER_INPUT", Some("file"));
        app.upload(w.editor.token(), &id, Upload::new("empty.txt", b"")).await.assert_error("BAD_USER_INPUT", Some("file"));
        assert_eq!(attachments_of(&app, w.editor.token(), &id).await.len(), 3);
    }
}

db_test! {
    async fn only_editors_of_the_requests_organization_attach(app) {
        let w = world(&app).await;
        let id = file(&app, &w.editor, &w.hanbat.id, json!({ "agencyId": w.agency })).await;
        app.upload(None, &id, Upload::new("a.pdf", PDF)).await.assert_error("UNAUTHENTICATED", None);
        app.upload(w.member.token(), &id, Upload::new("a.pdf", PDF)).await.assert_error("FORBIDDEN", None);
        // A partner reads the request but does not change it; an outsider does not see it.
        app.upload(w.gap_editor.token(), &id, Upload::new("a.pdf", PDF)).await.assert_error("FORBIDDEN", None);
        app.upload(w.yu_editor.token(), &id, Upload::new("a.pdf", PDF)).await.assert_error("NOT_FOUND", None);
        assert!(attachments_of(&app, w.editor.token(), &id).await.is_empty());
        assert_eq!(std::fs::read_dir(app.uploads.path()).unwrap().count(), 0, "no file was kept");
        // A multipart request without the preflight header is refused before anything runs.
        let bare = app.upload(w.editor.token(), &id, Upload { preflight: false, ..Upload::new("a.pdf", PDF) }).await;
        assert_eq!(bare.status, 400);
        bare.assert_error("BAD_USER_INPUT", Some("body"));
        assert!(attachments_of(&app, w.editor.token(), &id).await.is_empty());
    }
}

db_test! {
    async fn files_download_only_to_those_who_read_the_request(app) {
        let w = world(&app).await;
        let id = file(&app, &w.editor, &w.hanbat.id, json!({ "agencyId": w.agency })).await;
        let made = app.upload(w.editor.token(), &id, Upload::new("결정 통지서.pdf", PDF)).await;
        let url = made.data()["attachToDisclosureRequest"]["url"].as_str().unwrap().to_owned();

        for token in [w.editor.token(), w.member.token(), w.gapcheon.owner.token()] {
            let got = app.download(token, &url).await;
            assert_eq!(got.status(), 200);
            let h = got.headers().clone();
            assert_eq!(h["content-type"], "application/pdf");
            assert!(h["content-disposition"].to_str().unwrap().starts_with("attachment;"), "never inline");
            assert!(h["content-disposition"].to_str().unwrap().contains("filename*=UTF-8''%EA%B2%B0%EC%A0%95%20"));
            assert_eq!(h["x-content-type-options"], "nosniff");
            assert_eq!(h["content-security-policy"], "default-src 'none'; sandbox");
            assert_eq!(got.bytes().await.unwrap().as_ref(), PDF);
        }
        // Outsiders, anonymous callers, a partner only for ACTIONS: as if there were no such file.
        for token in [None, w.yu_editor.token(), w.actions_only.owner.token()] {
            let got = app.download(token, &url).await;
            assert_eq!(got.status(), 404);
            let body: serde_json::Value = got.json().await.unwrap();
            assert_eq!(body["errors"][0]["extensions"]["code"], "NOT_FOUND");
        }
        assert_eq!(app.download(w.editor.token(), "/attachments/not-an-id").await.status(), 404);

        // When the agreement ends, so does the partner's download.
        app.agreement_op(&w.hanbat.owner, "terminateAgreement", &w.joint).await.data();
        assert_eq!(app.download(w.gapcheon.owner.token(), &url).await.status(), 404);

        // A PUBLIC request's files are anyone's.
        let public = file(&app, &w.editor, &w.hanbat.id, json!({ "agencyId": w.agency, "visibility": "PUBLIC" })).await;
        let made = app.upload(w.editor.token(), &public, Upload::new("공개.txt", "공개 결정".as_bytes())).await;
        let url = made.data()["attachToDisclosureRequest"]["url"].as_str().unwrap().to_owned();
        let got = app.download(None, &url).await;
        assert_eq!(got.status(), 200);
        assert_eq!(got.headers()["content-type"], "text/plain");
        assert_eq!(got.text().await.unwrap(), "공개 결정");
        // Deleting the request takes its attachments with it.
        app.gql(w.editor.token(), "mutation($id: ID!) { deleteDisclosureRequest(id: $id) }", json!({ "id": public })).await.data();
        assert_eq!(app.download(None, &url).await.status(), 404);
    }
}

/// 1 KiB per file, 3 KiB per request.
async fn small_limits(backend: Backend) {
    let options = Options {
        upload_limits: (1024, 3 * 1024),
        ..Options::default()
    };
    let Some(app) = TestApp::spawn_with(backend, options).await else {
        return;
    };
    let w = world(&app).await;
    let id = file(
        &app,
        &w.editor,
        &w.hanbat.id,
        json!({ "agencyId": w.agency }),
    )
    .await;
    let over = vec![b'a'; 1025];
    let refused = app
        .upload(w.editor.token(), &id, Upload::new("big.txt", &over))
        .await;
    assert_eq!(refused.status, 413);
    refused.assert_error("BAD_USER_INPUT", Some("body"));
    let full = vec![b'b'; 1024];
    for n in 0..3 {
        let name = format!("{n}.txt");
        let mut bytes = full.clone();
        bytes[0] = b'0' + n;
        app.upload(w.editor.token(), &id, Upload::new(&name, &bytes))
            .await
            .data();
    }
    let one_more = app
        .upload(w.editor.token(), &id, Upload::new("3.txt", b"x"))
        .await;
    one_more.assert_error("BAD_USER_INPUT", Some("file"));
    assert_eq!(
        attachments_of(&app, w.editor.token(), &id).await.len(),
        3,
        "the fourth was not kept"
    );
    // Another request has its own allowance.
    let other = file(
        &app,
        &w.editor,
        &w.hanbat.id,
        json!({ "agencyId": w.agency }),
    )
    .await;
    app.upload(w.editor.token(), &other, Upload::new("3.txt", b"x"))
        .await
        .data();
}

on_each_backend!(small_limits);
