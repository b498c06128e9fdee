//! Where a test app keeps its data: a fresh SQLite file or PostgreSQL database, and a fresh
//! queue (the embedded SQLite queue or a Redis namespace), plus the environment pointing at them.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use runtime::Settings;
use sea_orm::{ConnectionTrait, Database};

/// The signing secret test apps use, so tests can forge tokens to attack them.
pub const TEST_JWT_SECRET: &str = "test-signing-secret-0123456789abcdef0123";

/// What turns a test app into production mode (with the secret production requires).
pub const PRODUCTION_ENV: [(&str, &str); 2] = [
    ("REKINDLE_ENV", "production"),
    (
        "REKINDLE_JWT_SECRET",
        "a-test-secret-that-is-long-enough-0123",
    ),
];

/// PostgreSQL to create a fresh database in, when the suite runs against it.
pub fn test_database_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|v| !v.is_empty())
}

/// Redis to use with a fresh namespace, when the suite runs against it.
pub fn test_redis_url() -> Option<String> {
    std::env::var("TEST_REDIS_URL")
        .ok()
        .filter(|v| !v.is_empty())
}

/// Says plainly that a test is skipped, and why. Written straight to stderr, past the test
/// harness's output capture, so it shows even when the test passes.
pub fn skip(test: &str, why: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {why}");
}

/// Where a test app's stores are: made fresh for each app. Clones share them; once the last
/// clone is gone (the test's, and those its apps and workers keep) they are removed, whether
/// the test passed or failed.
#[derive(Clone)]
pub struct Stores {
    pub data_dir: PathBuf,
    /// The PostgreSQL URL of this test's own database, if on PostgreSQL.
    pub database_url: Option<String>,
    pub redis_url: Option<String>,
    pub queue_prefix: String,
    _cleanup: Arc<Cleanup>,
}

/// What a test's stores leave behind, removed when dropped: the data directory, the PostgreSQL
/// database, and the Redis keys under the test's prefix.
struct Cleanup {
    data_dir: PathBuf,
    /// The server's URL (to connect to while dropping) and the database's name.
    database: Option<(String, String)>,
    /// Redis's URL and the keys' prefix.
    redis: Option<(String, String)>,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.data_dir);
        let (database, redis) = (self.database.take(), self.redis.take());
        if database.is_none() && redis.is_none() {
            return;
        }
        // Drop runs inside the test's runtime (or while it unwinds): the cleanup gets a thread
        // and a runtime of its own.
        let done = std::thread::spawn(move || {
            if let Some((url, prefix)) = redis {
                remove_redis_keys(&url, &prefix);
            }
            if let Some((url, name)) = database {
                let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return;
                };
                runtime.block_on(async {
                    if let Ok(admin) = Database::connect(&url).await {
                        let _ = admin
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                            ))
                            .await;
                        admin.close().await.ok();
                    }
                });
            }
        });
        let _ = done.join();
    }
}

/// Deletes every key under `prefix` (best effort: `.ci/run` sweeps what is left).
fn remove_redis_keys(url: &str, prefix: &str) {
    let Ok(client) = redis::Client::open(url) else {
        return;
    };
    let Ok(mut connection) = client.get_connection() else {
        return;
    };
    let keys: Vec<String> = match redis::cmd("KEYS")
        .arg(format!("{prefix}*"))
        .query(&mut connection)
    {
        Ok(keys) => keys,
        Err(_) => return,
    };
    for chunk in keys.chunks(500) {
        let _: Result<(), _> = redis::cmd("DEL").arg(chunk).query(&mut connection);
    }
}

impl Stores {
    pub async fn fresh() -> Self {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let data_dir = std::env::temp_dir().join(format!("rekindle-test-{id}"));
        let mut database = None;
        let database_url = match test_database_url() {
            Some(admin_url) => {
                let name = format!("rekindle_test_{id}");
                let admin = Database::connect(&admin_url)
                    .await
                    .expect("connect TEST_DATABASE_URL");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .expect("create the test database");
                admin.close().await.ok();
                let url = replace_database_name(&admin_url, &name);
                database = Some((admin_url, name));
                Some(url)
            }
            None => None,
        };
        let redis_url = test_redis_url();
        let queue_prefix = format!("test-{id}");
        Self {
            _cleanup: Arc::new(Cleanup {
                data_dir: data_dir.clone(),
                database,
                redis: redis_url.clone().map(|url| (url, queue_prefix.clone())),
            }),
            data_dir,
            database_url,
            redis_url,
            queue_prefix,
        }
    }

