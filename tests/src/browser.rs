//! Headless Chromium for end-to-end tests of pages, driven through chromedriver (WebDriver)
//! with fantoccini. `.ci/run` installs Debian's `chromium` and `chromium-driver`; where they are
//! missing a browser test is skipped, unless `REKINDLE_REQUIRE_BROWSER` is set (CI sets it).

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder};
use serde_json::json;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A headless Chromium session; its chromedriver stops when this is dropped.
pub struct Browser {
    pub client: Client,
    driver: Child,
    profile: std::path::PathBuf,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium, or answers `None` (after saying why) when
    /// they are not installed and the run does not require them.
    pub async fn start(test: &str) -> Option<Self> {
        Self::start_with(test, &[]).await
    }

    /// As [`Browser::start`], with the network blocked but for this machine: no host name
    /// resolves (but `localhost`) and every address but loopback goes to a proxy that is not
    /// there, as on a plane.
    pub async fn start_offline(test: &str) -> Option<Self> {
        Self::start_with(
            test,
            &[
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
                "--proxy-server=http://127.0.0.1:9",
            ],
        )
        .await
    }

    async fn start_with(test: &str, extra: &[&str]) -> Option<Self> {
        if !(Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists()) {
            assert!(
                std::env::var_os("REKINDLE_REQUIRE_BROWSER").is_none(),
                "{test}: REKINDLE_REQUIRE_BROWSER is set but {CHROMIUM} or {CHROMEDRIVER} is missing"
            );
            crate::skip(
                test,
                "Chromium and chromedriver are not installed (apt-get install chromium chromium-driver)",
            );
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let profile =
            std::env::temp_dir().join(format!("rekindle-chromium-{}", uuid::Uuid::new_v4()));
        let mut args = vec![
            "--headless=new".to_owned(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            format!("--user-data-dir={}", profile.display()),
        ];
        args.extend(extra.iter().map(|arg| (*arg).to_owned()));
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({ "binary": CHROMIUM, "args": args }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        // chromedriver takes a moment to listen: retry the session until it does.
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        let client = loop {
            match ClientBuilder::new(connector.clone())
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => break client,
                Err(err) if std::time::Instant::now() < deadline => {
                    tracing::debug!(%err, "chromedriver not ready yet");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(err) => panic!("{test}: no browser session: {err}"),
            }
        };
        Some(Self {
            client,
            driver,
            profile,
        })
    }

    /// Ends the session and stops chromedriver.
    pub async fn stop(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

impl Drop for Browser {
    /// A test that failed before [`Browser::stop`] leaves no browser behind either: chromedriver
    /// and the Chromium it started (found by its profile) are killed and the profile removed.
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = Command::new("pkill")
            .args([
                "-KILL",
                "-f",
                "--",
                &format!("--user-data-dir={}", self.profile.display()),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}
