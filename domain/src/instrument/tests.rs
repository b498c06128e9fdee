use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;

/// The key of the point worth `value` on the test scales.
fn point(value: i32) -> String {
    if value < 0 {
        format!("minus_{}", -value)
    } else {
        format!("point_{value}")
    }
}

fn scale(low: i32, high: i32) -> Value {
    let points: Vec<Value> = (low..=high)
        .map(|v| json!({ "key": point(v), "label": format!("point {v}"), "value": v }))
        .collect();
    json!({ "kind": "likert", "points": points })
}

/// Shaped like the CSI-4: item 1 scored 0-6, items 2-4 scored 0-5, total 0-21, distress
/// below 13.5.
fn csi4() -> Value {
    json!({
        "key": "csi_four_like",
        "version": 1,
        "title": "Satisfaction, four items",
        "description": "A test instrument with the CSI-4's shape.",
        "items": [
            { "key": "happiness", "prompt": "Overall happiness", "response": scale(0, 6) },
            { "key": "warm", "prompt": "Warm and comfortable", "response": scale(0, 5) },
            { "key": "rewarding", "prompt": "Rewarding", "response": scale(0, 5) },
            { "key": "satisfied", "prompt": "Satisfied", "response": scale(0, 5) }
        ],
        "scoring": "sum",
        "bands": [
            { "key": "distress", "label": "Notable distress",
              "from": { "value": 0, "inclusive": true }, "to": { "value": 13.5, "inclusive": false } },
            { "key": "no_distress", "label": "No notable distress",
              "from": { "value": 13.5, "inclusive": true }, "to": { "value": 21, "inclusive": true } }
        ],
        "higher_is": "better",
        "reliable_change": 4.5
    })
}

fn load(value: &Value) -> Result<Instrument, InstrumentError> {
    Instrument::load("test.json", &value.to_string())
}

fn answers(pairs: &[(&str, i32)]) -> Answers {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Answer::Choice(point(*v))))
        .collect()
}

#[test]
fn a_csi4_shaped_instrument_scores_its_boundary_cases() {
    let instrument = load(&csi4()).unwrap();
    assert_eq!(instrument.total_range(), (0.0, 21.0));
    let cases = [
        ([0, 0, 0, 0], 0.0, "distress"),
        ([6, 3, 2, 2], 13.0, "distress"),
        ([6, 3, 3, 2], 14.0, "no_distress"),
        ([1, 5, 4, 4], 14.0, "no_distress"),
        ([6, 5, 5, 5], 21.0, "no_distress"),
    ];
    for (values, total, band) in cases {
        let given = answers(&[
            ("happiness", values[0]),
            ("warm", values[1]),
            ("rewarding", values[2]),
            ("satisfied", values[3]),
        ]);
        let scored = score(&instrument, &given).unwrap();
        assert_eq!(scored.total, total, "{values:?}");
        assert_eq!(scored.band.unwrap().key, band, "{values:?}");
    }
}

#[test]
fn item_one_takes_six_and_the_others_refuse_it() {
    let instrument = load(&csi4()).unwrap();
    let mut given = answers(&[
        ("happiness", 6),
        ("warm", 5),
        ("rewarding", 5),
        ("satisfied", 5),
    ]);
    assert!(score(&instrument, &given).is_ok());
    given.insert("warm".into(), Answer::Choice(point(6)));
    assert!(matches!(
        score(&instrument, &given),
        Err(ScoreError::InvalidAnswer { item, .. }) if item == "warm"
    ));
}

#[test]
fn scoring_needs_every_item_and_only_known_ones() {
    let instrument = load(&csi4()).unwrap();
    let partial = answers(&[("happiness", 3), ("warm", 2)]);
    assert_eq!(
        score(&instrument, &partial),
        Err(ScoreError::Missing(vec![
            "rewarding".into(),
            "satisfied".into()
        ]))
    );
    let mut extra = answers(&[
        ("happiness", 3),
        ("warm", 2),
        ("rewarding", 1),
        ("satisfied", 1),
    ]);
    extra.insert("other".into(), Answer::YesNo(true));
    assert_eq!(
        score(&instrument, &extra),
        Err(ScoreError::UnknownItem("other".into()))
    );
    let mut wrong_kind = answers(&[("happiness", 3), ("warm", 2), ("rewarding", 1)]);
    wrong_kind.insert("satisfied".into(), Answer::YesNo(true));
    assert!(matches!(
        score(&instrument, &wrong_kind),
        Err(ScoreError::InvalidAnswer { .. })
    ));
}

