//! No Docker engine runs here, so docker-compose.yml and the Dockerfile are checked as text:
//! the YAML parses, every service is built from this repository or is a public postgres, redis
//! or mailpit image, and the production wiring is complete. `.ci/run` also validates the file
//! against the Compose schema (`docker-compose config`).

use std::path::PathBuf;

use serde_yaml::Value;

fn repo_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(name)
}

fn compose() -> Value {
    let text =
        std::fs::read_to_string(repo_file("docker-compose.yml")).expect("docker-compose.yml");
    let mut value: Value = serde_yaml::from_str(&text).expect("docker-compose.yml is valid YAML");
    value.apply_merge().expect("YAML merge keys resolve");
    value
}

#[test]
fn every_service_is_built_here_or_is_public_postgres_or_redis() {
    let compose = compose();
    let services = compose["services"].as_mapping().expect("a services map");
    for (name, service) in services {
        let name = name.as_str().unwrap();
        match (
            service.get("build"),
            service.get("image").and_then(Value::as_str),
        ) {
            (Some(build), _) => {
                let context = build.get("context").and_then(Value::as_str).unwrap_or(".");
                let dockerfile = build
                    .get("dockerfile")
                    .and_then(Value::as_str)
                    .unwrap_or("Dockerfile");
                let path = repo_file(context).join(dockerfile);
                assert!(path.exists(), "{name}: {} does not exist", path.display());
            }
            (None, Some(image)) => assert!(
                ["postgres:", "redis:", "axllent/mailpit:"]
                    .iter()
                    .any(|public| image.starts_with(public)),
                "{name}: image {image} is neither built here nor public postgres/redis/mailpit"
            ),
            (None, None) => panic!("{name}: neither build nor image"),
        }
    }
}

#[test]
fn the_production_stack_is_wired_with_health_checks() {
    let compose = compose();
    let services = &compose["services"];
    for name in ["postgres", "redis", "migrate", "api", "worker"] {
        assert!(services.get(name).is_some(), "service {name} is missing");
    }
    for name in ["postgres", "redis", "api"] {
        assert!(
            services[name].get("healthcheck").is_some(),
            "{name} has no health check"
        );
    }
    for name in ["migrate", "api", "worker"] {
        let env = &services[name]["environment"];
        for var in ["REKINDLE_DATABASE_URL", "REKINDLE_ENV"] {
            assert!(env.get(var).is_some(), "{name} lacks {var}");
        }
    }
    for name in ["api", "worker"] {
        let env = &services[name]["environment"];
        assert!(
            env.get("REKINDLE_REDIS_URL").is_some(),
            "{name} lacks REKINDLE_REDIS_URL"
        );
        let depends = &services[name]["depends_on"];
        assert_eq!(
            depends["migrate"]["condition"].as_str(),
            Some("service_completed_successfully"),
            "{name} must wait for migrations"
        );
    }
    for name in ["postgres", "redis", "mailpit", "api", "worker"] {
        assert_eq!(
            services[name]["restart"].as_str(),
            Some("unless-stopped"),
            "{name} restarts by itself"
        );
        assert!(
            services[name].get("healthcheck").is_some(),
            "{name} has no health check"
        );
    }
    let migrate_command = serde_yaml::to_string(&services["migrate"]["command"]).unwrap();
    assert!(
        migrate_command.contains("migrate"),
        "the migrate service runs migrations"
    );
}

#[test]
fn the_dockerfile_is_multi_stage_and_ships_both_binaries() {
    let text = std::fs::read_to_string(repo_file("Dockerfile")).expect("Dockerfile");
    let stages = text
        .lines()
        .filter(|l| l.trim_start().to_uppercase().starts_with("FROM "))
        .count();
    assert!(
        stages >= 2,
        "a multi-stage build has at least two FROM lines"
    );
    for binary in ["rekindle-api", "rekindle-worker"] {
        assert!(text.contains(binary), "the image lacks {binary}");
    }
    // Dependencies are compiled in a layer of their own, before the sources are copied.
    let cook = text
        .find("cargo chef cook")
        .expect("cargo-chef cooks the dependencies");
    let sources = text.rfind("COPY . .").unwrap();
    assert!(
        cook < sources,
        "dependencies build before the sources arrive"
    );
    let user = text
        .lines()
        .rev()
        .find(|l| l.starts_with("USER "))
        .expect("the runtime stage sets a user");
    assert!(!user.contains("root") && !user.ends_with(" 0"), "{user}");
}

#[test]
fn one_image_serves_api_worker_and_migrations() {
    let compose = compose();
    let services = &compose["services"];
    for name in ["migrate", "api", "worker"] {
        assert_eq!(
            services[name]["image"].as_str(),
            Some("rekindle:local"),
            "{name}"
        );
    }
    let commands: Vec<String> = ["migrate", "api", "worker"]
        .iter()
        .map(|name| serde_yaml::to_string(&services[*name]["command"]).unwrap())
        .collect();
    assert!(commands[0].contains("rekindle-api") && commands[0].contains("migrate"));
    assert!(commands[1].contains("rekindle-api"));
    assert!(commands[2].contains("rekindle-worker"));
}

#[test]
fn secrets_come_from_the_env_file_and_email_goes_to_the_mail_catcher() {
    let text =
        std::fs::read_to_string(repo_file("docker-compose.yml")).expect("docker-compose.yml");
    assert!(
        text.contains("REKINDLE_JWT_SECRET: ${REKINDLE_JWT_SECRET:?"),
        "the JWT secret is required from .env, never made per run"
    );
    assert!(!text.contains("openssl rand -hex 32) docker compose"));
    let compose = compose();
    let api = &compose["services"]["api"]["environment"];
    assert!(api.get("REKINDLE_PUBLIC_URL").is_some());
    assert!(
        api["REKINDLE_SMTP_URL"]
            .as_str()
            .unwrap()
            .contains("smtp://mailpit:1025")
    );
    assert_eq!(api["REKINDLE_ENV"].as_str(), Some("production"));
    let example = std::fs::read_to_string(repo_file(".env.example")).expect(".env.example");
    for var in ["REKINDLE_JWT_SECRET=", "POSTGRES_PASSWORD="] {
        assert!(example.contains(var), ".env.example lacks {var}");
    }
    let ignored = std::fs::read_to_string(repo_file(".gitignore")).unwrap();
    assert!(
        ignored.lines().any(|l| l == ".env"),
        ".env is never committed"
    );
}

#[test]
fn the_build_context_leaves_out_build_output_data_and_history() {
    let ignore = std::fs::read_to_string(repo_file(".dockerignore")).expect(".dockerignore");
    let lines: Vec<&str> = ignore.lines().map(str::trim).collect();
    for entry in ["target/", "data/", ".git/", ".env"] {
        assert!(lines.contains(&entry), ".dockerignore lacks {entry}");
    }
}
