//! Who is on the other end of a request: the peer address, or, when the peer is a trusted proxy,
//! the address the proxies say they forwarded for.

use std::net::IpAddr;

use actix_web::HttpRequest;
use actix_web::http::header::{self, HeaderMap};
use ipnet::IpNet;

use crate::auth::ClientInfo;

/// The client's address and user agent. `Forwarded` (RFC 7239) and `X-Forwarded-For` are read
/// only when the peer is one of `trusted`; the address taken is the nearest one, walking from
/// the peer outwards, that is not itself a trusted proxy. Anything unreadable falls back to the
/// peer, so a forged header can never pick the address.
pub fn client_info(req: &HttpRequest, trusted: &[IpNet]) -> ClientInfo {
    let peer = req.peer_addr().map(|addr| addr.ip());
    ClientInfo {
        ip: peer.map(|peer| client_ip(peer, req.headers(), trusted)),
        user_agent: req
            .headers()
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    }
}

fn is_trusted(ip: IpAddr, trusted: &[IpNet]) -> bool {
    trusted.iter().any(|net| net.contains(&ip))
}

pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    if !is_trusted(peer, trusted) {
        return peer;
    }
    let chain = forwarded_chain(headers);
    chain
        .iter()
        .rev()
        .find(|ip| !is_trusted(**ip, trusted))
        .or_else(|| chain.first())
        .copied()
        .unwrap_or(peer)
}

/// The addresses the proxies recorded, client first. `Forwarded` wins over `X-Forwarded-For`;
/// a header with any unreadable entry is ignored whole.
fn forwarded_chain(headers: &HeaderMap) -> Vec<IpAddr> {
    let joined = |name: header::HeaderName| -> Option<String> {
        let values: Vec<&str> = headers
            .get_all(name)
            .map(|v| v.to_str().ok())
            .collect::<Option<Vec<_>>>()?;
        (!values.is_empty()).then(|| values.join(","))
    };
    if let Some(forwarded) = joined(header::FORWARDED) {
        let parsed: Option<Vec<IpAddr>> = forwarded
            .split(',')
            .filter_map(|element| {
                element.split(';').find_map(|pair| {
                    let (key, value) = pair.trim().split_once('=')?;
                    key.eq_ignore_ascii_case("for").then(|| parse_node(value))
                })
            })
            .collect();
        if let Some(chain) = parsed {
            return chain;
        }
    }
    if let Some(list) = joined(header::HeaderName::from_static("x-forwarded-for")) {
        let parsed: Option<Vec<IpAddr>> = list.split(',').map(|s| s.trim().parse().ok()).collect();
        if let Some(chain) = parsed {
            return chain;
        }
    }
    Vec::new()
}

/// A `Forwarded` node: `192.0.2.1`, `"[2001:db8::1]:4711"`, `192.0.2.1:80`.
fn parse_node(raw: &str) -> Option<IpAddr> {
    let node = raw.trim().trim_matches('"');
    if let Some(rest) = node.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    node.parse()
        .ok()
        .or_else(|| node.rsplit_once(':')?.0.parse().ok())
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::{HeaderName, HeaderValue};

    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(HeaderName::from_static(k), HeaderValue::from_static(v));
        }
        map
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn headers_from_an_untrusted_peer_are_ignored() {
        let h = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(client_ip(ip("198.51.100.1"), &h, &[]), ip("198.51.100.1"));
    }

    #[test]
    fn a_trusted_proxy_names_the_nearest_untrusted_address() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        // A client forged the first entry; the proxy appended what it saw.
        let h = headers(&[("x-forwarded-for", "1.2.3.4, 203.0.113.9, 10.0.0.7")]);
        assert_eq!(client_ip(ip("10.0.0.2"), &h, &trusted), ip("203.0.113.9"));
        let f = headers(&[(
            "forwarded",
            "for=\"[2001:db8::1]:4711\";proto=https, for=10.0.0.7",
        )]);
        assert_eq!(client_ip(ip("10.0.0.2"), &f, &trusted), ip("2001:db8::1"));
    }

    #[test]
    fn an_unreadable_header_falls_back_to_the_peer() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let h = headers(&[("x-forwarded-for", "not-an-address")]);
        assert_eq!(client_ip(ip("10.0.0.2"), &h, &trusted), ip("10.0.0.2"));
    }
}
