//! The couples in a member's archive: each with its shared data as that member may see it.

use sea_orm::QueryOrder;
use sea_orm::entity::prelude::*;
use serde_json::{Value, json};

use super::{day, listed, ots, ts};
use crate::data_rights::answered_alike;
use crate::{
    assessment, check_in, completion, couple, couple_break, couple_member, invite, plan, plan_item,
    ritual, suggestion, weekly_summary,
};

/// Every couple the member was ever in, with its shared data as they see it.
pub(super) async fn couples<C: ConnectionTrait>(db: &C, user_id: Uuid) -> Result<Value, DbErr> {
    let memberships = couple_member::Entity::find()
        .filter(couple_member::Column::UserId.eq(user_id))
        .order_by_asc(couple_member::Column::JoinedAt);
    let mut out = Vec::new();
    for membership in memberships.all(db).await? {
        let Some(found) = couple::find(db, membership.couple_id).await? else {
            continue;
        };
        out.push(couple_of(db, user_id, &membership, &found).await?);
    }
    Ok(Value::Array(out))
}

async fn couple_of<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    membership: &couple_member::Model,
    c: &couple::Model,
) -> Result<Value, DbErr> {
    let members: Vec<Value> = couple_member::with_users(db, &[c.id])
        .await?
        .iter()
        .map(|(m, u)| {
            json!({
                "id": u.id,
                "displayName": u.display_name,
                "isMe": u.id == user_id,
                "joinedAt": ts(m.joined_at),
                "leftAt": ots(m.left_at),
            })
        })
        .collect();
    let mut out = json!({
        "id": c.id,
        "status": c.status,
        "relationshipStart": c.relationship_start.map(day),
        "goals": c.goals,
        "distractions": c.distractions,
        "timezone": c.timezone,
        "createdAt": ts(c.created_at),
        "archivedAt": ots(c.archived_at),
        "sharedDataDeleteAfter": ots(c.shared_data_delete_after),
        "sharedDataDeletedAt": ots(c.shared_data_deleted_at),
        "joinedAt": ts(membership.joined_at),
        "leftAt": ots(membership.left_at),
        "members": members,
    });
    let sections = [
        ("plans", plans(db, user_id, c.id).await?),
        ("customRituals", custom_rituals(db, c.id).await?),
        ("checkIns", check_ins(db, user_id, c.id).await?),
        ("breaks", breaks(db, user_id, c.id).await?),
        ("weeklySummaries", weekly_summaries(db, c.id).await?),
        ("invites", invites(db, user_id, c.id).await?),
        ("suggestions", suggestions(db, c.id).await?),
        ("sharedResults", shared_results(db, user_id, c.id).await?),
    ];
    for (name, section) in sections {
        out[name] = section;
    }
    Ok(out)
}

async fn plans<C: ConnectionTrait>(db: &C, user_id: Uuid, couple_id: Uuid) -> Result<Value, DbErr> {
    let plans = plan::Entity::find()
        .filter(plan::Column::CoupleId.eq(couple_id))
        .order_by_asc(plan::Column::CreatedAt)
        .all(db)
        .await?;
    let plan_ids: Vec<Uuid> = plans.iter().map(|p| p.id).collect();
    let pauses = plan::pause::for_plans(db, &plan_ids).await?;
    let items = plan_item::for_plans(db, &plan_ids).await?;
    let item_ids: Vec<Uuid> = items.iter().map(|i| i.id).collect();
    let completions = completion::for_items(db, &item_ids).await?;
    Ok(plans
        .iter()
        .map(|p| {
            let pauses: Vec<Value> = pauses
                .iter()
                .filter(|x| x.plan_id == p.id)
                .map(|x| json!({ "startsAt": ts(x.starts_at), "endsAt": ts(x.ends_at) }))
                .collect();
            let items: Vec<Value> = items
                .iter()
                .filter(|i| i.plan_id == p.id)
                .map(|i| item_of(user_id, i, &completions))
                .collect();
            json!({
                "id": p.id,
                "name": p.name,
                "status": p.status,
                "pausedUntil": ots(p.paused_until),
                "createdAt": ts(p.created_at),
                "archivedAt": ots(p.archived_at),
                "pauses": pauses,
                "items": items,
            })
        })
        .collect())
}

fn item_of(user_id: Uuid, i: &plan_item::Model, completions: &[completion::Model]) -> Value {
    let done: Vec<Value> = completions
        .iter()
        .filter(|c| c.plan_item_id == i.id)
        .map(|c| {
            let mine = c.user_id == user_id;
            json!({
                "id": c.id,
                "by": c.user_id,
                "byMe": mine,
                "occurrenceDate": day(c.occurrence_date),
                "closeness": c.closeness,
                // A partner's note only when they shared it.
                "note": if mine || c.note_shared { c.note.clone() } else { None },
                "noteShared": c.note_shared,
                "loggedAt": ts(c.created_at),
            })
        })
        .collect();
    json!({
        "id": i.id,
        "ritualId": i.ritual_id,
        "schedule": i.schedule,
        "assignee": i.assignee,
        "assigneeMemberId": i.assignee_user_id,
        "status": i.status,
        "createdAt": ts(i.created_at),
        "removedAt": ots(i.removed_at),
        "completions": done,
    })
}

