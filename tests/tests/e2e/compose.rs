//! No Docker engine runs here, so docker-compose.yml and the Dockerfile are checked as text:
//! the YAML parses, every service is built from this repository or is a public postgres/redis
//! image, and the production wiring is complete.

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
                image.starts_with("postgres:") || image.starts_with("redis:"),
                "{name}: image {image} is neither built here nor public postgres/redis"
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
}
