//! The HTTP client that delivers webhooks and reaches only the addresses an endpoint may:
//! every address a name resolves to is checked, and so is the peer of every connection made,
//! whatever led to it (a literal address, a name, anything the URL parser made of the host).

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use domain::webhook;
use hyper_util::client::legacy::connect::{Connection, HttpInfo};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// An HTTP client that follows no redirect, uses no proxy, gives up after
/// [`webhook::ATTEMPT_TIMEOUT`], and connects only to addresses the settings allow.
pub(super) fn client(allow_internal: bool) -> reqwest::Result<reqwest::Client> {
    guarded(allow_internal)
        .user_agent(concat!("Rekindle-Webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// A client builder with the guards of [`client`]: for any URL a client chose (webhook
/// endpoints, Web Push subscriptions).
pub(crate) fn guarded(allow_internal: bool) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(webhook::ATTEMPT_TIMEOUT)
        .dns_resolver(Arc::new(Guarded { allow_internal }))
        .connector_layer(PeerGuard { allow_internal })
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Checks the peer of every connection the client makes, whatever led to it (a literal
/// address, a name, anything the URL parser made of the host): a connection to an address an
/// endpoint may not reach is dropped before a byte of the request is written.
#[derive(Clone, Copy)]
struct PeerGuard {
    allow_internal: bool,
}

impl<S> tower_layer::Layer<S> for PeerGuard {
    type Service = GuardedConnector<S>;

    fn layer(&self, inner: S) -> Self::Service {
        GuardedConnector {
            inner,
            allow_internal: self.allow_internal,
        }
    }
}

#[derive(Clone)]
struct GuardedConnector<S> {
    inner: S,
    allow_internal: bool,
}

impl<S, R> tower_service::Service<R> for GuardedConnector<S>
where
    S: tower_service::Service<R, Error = BoxError>,
    S::Response: Connection + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: R) -> Self::Future {
        let connecting = self.inner.call(request);
        let allow_internal = self.allow_internal;
        Box::pin(async move {
            let connection = connecting.await?;
            let mut extras = http::Extensions::new();
            connection.connected().get_extras(&mut extras);
            match extras.get::<HttpInfo>().map(HttpInfo::remote_addr) {
                Some(peer) if allow_internal || webhook::is_public(peer.ip()) => Ok(connection),
                Some(_) => Err("connected to an address an endpoint may not reach".into()),
                None => Err("could not tell which address the connection reached".into()),
            }
        })
    }
}

/// Resolves names as the system does, keeping only the addresses an endpoint may reach.
struct Guarded {
    allow_internal: bool,
}

impl Resolve for Guarded {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_internal = self.allow_internal;
        Box::pin(async move {
            let found = tokio::net::lookup_host((name.as_str(), 0)).await?;
            let allowed: Vec<SocketAddr> = found
                .filter(|addr| allow_internal || webhook::is_public(addr.ip()))
                .collect();
            if allowed.is_empty() {
                return Err("the name resolves only to addresses an endpoint may not reach".into());
            }
            let addrs: Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    use super::*;

    /// A local server that answers every request 200 and counts the requests it read.
    async fn answering() -> (SocketAddr, Arc<std::sync::atomic::AtomicUsize>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = seen.clone();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let counted = counted.clone();
                tokio::spawn(async move {
                    let mut buf = [0u8; 4096];
                    if matches!(socket.read(&mut buf).await, Ok(n) if n > 0) {
                        counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        let _ = socket
                            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
                            .await;
                    }
                });
            }
        });
        (addr, seen)
    }

    #[tokio::test]
    async fn the_connector_refuses_an_internal_peer_however_it_was_reached() {
        let (addr, seen) = answering().await;
        let port = addr.port();
        let guarded = client(false).unwrap();
        // A literal address skips the resolver; a name goes through it; both stop here.
        for url in [
            format!("http://127.0.0.1:{port}/"),
            format!("http://2130706433:{port}/"),
            format!("http://localhost:{port}/"),
        ] {
            let sent = guarded.post(&url).body("{}").send().await;
            assert!(sent.is_err(), "{url} was delivered");
        }
        assert_eq!(seen.load(std::sync::atomic::Ordering::SeqCst), 0);
        let allowed = client(true).unwrap();
        let answer = allowed
            .post(format!("http://127.0.0.1:{port}/"))
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200);
        assert_eq!(seen.load(std::sync::atomic::Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn names_resolving_inside_the_network_are_refused() {
        let name = || "localhost".parse::<Name>().unwrap();
        let refused = Guarded {
            allow_internal: false,
        }
        .resolve(name())
        .await;
        assert!(refused.is_err());
        let allowed = Guarded {
            allow_internal: true,
        }
        .resolve(name())
        .await
        .unwrap();
        assert!(allowed.into_iter().all(|a| a.ip().is_loopback()));
    }
}
