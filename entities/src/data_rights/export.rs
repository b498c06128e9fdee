//! The archive of everything of one member: their account and what only they see, and each
//! couple they were ever in with its shared data as they see it (a partner's private notes,
//! unrevealed check-in answers and unshared results never; a partner's email, sessions and
//! notifications never).

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::{QueryOrder, Select};
use serde_json::{Value, json};

use crate::{
    access, api_key, assessment, check_in, completion, couple, couple_break, couple_member,
    data_export, email_token, invite, notification, notification_settings, organization, plan,
    plan_item, reminder, ritual, session, suggestion, user, weekly_summary,
};

/// The archive's format, named in it: a reader can tell which shape it holds.
pub const FORMAT: &str = "rekindle-data-export/1";

fn ts(t: DateTime<Utc>) -> Value {
    Value::String(t.to_rfc3339())
}

fn ots(t: Option<DateTime<Utc>>) -> Value {
    t.map_or(Value::Null, ts)
}

fn day(d: NaiveDate) -> Value {
    Value::String(d.to_string())
}

async fn rows<E: EntityTrait, C: ConnectionTrait>(
    db: &C,
    query: Select<E>,
) -> Result<Vec<E::Model>, DbErr> {
    query.all(db).await
}

/// The rows `query` finds, each as `shown` puts it, as a JSON array.
async fn listed<E: EntityTrait, C: ConnectionTrait>(
    db: &C,
    query: Select<E>,
    shown: impl Fn(&E::Model) -> Value,
) -> Result<Value, DbErr> {
    Ok(query.all(db).await?.iter().map(shown).collect())
}

/// Whether someone else in `others` answered the check-in `answer` belongs to (same couple,
/// same day): then both answers are revealed to both.
pub(super) fn answered_alike(others: &[check_in::Model], answer: &check_in::Model) -> bool {
    others.iter().any(|o| {
        o.couple_id == answer.couple_id
            && o.local_date == answer.local_date
            && o.user_id != answer.user_id
    })
}

/// Builds the archive of `user_id`'s data at `now`, or `None` when there is no such account.
pub async fn build<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<Value>, DbErr> {
    let Some(account) = user::find_by_id(db, user_id).await? else {
        return Ok(None);
    };
    let mut archive = json!({
        "format": FORMAT,
        "exportedAt": ts(now),
        "account": account_of(&account),
    });
    let sections = [
        ("sessions", sessions(db, user_id).await?),
        ("emailLinks", email_links(db, user_id).await?),
        (
            "notificationSettings",
            notification_settings_of(db, user_id).await?,
        ),
        ("notifications", notifications(db, user_id).await?),
        ("reminders", reminders(db, user_id).await?),
        ("assessments", assessments(db, user_id).await?),
        ("organizations", organizations(db, user_id).await?),
        ("accessGrants", access_grants(db, user_id).await?),
        ("accessEvents", access_events(db, user_id).await?),
        ("apiKeysCreated", api_keys(db, user_id).await?),
        ("dataExports", exports(db, user_id).await?),
        ("couples", couples(db, user_id).await?),
    ];
    for (name, section) in sections {
        archive[name] = section;
    }
    Ok(Some(archive))
}

fn account_of(u: &user::Model) -> Value {
    json!({
        "id": u.id,
        "email": u.email,
        "displayName": u.display_name,
        "timezone": u.timezone,
        "quietHours": match (&u.quiet_hours_start, &u.quiet_hours_end) {
            (Some(start), Some(end)) => json!({ "start": start, "end": end }),
            _ => Value::Null,
        },
        "role": u.role,
        "disabled": u.disabled,
        "emailVerifiedAt": ots(u.email_verified_at),
        "createdAt": ts(u.created_at),
        "updatedAt": ts(u.updated_at),
        "deletionRequestedAt": ots(u.deletion_requested_at),
        "deleteAfter": ots(u.delete_after),
    })
}

async fn sessions<C: ConnectionTrait>(db: &C, user_id: Uuid) -> Result<Value, DbErr> {
    let found = session::Entity::find()
        .filter(session::Column::UserId.eq(user_id))
        .order_by_asc(session::Column::CreatedAt);
    listed(db, found, |s| {
        json!({
            "id": s.id,
            "userAgent": s.user_agent,
            "createdAt": ts(s.created_at),
            "lastUsedAt": ts(s.last_used_at),
            "expiresAt": ts(s.expires_at),
            "revokedAt": ots(s.revoked_at),
            "revokedReason": s.revoked_reason,
        })
    })
    .await
}

async fn email_links<C: ConnectionTrait>(db: &C, user_id: Uuid) -> Result<Value, DbErr> {
    let found = email_token::Entity::find()
        .filter(email_token::Column::UserId.eq(user_id))
        .order_by_asc(email_token::Column::CreatedAt);
    listed(db, found, |t| {
        json!({
            "purpose": t.purpose,
            "sentTo": t.email,
            "createdAt": ts(t.created_at),
            "expiresAt": ts(t.expires_at),
            "usedAt": ots(t.used_at),
        })
    })
    .await
}

async fn notification_settings_of<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
) -> Result<Value, DbErr> {
    let settings = notification_settings::Entity::find_by_id(user_id)
        .one(db)
        .await?;
    let muted = notification_settings::muted::Entity::find()
        .filter(notification_settings::muted::Column::UserId.eq(user_id))
        .order_by_asc(notification_settings::muted::Column::CreatedAt);
    let muted: Vec<Value> = rows(db, muted)
        .await?
        .iter()
        .map(|m| json!({ "planItemId": m.plan_item_id, "mutedAt": ts(m.created_at) }))
        .collect();
    Ok(json!({
        "dailyCap": settings.as_ref().and_then(|s| s.daily_cap),
        "updatedAt": ots(settings.map(|s| s.updated_at)),
        "mutedPlanItems": muted,
    }))
}

