//! Account inputs, parsed into types that can only hold valid values.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveTime;
use serde::{Deserialize, Serialize};

use crate::input::{Reason, Refusal};

/// An email address, trimmed and lower-cased: emails are unique regardless of case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

/// The longest email accepted, in bytes (RFC 5321's path limit).
pub const MAX_EMAIL_BYTES: usize = 254;

impl Email {
    /// Checks the address with the `email_address` crate (RFC 5322's addr-spec), and asks
    /// for a dotted domain: an address on a bare host name cannot receive our mail.
    pub fn parse(raw: &str) -> Result<Self, AccountError> {
        let email = raw.trim().to_lowercase();
        let invalid = || AccountError::InvalidEmail;
        if email.len() > MAX_EMAIL_BYTES {
            return Err(invalid());
        }
        let options = email_address::Options::default()
            .without_display_text()
            .without_domain_literal();
        let parsed = email_address::EmailAddress::parse_with_options(&email, options)
            .map_err(|_| invalid())?;
        let domain = parsed.domain();
        if !domain.contains('.') || domain.ends_with('.') {
            return Err(invalid());
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// The longest password accepted (hashing cost grows with length).
pub const MAX_PASSWORD_CHARS: usize = 256;

/// Passwords of at least ten characters that attackers try first; compared ignoring case.
const COMMON_PASSWORDS: &[&str] = &[
    "0987654321",
    "1111111111",
    "1122334455",
    "1234512345",
    "1234567890",
    "12345678910",
    "123456789a",
    "1234567890a",
    "1q2w3e4r5t",
    "1q2w3e4r5t6y",
    "1qaz2wsx3edc",
    "a1234567890",
    "abc1234567",
    "abcd123456",
    "abcdefghij",
    "asdfghjkl1",
    "asdfghjkl;",
    "baseball123",
    "changeme123",
    "football12",
    "football123",
    "iloveyou12",
    "iloveyou123",
    "letmein123",
    "liverpool1",
    "mypassword",
    "mypassword1",
    "passw0rd12",
    "password01",
    "password12",
    "password123",
    "password1234",
    "password12345",
    "password!1",
    "princess12",
    "q1w2e3r4t5",
    "qazwsxedc1",
    "qazwsxedcrfv",
    "qwerty1234",
    "qwerty12345",
    "qwerty123456",
    "qwertyuiop",
    "qwertyuiop1",
    "starwars12",
    "sunshine12",
    "superman12",
    "trustno1234",
    "welcome123",
    "welcome1234",
    "zaq12wsxcde",
    "zxcvbnm123",
    "zxcvbnmasd",
    "0000000000",
    "9876543210",
    "aaaaaaaaaa",
    "administrator",
    "rekindle123",
    "rekindle1234",
    "loveyou1234",
];

/// A password that passed the policy; it never prints.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub fn parse(raw: &str) -> Result<Self, AccountError> {
        let chars = raw.chars().count();
        if chars < MIN_PASSWORD_CHARS {
            return Err(AccountError::PasswordTooShort);
        }
        if chars > MAX_PASSWORD_CHARS {
            return Err(AccountError::PasswordTooLong);
        }
        let lower = raw.to_lowercase();
        let one_repeated = lower.chars().all(|c| lower.starts_with(c));
        if one_repeated || COMMON_PASSWORDS.contains(&lower.as_str()) {
            return Err(AccountError::PasswordTooCommon);
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password([redacted])")
    }
}

/// A display name: 1 to 60 characters after trimming, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(raw: &str) -> Result<Self, AccountError> {
        let name = raw.trim();
        let len = name.chars().count();
        if let Some(reason) = crate::input::length_reason(len, 60) {
            return Err(AccountError::InvalidDisplayName(reason));
        }
        if crate::text::check_line(name).is_err() {
            return Err(AccountError::InvalidDisplayName(Reason::BadCharacters));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An IANA time zone name such as `Europe/London`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timezone(chrono_tz::Tz);

impl Timezone {
    pub fn parse(raw: &str) -> Result<Self, AccountError> {
        chrono_tz::Tz::from_str(raw.trim())
            .map(Self)
            .map_err(|_| AccountError::InvalidTimezone(raw.to_owned()))
    }

    pub fn tz(self) -> chrono_tz::Tz {
        self.0
    }

    pub fn name(self) -> &'static str {
        self.0.name()
    }
}

/// The member's role; nobody becomes coach or admin through the public API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Member,
    Coach,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Coach => "coach",
            Role::Admin => "admin",
        }
    }
}

impl FromStr for Role {
    type Err = AccountError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "member" => Ok(Role::Member),
            "coach" => Ok(Role::Coach),
            "admin" => Ok(Role::Admin),
            other => Err(AccountError::UnknownRole(other.to_owned())),
        }
    }
}

/// A daily window in which no reminder fires, in the member's local time. It may run past
/// midnight (22:00 to 07:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl QuietHours {
    /// Parses "HH:MM" bounds; equal bounds would mean no window or all day, so they are refused.
    pub fn parse(start: &str, end: &str) -> Result<Self, AccountError> {
        let bound = |field: &'static str, raw: &str| {
            parse_hhmm(raw).map_err(|_| AccountError::InvalidQuietTime(field, raw.to_owned()))
        };
        let start = bound("start", start)?;
        let end = bound("end", end)?;
        if start == end {
            return Err(AccountError::EmptyQuietHours);
        }
        Ok(Self { start, end })
    }

    /// Whether a local time falls inside the window (start inclusive, end exclusive).
    pub fn contains(&self, time: NaiveTime) -> bool {
        if self.start < self.end {
            self.start <= time && time < self.end
        } else {
            time >= self.start || time < self.end
        }
    }
}

