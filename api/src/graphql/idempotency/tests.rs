use super::*;

fn answer() -> Response {
    Response::new(Value::from_json(serde_json::json!({ "login": { "token": "secret" } })).unwrap())
}

#[test]
fn an_answer_opens_only_with_its_key_and_owner() {
    let sealed = KeySecrets::derive("user:1", "key-a")
        .seal(&answer())
        .unwrap();
    assert!(!sealed.contains("secret"));
    let opened = KeySecrets::derive("user:1", "key-a").open(&sealed).unwrap();
    assert_eq!(opened, answer());
    assert!(KeySecrets::derive("user:1", "key-b").open(&sealed).is_err());
    assert!(KeySecrets::derive("user:2", "key-a").open(&sealed).is_err());
}

#[test]
fn rows_are_found_by_owner_and_key_never_by_the_key_alone() {
    let hash = |owner, key| KeySecrets::derive(owner, key).key_hash;
    assert_eq!(hash("user:1", "k"), hash("user:1", "k"));
    assert_ne!(hash("user:1", "k"), hash("user:2", "k"));
    assert_ne!(hash("user:1", "k"), hash("user:1", "l"));
    assert!(!hash("user:1", "key-a").contains("key-a"));
}

#[test]
fn the_fingerprint_does_not_depend_on_the_order_of_object_keys() {
    let request = |vars: &str| {
        Request::new("mutation M($i: I) { x(i: $i) }")
            .variables(serde_json::from_str::<async_graphql::Variables>(vars).unwrap())
    };
    let one = request(r#"{"i": {"b": [{"y": 1, "x": 2}], "a": "s"}, "z": null}"#);
    let other = request(r#"{"z": null, "i": {"a": "s", "b": [{"x": 2, "y": 1}]}}"#);
    assert_eq!(fingerprint("k", &one), fingerprint("k", &other));
    let different = request(r#"{"z": null, "i": {"a": "s", "b": [{"x": 1, "y": 2}]}}"#);
    assert_ne!(fingerprint("k", &one), fingerprint("k", &different));
}

#[test]
fn the_fingerprint_covers_operation_and_variables_and_depends_on_the_key() {
    let request = |vars: serde_json::Value| {
        Request::new("mutation M($a: Int) { x(a: $a) }")
            .operation_name("M")
            .variables(async_graphql::Variables::from_json(vars))
    };
    let one = request(serde_json::json!({ "a": 1 }));
    assert_eq!(
        fingerprint("k", &one),
        fingerprint("k", &request(serde_json::json!({ "a": 1 })))
    );
    assert_ne!(
        fingerprint("k", &one),
        fingerprint("k", &request(serde_json::json!({ "a": 2 })))
    );
    assert_ne!(fingerprint("k", &one), fingerprint("other", &one));
    assert_ne!(
        fingerprint("k", &one),
        fingerprint(
            "k",
            &request(serde_json::json!({ "a": 1 })).operation_name("N")
        )
    );
}