async fn notifications<C: ConnectionTrait>(db: &C, user_id: Uuid) -> Result<Value, DbErr> {
    let found = notification::Entity::find()
        .filter(notification::Column::UserId.eq(user_id))
        .order_by_asc(notification::Column::Id);
    listed(db, found, |n| {
        json!({
            "id": n.id,
            "kind": n.kind,
            "title": n.title,
            "body": n.body,
            "data": n.data,
            "createdAt": ts(n.created_at),
            "readAt": ots(n.read_at),
        })
    })
    .await
}

async fn reminders<C: ConnectionTrait>(db: &C, user_id: Uuid) -> Result<Value, DbErr> {
    let found = reminder::Entity::find()
        .filter(reminder::Column::UserId.eq(user_id))
        .order_by_asc(reminder::Column::DueAt);
    listed(db, found, |r| {
        json!({
            "planItemId": r.plan_item_id,
            "occurrenceDate": day(r.occurrence_date),
            "dueAt": ts(r.due_at),
            "fireAt": ts(r.fire_at),
            "status": r.status,
            "sentAt": ots(r.sent_at),
        })
    })
    .await
}

async fn assessments<C: ConnectionTrait>(db: &C, user_id: Uuid) -> Result<Value, DbErr> {
    let found = assessment::Entity::find()
        .filter(assessment::Column::UserId.eq(user_id))
        .order_by_asc(assessment::Column::StartedAt);
    listed(db, found, |a| {
        json!({
            "id": a.id,
            "instrument": a.instrument_key,
            "status": a.status,
            "answers": a.answers,
            "result": a.result,
            "total": a.total,
            "safetyConcern": a.safety,
            "sharedWithCouple": a.shared_with_couple,
            "sharedAt": ots(a.shared_at),
            "startedAt": ts(a.started_at),
            "updatedAt": ts(a.updated_at),
            "submittedAt": ots(a.submitted_at),
        })
    })
    .await
}

async fn organizations<C: ConnectionTrait>(db: &C, user_id: Uuid) -> Result<Value, DbErr> {
    let memberships = organization::member::Entity::find()
        .filter(organization::member::Column::UserId.eq(user_id));
    let mut out = Vec::new();
    for m in rows(db, memberships).await? {
        let name = organization::find(db, m.organization_id)
            .await?
            .map(|o| o.name);
        out.push(json!({
            "organizationId": m.organization_id,
            "name": name,
            "role": m.role,
            "joinedAt": ts(m.joined_at),
        }));
    }
    Ok(Value::Array(out))
}

async fn access_grants<C: ConnectionTrait>(db: &C, user_id: Uuid) -> Result<Value, DbErr> {
    let found = access::grant::Entity::find()
        .filter(access::grant::Column::UserId.eq(user_id))
        .order_by_asc(access::grant::Column::GrantedAt);
    listed(db, found, |g| {
        json!({
            "coupleId": g.couple_id,
            "organizationId": g.organization_id,
            "scopes": g.scopes,
            "grantedAt": ts(g.granted_at),
        })
    })
    .await
}

async fn access_events<C: ConnectionTrait>(db: &C, user_id: Uuid) -> Result<Value, DbErr> {
    let found = access::event::Entity::find()
        .filter(access::event::Column::UserId.eq(user_id))
        .order_by_asc(access::event::Column::At);
    listed(db, found, |e| {
        json!({
            "coupleId": e.couple_id,
            "organizationId": e.organization_id,
            "action": e.action,
            "scopes": e.scopes,
            "at": ts(e.at),
        })
    })
    .await
}

async fn api_keys<C: ConnectionTrait>(db: &C, user_id: Uuid) -> Result<Value, DbErr> {
    let found = api_key::Entity::find()
        .filter(api_key::Column::CreatedBy.eq(user_id))
        .order_by_asc(api_key::Column::CreatedAt);
    listed(db, found, |k| {
        json!({
            "id": k.id,
            "organizationId": k.organization_id,
            "name": k.name,
            "scopes": k.scopes,
            "createdAt": ts(k.created_at),
            "expiresAt": ots(k.expires_at),
            "revokedAt": ots(k.revoked_at),
            "lastUsedAt": ots(k.last_used_at),
        })
    })
    .await
}

async fn exports<C: ConnectionTrait>(db: &C, user_id: Uuid) -> Result<Value, DbErr> {
    let found = data_export::Entity::find()
        .filter(data_export::Column::UserId.eq(user_id))
        .order_by_asc(data_export::Column::RequestedAt);
    listed(db, found, |e| {
        json!({
            "requestedAt": ts(e.requested_at),
            "readyAt": ots(e.ready_at),
            "downloadedAt": ots(e.downloaded_at),
            "expiresAt": ts(e.expires_at),
        })
    })
    .await
}

/// Every couple the member was ever in, with its shared data as they see it.
async fn couples<C: ConnectionTrait>(db: &C, user_id: Uuid) -> Result<Value, DbErr> {
    let memberships = couple_member::Entity::find()
        .filter(couple_member::Column::UserId.eq(user_id))
        .order_by_asc(couple_member::Column::JoinedAt);
    let mut out = Vec::new();
    for membership in rows(db, memberships).await? {
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
    let plans = rows(
        db,
        plan::Entity::find()
            .filter(plan::Column::CoupleId.eq(couple_id))
            .order_by_asc(plan::Column::CreatedAt),
    )
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
    let answers = rows(
        db,
        check_in::Entity::find()
            .filter(check_in::Column::CoupleId.eq(couple_id))
            .order_by_asc(check_in::Column::LocalDate)
            .order_by_asc(check_in::Column::AnsweredAt),
    )
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
