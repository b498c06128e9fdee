# Rekindle's messages in English: the complete set, and the fallback for every other locale.
# Each message of this file must be in every other shipped locale's file too (a test checks).
# Variables: $ritual (a ritual's title), $who (a member's display name), $link (a one-time
# link), $organization (an organization's name).

## Notifications: stored per member, shown in the app and sent as push.

ritual-reminder-title = Time for { $ritual }
ritual-reminder-body = A few minutes together now keeps the streak going.

partner-completed-title = { $who } did { $ritual }
partner-completed-body = Your partner logged a ritual you share.

partner-checked-in-title = { $who } answered today's check-in
partner-checked-in-body-both = You have both answered: see each other's answers.
partner-checked-in-body-yours = Answer yours to see each other's.

weekly-summary-title = Your week together
weekly-summary-body = See what you planned, what you did and what to try next.

data-export-title = Your data is ready
data-export-body = Download it with the link you were given, once, before it expires.

## Emails.

email-reset-subject = Reset your Rekindle password
email-reset-body =
    Someone asked to reset the password of your Rekindle account.

    To choose a new one, open this link within an hour:
    { $link }

    If it was not you, ignore this email: your password stays as it is.

email-verify-subject = Confirm your email for Rekindle
email-verify-body =
    To confirm this is your email for Rekindle, open this link within a day:
    { $link }

email-coach-invite-subject = Join your team on Rekindle
email-coach-invite-body =
    { $organization } invites you to coach with them on Rekindle.

    To accept, open this link within a week:
    { $link }
