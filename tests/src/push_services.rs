//! Fake push services for tests: real HTTP servers on loopback that record every request and
//! answer what the test scripted (or a success). [`FakePushService::start`] speaks plain HTTP/1.1
//! and HTTP/2 (a Web Push service, FCM and its OAuth2 token endpoint);
//! [`FakePushService::start_tls`] speaks only HTTP/2 over TLS, with a certificate from a CA made
//! for the test, as APNs does. Also the browser's side of Web Push: decrypting a push.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes128Gcm, Nonce};
use hkdf::Hkdf;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::{PublicKey, SecretKey};
use sha2::Sha256;
use tokio::net::TcpListener;

/// One request as the service received it.
#[derive(Debug, Clone)]
pub struct PushRequest {
    pub path: String,
    /// Header names lower-cased.
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
    /// `HTTP/1.1` or `HTTP/2.0`.
    pub version: String,
}

impl PushRequest {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// An answer the test scripted.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn status(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: String::new(),
        }
    }

    pub fn json(status: u16, body: serde_json::Value) -> Self {
        Self {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string(),
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

type Script = Arc<Mutex<VecDeque<Answer>>>;

pub struct FakePushService {
    /// `http://127.0.0.1:<port>` or `https://127.0.0.1:<port>`.
    pub url: String,
    /// For the TLS service: the CA certificate (PEM) a client must trust.
    pub ca_pem: Option<String>,
    requests: Arc<Mutex<Vec<PushRequest>>>,
    script: Script,
}

impl FakePushService {
    /// A plain HTTP service; requests to a path ending in `/token` get an OAuth2 access token.
    pub async fn start() -> Self {
        Self::serve(None).await
    }

    /// An HTTP/2-only service over TLS, its certificate (for 127.0.0.1) issued by a CA made
    /// now ([`FakePushService::ca_pem`]).
    pub async fn start_tls() -> Self {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let ca = ca_params.self_signed(&ca_key).unwrap();
        let key = rcgen::KeyPair::generate().unwrap();
        let params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap();
        let cert = params.signed_by(&key, &ca, &ca_key).unwrap();
        let mut config = rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(
                vec![cert.der().clone()],
                rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
            )
            .unwrap();
        config.alpn_protocols = vec![b"h2".to_vec()];
        let mut service = Self::serve(Some(Arc::new(config))).await;
        service.ca_pem = Some(ca.pem());
        service
    }

    async fn serve(tls: Option<Arc<rustls::ServerConfig>>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let scheme = if tls.is_some() { "https" } else { "http" };
        let requests = Arc::new(Mutex::new(Vec::new()));
        let script: Script = Arc::default();
        let (log, answers) = (requests.clone(), script.clone());
        tokio::spawn(async move {
            let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
            while let Ok((stream, _)) = listener.accept().await {
                let (log, answers, acceptor) = (log.clone(), answers.clone(), acceptor.clone());
                tokio::spawn(async move {
                    let service = service_fn(move |request| {
                        let (log, answers) = (log.clone(), answers.clone());
                        async move { Ok::<_, Infallible>(answer(request, log, answers).await) }
                    });
                    match acceptor {
                        Some(acceptor) => {
                            let Ok(stream) = acceptor.accept(stream).await else {
                                return;
                            };
                            let _ = hyper::server::conn::http2::Builder::new(TokioExecutor::new())
                                .serve_connection(TokioIo::new(stream), service)
                                .await;
                        }
                        None => {
                            let _ =
                                hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                                    .serve_connection(TokioIo::new(stream), service)
                                    .await;
                        }
                    }
                });
            }
        });
        Self {
            url: format!("{scheme}://{address}"),
            ca_pem: None,
            requests,
            script,
        }
    }

    /// Answers the next requests (token requests aside) with these, in order.
    pub fn answer_next(&self, answers: impl IntoIterator<Item = Answer>) {
        self.script.lock().unwrap().extend(answers);
    }

    /// Every request so far (token requests included).
    pub fn requests(&self) -> Vec<PushRequest> {
        self.requests.lock().unwrap().clone()
    }

    /// The requests so far that were pushes (not token requests).
    pub fn pushes(&self) -> Vec<PushRequest> {
        self.requests()
            .into_iter()
            .filter(|r| !r.path.ends_with("/token"))
            .collect()
    }
}

async fn answer(
    request: hyper::Request<hyper::body::Incoming>,
    log: Arc<Mutex<Vec<PushRequest>>>,
    script: Script,
) -> hyper::Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes().to_vec())
        .unwrap_or_default();
    let received = PushRequest {
        path: parts.uri.path().to_owned(),
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    v.to_str().unwrap_or_default().to_owned(),
                )
            })
            .collect(),
        body,
        version: format!("{:?}", parts.version),
    };
    let scripted = if received.path.ends_with("/token") {
        Some(Answer::json(
            200,
            serde_json::json!({ "access_token": "fake-access-token", "expires_in": 3600, "token_type": "Bearer" }),
        ))
    } else {
        script.lock().unwrap().pop_front()
    };
    log.lock().unwrap().push(received);
    let answer = scripted.unwrap_or_else(|| Answer::json(200, serde_json::json!({ "name": "ok" })));
    let mut response = hyper::Response::builder().status(answer.status);
    for (name, value) in &answer.headers {
        response = response.header(name, value);
    }
    response.body(Full::new(Bytes::from(answer.body))).unwrap()
}

