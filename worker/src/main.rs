//! `rekindle-worker`: runs Rekindle's jobs as a process of its own; see `rekindle-worker help`.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    runtime::cli::finish(rekindle_worker::cli::main().await)
}