#[test]
fn reliable_change_follows_the_threshold_and_the_direction() {
    let instrument = load(&csi4()).unwrap();
    let up = reliable_change(&instrument, 10.0, 15.0);
    assert!(up.reliable);
    assert_eq!(up.direction, Some(Direction::Better));
    let small = reliable_change(&instrument, 10.0, 14.0);
    assert!(!small.reliable);
    let down = reliable_change(&instrument, 15.0, 10.0);
    assert!(down.reliable);
    assert_eq!(down.direction, Some(Direction::Worse));
    assert_eq!(reliable_change(&instrument, 3.0, 3.0).direction, None);
}

/// One instrument of `n` items on `low..=high`, scored by `scoring`, reversed where `reversed`.
/// Read for its shape only: with one item its total tells that item's answer, which a loaded
/// definition may not (the properties here are about scoring).
fn uniform(n: usize, low: i32, high: i32, scoring: &str, reversed: &[bool]) -> Instrument {
    let items: Vec<Value> = (0..n)
        .map(|i| {
            json!({ "key": format!("item_{i}"), "prompt": "A statement.",
                    "response": scale(low, high), "reverse": reversed[i] })
        })
        .collect();
    let definition = json!({
        "key": "uniform", "version": 1, "title": "Uniform", "description": "For properties.",
        "items": items, "scoring": scoring, "higher_is": "better"
    });
    super::read_content("test.json", &definition.to_string()).unwrap()
}

fn uniform_answers(values: &[i32]) -> Answers {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| (format!("item_{i}"), Answer::Choice(point(*v))))
        .collect()
}

proptest! {
    #[test]
    fn reverse_scoring_mirrors_each_item(
        (low, high, values) in (-3i32..3, 1i32..7).prop_flat_map(|(low, span)| {
            let high = low + span;
            (Just(low), Just(high), prop::collection::vec(low..=high, 1..8))
        }),
    ) {
        let n = values.len();
        let plain = uniform(n, low, high, "sum", &vec![false; n]);
        let reversed = uniform(n, low, high, "sum", &vec![true; n]);
        let given = uniform_answers(&values);
        let forward = score(&plain, &given).unwrap().total;
        let backward = score(&reversed, &given).unwrap().total;
        // Each reversed item is worth low + high - value.
        prop_assert_eq!(forward + backward, (n as f64) * f64::from(low + high));
        let extremes = uniform_answers(&vec![high; n]);
        prop_assert_eq!(score(&reversed, &extremes).unwrap().total, (n as f64) * f64::from(low));
    }

    #[test]
    fn a_mean_is_the_sum_over_the_items(values in prop::collection::vec(0i32..=4, 1..10)) {
        let n = values.len();
        let sum = uniform(n, 0, 4, "sum", &vec![false; n]);
        let mean = uniform(n, 0, 4, "mean", &vec![false; n]);
        let given = uniform_answers(&values);
        let by_sum = score(&sum, &given).unwrap().total;
        let by_mean = score(&mean, &given).unwrap().total;
        prop_assert!((by_mean * n as f64 - by_sum).abs() < 1e-9);
        prop_assert_eq!(mean.total_range(), (0.0, 4.0));
    }

    #[test]
    fn a_score_on_a_cut_off_falls_in_the_band_that_holds_it(
        cut in 1i32..20, lower_holds in any::<bool>(), score_at in 0i32..=20,
    ) {
        let bands = [
            Band { key: "low".into(), label: "Low".into(),
                   from: Edge { value: 0.0, inclusive: true },
                   to: Edge { value: f64::from(cut), inclusive: lower_holds } },
            Band { key: "high".into(), label: "High".into(),
                   from: Edge { value: f64::from(cut), inclusive: !lower_holds },
                   to: Edge { value: 20.0, inclusive: true } },
        ];
        prop_assert!(validate::check_bands("bands", &bands, (0.0, 20.0)).is_ok());
        let holding: Vec<&str> = bands
            .iter()
            .filter(|b| b.contains(f64::from(score_at)))
            .map(|b| b.key.as_str())
            .collect();
        prop_assert_eq!(holding.len(), 1, "exactly one band holds {}", score_at);
        let expected = if score_at < cut || (score_at == cut && lower_holds) { "low" } else { "high" };
        prop_assert_eq!(holding[0], expected);
    }
}

/// Applies `change` to the CSI-4-shaped definition and expects it refused at `field`.
fn refused_at(change: impl Fn(&mut Value), field: &str) {
    let mut definition = csi4();
    change(&mut definition);
    let err = load(&definition).expect_err(&format!("a definition faulty at {field} loaded"));
    assert_eq!(err.file, "test.json");
    assert_eq!(err.field, field, "{err}");
}

