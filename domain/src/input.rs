//! Why an input was refused. Every BAD_USER_INPUT error names the input field it is about
//! (`extensions.field`, a path such as `input.schedule.localTime`) and one of these stable
//! reasons (`extensions.reason`), so that a form can put the error beside its field and word
//! it in its own language. The message stays for people reading logs.

/// A stable reason for refusing an input value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    Required,
    TooShort,
    TooLong,
    TooFew,
    TooMany,
    OutOfRange,
    NotADate,
    NotATime,
    NotATimeZone,
    NotAnEmail,
    NotAnId,
    BadFormat,
    BadCharacters,
    WrongType,
    NotOneOf,
    UnknownField,
    Duplicate,
    Incompatible,
    TooCommon,
    InvalidToken,
    AddressRefused,
    NotSupported,
    NotNow,
    ChangesCursorExpired,
}

impl Reason {
    /// Every reason, in the order of the documentation's table.
    pub const ALL: [Reason; 24] = [
        Reason::Required,
        Reason::TooShort,
        Reason::TooLong,
        Reason::TooFew,
        Reason::TooMany,
        Reason::OutOfRange,
        Reason::NotADate,
        Reason::NotATime,
        Reason::NotATimeZone,
        Reason::NotAnEmail,
        Reason::NotAnId,
        Reason::BadFormat,
        Reason::BadCharacters,
        Reason::WrongType,
        Reason::NotOneOf,
        Reason::UnknownField,
        Reason::Duplicate,
        Reason::Incompatible,
        Reason::TooCommon,
        Reason::InvalidToken,
        Reason::AddressRefused,
        Reason::NotSupported,
        Reason::NotNow,
        Reason::ChangesCursorExpired,
    ];

    /// The code clients match on.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Required => "REQUIRED",
            Reason::TooShort => "TOO_SHORT",
            Reason::TooLong => "TOO_LONG",
            Reason::TooFew => "TOO_FEW",
            Reason::TooMany => "TOO_MANY",
            Reason::OutOfRange => "OUT_OF_RANGE",
            Reason::NotADate => "NOT_A_DATE",
            Reason::NotATime => "NOT_A_TIME",
            Reason::NotATimeZone => "NOT_A_TIME_ZONE",
            Reason::NotAnEmail => "NOT_AN_EMAIL",
            Reason::NotAnId => "NOT_AN_ID",
            Reason::BadFormat => "BAD_FORMAT",
            Reason::BadCharacters => "BAD_CHARACTERS",
            Reason::WrongType => "WRONG_TYPE",
            Reason::NotOneOf => "NOT_ONE_OF",
            Reason::UnknownField => "UNKNOWN_FIELD",
            Reason::Duplicate => "DUPLICATE",
            Reason::Incompatible => "INCOMPATIBLE",
            Reason::TooCommon => "TOO_COMMON",
            Reason::InvalidToken => "INVALID_TOKEN",
            Reason::AddressRefused => "ADDRESS_REFUSED",
            Reason::NotSupported => "NOT_SUPPORTED",
            Reason::NotNow => "NOT_NOW",
            Reason::ChangesCursorExpired => "CHANGES_CURSOR_EXPIRED",
        }
    }
}

/// Why text of `len` characters (after trimming) is refused where `max` is its limit: empty or
/// too long; `None` when its length is fine.
pub fn length_reason(len: usize, max: usize) -> Option<Reason> {
    if len == 0 {
        Some(Reason::Required)
    } else if len > max {
        Some(Reason::TooLong)
    } else {
        None
    }
}

/// A refused input that knows which field of its input object it is about (a name such as
/// `localTime`, relative to the object) and why. The API puts the name under the object's
/// path.
pub trait Refusal: std::fmt::Display {
    fn field(&self) -> &'static str;
    fn reason(&self) -> Reason;
}

impl Refusal for crate::text::TextError {
    /// Text errors are about whatever text was checked: the caller names the field.
    fn field(&self) -> &'static str {
        ""
    }

    fn reason(&self) -> Reason {
        Reason::BadCharacters
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_is_listed_once_with_its_own_code() {
        let codes: std::collections::HashSet<&str> =
            Reason::ALL.iter().map(|r| r.as_str()).collect();
        assert_eq!(codes.len(), Reason::ALL.len());
        for reason in Reason::ALL {
            let code = reason.as_str();
            assert!(
                code.chars().all(|c| c.is_ascii_uppercase() || c == '_'),
                "{code}"
            );
        }
    }
}
