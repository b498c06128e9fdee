use std::collections::HashMap;

use super::*;

fn settings(vars: &[(&str, &str)]) -> anyhow::Result<Settings> {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Settings::from_lookup(|name| map.get(name).cloned())
}

#[test]
fn the_heartbeat_interval_fits_in_a_minute() {
    assert_eq!(settings(&[]).unwrap().heartbeat_secs, 15);
    let one = settings(&[("REKINDLE_WORKER_HEARTBEAT_SECS", "1")]).unwrap();
    assert_eq!(one.heartbeat_secs, 1);
    assert_eq!(settings(&[]).unwrap().worker_concurrency, 8);
    let many = settings(&[("REKINDLE_WORKER_CONCURRENCY", "64")]).unwrap();
    assert_eq!(many.worker_concurrency, 64);
    for bad in ["0", "5000", "many"] {
        assert!(
            settings(&[("REKINDLE_WORKER_CONCURRENCY", bad)]).is_err(),
            "{bad}"
        );
    }
    for bad in ["0", "60", "x"] {
        assert!(
            settings(&[("REKINDLE_WORKER_HEARTBEAT_SECS", bad)]).is_err(),
            "{bad}"
        );
    }
}

#[test]
fn nothing_set_means_embedded_development() {
    let s = settings(&[]).unwrap();
    assert_eq!(s.env, Environment::Development);
    assert_eq!(s.bind, "127.0.0.1:8080");
    assert_eq!(
        s.database,
        DatabaseTarget::SqliteFile("./data/rekindle.db".into())
    );
    assert_eq!(s.queue, QueueTarget::SqliteFile("./data/queue.db".into()));
    assert!(s.embedded_worker);
    assert!(s.migrate_on_start);
    assert!(s.jwt_secret_generated());
}

#[test]
fn production_without_a_secret_refuses_to_start() {
    let err = settings(&[("REKINDLE_ENV", "production")]).unwrap_err();
    assert!(
        err.to_string().contains("REKINDLE_JWT_SECRET is required"),
        "{err}"
    );
}

