//! The guide's resources for couples (books, podcasts, apps, workshops) and the two kinds of
//! help they come as, which recommendations point to.

use async_graphql::connection::{Connection, EmptyFields};
use async_graphql::{Context, Enum, Object, SimpleObject};
use domain::resources::{self as content, Help};

use crate::error::ApiError;
use crate::graphql::connection::{ConnectionTotals, PageArgs, connection_of, page_in_memory};
use crate::state::AppState;

/// What a resource is.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::resources::ResourceKind")]
pub enum ResourceKind {
    /// A book.
    Book,
    /// A podcast.
    Podcast,
    /// An app or online tool.
    App,
    /// A workshop or group session.
    Workshop,
}

/// The two ways of getting help the guide compares.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::resources::Help")]
pub enum HelpKind {
    /// On your own, at your own pace.
    SelfHelp,
    /// With structure and feedback from someone outside.
    GuidedSupport,
}

/// A kind of help: what it offers and whom it suits.
#[derive(SimpleObject)]
pub struct KindOfHelp {
    /// Which kind.
    pub kind: HelpKind,
    /// Its name.
    pub title: String,
    /// What it offers.
    pub offers: String,
    /// Whom it suits best.
    pub best_for: String,
}

/// A book, podcast, app or workshop from the guide.
#[derive(SimpleObject, Clone)]
pub struct SupportResource {
    /// Its stable key.
    pub key: String,
    /// What it is.
    pub kind: ResourceKind,
    /// Its title.
    pub title: String,
    /// Its author or maker, when the guide names one.
    pub by: Option<String>,
    /// What it offers.
    pub description: String,
    /// The kind of help it is.
    pub help: HelpKind,
}

impl From<&content::Resource> for SupportResource {
    fn from(r: &content::Resource) -> Self {
        Self {
            key: r.key.clone(),
            kind: r.kind.into(),
            title: r.title.clone(),
            by: r.by.clone(),
            description: r.description.clone(),
            help: r.help.into(),
        }
    }
}

/// The resources of one kind of help, for a recommendation to point to.
pub fn resources_for(state: &AppState, help: Help) -> Vec<SupportResource> {
    state
        .resources
        .by_help(help)
        .map(SupportResource::from)
        .collect()
}

pub type SupportResourceConnection =
    Connection<String, SupportResource, ConnectionTotals, EmptyFields>;

#[derive(Default)]
pub struct ResourceQuery;

#[Object]
impl ResourceQuery {
    /// The guide's books, podcasts, apps and workshops, in its order, paged; only one kind of
    /// help when `help` is given.
    #[graphql(
        complexity = "first.or(last).map_or(20, |n| n.clamp(0, 100) as usize) * child_complexity"
    )]
    async fn support_resources(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only resources of this kind of help.")] help: Option<HelpKind>,
        #[graphql(desc = "At most this many from the start (0 to 100; default 20).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Only resources after this cursor.")] after: Option<String>,
        #[graphql(desc = "At most this many from the end (0 to 100).")] last: Option<i32>,
        #[graphql(desc = "Only resources before this cursor.")] before: Option<String>,
    ) -> Result<SupportResourceConnection, ApiError> {
        let state = ctx.data::<AppState>()?;
        let request = PageArgs {
            first,
            after,
            last,
            before,
        }
        .into_request()?;
        let wanted: Option<Help> = help.map(Into::into);
        // The guide's order, kept through the cursor: a zero-padded position.
        let rows: Vec<(String, SupportResource)> = state
            .resources
            .resources
            .iter()
            .filter(|r| wanted.is_none_or(|h| r.help == h))
            .enumerate()
            .map(|(i, r)| (format!("{i:04}"), SupportResource::from(r)))
            .collect();
        let page = page_in_memory(rows, |(key, _)| key.clone(), &request);
        Ok(connection_of(page, Some))
    }

    /// Self-help and guided support: what each offers and whom it suits.
    async fn kinds_of_help(&self, ctx: &Context<'_>) -> Result<Vec<KindOfHelp>, ApiError> {
        let state = ctx.data::<AppState>()?;
        Ok(state
            .resources
            .kinds_of_help
            .iter()
            .map(|k| KindOfHelp {
                kind: k.key.into(),
                title: k.title.clone(),
                offers: k.offers.clone(),
                best_for: k.best_for.clone(),
            })
            .collect())
    }
}
