//! The decisions the policy makes: values only `auth::policy` can build (their fields are
//! visible to it alone), from which every GraphQL object showing couple, member or account
//! data is built. A nested object's decision comes from its parent's, through methods that
//! check the child belongs to the parent.

use entities::{completion, couple, couple_member, plan, plan_item, session, user};
use uuid::Uuid;

/// A decision that the caller may see an account: their own, or any for an administrator
/// (accounts are operations data; nothing intimate hangs off a user record).
#[derive(Debug, Clone)]
pub struct AccountAccess {
    pub(super) account: user::Model,
    pub(super) own: bool,
}

/// A decision that the caller may see one of their own sessions.
#[derive(Debug, Clone)]
pub struct SessionAccess {
    pub(super) session: session::Model,
    pub(super) current: bool,
}

impl SessionAccess {
    pub fn session(&self) -> &session::Model {
        &self.session
    }

    /// Whether the request was made with this session's access token.
    pub fn is_current(&self) -> bool {
        self.current
    }
}

impl AccountAccess {
    pub fn account(&self) -> &user::Model {
        &self.account
    }

    /// Whether the caller is this account's owner.
    pub fn is_own(&self) -> bool {
        self.own
    }
}

/// How the caller stands to a couple.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// A current member of the couple.
    Member,
    /// A former member of an archived couple, inside the 30 days its shared data is kept.
    FormerMember,
    /// A coach (or an API key) of an organization both members granted access to: reads what
    /// the granted scopes cover, never a note.
    Coach,
}

/// A decision that the caller may read a couple, and how they stand to it.
#[derive(Debug, Clone)]
pub struct CoupleAccess {
    pub(super) couple: couple::Model,
    pub(super) standing: Standing,
    pub(super) viewer: Uuid,
}

impl CoupleAccess {
    pub fn couple(&self) -> &couple::Model {
        &self.couple
    }

    pub fn id(&self) -> Uuid {
        self.couple.id
    }

    pub fn standing(&self) -> Standing {
        self.standing
    }

    /// Who the decision was made for.
    pub fn viewer(&self) -> Uuid {
        self.viewer
    }

    /// A plan, if it is this couple's.
    pub fn plan(&self, plan: plan::Model) -> Option<PlanAccess> {
        (plan.couple_id == self.couple.id).then(|| PlanAccess {
            plan,
            couple: self.clone(),
        })
    }

    /// A member row with its account, if it is this couple's.
    pub fn member(
        &self,
        member: couple_member::Model,
        account: user::Model,
    ) -> Option<MemberAccess> {
        (member.couple_id == self.couple.id && member.user_id == account.id).then(|| MemberAccess {
            is_me: account.id == self.viewer,
            member,
            account,
        })
    }

    /// The couple after the caller changed it (the same decision, the newer row).
    pub fn updated(self, couple: couple::Model) -> Option<CoupleAccess> {
        (couple.id == self.couple.id).then_some(CoupleAccess { couple, ..self })
    }
}

/// A member of a couple the caller may read, as their partner sees them.
#[derive(Debug, Clone)]
pub struct MemberAccess {
    pub(super) member: couple_member::Model,
    pub(super) account: user::Model,
    pub(super) is_me: bool,
}

impl MemberAccess {
    pub fn member(&self) -> &couple_member::Model {
        &self.member
    }

    pub fn account(&self) -> &user::Model {
        &self.account
    }

    pub fn is_me(&self) -> bool {
        self.is_me
    }
}

/// A decision that the caller may read a plan.
#[derive(Debug, Clone)]
pub struct PlanAccess {
    pub(super) plan: plan::Model,
    pub(super) couple: CoupleAccess,
}

impl PlanAccess {
    pub fn plan(&self) -> &plan::Model {
        &self.plan
    }

    pub fn couple(&self) -> &CoupleAccess {
        &self.couple
    }

    /// An item, if it is on this plan.
    pub fn item(&self, item: plan_item::Model) -> Option<ItemAccess> {
        (item.plan_id == self.plan.id).then(|| ItemAccess {
            item,
            plan: self.clone(),
        })
    }

    /// The plan after the caller changed it.
    pub fn updated(self, plan: plan::Model) -> Option<PlanAccess> {
        (plan.id == self.plan.id).then_some(PlanAccess { plan, ..self })
    }
}

/// A decision that the caller may read a plan item.
#[derive(Debug, Clone)]
pub struct ItemAccess {
    pub(super) item: plan_item::Model,
    pub(super) plan: PlanAccess,
}

impl ItemAccess {
    pub fn item(&self) -> &plan_item::Model {
        &self.item
    }

    pub fn plan(&self) -> &PlanAccess {
        &self.plan
    }

    /// A completion of this item, with its note as the caller may read it: its author always,
    /// the partner only if shared.
    pub fn completion(&self, completion: completion::Model) -> Option<CompletionAccess> {
        if completion.plan_item_id != self.item.id {
            return None;
        }
        let viewer = self.plan.couple.viewer;
        let mine = completion.user_id == viewer;
        let partner_may_read =
            completion.note_shared && self.plan.couple.standing != Standing::Coach;
        let note = (mine || partner_may_read)
            .then(|| completion.note.clone())
            .flatten();
        Some(CompletionAccess {
            completion,
            note,
            mine,
            item: self.clone(),
        })
    }

    /// The item after the caller changed it.
    pub fn updated(self, item: plan_item::Model) -> Option<ItemAccess> {
        (item.id == self.item.id).then_some(ItemAccess { item, ..self })
    }
}

/// A decision that the caller may read a completion, with the note as they may see it.
#[derive(Debug, Clone)]
pub struct CompletionAccess {
    pub(super) completion: completion::Model,
    pub(super) note: Option<String>,
    pub(super) mine: bool,
    pub(super) item: ItemAccess,
}

impl CompletionAccess {
    pub fn completion(&self) -> &completion::Model {
        &self.completion
    }

    /// The note, if the caller may read it.
    pub fn note(&self) -> Option<&str> {
        self.note.as_deref()
    }

    /// Whether the caller logged it.
    pub fn is_mine(&self) -> bool {
        self.mine
    }

    pub fn item(&self) -> &ItemAccess {
        &self.item
    }
}
