//! `rekindle-api serve` built inside the test package, so end-to-end tests can run the api as
//! a real process (with its own global logging and tracing) through
//! `CARGO_BIN_EXE_rekindle-api-under-test`.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let settings = runtime::Settings::from_env()?;
    api::startup::serve(settings, runtime::shutdown::signal()).await
}
