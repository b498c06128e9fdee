//! `rekindle-worker` built inside the test package, so end-to-end tests can run the worker as
//! a real process (and kill it) through `CARGO_BIN_EXE_rekindle-worker-under-test`.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    worker::cli::main().await
}
