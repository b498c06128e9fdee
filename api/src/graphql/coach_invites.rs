//! Coaches join an organization by an emailed invitation its admins send: a single-use link
//! valid for a week, for that email only.

use async_graphql::{Context, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use domain::account::{DisplayName, Email, Password, Role};
use domain::input::Reason;
use domain::jobs::{AccountEmail, SendEmail};
use domain::organization::OrgRole;
use entities::organization::{self, invite};
use entities::user;

use crate::auth::{Caller, ClientInfo, policy, secret_token};
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

fn invalid_link() -> ApiError {
    ApiError::invalid(
        "input.token",
        Reason::InvalidToken,
        "the invitation is invalid, was used already or has expired",
    )
}

/// Whom to invite.
#[derive(InputObject)]
pub struct InviteCoachInput {
    /// The coach's email; only an account with it may accept.
    pub email: String,
}

/// The invitation sent.
#[derive(SimpleObject)]
pub struct InviteCoachPayload {
    /// Where it went.
    pub email: String,
    /// Until when its link works.
    pub expires_at: DateTime<Utc>,
}

/// The token of the invitation, and for someone without an account, the account to make.
#[derive(InputObject)]
pub struct AcceptCoachInviteInput {
    /// The `token` of the link in the email.
    pub token: String,
    /// Without an account yet: the name to coach under.
    pub display_name: Option<String>,
    /// Without an account yet: the password to sign in with (at least 10 characters).
    pub password: Option<String>,
}

/// The organization joined.
#[derive(SimpleObject)]
pub struct AcceptCoachInvitePayload {
    /// Its name.
    pub organization_name: String,
    /// The coach account's email (sign in with it when the account was just made).
    pub email: String,
}

#[derive(Default)]
pub struct CoachInviteMutation;

#[Object]
impl CoachInviteMutation {
    /// An organization's admins only: emails a coach a link to join it (valid for a week).
    async fn invite_coach(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `InviteCoachInput`.")]
        input: InviteCoachInput,
    ) -> Result<InviteCoachPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let client = ctx.data::<ClientInfo>()?;
        let (org, admin) = policy::managed_organization(state, caller).await?;
        let email = Email::parse(&input.email)?;
        state
            .limiter
            .attempt("coach_invite", email.as_str(), client.ip)
            .await?;
        // The link's secret is made by the worker when it sends the email; until then the
        // invitation holds the digest of a secret nobody has.
        let mut write = state.writer.begin(state.clock.now()).await?;
        let row = invite::create(
            &*write,
            org.organization().id,
            email.as_str(),
            secret_token::digest(&secret_token::new_secret()),
            admin.id,
            write.now(),
        )
        .await?;
        write.job(SendEmail {
            email: AccountEmail::CoachInvite { invite_id: row.id },
        })?;
        write.commit().await?;
        Ok(InviteCoachPayload {
            email: row.email,
            expires_at: row.expires_at,
        })
    }

    /// Joins the organization an invitation is from. Signed in: the account must have the
    /// invited email and be a coach in no organization. Not signed in: no account may have
    /// the email yet, and a coach account is made with `displayName` and `password`.
    async fn accept_coach_invite(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `AcceptCoachInviteInput`.")]
        input: AcceptCoachInviteInput,
    ) -> Result<AcceptCoachInvitePayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        // What is given is checked before the invitation is looked up.
        let name = input
            .display_name
            .as_deref()
            .map(DisplayName::parse)
            .transpose()?;
        let password = input.password.as_deref().map(Password::parse).transpose()?;
        let now = state.clock.now();
        let hash = secret_token::digest(input.token.trim());
        let found = organization::invite_by_token(&state.db, &hash)
            .await?
            .filter(|i| i.is_open(now))
            .ok_or_else(invalid_link)?;
        let existing = user::find_by_email(&state.db, &found.email).await?;
        // The account that will coach: the caller's, or one made now.
        let new_account = match (&caller.user, existing) {
            (Some(user), _) if user.account.email != found.email => {
                return Err(ApiError::new(
                    ErrorCode::Forbidden,
                    "this invitation is for another email",
                ));
            }
            (Some(user), _) if user.role != Role::Coach => {
                return Err(ApiError::invalid(
                    "input.token",
                    Reason::NotNow,
                    "a member or administrator account cannot coach; accept without signing in to make a coach account (with another email)",
                ));
            }
            (Some(_), _) => None,
            (None, Some(_)) => {
                return Err(ApiError::new(
                    ErrorCode::Unauthenticated,
                    "an account has this email: sign in with it to accept",
                ));
            }
            (None, None) => {
                let name = match name {
                    Some(name) => name,
                    None => DisplayName::parse("")?,
                };
                let password = match password {
                    Some(password) => password,
                    None => Password::parse("")?,
                };
                let hash = state.hasher.hash(password.expose()).await?;
                Some(user::NewUser {
                    email: found.email.clone(),
                    password_hash: hash,
                    display_name: name.as_str().to_owned(),
                    timezone: "UTC".to_owned(),
                    locale: domain::messages::DEFAULT_LOCALE.to_owned(),
                    role: Role::Coach,
                })
            }
        };
        let write = state.writer.begin(now).await?;
        let coach_id = match new_account {
            Some(new) => user::create(&*write, new, now).await?.id,
            None => policy::require_user(caller)?.id,
        };
        if organization::member::of_user(&*write, coach_id)
            .await?
            .is_some()
        {
            return Err(ApiError::conflict("you already coach with an organization"));
        }
        invite::accept(&*write, &hash, now)
            .await?
            .ok_or_else(invalid_link)?;
        organization::member::add(
            &*write,
            found.organization_id,
            coach_id,
            OrgRole::Coach,
            now,
        )
        .await?;
        let org = organization::find(&*write, found.organization_id)
            .await?
            .ok_or_else(invalid_link)?;
        write.commit().await?;
        Ok(AcceptCoachInvitePayload {
            organization_name: org.name,
            email: found.email,
        })
    }
}
