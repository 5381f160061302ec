//! `GET /surveys/{id}/responses.csv` and `GET /surveys/{id}/responses.jsonl`: a survey's
//! responses for its admins, with the same bearer token and rules as the API, streamed from the
//! database as they are read (constant memory, whatever their number); and
//! `GET /budgeting/processes/{id}.pb`, a tallied process's anonymised ballots.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use civitas_core::budget_processes;
use civitas_core::i18n::Message;
use civitas_core::ids::{BudgetProcessId, SurveyId};
use civitas_core::surveys::{self, ExportFormat};

use crate::errors::{domain_refusal, transport_refusal};
use crate::server::{AppState, authenticate};

/// Chunks in flight between the database cursor and the client.
const CHUNKS_IN_FLIGHT: usize = 4;

/// The export of one survey's responses.
pub async fn responses(
    State(state): State<AppState>,
    Path((id, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let format = match file.as_str() {
        "responses.csv" => ExportFormat::Csv,
        "responses.jsonl" => ExportFormat::JsonLines,
        _ => return (StatusCode::NOT_FOUND, "no such export").into_response(),
    };
    let Ok(id) = id.parse::<SurveyId>() else {
        let message = Message::new("`{id}` is not an ID").arg("id", &id);
        return transport_refusal(StatusCode::BAD_REQUEST, message, &headers);
    };
    let caller = match authenticate(&state, &headers).await {
        Ok(caller) => caller,
        Err(error) => return domain_refusal(error, &headers),
    };
    let survey = match surveys::get_managed(&state.ctx, &caller, id).await {
        Ok(survey) => survey,
        Err(error) => return domain_refusal(error, &headers),
    };
    let (sink, chunks) = tokio::sync::mpsc::channel::<Vec<u8>>(CHUNKS_IN_FLIGHT);
    let ctx = state.ctx.clone();
    tokio::spawn(async move {
        if let Err(error) = surveys::export(&ctx, &survey, format, sink, |_| {}).await {
            // The client sees a cut-off body; the cause is ours to know.
            tracing::error!(%error, survey = %survey.id, "export failed");
        }
    });
    let body = futures::stream::unfold(chunks, |mut chunks| async move {
        chunks.recv().await.map(|chunk| (Ok::<_, std::convert::Infallible>(chunk), chunks))
    });
    let (media_type, extension) = match format {
        ExportFormat::Csv => ("text/csv; charset=utf-8", "csv"),
        ExportFormat::JsonLines => ("application/jsonl; charset=utf-8", "jsonl"),
    };
    let mut response = Body::from_stream(body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    if let Ok(disposition) = HeaderValue::from_str(&format!("attachment; filename=\"{id}-responses.{extension}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, disposition);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /budgeting/processes/{id}.pb`: the counted ballots of a tallied process, anonymised, as
/// a Pabulib file (public, like the results; `INVALID_TRANSITION` before the tally).
pub async fn budget_ballots(State(state): State<AppState>, Path(file): Path<String>, headers: HeaderMap) -> Response {
    let Some(id) = file.strip_suffix(".pb") else {
        return (StatusCode::NOT_FOUND, "no such export").into_response();
    };
    let Ok(id) = id.parse::<BudgetProcessId>() else {
        let message = Message::new("`{id}` is not an ID").arg("id", id);
        return transport_refusal(StatusCode::BAD_REQUEST, message, &headers);
    };
    match budget_processes::pabulib_export(&state.ctx, id).await {
        Ok(text) => {
            let mut response = text.into_response();
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
            if let Ok(disposition) = HeaderValue::from_str(&format!("attachment; filename=\"{id}.pb\"")) {
                headers.insert(header::CONTENT_DISPOSITION, disposition);
            }
            response
        }
        Err(error) => domain_refusal(error, &headers),
    }
}
