//! Weekly summaries as the couple reads them, and the administrator's rebuild of one
//! couple-week (which answers no content).

use async_graphql::connection::{Connection, Edge, EmptyFields};
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Datelike, NaiveDate, Utc, Weekday};
use domain::input::Reason;
use domain::summary::{Trend, WeeklySummary as Content};
use entities::weekly_summary;

use crate::auth::Caller;
use crate::auth::policy::{self, CoupleAccess, SummaryAccess};
use crate::error::ApiError;
use crate::graphql::connection::{ConnectionTotals, PageArgs, encode_cursor};
use crate::graphql::ids::{NodeKind, decode_id_of, global_id};
use crate::graphql::plan::progress::CategoryShare;
use crate::graphql::ritual::types::RitualCategory;
use crate::state::AppState;

/// Which way closeness moved against the week before.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::summary::Trend")]
pub enum ClosenessTrend {
    /// Closer than the week before (by more than a quarter point).
    Closer,
    /// About the same.
    Steady,
    /// Less close than the week before.
    LessClose,
    /// One of the two weeks had no logs.
    Unknown,
}

/// How one member did in the week.
#[derive(SimpleObject)]
pub struct MemberWeek {
    /// The member's user ID.
    pub member_id: ID,
    /// Occurrences expected of them.
    pub planned: u32,
    /// Of those, the ones they logged.
    pub done: u32,
}

/// What to try next week.
#[derive(SimpleObject)]
pub struct WeeklySuggestion {
    /// The suggestion in a sentence.
    pub text: String,
    /// A catalog ritual's key to add, when one fits.
    pub ritual_key: Option<String>,
}

/// A couple's week, summed up once it was over: counts and shares, nothing private.
pub struct WeeklySummary {
    access: SummaryAccess,
    content: Content,
}

impl WeeklySummary {
    /// The summary as the policy let the caller read it.
    pub fn new(access: SummaryAccess) -> Result<Self, ApiError> {
        let content = access.row().summary()?;
        Ok(Self { access, content })
    }
}

/// A couple's week, summed up once it was over: counts and shares, nothing private.
#[Object]
impl WeeklySummary {
    /// The summary's global ID: the same for the couple-week, rebuilt or not.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::WeeklySummary, self.access.row().id)
    }

    /// The Monday the week started (in the couple's time zone).
    async fn week_start(&self) -> NaiveDate {
        self.content.week_start
    }

    /// Occurrences due that week.
    async fn planned(&self) -> u32 {
        self.content.planned
    }

    /// Of those, how many were complete.
    async fn completed(&self) -> u32 {
        self.content.completed
    }

    /// Each current member's share.
    async fn members(&self) -> Vec<MemberWeek> {
        self.content
            .members
            .iter()
            .map(|m| MemberWeek {
                member_id: crate::graphql::ids::global_id(NodeKind::User, m.member),
                planned: m.planned,
                done: m.done,
            })
            .collect()
    }

    /// The mean closeness of the week's logs; null when none.
    async fn average_closeness(&self) -> Option<f64> {
        self.content.average_closeness
    }

    /// The same for the week before.
    async fn previous_average_closeness(&self) -> Option<f64> {
        self.content.previous_average_closeness
    }

    /// Which way closeness moved.
    async fn closeness_trend(&self) -> ClosenessTrend {
        let trend: Trend = self.content.trend;
        trend.into()
    }

    /// Completed rituals across every category of the catalog, one share per category (the
    /// guide's four dimensions of intimacy first); shares sum to 1, or are all 0.
    async fn balance(&self) -> Vec<CategoryShare> {
        self.content
            .balance
            .iter()
            .map(|(category, share)| CategoryShare {
                category: RitualCategory::from(*category),
                share: *share,
            })
            .collect()
    }

    /// The couple's streak in weeks as the week closed.
    async fn streak_weeks(&self) -> u32 {
        self.content.streak_weeks
    }

    /// The longest the couple's streak has been, in weeks.
    async fn longest_streak_weeks(&self) -> u32 {
        self.content.longest_streak_weeks
    }

    /// The week in a few warm sentences, written from its numbers (never from notes or
    /// answers).
    async fn narrative(&self) -> String {
        self.content
            .narrative
            .clone()
            .unwrap_or_else(|| domain::summary::narrative(&self.content))
    }

    /// What to try next week.
    async fn suggestion(&self) -> WeeklySuggestion {
        WeeklySuggestion {
            text: self.content.suggestion.text.clone(),
            ritual_key: self.content.suggestion.ritual_key.clone(),
        }
    }

    /// Days on which both of you answered the check-in.
    async fn check_ins_both_answered(&self) -> u32 {
        self.content.extras.check_ins_both_answered
    }

    /// Assessment results shared with each other during the week.
    async fn results_shared(&self) -> u32 {
        self.content.extras.results_shared
    }

    /// When it was built (a rebuild moves it).
    async fn built_at(&self) -> DateTime<Utc> {
        self.access.row().built_at
    }
}

