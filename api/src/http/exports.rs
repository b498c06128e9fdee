//! `GET /exports/{token}`: the one download of a member's data export. The link is the
//! credential (it was shown only to the member who asked, and works once): 200 with the JSON
//! archive, which is then gone from the store; 202 while it is being built; 410 once it was
//! downloaded or expired; 404 for a link no export has.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::{HttpResponse, web};
use entities::data_export::{self, Download};
use tracing::Instrument;

use crate::auth::secret_token;
use crate::error::{ErrorCode, INTERNAL_MESSAGE, error_body};
use crate::state::AppState;

/// Longer than any link Rekindle makes: such a token is not looked up.
const MAX_TOKEN_LEN: usize = 128;

pub async fn download(state: web::Data<AppState>, token: web::Path<String>) -> HttpResponse {
    let token = token.into_inner();
    if token.is_empty() || token.len() > MAX_TOKEN_LEN {
        return unknown();
    }
    let runtime = state.runtime.clone();
    let take = async move {
        let write = state.writer.begin(state.clock.now()).await?;
        let taken =
            data_export::take(&*write, &secret_token::digest(&token), state.clock.now()).await?;
        write.commit().await?;
        Ok::<_, sea_orm::DbErr>(taken)
    };
    let answer = match runtime.spawn(take.in_current_span()).await {
        Ok(Ok(answer)) => answer,
        Ok(Err(error)) => {
            tracing::error!(%error, "a data export could not be read");
            return internal();
        }
        Err(join) => {
            tracing::error!(error = %join, "a data export download did not finish");
            return internal();
        }
    };
    match answer {
        Download::Archive(archive) => {
            tracing::info!("a data export was downloaded");
            HttpResponse::Ok()
                .content_type("application/json")
                .insert_header(ContentDisposition {
                    disposition: DispositionType::Attachment,
                    parameters: vec![DispositionParam::Filename("rekindle-data.json".into())],
                })
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .insert_header((header::REFERRER_POLICY, "no-referrer"))
                .body(archive)
        }
        Download::Pending => HttpResponse::Accepted()
            .insert_header((header::RETRY_AFTER, "5"))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(serde_json::json!({ "status": "PENDING" })),
        Download::Gone => HttpResponse::build(StatusCode::GONE).json(error_body(
            ErrorCode::NotFound,
            "this export was downloaded already or its link expired; ask for a new one",
        )),
        Download::Unknown => {
            // Link guessing shows as many of these (the token itself is never logged).
            tracing::info!("a data export link no export has was asked for");
            unknown()
        }
    }
}

fn unknown() -> HttpResponse {
    HttpResponse::NotFound().json(error_body(ErrorCode::NotFound, "no export has this link"))
}

fn internal() -> HttpResponse {
    HttpResponse::InternalServerError()
        .json(error_body(ErrorCode::InternalServerError, INTERNAL_MESSAGE))
}
