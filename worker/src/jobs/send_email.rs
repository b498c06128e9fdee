//! The emails accounts get: a password-reset link, an email-verification link, an
//! invitation to coach. The secret in each link is made here, when the message goes out, and
//! stored only as a digest; a message that cannot be sent is tried again like any job, then
//! dead-lettered (its payload holds no secret).

use chrono::Duration;
use domain::jobs::{AccountEmail, SendEmail};
use entities::{email_token, organization, user};
use runtime::secret_token;

use super::{Failure, Perform};
use crate::JobState;

/// How long a password-reset link works.
const RESET_TTL: Duration = Duration::hours(1);
/// How long a verification link works.
const VERIFY_TTL: Duration = Duration::hours(24);

/// A message ready to go.
struct Letter {
    to: String,
    subject: String,
    body: String,
}

impl Letter {
    /// The message `<kind>-subject` and `<kind>-body` say to `to` in `locale`, with `args`.
    fn worded(
        state: &JobState,
        to: String,
        locale: &str,
        kind: &str,
        args: &[(&str, &str)],
    ) -> Self {
        let say = |part: &str| state.messages.text(locale, &format!("{kind}-{part}"), args);
        Self {
            subject: say("subject"),
            body: say("body"),
            to,
        }
    }
}

impl Perform for SendEmail {
    async fn perform(&self, state: &JobState) -> Result<(), Failure> {
        let letter = match &self.email {
            AccountEmail::PasswordReset { email } => password_reset(state, email).await?,
            AccountEmail::EmailVerification { user_id } => verification(state, *user_id).await?,
            AccountEmail::CoachInvite { invite_id } => coach_invite(state, *invite_id).await?,
        };
        // Nobody to write to (no such account, verified already, invitation gone): done.
        let Some(letter) = letter else {
            return Ok(());
        };
        state
            .mailer
            .send(&letter.to, &letter.subject, letter.body)
            .await
            .map_err(Failure::Transient)
    }
}

/// A new single-use link to the app's `page` for `purpose`, for the account's email and valid
/// for `ttl`: its token is stored only as a digest.
async fn email_link(
    state: &JobState,
    account: &user::Model,
    (purpose, page): (&str, &str),
    ttl: Duration,
) -> Result<String, Failure> {
    let token = secret_token::new_secret();
    let now = state.clock.now();
    email_token::create(
        &state.db,
        purpose,
        secret_token::digest(&token),
        account.id,
        &account.email,
        now,
        now + ttl,
    )
    .await?;
    Ok(state.mailer.link(page, &token))
}

async fn password_reset(state: &JobState, email: &str) -> Result<Option<Letter>, Failure> {
    let Some(account) = user::find_by_email(&state.db, email)
        .await?
        .filter(|a| !a.disabled)
    else {
        return Ok(None);
    };
    let link = email_link(
        state,
        &account,
        (email_token::PASSWORD_RESET, "reset-password"),
        RESET_TTL,
    )
    .await?;
    Ok(Some(Letter::worded(
        state,
        account.email,
        &account.locale,
        "email-reset",
        &[("link", link.as_str())],
    )))
}

async fn verification(state: &JobState, user_id: uuid::Uuid) -> Result<Option<Letter>, Failure> {
    let Some(account) = user::find_by_id(&state.db, user_id)
        .await?
        .filter(|a| !a.disabled && a.email_verified_at.is_none())
    else {
        return Ok(None);
    };
    let link = email_link(
        state,
        &account,
        (email_token::EMAIL_VERIFICATION, "verify-email"),
        VERIFY_TTL,
    )
    .await?;
    Ok(Some(Letter::worded(
        state,
        account.email,
        &account.locale,
        "email-verify",
        &[("link", link.as_str())],
    )))
}

async fn coach_invite(state: &JobState, invite_id: uuid::Uuid) -> Result<Option<Letter>, Failure> {
    let now = state.clock.now();
    let Some(invite) = organization::invite::find(&state.db, invite_id)
        .await?
        .filter(|i| i.is_open(now))
    else {
        return Ok(None);
    };
    let Some(org) = organization::find(&state.db, invite.organization_id).await? else {
        return Ok(None);
    };
    let token = secret_token::new_secret();
    organization::invite::set_token(&state.db, invite.id, secret_token::digest(&token)).await?;
    let link = state.mailer.link("accept-coach-invite", &token);
    // Worded in the language of the account the address has, if it has one.
    let locale = user::find_by_email(&state.db, &invite.email)
        .await?
        .map_or_else(|| domain::messages::DEFAULT_LOCALE.to_owned(), |u| u.locale);
    Ok(Some(Letter::worded(
        state,
        invite.email,
        &locale,
        "email-coach-invite",
        &[("organization", org.name.as_str()), ("link", link.as_str())],
    )))
}
