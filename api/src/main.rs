//! `rekindle-api`: serves Rekindle's GraphQL API; see `rekindle-api help`.

use anyhow::{Context, bail};
use rekindle_api::{Application, graphql};
use runtime::{Settings, shutdown, store, telemetry};

const USAGE: &str = "\
usage: rekindle-api [COMMAND]

commands:
  serve            serve the API (the default); with no REKINDLE_REDIS_URL the worker runs in-process
  migrate          apply pending database migrations, then exit
  schema [PATH]    write the GraphQL schema (SDL) to PATH, or to standard output
  help             show this text

configuration comes from REKINDLE_* environment variables: see README.md";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] | ["serve"] => serve().await,
        ["migrate"] => migrate().await,
        ["schema"] => {
            print!("{}", graphql::sdl());
            Ok(())
        }
        ["schema", path] => {
            std::fs::write(path, graphql::sdl()).with_context(|| format!("writing {path}"))
        }
        ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            Ok(())
        }
        _ => bail!("unknown command\n\n{USAGE}"),
    }
}

async fn serve() -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    telemetry::init(settings.log_format);
    let app = Application::build(settings).await?;
    let bind = app.state().settings.bind.clone();
    let host = bind
        .rsplit_once(':')
        .map_or(bind.as_str(), |(host, _)| host);
    let base = format!("http://{host}:{}", app.port());
    tracing::info!(url = %format!("{base}/graphql"), "serving");
    println!("Rekindle is serving GraphQL at {base}/graphql");
    if !app.state().settings.is_production() {
        println!("GraphiQL: {base}/graphiql");
    }
    app.run_until_stopped(shutdown::signal()).await
}

async fn migrate() -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    telemetry::init(settings.log_format);
    let db = store::connect_database(&settings).await?;
    store::migrate(&db).await?;
    tracing::info!("migrations applied");
    Ok(())
}
