//! Deleting an account for good: what the member leaves behind is only what uncoupling lets the
//! partner keep, and nothing of it names them.

use chrono::{DateTime, Duration, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::Expr;

use domain::notification::{AboutPartner, Kind};

use super::COUPLE_KIND;
use crate::change::{self, Action, Audience, NewChange};
use crate::{
    access, api_key, assessment, check_in, completion, couple, couple_member, data_export,
    email_token, idempotency_key, notification, notification_settings, organization, refresh_token,
    reminder, session, suggestion, user,
};

/// Deletes the account `user_id` for good, in one transaction (pass one): it leaves its
/// couple as `leaveCouple` does (the partner keeps the shared data for
/// `shared_data_retention` and is told the couple changed; a couple nobody else ever joined
/// loses its shared data at once), and everything that was only the member's is deleted or
/// no longer names them; the account row stays, anonymised, for what the partner keeps.
/// Answers false when there was nothing to delete (no such account, or already deleted):
/// running it again changes nothing.
pub async fn delete_account<C: ConnectionTrait + sea_orm::TransactionTrait>(
    db: &C,
    user_id: Uuid,
    shared_data_retention: Duration,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let Some(account) = user::find_by_id(db, user_id).await? else {
        return Ok(false);
    };
    if account.deleted_at.is_some() {
        return Ok(false);
    }
    let changes = leave_couples(db, user_id, now + shared_data_retention, now).await?;
    unname_in_partners_notifications(db, &account).await?;
    forget(db, user_id).await?;
    user::anonymise(db, user_id, now).await?;
    // Last: on PostgreSQL it holds the feed's lock until the transaction ends.
    change::record(db, &changes, now).await?;
    Ok(true)
}

/// Leaves every couple the member is still in, as uncoupling does; answers the changes the
/// partners are to hear of.
async fn leave_couples<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    delete_after: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Vec<NewChange>, DbErr> {
    let mut changes = Vec::new();
    let current = couple_member::Entity::find()
        .filter(couple_member::Column::UserId.eq(user_id))
        .filter(couple_member::Column::LeftAt.is_null())
        .all(db)
        .await?;
    for membership in current {
        let couple_id = membership.couple_id;
        let ever = couple_member::Entity::find()
            .filter(couple_member::Column::CoupleId.eq(couple_id))
            .all(db)
            .await?;
        let current = couple::uncouple(db, couple_id, delete_after, now).await?;
        changes.extend(
            current
                .into_iter()
                .filter(|&member| member != user_id)
                .map(|member| NewChange {
                    kind: COUPLE_KIND,
                    object_id: couple_id,
                    action: Action::Updated,
                    audience: Audience::Member(member),
                }),
        );
        if ever.iter().all(|m| m.user_id == user_id) {
            // Nobody else ever saw it: nothing is kept for anyone.
            couple::delete_shared_data(db, couple_id, now).await?;
        }
    }
    Ok(changes)
}

/// What partners were told about the member ("Ana did ...", "Ana answered today's check-in")
/// stays theirs, but no longer names her: the name becomes [`user::DELETED_NAME`]. Such a
/// notification is known by its dedupe key: one of her completions, or a check-in of a couple
/// she was in (its only other answerer being her partner).
async fn unname_in_partners_notifications<C: ConnectionTrait>(
    db: &C,
    account: &user::Model,
) -> Result<(), DbErr> {
    use std::collections::HashSet;
    let couples: Vec<Uuid> = couple_member::Entity::find()
        .filter(couple_member::Column::UserId.eq(account.id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.couple_id)
        .collect();
    if couples.is_empty() {
        return Ok(());
    }
    let partners: Vec<Uuid> = couple_member::Entity::find()
        .filter(couple_member::Column::CoupleId.is_in(couples.iter().copied()))
        .filter(couple_member::Column::UserId.ne(account.id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    if partners.is_empty() {
        return Ok(());
    }
    let completions: HashSet<Uuid> = completion::Entity::find()
        .filter(completion::Column::UserId.eq(account.id))
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    let told = notification::Entity::find()
        .filter(notification::Column::UserId.is_in(partners))
        .filter(notification::Column::Kind.is_in([
            Kind::PartnerCompleted.as_str(),
            Kind::PartnerCheckedIn.as_str(),
        ]))
        .all(db)
        .await?;
    for row in told {
        let about_her = match AboutPartner::of(&row.dedupe_key) {
            Some(AboutPartner::Completion(id)) => completions.contains(&id),
            Some(AboutPartner::CheckIn(couple)) => couples.contains(&couple),
            None => false,
        };
        let Some(rest) = row.title.strip_prefix(account.display_name.as_str()) else {
            continue;
        };
        if about_her {
            let title = format!("{}{rest}", user::DELETED_NAME);
            notification::Entity::update_many()
                .col_expr(notification::Column::Title, Expr::value(title))
                .filter(notification::Column::Id.eq(row.id))
                .exec(db)
                .await?;
        }
    }
    Ok(())
}

/// Deletes the member's own rows and stops the rows others keep from naming them.
async fn forget<C: ConnectionTrait>(db: &C, user_id: Uuid) -> Result<(), DbErr> {
    let sessions: Vec<Uuid> = session::Entity::find()
        .filter(session::Column::UserId.eq(user_id))
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    if !sessions.is_empty() {
        refresh_token::Entity::delete_many()
            .filter(refresh_token::Column::SessionId.is_in(sessions))
            .exec(db)
            .await?;
    }
    delete_where(db, session::Column::UserId, user_id).await?;
    delete_where(db, email_token::Column::UserId, user_id).await?;
    delete_where(db, notification::Column::UserId, user_id).await?;
    delete_where(db, reminder::Column::UserId, user_id).await?;
    delete_where(db, notification_settings::Column::UserId, user_id).await?;
    delete_where(db, notification_settings::muted::Column::UserId, user_id).await?;
    delete_where(db, assessment::Column::UserId, user_id).await?;
    delete_unrevealed_answers(db, user_id).await?;
    completion::Entity::update_many()
        .col_expr(
            completion::Column::Note,
            Expr::value(Option::<String>::None),
        )
        .filter(completion::Column::UserId.eq(user_id))
        .filter(completion::Column::NoteShared.eq(false))
        .exec(db)
        .await?;
    delete_where(db, access::grant::Column::UserId, user_id).await?;
    unname(db, access::event::Column::UserId, user_id).await?;
    delete_where(db, organization::member::Column::UserId, user_id).await?;
    unname(db, api_key::Column::CreatedBy, user_id).await?;
    unname(db, organization::invite::Column::InvitedBy, user_id).await?;
    unname(db, suggestion::Column::SuggestedBy, user_id).await?;
    unname(db, suggestion::Column::DecidedBy, user_id).await?;
    idempotency_key::Entity::delete_many()
        .filter(idempotency_key::Column::Owner.eq(format!("user:{user_id}")))
        .exec(db)
        .await?;
    // The member's own feed, and what the partner's feed says about the member's account.
    delete_where(db, change::Column::UserId, user_id).await?;
    delete_where(db, change::Column::ObjectId, user_id).await?;
    delete_where(db, data_export::Column::UserId, user_id).await?;
    delete_where(db, crate::push_device::Column::UserId, user_id).await?;
    delete_where(db, crate::coach_message::Column::UserId, user_id).await?;
    delete_where(db, crate::coach_conversation::Column::UserId, user_id).await?;
    Ok(())
}

/// Deletes the rows of `column`'s table whose `column` is `user_id`.
async fn delete_where<Col, C>(db: &C, column: Col, user_id: Uuid) -> Result<(), DbErr>
where
    Col: ColumnTrait,
    Col::EntityName: EntityTrait,
    C: ConnectionTrait,
{
    <Col::EntityName as EntityTrait>::delete_many()
        .filter(column.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Clears `column` (a nullable reference to an account) where it names `user_id`.
async fn unname<Col, C>(db: &C, column: Col, user_id: Uuid) -> Result<(), DbErr>
where
    Col: ColumnTrait,
    Col::EntityName: EntityTrait,
    C: ConnectionTrait,
{
    <Col::EntityName as EntityTrait>::update_many()
        .col_expr(column, Expr::value(Option::<Uuid>::None))
        .filter(column.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Deletes the member's check-in answers their partner has not seen (the partner had not
/// answered the same prompt that day); revealed answers are the couple's shared data.
async fn delete_unrevealed_answers<C: ConnectionTrait>(db: &C, user_id: Uuid) -> Result<(), DbErr> {
    let mine = check_in::Entity::find()
        .filter(check_in::Column::UserId.eq(user_id))
        .all(db)
        .await?;
    if mine.is_empty() {
        return Ok(());
    }
    let couples: Vec<Uuid> = mine.iter().map(|a| a.couple_id).collect();
    let others = check_in::Entity::find()
        .filter(check_in::Column::CoupleId.is_in(couples))
        .filter(check_in::Column::UserId.ne(user_id))
        .all(db)
        .await?;
    let unrevealed: Vec<Uuid> = mine
        .iter()
        .filter(|a| !super::answered_alike(&others, a))
        .map(|a| a.id)
        .collect();
    if !unrevealed.is_empty() {
        check_in::Entity::delete_many()
            .filter(check_in::Column::Id.is_in(unrevealed))
            .exec(db)
            .await?;
    }
    Ok(())
}