#[test]
fn every_way_a_definition_can_be_invalid_is_refused_by_its_field() {
    refused_at(|d| d["key"] = json!("Bad Key"), "key");
    refused_at(|d| d["version"] = json!(0), "version");
    refused_at(|d| d["version"] = json!("one"), "version");
    refused_at(|d| d["title"] = json!(" "), "title");
    refused_at(|d| d["description"] = json!(""), "description");
    refused_at(|d| d["surprise"] = json!(true), "surprise");
    refused_at(|d| d["items"] = json!([]), "items");
    refused_at(|d| d["items"][2]["key"] = json!("warm"), "items[2].key");
    refused_at(|d| d["items"][1]["prompt"] = json!(""), "items[1].prompt");
    refused_at(
        |d| d["items"][0]["response"] = json!({ "kind": "slider" }),
        "items[0].response.kind",
    );
    refused_at(
        |d| {
            d["items"][0]["response"]["points"] =
                json!([{ "key": "only_one", "label": "Only", "value": 1 }])
        },
        "items[0].response.points",
    );
    refused_at(
        |d| d["items"][0]["response"]["points"][1]["value"] = json!(0),
        "items[0].response.points",
    );
    refused_at(
        |d| d["items"][0]["response"]["points"][1]["key"] = json!("point_0"),
        "items[0].response.points[1].key",
    );
    refused_at(
        |d| d["items"][0]["response"] = json!({ "kind": "yes_no", "yes": 1, "no": 1 }),
        "items[0].response.yes",
    );
    refused_at(
        |d| d["items"][0]["response"] = json!({ "kind": "single_choice", "options": [] }),
        "items[0].response.options",
    );
    refused_at(
        |d| d["subscales"] = json!([{ "key": "warmth", "title": "Warmth", "items": ["nope"] }]),
        "subscales[0].items[0]",
    );
    refused_at(
        |d| d["subscales"] = json!([{ "key": "warmth", "title": "Warmth", "items": [] }]),
        "subscales[0].items",
    );
    // Bands: a gap, an overlap, a cut-off held by neither, ranges left uncovered, an empty band.
    refused_at(
        |d| d["bands"][1]["from"]["value"] = json!(14),
        "bands[1].from",
    );
    refused_at(
        |d| d["bands"][0]["to"]["inclusive"] = json!(true),
        "bands[1].from.inclusive",
    );
    refused_at(
        |d| d["bands"][1]["from"]["inclusive"] = json!(false),
        "bands[1].from.inclusive",
    );
    refused_at(
        |d| d["bands"][0]["from"]["value"] = json!(1),
        "bands[0].from",
    );
    refused_at(
        |d| d["bands"][0]["from"]["inclusive"] = json!(false),
        "bands[0].from",
    );
    refused_at(|d| d["bands"][1]["to"]["value"] = json!(20), "bands[1].to");
    refused_at(
        |d| {
            d["bands"][0]["to"]["value"] = json!(0);
            d["bands"][1]["from"]["value"] = json!(0);
        },
        "bands[0]",
    );
    refused_at(|d| d["bands"][1]["key"] = json!("distress"), "bands[1].key");
    refused_at(|d| d["reliable_change"] = json!(-1), "reliable_change");
    refused_at(
        |d| d["flags"] = json!([{ "key": "alarm", "item": "nope", "at_least": 1, "message": "m" }]),
        "flags[0].item",
    );
    refused_at(
        |d| d["flags"] = json!([{ "key": "alarm", "item": "warm", "at_least": 9, "message": "m" }]),
        "flags[0].at_least",
    );
    refused_at(
        |d| {
            d["outcomes"] =
                json!([{ "key": "fine", "label": "Fine", "when": { "band": "distress" } }])
        },
        "outcomes[0].when",
    );
    refused_at(
        |d| {
            d["outcomes"] =
                json!([{ "key": "any", "label": "Any" }, { "key": "fine", "label": "Fine" }])
        },
        "outcomes[0].when",
    );
    refused_at(
        |d| {
            d["outcomes"] = json!([
                { "key": "worried", "label": "Worried", "when": { "band": "nowhere" } },
                { "key": "fine", "label": "Fine" }
            ])
        },
        "outcomes[0].when",
    );
    refused_at(
        |d| d["recommendations"] = json!([{ "when": { "band": "distress" }, "reason": "r" }]),
        "recommendations[0]",
    );
    refused_at(
        |d| {
            d["recommendations"] = json!([{ "when": { "flag": "none" }, "reason": "r",
                                            "actions": ["talk_to_professional"] }])
        },
        "recommendations[0].when",
    );
    refused_at(
        |d| {
            d["recommendations"] = json!([{ "when": { "band": "distress" }, "reason": "r",
                                            "ritual_categories": ["cooking"] }])
        },
        "recommendations[0].ritual_categories[0]",
    );
}