pub type WeeklySummaryConnection = Connection<String, WeeklySummary, ConnectionTotals, EmptyFields>;

/// A page of the couple's summaries, newest week first.
pub async fn page(
    state: &AppState,
    couple: &CoupleAccess,
    first: Option<i32>,
    after: Option<String>,
) -> Result<WeeklySummaryConnection, ApiError> {
    let request = PageArgs {
        first,
        after,
        ..PageArgs::default()
    }
    .into_request()?;
    let after = match request.after.as_deref() {
        None => None,
        Some(key) => Some(NaiveDate::parse_from_str(key, "%Y-%m-%d").map_err(|_| {
            ApiError::invalid(
                "after",
                Reason::BadFormat,
                "that cursor does not belong to this list",
            )
        })?),
    };
    let (rows, more, total_count) =
        weekly_summary::page_for_couple(&state.db, couple.id(), after, request.limit).await?;
    let mut connection =
        Connection::with_additional_fields(after.is_some(), more, ConnectionTotals { total_count });
    for row in rows {
        let key = row.week_start.to_string();
        if let Some(access) = couple.summary(row) {
            connection
                .edges
                .push(Edge::new(encode_cursor(&key), WeeklySummary::new(access)?));
        }
    }
    Ok(connection)
}

/// Which couple-week to rebuild.
#[derive(InputObject)]
pub struct RebuildWeeklySummaryInput {
    /// The couple.
    pub couple_id: ID,
    /// The Monday of the week, in the couple's time zone; the week must be over.
    pub week_start: NaiveDate,
}

/// What a rebuild did; an administrator gets no content.
#[derive(SimpleObject)]
pub struct RebuildWeeklySummaryPayload {
    /// The week rebuilt.
    pub week_start: NaiveDate,
    /// When the new summary was built.
    pub built_at: DateTime<Utc>,
}

#[derive(Default)]
pub struct SummaryMutation;

#[Object]
impl SummaryMutation {
    /// Administrators only: builds one couple-week's summary again from what is stored now,
    /// replacing the old one (or building it if it was never built).
    async fn rebuild_weekly_summary(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `RebuildWeeklySummaryInput`.")]
        input: RebuildWeeklySummaryInput,
    ) -> Result<RebuildWeeklySummaryPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let couple_id = decode_id_of(&input.couple_id, NodeKind::Couple, "input.coupleId")?;
        let couple = policy::rebuildable_couple(state, caller, couple_id).await?;
        if input.week_start.weekday() != Weekday::Mon {
            return Err(ApiError::invalid(
                "input.weekStart",
                Reason::NotOneOf,
                "weekStart must be a Monday",
            ));
        }
        let now = state.clock.now();
        let last = domain::summary::last_finished_week(now, couple.timezone()?);
        if input.week_start > last {
            return Err(ApiError::invalid(
                "input.weekStart",
                Reason::NotNow,
                "that week is not over yet in the couple's time zone",
            ));
        }
        let operator = policy::operator(caller)?;
        let mut write = state.writer.begin(now).await?;
        let stored = weekly_summary::build_and_store(
            &*write,
            &[(&couple, input.week_start)],
            &state.settings.streak_rules,
            true,
            now,
        )
        .await?
        .pop()
        .ok_or_else(|| ApiError::internal(&"a replacing store wrote nothing"))?;
        if state.settings.coach.model.is_some() {
            // The model writes the rebuilt week's narrative, as for a summary built on time.
            write.job(domain::jobs::WriteNarratives {
                summary_ids: vec![stored.id],
            })?;
        }
        let entry = entities::audit::Entry {
            actor: operator.actor(),
            action: "weekly_summary.rebuild",
            target_kind: "couple",
            target_id: global_id(NodeKind::Couple, couple.id).0,
            detail: serde_json::json!({ "weekStart": input.week_start }),
        };
        entities::audit::record(&*write, entry, now).await?;
        write.commit().await?;
        Ok(RebuildWeeklySummaryPayload {
            week_start: stored.week_start,
            built_at: stored.built_at,
        })
    }
}