#[test]
fn redis_url_moves_the_worker_out_of_the_api_process() {
    let s = settings(&[
        ("REKINDLE_ENV", "production"),
        ("REKINDLE_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
        ("REKINDLE_DATABASE_URL", "postgres://localhost/rekindle"),
        ("REKINDLE_REDIS_URL", "redis://127.0.0.1/"),
    ])
    .unwrap();
    assert!(!s.embedded_worker);
    assert!(!s.migrate_on_start);
    assert!(!s.jwt_secret_generated());
    assert!(matches!(s.queue, QueueTarget::Redis(_)));
}

#[test]
fn bad_values_name_the_variable() {
    let err = settings(&[("REKINDLE_GRAPHQL_MAX_DEPTH", "deep")]).unwrap_err();
    assert!(
        err.to_string().contains("REKINDLE_GRAPHQL_MAX_DEPTH"),
        "{err}"
    );
    let err = settings(&[("REKINDLE_LOG_FORMAT", "xml")]).unwrap_err();
    assert!(err.to_string().contains("REKINDLE_LOG_FORMAT"), "{err}");
}

#[test]
fn trusted_proxies_take_addresses_and_networks() {
    let s = settings(&[("REKINDLE_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1,::1")]).unwrap();
    assert_eq!(s.trusted_proxies.len(), 3);
    assert!(s.trusted_proxies[0].contains(&"10.2.3.4".parse::<std::net::IpAddr>().unwrap()));
    let err = settings(&[("REKINDLE_TRUSTED_PROXIES", "10.0.0.0/33")]).unwrap_err();
    assert!(
        err.to_string().contains("REKINDLE_TRUSTED_PROXIES"),
        "{err}"
    );
}

#[test]
fn traces_are_exported_only_to_a_configured_http_collector() {
    assert_eq!(settings(&[]).unwrap().otlp_endpoint, None);
    let on = settings(&[("REKINDLE_OTLP_ENDPOINT", "http://collector:4318/")]).unwrap();
    assert_eq!(on.otlp_endpoint.as_deref(), Some("http://collector:4318"));
    assert!(settings(&[("REKINDLE_OTLP_ENDPOINT", "https://collector:4318")]).is_err());
}

#[test]
fn the_admin_page_is_off_in_production_unless_configured() {
    assert!(settings(&[]).unwrap().admin_page);
    let production = [
        ("REKINDLE_ENV", "production"),
        (
            "REKINDLE_JWT_SECRET",
            "a-secret-that-is-long-enough-for-production-use",
        ),
    ];
    assert!(!settings(&production).unwrap().admin_page);
    let mut on = production.to_vec();
    on.push(("REKINDLE_ADMIN_PAGE", "true"));
    assert!(settings(&on).unwrap().admin_page);
    assert!(settings(&[("REKINDLE_ADMIN_PAGE", "maybe")]).is_err());
}

#[test]
fn production_turns_batches_and_introspection_off_unless_configured() {
    let base = [
        ("REKINDLE_ENV", "production"),
        ("REKINDLE_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
    ];
    let s = settings(&base).unwrap();
    assert_eq!(s.graphql.max_batch, 0);
    assert!(!s.graphql.introspection);
    let mut on = base.to_vec();
    on.extend([
        ("REKINDLE_GRAPHQL_MAX_BATCH", "5"),
        ("REKINDLE_GRAPHQL_INTROSPECTION", "true"),
    ]);
    let s = settings(&on).unwrap();
    assert_eq!(s.graphql.max_batch, 5);
    assert!(s.graphql.introspection);
    let dev = settings(&[]).unwrap();
    assert_eq!(dev.graphql.max_batch, 10);
    assert!(dev.graphql.introspection);
}

#[test]
fn secrets_never_print() {
    let s = settings(&[("REKINDLE_DATABASE_URL", "postgres://u:hunter2@db/x")]).unwrap();
    assert!(!format!("{s:?}").contains("hunter2"));
}

#[test]
fn the_coach_is_scripted_until_a_model_is_configured() {
    let s = settings(&[]).unwrap();
    assert_eq!(s.coach.model, None);
    assert_eq!(s.coach.messages_per_day, 200);
    assert!(
        !s.coach.model_tokens_spent(1_000_000),
        "tokens count only with a model"
    );
    let s = settings(&[
        ("REKINDLE_COACH_BASE_URL", "http://127.0.0.1:11434/v1/"),
        ("REKINDLE_COACH_MODEL", "llama3.1:8b"),
        ("REKINDLE_COACH_API_KEY", "sk-secret-value"),
        ("REKINDLE_COACH_TIMEOUT_SECS", "12"),
    ])
    .unwrap();
    let model = s.coach.model.clone().unwrap();
    assert_eq!(model.base_url, "http://127.0.0.1:11434/v1");
    assert_eq!(model.timeout, Duration::from_secs(12));
    assert_eq!(model.max_tokens, 400);
    assert!(
        !format!("{s:?}").contains("sk-secret-value"),
        "the key never prints"
    );
    assert!(s.coach.model_tokens_spent(100_000));
    let no_model = settings(&[("REKINDLE_COACH_BASE_URL", "http://127.0.0.1:11434/v1")]);
    assert!(
        no_model
            .unwrap_err()
            .to_string()
            .contains("REKINDLE_COACH_MODEL")
    );
    let not_http = settings(&[
        ("REKINDLE_COACH_BASE_URL", "ftp://example.com/v1"),
        ("REKINDLE_COACH_MODEL", "m"),
    ]);
    assert!(not_http.unwrap_err().to_string().contains("http"));
}

#[test]
fn the_read_cache_is_on_and_bounded_unless_set_otherwise() {
    let cache = settings(&[]).unwrap().read_cache;
    assert_eq!(
        cache,
        ReadCacheSettings {
            enabled: true,
            max_couples: 50_000,
            max_bytes: 256 * 1024 * 1024,
        }
    );
    let off = settings(&[
        ("REKINDLE_READ_CACHE", "off"),
        ("REKINDLE_READ_CACHE_COUPLES", "10"),
        ("REKINDLE_READ_CACHE_MB", "1"),
    ])
    .unwrap()
    .read_cache;
    assert_eq!(
        (off.enabled, off.max_couples, off.max_bytes),
        (false, 10, 1024 * 1024)
    );
    for (name, bad) in [
        ("REKINDLE_READ_CACHE", "maybe"),
        ("REKINDLE_READ_CACHE_COUPLES", "many"),
        ("REKINDLE_READ_CACHE_MB", "-1"),
    ] {
        let refused = settings(&[(name, bad)]).unwrap_err().to_string();
        assert!(refused.contains(name), "{refused}");
    }
}

#[test]
fn a_development_server_reachable_from_elsewhere_must_be_asked_for() {
    for bind in [
        "0.0.0.0:8080",
        "[::]:8080",
        "192.168.1.7:8080",
        "example.com:80",
    ] {
        let err = settings(&[("REKINDLE_BIND", bind)])
            .unwrap_err()
            .to_string();
        assert!(err.contains("REKINDLE_ENV is not set"), "{bind}: {err}");
        let asked = settings(&[("REKINDLE_BIND", bind), ("REKINDLE_ENV", "development")]);
        assert_eq!(asked.unwrap().bind, bind);
    }
    for bind in [
        "127.0.0.1:0",
        "[::1]:8080",
        "localhost:8080",
        "127.0.0.2:9000",
    ] {
        assert_eq!(settings(&[("REKINDLE_BIND", bind)]).unwrap().bind, bind);
    }
}