async fn custom_rituals<C: ConnectionTrait>(db: &C, couple_id: Uuid) -> Result<Value, DbErr> {
    let found = ritual::Entity::find()
        .filter(ritual::Column::CoupleId.eq(couple_id))
        .order_by_asc(ritual::Column::CreatedAt);
    listed(db, found, |r| {
        json!({
            "id": r.id,
            "title": r.title,
            "summary": r.summary,
            "whyItHelps": r.why_it_helps,
            "category": r.category,
            "defaultCadence": r.default_cadence,
            "durationMinutes": r.duration_minutes,
            "steps": r.steps,
            "createdAt": ts(r.created_at),
        })
    })
    .await
}

async fn check_ins<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    couple_id: Uuid,
) -> Result<Value, DbErr> {
    let answers = check_in::Entity::find()
        .filter(check_in::Column::CoupleId.eq(couple_id))
        .order_by_asc(check_in::Column::LocalDate)
        .order_by_asc(check_in::Column::AnsweredAt)
        .all(db)
        .await?;
    let (mine, theirs): (Vec<_>, Vec<_>) = answers.into_iter().partition(|a| a.user_id == user_id);
    // A partner's answer shows only where the member answered the same day too.
    let shown = mine.iter().map(|a| (a, true)).chain(
        theirs
            .iter()
            .filter(|a| answered_alike(&mine, a))
            .map(|a| (a, false)),
    );
    Ok(shown
        .map(|(a, by_me)| {
            json!({
                "date": day(a.local_date),
                "prompt": a.prompt_key,
                "by": a.user_id,
                "byMe": by_me,
                "answer": a.answer,
                "answeredAt": ts(a.answered_at),
                "updatedAt": ts(a.updated_at),
            })
        })
        .collect())
}

async fn breaks<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    couple_id: Uuid,
) -> Result<Value, DbErr> {
    let found = couple_break::Entity::find()
        .filter(couple_break::Column::CoupleId.eq(couple_id))
        .order_by_asc(couple_break::Column::CreatedAt);
    listed(db, found, |b| {
        let (mine, theirs) = if b.proposed_by == user_id {
            (&b.proposer_choice, &b.partner_choice)
        } else {
            (&b.partner_choice, &b.proposer_choice)
        };
        // The partner's choice stays theirs until both chose.
        let both = b.choices_made() == 2;
        json!({
            "id": b.id,
            "proposedByMe": b.proposed_by == user_id,
            "status": b.status,
            "until": day(b.until),
            "checkInOn": day(b.check_in_on),
            "terms": b.terms,
            "contactRules": b.contact_rules,
            "myChoice": mine,
            "partnerChoice": if both { theirs.clone() } else { None },
            "createdAt": ts(b.created_at),
            "decidedAt": ots(b.decided_at),
        })
    })
    .await
}

async fn weekly_summaries<C: ConnectionTrait>(db: &C, couple_id: Uuid) -> Result<Value, DbErr> {
    let found = weekly_summary::Entity::find()
        .filter(weekly_summary::Column::CoupleId.eq(couple_id))
        .order_by_asc(weekly_summary::Column::WeekStart);
    listed(db, found, |s| {
        json!({
            "weekStart": day(s.week_start),
            "content": s.content,
            "builtAt": ts(s.built_at),
        })
    })
    .await
}

async fn invites<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    couple_id: Uuid,
) -> Result<Value, DbErr> {
    let found = invite::Entity::find()
        .filter(invite::Column::CoupleId.eq(couple_id))
        .filter(invite::Column::CreatedBy.eq(user_id))
        .order_by_asc(invite::Column::CreatedAt);
    listed(db, found, |i| {
        json!({
            "createdAt": ts(i.created_at),
            "expiresAt": ts(i.expires_at),
            "usedAt": ots(i.used_at),
            "revokedAt": ots(i.revoked_at),
        })
    })
    .await
}

async fn suggestions<C: ConnectionTrait>(db: &C, couple_id: Uuid) -> Result<Value, DbErr> {
    let found = suggestion::Entity::find()
        .filter(suggestion::Column::CoupleId.eq(couple_id))
        .order_by_asc(suggestion::Column::CreatedAt);
    listed(db, found, |s| {
        json!({
            "id": s.id,
            "organizationId": s.organization_id,
            "ritualId": s.ritual_id,
            "instrumentId": s.instrument_id,
            "message": s.message,
            "status": s.status,
            "createdAt": ts(s.created_at),
            "decidedAt": ots(s.decided_at),
        })
    })
    .await
}

/// What partners shared with the couple: scores only, never answers, recommendations or
/// anything of a result that raised a safety concern.
async fn shared_results<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    couple_id: Uuid,
) -> Result<Value, DbErr> {
    let found = assessment::Entity::find()
        .filter(assessment::Column::SharedWithCouple.eq(couple_id))
        .filter(assessment::Column::UserId.ne(user_id))
        .filter(assessment::Column::Safety.eq(false))
        .order_by_asc(assessment::Column::SharedAt);
    listed(db, found, |a| {
        json!({
            "by": a.user_id,
            "instrument": a.instrument_key,
            "total": a.total,
            "submittedAt": ots(a.submitted_at),
            "sharedAt": ots(a.shared_at),
        })
    })
    .await
}
