//! schema.graphql is the published contract: it must be what the code serves.

use rekindle_tests::TestApp;

fn committed_schema() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../schema.graphql");
    std::fs::read_to_string(path).expect("schema.graphql at the repository root")
}

#[test]
fn schema_graphql_matches_the_code() {
    let generated = api::graphql::sdl();
    assert!(
        committed_schema() == generated,
        "schema.graphql is out of date: run `cargo run -p rekindle-api -- schema schema.graphql` and commit it"
    );
}

#[actix_web::test]
async fn the_server_publishes_the_same_schema_file() {
    let app = TestApp::spawn().await;
    let (status, _, body) = app.get("/schema.graphql").await;
    assert_eq!(status, 200);
    assert_eq!(body, committed_schema());
    app.stop().await;
}
