//! The `users` table: accounts.

use chrono::{DateTime, Utc};
use sea_orm::Set;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Lower-cased.
    #[sea_orm(unique)]
    pub email: String,
    pub password_hash: String,
    pub display_name: String,
    pub timezone: String,
    /// A BCP 47 tag: the language notifications and emails are worded in.
    pub locale: String,
    /// "HH:MM" local time, or none.
    pub quiet_hours_start: Option<String>,
    pub quiet_hours_end: Option<String>,
    pub role: String,
    pub disabled: bool,
    /// When the owner proved the address is theirs (by a link sent to it).
    pub email_verified_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// When the owner asked for the account to be deleted (none: not asked, or cancelled).
    pub deletion_requested_at: Option<DateTimeUtc>,
    /// When the grace period ends and the account is deleted.
    pub delete_after: Option<DateTimeUtc>,
    /// When the account was deleted: the row stays, anonymised, for what the partner keeps.
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    pub fn role(&self) -> Result<domain::account::Role, crate::BadRow> {
        crate::stored::parse("users", self.id, "role", &self.role)
    }

    /// The time zone the user's days and reminders are counted in.
    pub fn timezone(&self) -> Result<chrono_tz::Tz, crate::BadRow> {
        crate::stored::parse("users", self.id, "timezone", &self.timezone)
    }

    /// The window in which no reminder reaches the user, if they set one.
    pub fn quiet_hours(&self) -> Result<Option<domain::account::QuietHours>, crate::BadRow> {
        match (&self.quiet_hours_start, &self.quiet_hours_end) {
            (Some(start), Some(end)) => domain::account::QuietHours::parse(start, end)
                .map(Some)
                .map_err(|e| crate::BadRow::new("users", self.id, "quiet_hours_start", e)),
            (None, None) => Ok(None),
            _ => Err(crate::BadRow::new(
                "users",
                self.id,
                "quiet_hours_end",
                "one bound of the quiet hours is missing",
            )),
        }
    }
}

/// What a new account is made of; the email is already lower-cased, the password hashed.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub password_hash: String,
    pub display_name: String,
    pub timezone: String,
    pub locale: String,
    pub role: domain::account::Role,
}

/// Creates an account; a taken email violates [`crate::constraint::Unique::UserEmail`].
pub async fn create<C: ConnectionTrait>(
    db: &C,
    new: NewUser,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    let row = ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(new.email),
        password_hash: Set(new.password_hash),
        display_name: Set(new.display_name),
        timezone: Set(new.timezone),
        locale: Set(new.locale),
        quiet_hours_start: Set(None),
        quiet_hours_end: Set(None),
        role: Set(new.role.as_str().to_owned()),
        disabled: Set(false),
        email_verified_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        deletion_requested_at: Set(None),
        delete_after: Set(None),
        deleted_at: Set(None),
    };
    row.insert(db).await
}

pub async fn find_by_id<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

/// Looks an account up by an already lower-cased email.
/// The accounts with these IDs (in no particular order).
pub async fn by_ids<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> Result<Vec<Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Entity::find()
        .filter(Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await
}

pub async fn find_by_email<C: ConnectionTrait>(
    db: &C,
    email: &str,
) -> Result<Option<Model>, DbErr> {
    Entity::find().filter(Column::Email.eq(email)).one(db).await
}

/// The profile fields a member may change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ProfileChange {
    pub display_name: Option<String>,
    pub timezone: Option<String>,
    pub locale: Option<String>,
    /// `Some(None)` clears quiet hours.
    pub quiet_hours: Option<Option<(String, String)>>,
}

pub async fn update_profile<C: ConnectionTrait>(
    db: &C,
    user: Model,
    change: ProfileChange,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    let mut row: ActiveModel = user.into();
    if let Some(name) = change.display_name {
        row.display_name = Set(name);
    }
    if let Some(tz) = change.timezone {
        row.timezone = Set(tz);
    }
    if let Some(locale) = change.locale {
        row.locale = Set(locale);
    }
    if let Some(quiet) = change.quiet_hours {
        let (start, end) = quiet.map_or((None, None), |(s, e)| (Some(s), Some(e)));
        row.quiet_hours_start = Set(start);
        row.quiet_hours_end = Set(end);
    }
    row.updated_at = Set(now);
    row.update(db).await
}

pub async fn set_password_hash<C: ConnectionTrait>(
    db: &C,
    user: Model,
    password_hash: String,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    let mut row: ActiveModel = user.into();
    row.password_hash = Set(password_hash);
    row.updated_at = Set(now);
    row.update(db).await
}

/// Disables (or enables again) an account; answers the account, if it exists.
pub async fn set_disabled<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    disabled: bool,
) -> Result<Option<Model>, DbErr> {
    Entity::update_many()
        .col_expr(Column::Disabled, sea_orm::sea_query::Expr::value(disabled))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await?;
    find_by_id(db, id).await
}