/// Parses "HH:MM" on a 24-hour clock.
pub fn parse_hhmm(raw: &str) -> Result<NaiveTime, AccountError> {
    let valid_shape = raw.len() == 5 && raw.as_bytes()[2] == b':';
    valid_shape
        .then(|| NaiveTime::parse_from_str(raw, "%H:%M").ok())
        .flatten()
        .ok_or_else(|| AccountError::InvalidTime(raw.to_owned()))
}

/// Formats a time as "HH:MM".
pub fn format_hhmm(time: NaiveTime) -> String {
    time.format("%H:%M").to_string()
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    #[error("that is not a valid email address")]
    InvalidEmail,
    #[error("a password needs at least {MIN_PASSWORD_CHARS} characters")]
    PasswordTooShort,
    #[error("a password has at most {MAX_PASSWORD_CHARS} characters")]
    PasswordTooLong,
    #[error("that password is too common; choose one that is harder to guess")]
    PasswordTooCommon,
    #[error(
        "a display name has 1 to 60 visible characters, without control or text-direction characters"
    )]
    InvalidDisplayName(Reason),
    #[error("`{0}` is not an IANA time zone name such as Europe/London")]
    InvalidTimezone(String),
    #[error("`{0}` is not a role")]
    UnknownRole(String),
    #[error("`{0}` is not a time of day as HH:MM")]
    InvalidTime(String),
    #[error("`{1}` is not a time of day as HH:MM")]
    InvalidQuietTime(&'static str, String),
    #[error("quiet hours must start and end at different times")]
    EmptyQuietHours,
}

impl Refusal for AccountError {
    fn field(&self) -> &'static str {
        match self {
            AccountError::InvalidEmail => "email",
            AccountError::PasswordTooShort
            | AccountError::PasswordTooLong
            | AccountError::PasswordTooCommon => "password",
            AccountError::InvalidDisplayName(_) => "displayName",
            AccountError::InvalidTimezone(_) => "timezone",
            AccountError::UnknownRole(_) => "role",
            AccountError::InvalidTime(_) => "localTime",
            AccountError::InvalidQuietTime(field, _) => field,
            AccountError::EmptyQuietHours => "end",
        }
    }

    fn reason(&self) -> Reason {
        match self {
            AccountError::InvalidEmail => Reason::NotAnEmail,
            AccountError::PasswordTooShort => Reason::TooShort,
            AccountError::PasswordTooLong => Reason::TooLong,
            AccountError::PasswordTooCommon => Reason::TooCommon,
            AccountError::InvalidDisplayName(reason) => *reason,
            AccountError::InvalidTimezone(_) => Reason::NotATimeZone,
            AccountError::UnknownRole(_) => Reason::NotOneOf,
            AccountError::InvalidTime(_) | AccountError::InvalidQuietTime(..) => Reason::NotATime,
            AccountError::EmptyQuietHours => Reason::Incompatible,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_case_insensitive_and_checked() {
        assert_eq!(
            Email::parse("  Ana@Example.COM ").unwrap().as_str(),
            "ana@example.com"
        );
        for bad in [
            "",
            "ana",
            "ana@",
            "@example.com",
            "ana@example",
            "a b@example.com",
            "ana@ex..com",
        ] {
            assert_eq!(Email::parse(bad), Err(AccountError::InvalidEmail), "{bad}");
        }
    }

    #[test]
    fn passwords_must_be_long_and_uncommon() {
        assert!(Password::parse("correct horse battery").is_ok());
        assert_eq!(
            Password::parse("short").unwrap_err(),
            AccountError::PasswordTooShort
        );
        assert_eq!(
            Password::parse("Password123").unwrap_err(),
            AccountError::PasswordTooCommon
        );
        assert_eq!(
            Password::parse("zzzzzzzzzzzz").unwrap_err(),
            AccountError::PasswordTooCommon
        );
        assert!(
            !format!("{:?}", Password::parse("correct horse battery").unwrap()).contains("horse")
        );
    }

    #[test]
    fn timezones_are_iana_names() {
        assert_eq!(
            Timezone::parse("Europe/London").unwrap().name(),
            "Europe/London"
        );
        assert!(Timezone::parse("Mars/Olympus").is_err());
        assert!(Timezone::parse("GMT+25").is_err());
    }

    #[test]
    fn quiet_hours_may_wrap_past_midnight() {
        let night = QuietHours::parse("22:00", "07:00").unwrap();
        assert!(night.contains(parse_hhmm("23:30").unwrap()));
        assert!(night.contains(parse_hhmm("06:59").unwrap()));
        assert!(!night.contains(parse_hhmm("07:00").unwrap()));
        let nap = QuietHours::parse("13:00", "14:00").unwrap();
        assert!(nap.contains(parse_hhmm("13:00").unwrap()));
        assert!(!nap.contains(parse_hhmm("14:00").unwrap()));
        assert_eq!(
            QuietHours::parse("08:00", "08:00"),
            Err(AccountError::EmptyQuietHours)
        );
        assert!(parse_hhmm("8:00").is_err());
        assert!(parse_hhmm("24:00").is_err());
    }
}
