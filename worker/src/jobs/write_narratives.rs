//! Weekly summaries' narratives written by the configured model, after the summaries are built
//! (which stored their template narratives). The model is told only the week's numbers; a
//! narrative it fails to write, or one the safety gate stops, leaves the template in place.

use coach::model::ModelConfig;
use coach::narrator::SummaryFacts;
use domain::jobs::WriteNarratives;
use entities::weekly_summary;

use super::{Failure, Perform};
use crate::JobState;

/// The model the coach's settings point at, as the coach's client takes it.
pub fn model_config(settings: &runtime::config::CoachModelSettings) -> ModelConfig {
    ModelConfig {
        base_url: settings.base_url.clone(),
        api_key: settings.api_key.as_ref().map(|k| k.expose().to_owned()),
        model: settings.model.clone(),
        timeout: settings.timeout,
        stall: settings.stall,
        retries: settings.retries,
        backoff: settings.backoff,
        max_tokens: settings.max_tokens,
    }
}

impl Perform for WriteNarratives {
    async fn perform(&self, state: &JobState) -> Result<(), Failure> {
        let Some(narrator) = &state.narrator else {
            return Ok(());
        };
        for id in &self.summary_ids {
            let Some(row) = weekly_summary::find(&state.db, *id).await? else {
                continue;
            };
            let summary = row.summary().map_err(|e| Failure::Permanent(e.into()))?;
            let started = std::time::Instant::now();
            let facts = SummaryFacts::of(&summary);
            match narrator.narrate(&facts).await {
                Ok(text) => {
                    state
                        .metrics
                        .coach_reply("model", None, 0, 0, started.elapsed());
                    let write = state.writer.begin(state.clock.now()).await?;
                    weekly_summary::set_narrative(&*write, row.id, summary, text).await?;
                    write.commit().await?;
                }
                Err(reason) => {
                    state
                        .metrics
                        .coach_reply("scripted", Some(reason), 0, 0, started.elapsed());
                    tracing::warn!(summary.id = %row.id, reason, "the model wrote no narrative; the template stays");
                }
            }
        }
        Ok(())
    }
}
