use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_app_with, TempDir, TestOptions};

#[tokio::test]
async fn health_readiness_and_metrics_answer() {
    let app = spawn_app_with(TestOptions {
        env: vec![("WAFLEET_METRICS_BIND", "127.0.0.1:0".into())],
        ..Default::default()
    })
    .await;

    let health = app
        .http
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    assert!(health.headers().contains_key("x-request-id"));

    let ready: Value = app
        .http
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        ready,
        json!({ "ready": true, "database": true, "redis": true })
    );

    app.gql(None, "{ me { id } }", json!({})).await;
    // Metrics are on their own listener, not on the API's.
    let public = app
        .http
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .unwrap();
    assert_ne!(public.status(), 200);
    let metrics = app
        .http
        .get(format!("{}/metrics", app.metrics_address.as_ref().unwrap()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("wafleet_http_requests_total{method=\"POST\",status=\"200\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("wafleet_graphql_errors_total{code=\"UNAUTHENTICATED\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("wafleet_db_pool_connections{state=\"open\"}"),
        "{metrics}"
    );
}

#[tokio::test]
async fn malformed_graphql_and_malformed_json_are_bad_input() {
    let app = spawn_app().await;

    let syntax = app.gql(None, "{ me { id ", json!({})).await;
    assert_eq!(syntax.error_code(), "BAD_USER_INPUT");
    let unknown_field = app.gql(None, "{ you { id } }", json!({})).await;
    assert_eq!(unknown_field.error_code(), "BAD_USER_INPUT");

    let response = app
        .http
        .post(format!("{}/graphql", app.address))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
}

#[tokio::test]
async fn an_oversized_body_is_refused_and_changes_nothing() {
    let app = spawn_app_with(TestOptions {
        env: vec![("WAFLEET_UPLOAD_MAX_MB", "1".into())],
        ..Default::default()
    })
    .await;
    let huge_name = "x".repeat(3 * 1024 * 1024);
    let query = "mutation($input: SignUpInput!) { signUp(input: $input) { token } }";

    let response = app
        .http
        .post(format!("{}/graphql", app.address))
        .json(&json!({ "query": query, "variables": { "input": {
            "email": "big@example.com", "password": "plum-orchard-42", "fullName": huge_name } } }))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    assert_eq!(app.count("users").await, 0);
}

#[tokio::test]
async fn a_too_deep_query_is_refused_before_it_runs() {
    let app = spawn_app().await;
    let mut deep = String::from("name");
    for _ in 0..20 {
        deep = format!("ofType {{ {deep} }}");
    }
    let query = format!(
        "mutation Create {{ signUp(input: {{email: \"deep@example.com\", password: \"plum-orchard-42\", fullName: \"D\"}}) {{ token }} }} \
         query Deep {{ __schema {{ types {{ fields {{ type {{ {deep} }} }} }} }} }}"
    );
    // Only the deep query is asked for, but the whole document is validated first.
    let response = app
        .http
        .post(format!("{}/graphql", app.address))
        .json(&json!({ "query": query, "operationName": "Deep" }))
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{body}"
    );
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("nested too deep"),
        "{body}"
    );
    assert_eq!(app.count("users").await, 0);
}

#[tokio::test]
async fn graphiql_is_served_on_get() {
    let app = spawn_app().await;
    let page = app
        .http
        .get(format!("{}/graphql", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("graphiql"));
}

/// A built SPA as `npm run build` leaves it: hashed assets with their precompressed twins.
fn built_spa() -> TempDir {
    let web = TempDir::new();
    let assets = web.0.join("assets");
    std::fs::create_dir_all(&assets).unwrap();
    std::fs::write(web.0.join("index.html"), "<html>wafleet spa</html>").unwrap();
    std::fs::write(web.0.join("index.html.gz"), "gzip of index").unwrap();
    std::fs::write(assets.join("index-AbC123.js"), "console.log(1)").unwrap();
    // The build writes real gzip and brotli files; their bytes do not matter to the server.
    std::fs::write(assets.join("index-AbC123.js.gz"), "gzip of the script").unwrap();
    std::fs::write(assets.join("index-AbC123.js.br"), "brotli of the script").unwrap();
    web
}

async fn spawn_with_spa(web: &TempDir) -> crate::helpers::TestApp {
    spawn_app_with(TestOptions {
        env: vec![("WAFLEET_WEB_DIR", web.0.display().to_string())],
        ..Default::default()
    })
    .await
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap())
        .unwrap_or("")
}

#[tokio::test]
async fn the_spa_is_served_with_an_index_fallback_that_is_always_revalidated() {
    let web = built_spa();
    let app = spawn_with_spa(&web).await;

    // A client-side route falls back to index.html, which the browser checks on every load.
    for path in ["/", "/settings", "/devices/1/inbox"] {
        let page = app
            .http
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200, "{path}");
        assert_eq!(header(&page, "cache-control"), "no-cache", "{path}");
        assert!(
            header(&page, "content-type").starts_with("text/html"),
            "{path}"
        );
        assert_eq!(
            page.text().await.unwrap(),
            "<html>wafleet spa</html>",
            "{path}"
        );
    }
    let gzipped = app
        .http
        .get(format!("{}/settings", app.address))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&gzipped, "content-encoding"), "gzip");
    assert_eq!(gzipped.text().await.unwrap(), "gzip of index");
}

#[tokio::test]
async fn hashed_assets_are_compressed_cached_for_a_year_and_missing_ones_are_a_real_404() {
    let web = built_spa();
    let app = spawn_with_spa(&web).await;
    let script = format!("{}/assets/index-AbC123.js", app.address);

    let plain = app.http.get(&script).send().await.unwrap();
    assert_eq!(plain.status(), 200);
    assert_eq!(header(&plain, "content-encoding"), "");
    assert_eq!(
        header(&plain, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert!(header(&plain, "content-type").contains("javascript"));
    assert_eq!(header(&plain, "vary"), "accept-encoding");
    assert_eq!(plain.text().await.unwrap(), "console.log(1)");

    let gzipped = app
        .http
        .get(&script)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&gzipped, "content-encoding"), "gzip");
    assert!(header(&gzipped, "content-type").contains("javascript"));
    assert_eq!(
        header(&gzipped, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(gzipped.text().await.unwrap(), "gzip of the script");

    // Brotli when the browser takes it (Chromium sends "gzip, deflate, br, zstd").
    let brotli = app
        .http
        .get(&script)
        .header("accept-encoding", "gzip, deflate, br, zstd")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&brotli, "content-encoding"), "br");
    assert_eq!(brotli.text().await.unwrap(), "brotli of the script");

    // An asset of another build: 404, not index.html, and nothing cached.
    let missing = app
        .http
        .get(format!("{}/assets/index-OldBuild.js", app.address))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(header(&missing, "cache-control"), "no-store");
    assert!(!missing.text().await.unwrap().contains("wafleet spa"));
}
