//! A schedule with a time zone is one instant for both members (as iCalendar's are): the app
//! shows it and both are reminded then, across a DST change in either member's zone and when a
//! member travels. A floating one is each member's own local time: its next occurrences are
//! the viewer's.

use chrono::{DateTime, TimeZone, Utc};
use rekindle_tests::{Account, error_codes};
use serde_json::json;

use crate::reminders::{LONDON, NEW_YORK, Scene, TOKYO, date, nine_pm, set_timezone};

const NEXT: &str = "{ me { couple { activePlan { items { schedule { timezone floating } nextOccurrences(first: 2) } } } } }";

async fn next_occurrences(scene: &Scene, who: &Account) -> (bool, Vec<DateTime<Utc>>) {
    let body = scene.app.graphql_as(who.token(), NEXT, json!({})).await;
    assert!(error_codes(&body).is_empty(), "{body}");
    let item = &body["data"]["me"]["couple"]["activePlan"]["items"][0];
    let instants = item["nextOccurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().parse().unwrap())
        .collect();
    (item["schedule"]["floating"] == true, instants)
}

#[actix_web::test]
async fn a_schedule_with_a_zone_reminds_both_members_at_its_one_instant_across_each_zones_dst() {
    let mut scene = Scene::new(
        Utc.with_ymd_and_hms(2026, 3, 6, 12, 0, 0).unwrap(),
        "BOTH",
        false,
    )
    .await;
    // New York (Ben) springs forward on 8 March, London (the schedule, Ana) on 29 March.
    for (m, d) in [(3, 7), (3, 8), (3, 28), (3, 29)] {
        let (day, due) = (date(2026, m, d), nine_pm(LONDON, 2026, m, d));
        scene.at(due - chrono::Duration::minutes(5)).await;
        scene.plan().await;
        for who in [&scene.ana, &scene.ben] {
            let rows = scene.reminders_of(who).await;
            let row = rows
                .iter()
                .find(|r| r.occurrence_date == day)
                .unwrap_or_else(|| panic!("no reminder for {day} in {rows:?}"));
            assert_eq!(row.due_at, due, "{day}: one instant for both");
            assert_eq!(row.fire_at, due);
        }
    }
    // What the app shows is that instant, the same for both.
    let (floating, anas) = next_occurrences(&scene, &scene.ana).await;
    assert!(!floating);
    assert_eq!(anas[0], nine_pm(LONDON, 2026, 3, 29));
    assert_eq!(next_occurrences(&scene, &scene.ben).await.1, anas);
    scene.stop().await;
}

#[actix_web::test]
async fn a_schedule_with_a_zone_stays_put_when_a_member_travels() {
    let mut scene = Scene::new(
        Utc.with_ymd_and_hms(2026, 6, 8, 12, 0, 0).unwrap(),
        "BOTH",
        false,
    )
    .await;
    set_timezone(&scene.app, &scene.ben, "Asia/Tokyo").await;
    let due = nine_pm(LONDON, 2026, 6, 10);
    scene.at(due - chrono::Duration::minutes(5)).await;
    scene.plan().await;
    let rows = scene.reminders_of(&scene.ben).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    // 21:00 in London is 05:00 the next morning in Tokyo: still the same instant.
    assert_eq!(rows[0].due_at, due);
    assert_eq!(
        due.with_timezone(&TOKYO).date_naive(),
        date(2026, 6, 11),
        "the instant is the next day where Ben is"
    );
    assert_eq!(
        next_occurrences(&scene, &scene.ben).await.1,
        next_occurrences(&scene, &scene.ana).await.1
    );
    scene.stop().await;
}

#[actix_web::test]
async fn a_floating_schedule_shows_each_viewer_their_own_occurrences() {
    let mut scene = Scene::new(
        Utc.with_ymd_and_hms(2026, 6, 8, 12, 0, 0).unwrap(),
        "BOTH",
        true,
    )
    .await;
    scene
        .at(Utc.with_ymd_and_hms(2026, 6, 10, 12, 0, 0).unwrap())
        .await;
    let (floating, anas) = next_occurrences(&scene, &scene.ana).await;
    assert!(floating);
    assert_eq!(
        anas,
        [nine_pm(LONDON, 2026, 6, 10), nine_pm(LONDON, 2026, 6, 11)]
    );
    let (_, bens) = next_occurrences(&scene, &scene.ben).await;
    assert_eq!(
        bens,
        [
            nine_pm(NEW_YORK, 2026, 6, 10),
            nine_pm(NEW_YORK, 2026, 6, 11)
        ]
    );
    // Ben travels: his occurrences follow him (21:00 in Tokyo today is now, 12:00 UTC, so
    // the next is tomorrow's).
    set_timezone(&scene.app, &scene.ben, "Asia/Tokyo").await;
    let (_, in_tokyo) = next_occurrences(&scene, &scene.ben).await;
    assert_eq!(in_tokyo[0], nine_pm(TOKYO, 2026, 6, 11));
    scene.stop().await;
}