    /// The environment a process on these stores would get.
    pub fn env(&self) -> HashMap<String, String> {
        let mut env = HashMap::from([
            ("REKINDLE_BIND".to_owned(), "127.0.0.1:0".to_owned()),
            (
                "REKINDLE_DATA_DIR".to_owned(),
                self.data_dir.display().to_string(),
            ),
            (
                "REKINDLE_QUEUE_PREFIX".to_owned(),
                self.queue_prefix.clone(),
            ),
            ("REKINDLE_MIGRATE_ON_START".to_owned(), "true".to_owned()),
            // The tests' webhook receivers listen on loopback.
            (
                "REKINDLE_WEBHOOK_ALLOW_INTERNAL".to_owned(),
                "true".to_owned(),
            ),
            ("REKINDLE_SHUTDOWN_TIMEOUT_SECS".to_owned(), "5".to_owned()),
            // Cheap hashing: tests sign in often and the parameters are not what they check.
            ("REKINDLE_ARGON2_MEMORY_KIB".to_owned(), "1024".to_owned()),
            ("REKINDLE_ARGON2_ITERATIONS".to_owned(), "1".to_owned()),
            ("REKINDLE_JWT_SECRET".to_owned(), TEST_JWT_SECRET.to_owned()),
            // Generous limits: the rate-limit tests set their own.
            (
                "REKINDLE_RATE_LIMIT_PER_ACCOUNT".to_owned(),
                "1000".to_owned(),
            ),
            ("REKINDLE_RATE_LIMIT_PER_IP".to_owned(), "100000".to_owned()),
        ]);
        if let Some(url) = &self.database_url {
            env.insert("REKINDLE_DATABASE_URL".into(), url.clone());
        }
        if let Some(url) = &self.redis_url {
            env.insert("REKINDLE_REDIS_URL".into(), url.clone());
        }
        env
    }
}

/// The socket address a store URL (`postgres://…`, `redis://…`) points at.
pub fn url_target(url: &str, default_port: u16) -> std::net::SocketAddr {
    use std::net::ToSocketAddrs;
    let authority = authority(url);
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
    let with_port = if host_port.contains(':') {
        host_port.to_owned()
    } else {
        format!("{host_port}:{default_port}")
    };
    with_port
        .to_socket_addrs()
        .expect("resolvable store address")
        .next()
        .expect("an address")
}

/// The same URL pointed at 127.0.0.1:`port` instead.
pub fn url_via_port(url: &str, port: u16) -> String {
    let authority = authority(url);
    let replacement = match authority.rsplit_once('@') {
        Some((user, _)) => format!("{user}@127.0.0.1:{port}"),
        None => format!("127.0.0.1:{port}"),
    };
    url.replacen(authority, &replacement, 1)
}

fn authority(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?']).next().unwrap_or(rest)
}

/// Swaps the database name at the end of a PostgreSQL URL.
fn replace_database_name(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let base = match base[after_scheme..].find('/') {
        Some(slash) => &base[..after_scheme + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// Builds settings from an environment map, as the binaries do from the process environment.
pub fn settings_from(env: &HashMap<String, String>) -> Settings {
    Settings::from_lookup(|name| env.get(name).cloned()).expect("valid test settings")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_names_are_swapped_in_urls() {
        assert_eq!(
            replace_database_name("postgres://u@h:5432/postgres", "x"),
            "postgres://u@h:5432/x"
        );
        assert_eq!(
            replace_database_name("postgres://u@h/postgres?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
        assert_eq!(
            replace_database_name("postgres://u@h", "x"),
            "postgres://u@h/x"
        );
    }

    #[test]
    fn store_urls_are_pointed_at_a_proxy() {
        assert_eq!(url_target("redis://127.0.0.1/", 6379).port(), 6379);
        assert_eq!(
            url_target("postgres://u:p@127.0.0.1:5433/db", 5432).port(),
            5433
        );
        assert_eq!(
            url_via_port("postgres://u:p@localhost:5432/db?x=1", 9),
            "postgres://u:p@127.0.0.1:9/db?x=1"
        );
        assert_eq!(
            url_via_port("redis://127.0.0.1:6379/", 9),
            "redis://127.0.0.1:9/"
        );
    }
}
