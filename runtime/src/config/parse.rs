//! Reading one variable's value: switches, numbers, lists of networks.

use anyhow::{Context, bail};

/// A comma-separated list of addresses or CIDR networks (`10.0.0.0/8, 192.168.1.7`).
pub(super) fn parse_networks(raw: Option<&str>) -> anyhow::Result<Vec<ipnet::IpNet>> {
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    raw.split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            part.parse::<ipnet::IpNet>()
                .or_else(|_| part.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .with_context(|| {
                    format!(
                        "REKINDLE_TRUSTED_PROXIES: `{part}` is not an address or a CIDR network"
                    )
                })
        })
        .collect()
}

pub(crate) fn parse_bool(
    var: &impl Fn(&str) -> Option<String>,
    name: &str,
    default: bool,
) -> anyhow::Result<bool> {
    match var(name).as_deref() {
        None => Ok(default),
        Some("1" | "true" | "yes") => Ok(true),
        Some("0" | "false" | "no") => Ok(false),
        Some(other) => bail!("REKINDLE_{name} must be true or false, not `{other}`"),
    }
}

pub(crate) fn parse_num<T: std::str::FromStr>(
    var: &impl Fn(&str) -> Option<String>,
    name: &str,
    default: T,
) -> anyhow::Result<T>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    match var(name) {
        None => Ok(default),
        Some(raw) => raw
            .parse()
            .with_context(|| format!("REKINDLE_{name} must be a whole number, not `{raw}`")),
    }
}

/// Whether a `host:port` address can be reached from this machine only: a loopback address or
/// `localhost`. A name that is not `localhost` counts as reachable from elsewhere.
pub fn is_loopback_bind(bind: &str) -> bool {
    let host = match bind.rsplit_once(':') {
        Some((host, _)) => host,
        None => bind,
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}