/// A browser's Web Push subscription: its key pair and auth secret.
pub struct Browser {
    key: SecretKey,
    pub auth: [u8; 16],
}

impl Default for Browser {
    fn default() -> Self {
        Self::new()
    }
}

impl Browser {
    pub fn new() -> Self {
        Self {
            key: runtime::push::random_key(),
            auth: rand_bytes(),
        }
    }

    /// The `keys` of the subscription, base64url, as `PushSubscription.toJSON()` gives them.
    pub fn keys(&self) -> serde_json::Value {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        serde_json::json!({
            "p256dh": b64.encode(self.key.public_key().to_encoded_point(false).as_bytes()),
            "auth": b64.encode(self.auth),
        })
    }

    /// Decrypts a push as the browser would (RFC 8291), or `None` when it does not decrypt.
    pub fn decrypt(&self, body: &[u8]) -> Option<Vec<u8>> {
        if body.len() < 21 {
            return None;
        }
        let salt = &body[..16];
        let id_len = body[20] as usize;
        let sender = body.get(21..21 + id_len)?;
        let sealed = body.get(21 + id_len..)?;
        let ua_public = self.key.public_key().to_encoded_point(false);
        let shared = p256::ecdh::diffie_hellman(
            self.key.to_nonzero_scalar(),
            PublicKey::from_sec1_bytes(sender).ok()?.as_affine(),
        );
        let mut info = b"WebPush: info\0".to_vec();
        info.extend_from_slice(ua_public.as_bytes());
        info.extend_from_slice(sender);
        let mut ikm = [0u8; 32];
        Hkdf::<Sha256>::new(Some(&self.auth), shared.raw_secret_bytes())
            .expand(&info, &mut ikm)
            .ok()?;
        let prk = Hkdf::<Sha256>::new(Some(salt), &ikm);
        let (mut cek, mut nonce) = ([0u8; 16], [0u8; 12]);
        prk.expand(b"Content-Encoding: aes128gcm\0", &mut cek)
            .ok()?;
        prk.expand(b"Content-Encoding: nonce\0", &mut nonce).ok()?;
        let mut plain = Aes128Gcm::new(&cek.into())
            .decrypt(&Nonce::from(nonce), sealed)
            .ok()?;
        (plain.pop() == Some(2)).then_some(plain)
    }
}

fn rand_bytes<const N: usize>() -> [u8; N] {
    runtime::secret_token::random_bytes::<N>()
}

