use super::*;
use chrono::TimeZone;

#[test]
fn signing_matches_the_specifications_example() {
    // The example of the Standard Webhooks specification's own test suite.
    let at = Utc.timestamp_opt(1_614_265_330, 0).unwrap();
    let signed = sign(
        &["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        at,
        br#"{"test": 2432232314}"#,
    );
    assert_eq!(signed, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

#[test]
fn a_signature_verifies_only_with_its_secret_id_body_and_time() {
    let at = Utc.with_ymd_and_hms(2026, 6, 10, 12, 0, 0).unwrap();
    let (old, new) = (secret_from(&[7; 32]), secret_from(&[9; 32]));
    assert!(new.starts_with("whsec_"));
    let body = b"{\"a\":1}";
    let t = at.timestamp().to_string();
    let both = sign(&[&new, &old], "msg_1", at, body);
    assert_eq!(both.split(' ').count(), 2, "{both}");
    for secret in [&old, &new] {
        assert!(verify(secret, "msg_1", &t, &both, body, at));
    }
    let only_new = sign(&[&new], "msg_1", at, body);
    assert!(!verify(&old, "msg_1", &t, &only_new, body, at));
    assert!(!verify(&new, "msg_2", &t, &only_new, body, at));
    assert!(!verify(&new, "msg_1", &t, &only_new, b"{\"a\":2}", at));
    let late = at + Duration::minutes(6);
    assert!(!verify(&new, "msg_1", &t, &only_new, body, late));
    assert!(!verify(&new, "msg_1", "x", &only_new, body, at));
    assert!(!verify(&new, "msg_1", &t, "v1,zz", body, at));
}

#[test]
fn retries_back_off_and_stop_after_three_days() {
    let created = Utc.with_ymd_and_hms(2026, 6, 10, 12, 0, 0).unwrap();
    let first = next_attempt(created, created, 1, 0.0).unwrap();
    assert_eq!(first - created, Duration::seconds(15));
    let second = next_attempt(created, created, 2, 0.999).unwrap();
    assert!(second - created < Duration::seconds(60) && second - created >= Duration::seconds(30));
    let capped = next_attempt(created, created, 30, 0.0).unwrap();
    assert_eq!(capped - created, Duration::hours(3));
    let late = created + Duration::days(3) - Duration::hours(1);
    assert_eq!(next_attempt(created, late, 30, 0.0), None);
}

/// Every spelling of an internal address the WHATWG parser turns into one (decimal, hex,
/// octal and short forms, a trailing dot, percent-encoding, full-width digits, ideographic
/// full stops, a backslash before `@`) and every IPv6 form that embeds one.
const DISGUISED_INTERNAL: [&str; 22] = [
    "http://2130706433/",
    "http://0x7f000001/",
    "http://0177.0.0.1/",
    "http://127.1/",
    "http://127.0.0.1./",
    "http://0/",
    "http://%31%32%37.0.0.1/",
    "http://\u{ff11}\u{ff12}\u{ff17}.0.0.1/",
    "http://127\u{3002}0\u{3002}0\u{3002}1/",
    "http://127.0.0.1:8080\\@example.com/",
    "http://[::127.0.0.1]/",
    "http://[64:ff9b::7f00:1]/",
    "http://[2002:7f00:1::]/",
    "http://[fe80::1%25lo]/",
    "http://2852039166/",
    "http://[::ffff:169.254.169.254]/",
    "http://[2001:db8::1]/",
    "http://[2001::1]/",
    "http://[ff02::1]/",
    "http://224.0.0.1/",
    "http://198.18.0.1/",
    "http://255.255.255.255/",
];

#[test]
fn internal_addresses_are_refused_however_they_are_written() {
    for url in [
        "http://127.0.0.1/hook",
        "https://10.1.2.3/",
        "https://192.168.0.1:8443/x",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/",
        "https://[fd00::1]/",
        "https://100.64.0.1/",
        "https://[::ffff:127.0.0.1]/",
    ]
    .into_iter()
    .chain(DISGUISED_INTERNAL)
    {
        let refused = check_url(url, false, false);
        assert!(
            matches!(
                refused,
                Err(UrlRefusal::PrivateAddress | UrlRefusal::Malformed)
            ),
            "{url}: {refused:?}"
        );
    }
    assert_eq!(
        check_url("http://2130706433/", false, true)
            .unwrap()
            .host_str(),
        Some("127.0.0.1")
    );
    assert!(check_url("https://[::1]/", false, true).is_ok());
}

#[test]
fn only_registrable_names_pass() {
    for url in [
        "https://localhost/",
        "https://api.localhost/",
        "https://intranet/",
        "https://printer.local/",
        "https://db.internal/",
        "https://router.home.arpa/",
        "https://1.2.3.4.5/",
    ] {
        assert!(check_url(url, false, false).is_err(), "{url}");
    }
    assert!(check_url("https://localhost/", false, true).is_ok());
    for url in [
        "https://hooks.example.com/x",
        "https://Hooks.Example.com:8443/a?b=c",
        "https://b\u{fc}cher.example/",
        "https://93.184.215.14/",
        "https://[2606:4700::1111]/",
    ] {
        assert!(check_url(url, true, false).is_ok(), "{url}");
    }
}

#[test]
fn scheme_and_credentials_are_checked() {
    assert_eq!(
        check_url("http://hooks.example.com/x", true, false),
        Err(UrlRefusal::NotHttps)
    );
    assert_eq!(
        check_url("https://user:pw@hooks.example.com/", false, false),
        Err(UrlRefusal::Credentials)
    );
    // WHATWG rules read `https:///x` as the host `x`: refused as no public name.
    assert_eq!(
        check_url("https:///x", false, false),
        Err(UrlRefusal::NotPublicName)
    );
    for url in ["ftp://x.example", "not a url", "https://a.example/\tx"] {
        assert_eq!(
            check_url(url, false, false),
            Err(UrlRefusal::Malformed),
            "{url}"
        );
    }
}

#[test]
fn public_addresses_are_public() {
    for ip in [
        "8.8.8.8",
        "2606:4700::1111",
        "::ffff:8.8.8.8",
        "64:ff9b::808:808",
    ] {
        assert!(is_public(ip.parse().unwrap()), "{ip}");
    }
    for ip in [
        "127.0.0.1",
        "::1",
        "fe80::1",
        "2002:a00:1::",
        "0.1.2.3",
        "172.31.0.1",
    ] {
        assert!(!is_public(ip.parse().unwrap()), "{ip}");
    }
}

#[test]
fn event_names_read_back() {
    for e in EventType::SUBSCRIBABLE {
        assert_eq!(EventType::parse(e.as_str()), Some(e));
    }
    assert_eq!(EventType::parse("note.written"), None);
}

#[test]
fn a_circuit_opens_after_five_attempts_without_an_answer_and_cools_down() {
    let now = Utc.with_ymd_and_hms(2026, 6, 10, 12, 0, 0).unwrap();
    let at = |mins: i64| now - Duration::minutes(mins);
    let silent: Vec<_> = (0..5).map(|i| (at(i), false)).collect();
    assert_eq!(
        circuit_open_until(&silent, now),
        Some(now + CIRCUIT_COOL_DOWN)
    );
    // Four are not enough; one answer among the five closes it; it cools down.
    assert_eq!(circuit_open_until(&silent[..4], now), None);
    let mut answered = silent.clone();
    answered[3].1 = true;
    assert_eq!(circuit_open_until(&answered, now), None);
    assert_eq!(circuit_open_until(&silent, now + CIRCUIT_COOL_DOWN), None);
    assert_eq!(circuit_open_until(&[], now), None);
}
