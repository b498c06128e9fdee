use serde_json::{Value, json};

use crate::instrument::{Instrument, builtin_instruments};

fn yes_no(key: &str, prompt: &str, yes: i32) -> Value {
    json!({ "key": key, "prompt": prompt, "response": { "kind": "yes_no", "yes": yes, "no": 0 } })
}

fn definition(items: Vec<Value>, extra: Value) -> Value {
    let mut value = json!({
        "key": "org_check", "version": 1, "title": "Check", "description": "A check.",
        "items": items, "scoring": "sum", "higher_is": "worse"
    });
    if let (Value::Object(base), Value::Object(more)) = (&mut value, extra) {
        base.extend(more);
    }
    value
}

fn load(value: &Value) -> Result<Instrument, crate::instrument::InstrumentError> {
    Instrument::load("org.json", &value.to_string())
}

fn affair_afraid_leaving(weights: [i32; 3], extra: Value) -> Value {
    definition(
        vec![
            yes_no("affair", "One of us is having an affair.", weights[0]),
            yes_no("worried", "I worry about where we are heading.", weights[1]),
            yes_no("leaving", "I am thinking of leaving.", weights[2]),
        ],
        extra,
    )
}

#[test]
fn weights_that_make_the_total_a_code_are_refused() {
    let err = load(&affair_afraid_leaving([1, 2, 4], json!({}))).unwrap_err();
    assert!(err.field.starts_with("items["), "{err}");
    assert!(err.problem.contains("always tells"), "{err}");
}

#[test]
fn a_subscale_of_one_item_gives_it_away_even_when_the_total_does_not() {
    // Equal weights: the total does not always tell an answer, but a subscale of one item is
    // that item's answer.
    let subscale = json!({ "subscales": [
        { "key": "leaving_only", "title": "Leaving", "items": ["leaving"] }
    ]});
    let err = load(&affair_afraid_leaving([1, 1, 1], subscale)).unwrap_err();
    assert_eq!(err.field, "items[2]", "{err}");
}

#[test]
fn equal_weights_with_coarse_bands_pass() {
    let bands = json!({ "bands": [
        { "key": "low", "label": "Low", "from": { "value": 0, "inclusive": true }, "to": { "value": 2, "inclusive": false } },
        { "key": "high", "label": "High", "from": { "value": 2, "inclusive": true }, "to": { "value": 3, "inclusive": true } }
    ]});
    load(&affair_afraid_leaving([1, 1, 1], bands)).unwrap();
}

#[test]
fn an_outcome_on_a_flag_that_always_tells_an_answer_is_refused() {
    let flagged = json!({
        "flags": [{ "key": "affair", "item": "affair", "at_least": 1, "message": "Noted." }],
        "outcomes": [
            { "key": "infidelity", "label": "Infidelity", "when": { "flag": "affair" } },
            { "key": "other", "label": "Other" }
        ]
    });
    let err = load(&affair_afraid_leaving([1, 1, 1], flagged)).unwrap_err();
    assert_eq!(err.field, "items[0]", "{err}");
}

#[test]
fn a_question_about_abuse_needs_a_safety_flag() {
    let items = || {
        vec![
            yes_no("afraid", "I am afraid of my partner.", 1),
            yes_no("worried", "I worry about where we are heading.", 1),
            yes_no("tired", "I am tired of the same arguments.", 1),
        ]
    };
    let err = load(&definition(items(), json!({}))).unwrap_err();
    assert_eq!(err.field, "items[0]", "{err}");
    assert!(err.problem.contains("safety"), "{err}");
    // With the flag, its answer takes the private path: shared results never hold a "yes",
    // so that the others cannot tell it is no giveaway.
    let flagged = json!({ "flags": [
        { "key": "afraid", "item": "afraid", "at_least": 1, "safety": true, "message": "Get help." }
    ]});
    load(&definition(items(), flagged)).unwrap();
}

#[test]
fn the_built_in_instruments_keep_answers_private() {
    for instrument in builtin_instruments().unwrap() {
        instrument.check_privacy().unwrap();
    }
}