/// The fake FCM service account's RSA key (a test fixture), and its public half.
pub const FCM_KEY: &str = include_str!("../fixtures/fcm-service-account-key.pem");
pub const FCM_PUBLIC_KEY: &str = include_str!("../fixtures/fcm-service-account-key.pub.pem");
/// The project and account the fake credentials name.
pub const FCM_PROJECT: &str = "rekindle-test";
pub const FCM_ACCOUNT: &str = "pusher@rekindle-test.iam.gserviceaccount.com";
/// What the APNs settings name.
pub const APNS_KEY_ID: &str = "ABC123DEFG";
pub const APNS_TEAM_ID: &str = "TEAM123456";

/// Settings pushing through fake services: a VAPID key, an APNs `.p8` key and FCM credentials
/// written to `dir`, the services' URLs, and internal addresses allowed for Web Push. Answers
/// the environment and the APNs key (to check its tokens with).
pub fn push_env(
    dir: &std::path::Path,
    fcm: &FakePushService,
    apns: &FakePushService,
) -> (Vec<(String, String)>, SecretKey) {
    use p256::pkcs8::{EncodePrivateKey, LineEnding};
    std::fs::create_dir_all(dir).unwrap();
    let pem = |key: &SecretKey| key.to_pkcs8_pem(LineEnding::LF).unwrap().to_string();
    let vapid = dir.join("vapid-test.pem");
    std::fs::write(&vapid, pem(&runtime::push::random_key())).unwrap();
    let apns_key = runtime::push::random_key();
    let p8 = dir.join("apns-test.p8");
    std::fs::write(&p8, pem(&apns_key)).unwrap();
    let ca = dir.join("apns-test-ca.pem");
    std::fs::write(&ca, apns.ca_pem.as_deref().expect("a TLS service")).unwrap();
    let credentials = dir.join("fcm-test.json");
    std::fs::write(
        &credentials,
        serde_json::json!({
            "type": "service_account",
            "project_id": FCM_PROJECT,
            "client_email": FCM_ACCOUNT,
            "private_key": FCM_KEY,
            "token_uri": format!("{}/token", fcm.url),
        })
        .to_string(),
    )
    .unwrap();
    let path = |p: &std::path::Path| p.display().to_string();
    let env = vec![
        ("REKINDLE_PUSH_VAPID_KEY_FILE".into(), path(&vapid)),
        (
            "REKINDLE_PUSH_VAPID_SUBJECT".into(),
            "mailto:ops@rekindle.test".into(),
        ),
        ("REKINDLE_PUSH_ALLOW_INTERNAL".into(), "true".into()),
        (
            "REKINDLE_PUSH_FCM_CREDENTIALS_FILE".into(),
            path(&credentials),
        ),
        ("REKINDLE_PUSH_FCM_URL".into(), fcm.url.clone()),
        ("REKINDLE_PUSH_APNS_KEY_FILE".into(), path(&p8)),
        ("REKINDLE_PUSH_APNS_KEY_ID".into(), APNS_KEY_ID.into()),
        ("REKINDLE_PUSH_APNS_TEAM_ID".into(), APNS_TEAM_ID.into()),
        ("REKINDLE_PUSH_APNS_URL".into(), apns.url.clone()),
        ("REKINDLE_PUSH_APNS_CA_FILE".into(), path(&ca)),
    ];
    (env, apns_key)
}

/// Checks an ES256 token's signature with `key`'s public half; answers its header and claims.
pub fn es256_claims(token: &str, key: &PublicKey) -> (serde_json::Value, serde_json::Value) {
    use base64::Engine;
    use p256::ecdsa::signature::Verifier;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let (signed, signature) = token.rsplit_once('.').expect("a JWT");
    let signature = p256::ecdsa::Signature::from_slice(&b64.decode(signature).unwrap()).unwrap();
    p256::ecdsa::VerifyingKey::from(key)
        .verify(signed.as_bytes(), &signature)
        .expect("the token's signature verifies");
    let (header, claims) = signed.split_once('.').unwrap();
    let part = |p: &str| serde_json::from_slice(&b64.decode(p).unwrap()).unwrap();
    (part(header), part(claims))
}
