//! The archive of everything of one member: their account and what only they see, and each
//! couple they were ever in with its shared data as they see it (a partner's private notes,
//! unrevealed check-in answers and unshared results never; a partner's email, sessions and
//! notifications never).

mod couples;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::{QueryOrder, Select};
use serde_json::{Value, json};

use crate::{
    access, api_key, assessment, data_export, email_token, notification, notification_settings,
    organization, reminder, session, user,
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

/// The rows `query` finds, each as `shown` puts it, as a JSON array.
async fn listed<E: EntityTrait, C: ConnectionTrait>(
    db: &C,
    query: Select<E>,
    shown: impl Fn(&E::Model) -> Value,
) -> Result<Value, DbErr> {
    Ok(query.all(db).await?.iter().map(shown).collect())
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
        ("pushDevices", push_devices(db, user_id).await?),
        (
            "coachConversations",
            coach_conversations(db, user_id).await?,
        ),
        ("couples", couples::couples(db, user_id).await?),
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
        "locale": u.locale,
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
    let muted: Vec<Value> = muted
        .all(db)
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
    for m in memberships.all(db).await? {
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

async fn push_devices<C: ConnectionTrait>(db: &C, user_id: Uuid) -> Result<Value, DbErr> {
    let found = crate::push_device::Entity::find()
        .filter(crate::push_device::Column::UserId.eq(user_id))
        .order_by_asc(crate::push_device::Column::Id);
    listed(db, found, |d| {
        json!({
            "platform": d.platform,
            "appId": d.app_id,
            "locale": d.locale,
            "createdAt": ts(d.created_at),
            "lastPushedAt": ots(d.last_pushed_at),
        })
    })
    .await
}

async fn coach_conversations<C: ConnectionTrait>(db: &C, user_id: Uuid) -> Result<Value, DbErr> {
    use crate::{coach_conversation as conversation, coach_message as message};
    let conversations = conversation::Entity::find()
        .filter(conversation::Column::UserId.eq(user_id))
        .order_by_asc(conversation::Column::Id)
        .all(db)
        .await?;
    let messages = message::Entity::find()
        .filter(message::Column::UserId.eq(user_id))
        .order_by_asc(message::Column::Id)
        .all(db)
        .await?;
    Ok(Value::Array(
        conversations
            .into_iter()
            .map(|c| {
                let of_it: Vec<Value> = messages
                    .iter()
                    .filter(|m| m.conversation_id == c.id)
                    .map(|m| {
                        json!({
                            "author": m.author,
                            "text": m.fallback_text.as_ref().filter(|_| m.is_writing()).unwrap_or(&m.text),
                            "engine": m.engine,
                            "fallbackReason": m.fallback_reason,
                            "safetyConcern": m.safety_concern,
                            "tokensIn": m.tokens_in,
                            "tokensOut": m.tokens_out,
                            "createdAt": ts(m.created_at),
                        })
                    })
                    .collect();
                json!({
                    "createdAt": ts(c.created_at),
                    "updatedAt": ts(c.updated_at),
                    "safetyConcern": c.safety_concern,
                    "messages": of_it,
                })
            })
            .collect(),
    ))
}
