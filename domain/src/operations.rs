//! What operators may do to accounts: the rules, without I/O.

use crate::account::Role;

/// Where an account stands, as an operator's change must weigh it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub role: Role,
    /// Whether it is a member of a couple now.
    pub in_couple: bool,
    /// Whether it belongs to an organization (coaches only).
    pub in_organization: bool,
    /// Whether it is the operator's own account.
    pub own: bool,
}

/// Why an operator's change to an account is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Operators do not change their own role or disable themselves: another operator must,
    /// so that nobody locks the last operator out by a slip.
    OwnAccount,
    /// Coaches and operators take part in no couple: the member leaves it first.
    InCouple,
    /// A coach belongs to an organization: they leave it first.
    InOrganization,
}

impl Refusal {
    pub fn message(self) -> &'static str {
        match self {
            Refusal::OwnAccount => "operators cannot do this to their own account; ask another",
            Refusal::InCouple => {
                "that account is in a couple, and coaches and operators cannot be; it must leave the couple first"
            }
            Refusal::InOrganization => {
                "that coach belongs to an organization; they must leave it before changing role"
            }
        }
    }
}

/// Whether an account in `standing` may be given `role`; `Ok(false)` when it has it already.
pub fn change_role(standing: Standing, role: Role) -> Result<bool, Refusal> {
    if standing.own {
        return Err(Refusal::OwnAccount);
    }
    if standing.role == role {
        return Ok(false);
    }
    if role != Role::Member && standing.in_couple {
        return Err(Refusal::InCouple);
    }
    if standing.in_organization {
        return Err(Refusal::InOrganization);
    }
    Ok(true)
}

/// Whether an account may be disabled by this operator.
pub fn disable(standing: Standing) -> Result<(), Refusal> {
    if standing.own {
        Err(Refusal::OwnAccount)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member() -> Standing {
        Standing {
            role: Role::Member,
            in_couple: false,
            in_organization: false,
            own: false,
        }
    }

    #[test]
    fn a_free_member_may_become_coach_or_operator() {
        assert_eq!(change_role(member(), Role::Coach), Ok(true));
        assert_eq!(change_role(member(), Role::Admin), Ok(true));
        assert_eq!(change_role(member(), Role::Member), Ok(false));
    }

    #[test]
    fn a_member_in_a_couple_stays_a_member() {
        let coupled = Standing {
            in_couple: true,
            ..member()
        };
        assert_eq!(change_role(coupled, Role::Coach), Err(Refusal::InCouple));
        assert_eq!(change_role(coupled, Role::Admin), Err(Refusal::InCouple));
        assert_eq!(change_role(coupled, Role::Member), Ok(false));
    }

    #[test]
    fn a_coach_of_an_organization_keeps_the_role() {
        let coach = Standing {
            role: Role::Coach,
            in_organization: true,
            ..member()
        };
        assert_eq!(
            change_role(coach, Role::Member),
            Err(Refusal::InOrganization)
        );
        assert_eq!(change_role(coach, Role::Coach), Ok(false));
        let free = Standing {
            in_organization: false,
            ..coach
        };
        assert_eq!(change_role(free, Role::Member), Ok(true));
    }

    #[test]
    fn operators_leave_their_own_account_to_others() {
        let me = Standing {
            role: Role::Admin,
            own: true,
            ..member()
        };
        assert_eq!(change_role(me, Role::Member), Err(Refusal::OwnAccount));
        assert_eq!(change_role(me, Role::Admin), Err(Refusal::OwnAccount));
        assert_eq!(disable(me), Err(Refusal::OwnAccount));
        assert_eq!(disable(member()), Ok(()));
    }
}
