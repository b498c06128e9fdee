//! `rekindle-api`: serves Rekindle's GraphQL API; see `rekindle-api help`.

use anyhow::{Context, bail};
use rekindle_api::graphql;
use runtime::{Settings, cli, shutdown, store, telemetry};
use serde_json::json;

const USAGE: &str = "\
usage: rekindle-api [COMMAND]

commands:
  serve            serve the API (the default); with no REKINDLE_REDIS_URL the worker runs in-process
  migrate          apply pending database migrations, then exit
  schema [PATH]    write the GraphQL schema (SDL) to PATH, or to standard output
  user create --email EMAIL --display-name NAME [--role admin|coach|member] [--timezone TZ]
                   create an account (the only way to make an admin or a coach); the password
                   is read from REKINDLE_NEW_USER_PASSWORD, or else from the first line of stdin
  user disable --email EMAIL
                   disable an account and end all its sessions at once
  organization create --name NAME --owner-email EMAIL
                   create a coaching organization; the owner, an existing coach account,
                   becomes its first admin
  help             show this text

configuration comes from REKINDLE_* environment variables: see README.md";

#[tokio::main]
async fn main() -> std::process::ExitCode {
    cli::finish(run().await)
}

async fn run() -> anyhow::Result<()> {
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
        ["user", "create", rest @ ..] => create_user(rest).await,
        ["user", "disable", "--email", email] => disable_user(email).await,
        [
            "organization",
            "create",
            "--name",
            name,
            "--owner-email",
            owner,
        ]
        | [
            "organization",
            "create",
            "--owner-email",
            owner,
            "--name",
            name,
        ] => create_organization(name, owner).await,
        ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            Ok(())
        }
        _ => bail!("unknown command\n\n{USAGE}"),
    }
}

async fn serve() -> anyhow::Result<()> {
    rekindle_api::startup::serve(Settings::from_env()?, shutdown::signal()).await
}

async fn migrate() -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    telemetry::init(settings.log_format);
    let db = store::connect_database(&settings).await?;
    store::migrate(&db).await?;
    cli::report(settings.log_format, "migrations applied", json!({}));
    Ok(())
}

async fn create_user(args: &[&str]) -> anyhow::Result<()> {
    use domain::account::{DisplayName, Email, Password, Role, Timezone};
    use std::str::FromStr;

    let flag = |name: &str| -> Option<String> {
        args.iter()
            .position(|a| *a == name)
            .and_then(|i| args.get(i + 1))
            .map(|v| (*v).to_owned())
    };
    let email = Email::parse(&flag("--email").context("--email is required")?)?;
    let display_name =
        DisplayName::parse(&flag("--display-name").context("--display-name is required")?)?;
    let role = Role::from_str(&flag("--role").unwrap_or_else(|| "admin".into()))?;
    let timezone = Timezone::parse(&flag("--timezone").unwrap_or_else(|| "UTC".into()))?;
    let password = match std::env::var("REKINDLE_NEW_USER_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .context("reading the password from standard input")?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    let password = Password::parse(&password)?;

    let settings = Settings::from_env()?;
    telemetry::init(settings.log_format);
    let db = store::connect_database(&settings).await?;
    store::prepare(&db, &settings).await?;
    let hasher = rekindle_api::auth::password::Hasher::new(
        &settings.auth,
        rekindle_api::auth::password::HashSlots::unlimited(),
    )?;
    let password_hash = hasher.hash(password.expose()).await?;
    let new = entities::user::NewUser {
        email: email.as_str().to_owned(),
        password_hash,
        display_name: display_name.as_str().to_owned(),
        timezone: timezone.name().to_owned(),
        locale: domain::messages::DEFAULT_LOCALE.to_owned(),
        role,
    };
    let now = domain::clock::Clock::system().now();
    // The account and its audit entry land together.
    let txn = entities::begin_write(&db).await?;
    let created = entities::user::create(&txn, new, now).await.map_err(|e| {
        match entities::constraint::Unique::violated_by(&e) {
            Some(entities::constraint::Unique::UserEmail) => {
                anyhow::anyhow!("an account with that email already exists")
            }
            _ => anyhow::Error::from(e),
        }
    })?;
    let entry = entities::audit::Entry {
        actor: entities::audit::COMMAND_LINE,
        action: "user.create",
        target_kind: "user",
        target_id: graphql::ids::global_id(graphql::ids::NodeKind::User, created.id).0,
        detail: json!({ "role": role.as_str() }),
    };
    entities::audit::record(&txn, entry, now).await?;
    txn.commit().await?;
    cli::report(
        settings.log_format,
        &format!(
            "created {} account {} ({})",
            role.as_str(),
            created.email,
            created.id
        ),
        json!({ "created": "user", "role": role.as_str(), "userId": created.id }),
    );
    Ok(())
}

async fn disable_user(email: &str) -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    telemetry::init(settings.log_format);
    let db = store::connect_database(&settings).await?;
    store::prepare(&db, &settings).await?;
    let email = domain::account::Email::parse(email)?;
    let user = entities::user::find_by_email(&db, email.as_str())
        .await?
        .with_context(|| format!("no account has the email {email}"))?;
    let events = rekindle_api::auth::session_events::SessionEvents::for_settings(
        &settings,
        rekindle_api::auth::session_events::TOPIC,
    )
    .await?;
    let now = domain::clock::Clock::system().now();
    let entry = entities::audit::Entry {
        actor: entities::audit::COMMAND_LINE,
        action: "user.disable",
        target_kind: "user",
        target_id: graphql::ids::global_id(graphql::ids::NodeKind::User, user.id).0,
        detail: json!({}),
    };
    rekindle_api::auth::sessions::disable_user(&db, &events, user.id, now, Some(entry)).await?;
    cli::report(
        settings.log_format,
        &format!(
            "disabled {} ({}); its sessions have ended",
            user.email, user.id
        ),
        json!({ "disabled": "user", "userId": user.id }),
    );
    Ok(())
}

async fn create_organization(name: &str, owner_email: &str) -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    telemetry::init(settings.log_format);
    let db = store::connect_database(&settings).await?;
    store::prepare(&db, &settings).await?;
    let name = domain::organization::OrganizationName::parse(name)
        .context("the name must be one line of 1 to 100 characters")?;
    let now = domain::clock::Clock::system().now();
    let org = graphql::organizations::create(&db, &name, owner_email, now, None)
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.message))?;
    let id = graphql::ids::global_id(graphql::ids::NodeKind::Organization, org.id);
    cli::report(
        settings.log_format,
        &format!(
            "created organization {} (ID {}, row {})",
            org.name,
            id.as_str(),
            org.id
        ),
        json!({ "created": "organization", "organizationId": id.as_str() }),
    );
    Ok(())
}
