//! What clients the API serves beyond its own: which browser origins may call it (CORS), and
//! which operations it runs (persisted queries: a manifest of registered operations, the
//! automatic persisted queries Apollo clients send, and a mode that runs only registered ones).

use std::path::PathBuf;

use anyhow::bail;

/// The settings that decide which clients are served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSettings {
    /// Origins (`https://app.example.com`) whose pages may call the API from a browser; none by
    /// default, so no other site's page can read an answer.
    pub cors_origins: Vec<String>,
    /// An Apollo persisted query manifest: operations registered ahead of time.
    pub persisted_queries_file: Option<PathBuf>,
    /// Run only operations from the manifest.
    pub persisted_only: bool,
    /// How many automatic persisted queries one api process remembers (0: none).
    pub apq_cache_size: usize,
    /// How long the changes feed keeps changes; a client's cursor older than this must
    /// reload everything.
    pub changes_retention: std::time::Duration,
}

impl ClientSettings {
    pub(crate) fn from_vars(var: &impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let cors_origins = match var("CORS_ORIGINS") {
            None => Vec::new(),
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|o| !o.is_empty())
                .map(|o| {
                    parse_origin(o).map_err(|why| anyhow::anyhow!("REKINDLE_CORS_ORIGINS: {why}"))
                })
                .collect::<anyhow::Result<_>>()?,
        };
        let persisted_queries_file = var("PERSISTED_QUERIES_FILE").map(PathBuf::from);
        let persisted_only = crate::config::parse_bool(var, "PERSISTED_ONLY", false)?;
        if persisted_only && persisted_queries_file.is_none() {
            bail!(
                "REKINDLE_PERSISTED_ONLY=true needs REKINDLE_PERSISTED_QUERIES_FILE: the manifest of the operations to run"
            );
        }
        Ok(Self {
            cors_origins,
            persisted_queries_file,
            persisted_only,
            apq_cache_size: crate::config::parse_num(var, "APQ_CACHE_SIZE", 1_000)?,
            changes_retention: retention_days(var)?,
        })
    }
}

fn retention_days(var: &impl Fn(&str) -> Option<String>) -> anyhow::Result<std::time::Duration> {
    let days: u64 = crate::config::parse_num(
        var,
        "CHANGES_RETENTION_DAYS",
        u64::from(domain::changes::DEFAULT_RETENTION_DAYS),
    )?;
    if !(1..=3650).contains(&days) {
        bail!("REKINDLE_CHANGES_RETENTION_DAYS must be 1 to 3650, not {days}");
    }
    Ok(std::time::Duration::from_secs(days * 24 * 60 * 60))
}

/// An origin as browsers send it: `scheme://host[:port]`, lower-cased, nothing after.
pub fn parse_origin(raw: &str) -> Result<String, String> {
    let origin = raw.trim().to_ascii_lowercase();
    let Some((scheme, rest)) = origin.split_once("://") else {
        return Err(format!(
            "`{raw}` is not an origin like https://app.example.com"
        ));
    };
    if scheme != "https" && scheme != "http" {
        return Err(format!("`{raw}`: an origin is http or https"));
    }
    // An IPv6 host is bracketed and holds colons of its own.
    let (host, port) = match rest.find(']') {
        Some(end) if rest.starts_with('[') => {
            let (host, after) = rest.split_at(end + 1);
            match after.strip_prefix(':') {
                Some(port) => (host, Some(port)),
                None if after.is_empty() => (host, None),
                None => ("", None),
            }
        }
        _ => match rest.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (rest, None),
        },
    };
    let ipv6 = host.len() > 2
        && host.starts_with('[')
        && host.ends_with(']')
        && host[1..host.len() - 1]
            .bytes()
            .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.');
    let name = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    let host_ok = ipv6 || name;
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|p| p > 0));
    if !host_ok || !port_ok {
        return Err(format!(
            "`{raw}` is not an origin like https://app.example.com (no path, no trailing slash)"
        ));
    }
    Ok(origin)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(vars: &[(&str, &str)]) -> anyhow::Result<ClientSettings> {
        ClientSettings::from_vars(&|name: &str| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn no_origin_is_allowed_unless_configured() {
        let none = settings(&[]).unwrap();
        assert!(none.cors_origins.is_empty());
        assert!(!none.persisted_only);
        let some = settings(&[(
            "CORS_ORIGINS",
            "https://App.example.com, http://localhost:3000",
        )])
        .unwrap();
        assert_eq!(
            some.cors_origins,
            ["https://app.example.com", "http://localhost:3000"]
        );
    }

    #[test]
    fn origins_are_scheme_host_and_port_only() {
        assert_eq!(
            parse_origin("https://a.example"),
            Ok("https://a.example".into())
        );
        assert_eq!(
            parse_origin("http://[::1]:8080"),
            Ok("http://[::1]:8080".into())
        );
        assert_eq!(parse_origin("http://[::1]"), Ok("http://[::1]".into()));
        assert_eq!(
            parse_origin("http://localhost:3000"),
            Ok("http://localhost:3000".into())
        );
        for bad in [
            "a.example",
            "ftp://a.example",
            "https://a.example/",
            "https://a.example/app",
            "https://",
            "https://a.example:99999",
            "*",
        ] {
            assert!(parse_origin(bad).is_err(), "{bad} was taken");
        }
        assert!(settings(&[("CORS_ORIGINS", "https://ok.example,nope")]).is_err());
    }

    #[test]
    fn changes_are_kept_thirty_days_unless_configured() {
        let days = |s: &ClientSettings| s.changes_retention.as_secs() / 86_400;
        assert_eq!(days(&settings(&[]).unwrap()), 30);
        assert_eq!(
            days(&settings(&[("CHANGES_RETENTION_DAYS", "7")]).unwrap()),
            7
        );
        assert!(settings(&[("CHANGES_RETENTION_DAYS", "0")]).is_err());
    }

    #[test]
    fn persisted_only_needs_a_manifest() {
        assert!(settings(&[("PERSISTED_ONLY", "true")]).is_err());
        let on = settings(&[
            ("PERSISTED_ONLY", "true"),
            ("PERSISTED_QUERIES_FILE", "/etc/rekindle/operations.json"),
        ])
        .unwrap();
        assert!(on.persisted_only);
    }
}
