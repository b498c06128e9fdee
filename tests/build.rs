//! Tells the tests which outside parts this run has, so a test that needs a missing one is
//! reported by the harness as ignored, with the reason, instead of passing without running:
//! `rekindle_no_redis` (TEST_REDIS_URL unset), `rekindle_no_postgres` (TEST_DATABASE_URL unset),
//! `rekindle_no_browser` (no Chromium and chromedriver, and REKINDLE_REQUIRE_BROWSER unset) and
//! `rekindle_no_standardwebhooks` (python3 cannot import it, and
//! REKINDLE_REQUIRE_REFERENCE_LIBRARIES unset). Changing any of these variables rebuilds the
//! tests; after installing Chromium or the Python library, set the REQUIRE variable (as CI does).

use std::path::Path;
use std::process::{Command, Stdio};

fn main() {
    for cfg in [
        "rekindle_no_redis",
        "rekindle_no_postgres",
        "rekindle_no_browser",
        "rekindle_no_standardwebhooks",
    ] {
        println!("cargo::rustc-check-cfg=cfg({cfg})");
    }
    for var in [
        "TEST_REDIS_URL",
        "TEST_DATABASE_URL",
        "REKINDLE_REQUIRE_BROWSER",
        "REKINDLE_REQUIRE_REFERENCE_LIBRARIES",
    ] {
        println!("cargo::rerun-if-env-changed={var}");
    }
    println!("cargo::rerun-if-changed=build.rs");
    let set = |name: &str| std::env::var(name).is_ok_and(|v| !v.is_empty());
    if !set("TEST_REDIS_URL") {
        println!("cargo::rustc-cfg=rekindle_no_redis");
    }
    if !set("TEST_DATABASE_URL") {
        println!("cargo::rustc-cfg=rekindle_no_postgres");
    }
    let browser =
        Path::new("/usr/bin/chromium").exists() && Path::new("/usr/bin/chromedriver").exists();
    if !browser && !set("REKINDLE_REQUIRE_BROWSER") {
        println!("cargo::rustc-cfg=rekindle_no_browser");
    }
    let library = Command::new("python3")
        .args(["-c", "import standardwebhooks"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !library && !set("REKINDLE_REQUIRE_REFERENCE_LIBRARIES") {
        println!("cargo::rustc-cfg=rekindle_no_standardwebhooks");
    }
}