/// Records that the owner proved `email` is theirs; only while it is still the account's
/// address. Answers the account.
pub async fn mark_email_verified<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    email: &str,
    now: DateTime<Utc>,
) -> Result<Option<Model>, DbErr> {
    Entity::update_many()
        .col_expr(
            Column::EmailVerifiedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(Column::Id.eq(id))
        .filter(Column::Email.eq(email))
        .exec(db)
        .await?;
    find_by_id(db, id).await
}

/// Which accounts an operator is looking for: text in the email address or display name,
/// a role, disabled or not. Every part is optional.
#[derive(Debug, Clone, Default)]
pub struct Search {
    pub text: Option<String>,
    pub role: Option<domain::account::Role>,
    pub disabled: Option<bool>,
}

/// One page of the accounts matching `search`, oldest first, paged in SQL.
pub async fn search<C: ConnectionTrait>(
    db: &C,
    search: &Search,
    request: &crate::page::PageRequest,
) -> Result<crate::page::Page<Model>, DbErr> {
    use sea_orm::ExprTrait;
    use sea_orm::sea_query::{Expr, Func, LikeExpr};
    let mut query = Entity::find();
    if let Some(text) = search
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        let escaped = text
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let pattern = || LikeExpr::new(format!("%{escaped}%")).escape('\\');
        query = query.filter(
            sea_orm::Condition::any()
                .add(Expr::expr(Func::lower(Expr::col(Column::Email))).like(pattern()))
                .add(Expr::expr(Func::lower(Expr::col(Column::DisplayName))).like(pattern())),
        );
    }
    if let Some(role) = search.role {
        query = query.filter(Column::Role.eq(role.as_str()));
    }
    if let Some(disabled) = search.disabled {
        query = query.filter(Column::Disabled.eq(disabled));
    }
    crate::page::by_uuid(db, query, Column::Id, request).await
}

/// Sets an account's role; answers the account, if it exists.
pub async fn set_role<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    role: domain::account::Role,
    now: DateTime<Utc>,
) -> Result<Option<Model>, DbErr> {
    Entity::update_many()
        .col_expr(Column::Role, sea_orm::sea_query::Expr::value(role.as_str()))
        .col_expr(Column::UpdatedAt, sea_orm::sea_query::Expr::value(now))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await?;
    find_by_id(db, id).await
}

/// Schedules the account's deletion for `delete_after`, unless it is already scheduled (then
/// the first schedule stands: asking again changes nothing). Answers the account.
pub async fn schedule_deletion<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    delete_after: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Option<Model>, DbErr> {
    use sea_orm::sea_query::Expr;
    Entity::update_many()
        .col_expr(Column::DeletionRequestedAt, Expr::value(now))
        .col_expr(Column::DeleteAfter, Expr::value(delete_after))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(id))
        .filter(Column::DeleteAfter.is_null())
        .filter(Column::DeletedAt.is_null())
        .exec(db)
        .await?;
    find_by_id(db, id).await
}

/// Calls off a scheduled deletion that has not happened yet. Answers the account.
pub async fn cancel_deletion<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<Model>, DbErr> {
    use sea_orm::sea_query::Expr;
    Entity::update_many()
        .col_expr(
            Column::DeletionRequestedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            Column::DeleteAfter,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(id))
        .filter(Column::DeletedAt.is_null())
        .exec(db)
        .await?;
    find_by_id(db, id).await
}

/// Accounts whose grace period is over at `now` and that are not deleted yet, oldest first.
pub async fn due_for_deletion<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    use sea_orm::{QueryOrder, QuerySelect};
    Entity::find()
        .filter(Column::DeleteAfter.lte(now))
        .filter(Column::DeletedAt.is_null())
        .order_by_asc(Column::DeleteAfter)
        .limit(limit)
        .all(db)
        .await
}

/// Strips an account of everything that was the person's: the address becomes one that
/// cannot receive mail (and frees theirs), the name a neutral one, the password unusable;
/// the account is disabled and marked deleted. Only the random ID stays, for the rows the
/// partner keeps for a while (see `data_rights::delete_account`).
pub async fn anonymise<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    use sea_orm::sea_query::Expr;
    Entity::update_many()
        .col_expr(Column::Email, Expr::value(deleted_email()))
        .col_expr(Column::PasswordHash, Expr::value(String::new()))
        .col_expr(Column::DisplayName, Expr::value(DELETED_NAME))
        .col_expr(Column::Timezone, Expr::value("UTC"))
        .col_expr(Column::QuietHoursStart, Expr::value(Option::<String>::None))
        .col_expr(Column::QuietHoursEnd, Expr::value(Option::<String>::None))
        .col_expr(
            Column::Role,
            Expr::value(domain::account::Role::Member.as_str()),
        )
        .col_expr(Column::Disabled, Expr::value(true))
        .col_expr(
            Column::EmailVerifiedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .col_expr(Column::DeletedAt, Expr::value(now))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// The name a deleted account shows where its partner still sees it.
pub const DELETED_NAME: &str = "Deleted member";

/// The address a deleted account is left with: unique (random, not derived from anything of
/// the account), and in a domain that never receives mail (RFC 2606).
pub fn deleted_email() -> String {
    format!("deleted-{}@deleted.invalid", Uuid::new_v4().simple())
}
