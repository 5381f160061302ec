//! Exporting a survey's responses, streamed from a database cursor in chunks through a bounded
//! channel: memory stays constant however many responses there are, and the first rows reach
//! the reader before the last are read.
//!
//! CSV: one row per response — `response_id`, `submitted_on` (the day), `channel`
//! (`respondent` too for identified surveys), then one column per question key; a multiple
//! choice as one 0/1 column per option (`q2:opt_a`), a ranking as the place of each option, a
//! matrix as one column per row (`q5:row_key`), an "other" answer as `q:other`. UTF-8 with a
//! byte-order mark, so that spreadsheet software opens Chinese text. JSON Lines: one object per
//! response. Only a survey's admins export it (`get_managed`). Responses come in the order of their random IDs: for an anonymous survey, not the
//! order they came in.

use futures::TryStreamExt;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Map, Value, json};
use tokio::sync::mpsc::Sender;

use super::entity::response;
use super::settings::{Anonymity, Survey};
use super::{Answer, QuestionKind, SurveyError};
use crate::context::Context;
use crate::ids::SurveyResponseId;

/// The format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON object per line.
    JsonLines,
}

/// Bytes gathered before a chunk is handed on.
const CHUNK_BYTES: usize = 64 * 1024;

/// Streams the responses of `survey` into `sink` in chunks; returns how many responses were
/// written. Stops early, without error, when the receiver goes away.
pub async fn export(
    ctx: &Context,
    survey: &Survey,
    format: ExportFormat,
    sink: Sender<Vec<u8>>,
    mut progress: impl FnMut(u64) + Send,
) -> Result<u64, SurveyError> {
    let columns = columns(survey);
    let identified = survey.anonymity == Anonymity::Identified;
    let mut chunk: Vec<u8> = Vec::with_capacity(CHUNK_BYTES + 4096);
    if format == ExportFormat::Csv {
        chunk.extend_from_slice("\u{feff}".as_bytes());
        let mut header = vec!["response_id".to_owned(), "submitted_on".to_owned(), "channel".to_owned()];
        if identified {
            header.push("respondent".to_owned());
        }
        header.extend(columns.iter().map(|column| column.name.clone()));
        csv_row(&mut chunk, &header)?;
    }
    let mut rows = response::Entity::find()
        .filter(response::Column::SurveyId.eq(survey.id.0))
        .order_by_asc(response::Column::Id)
        .stream(&ctx.db)
        .await?;
    let mut written = 0u64;
    while let Some(row) = rows.try_next().await? {
        let answers: Vec<Answer> =
            serde_json::from_str(&row.answers).map_err(|error| SurveyError::Corrupt(error.to_string()))?;
        let id = SurveyResponseId(row.id).to_string();
        match format {
            ExportFormat::Csv => {
                let mut record = vec![id, row.submitted_on.clone(), row.channel.clone()];
                if identified {
                    record.push(row.respondent_subject.clone().unwrap_or_default());
                }
                record.extend(columns.iter().map(|column| column.value(&answers)));
                csv_row(&mut chunk, &record)?;
            }
            ExportFormat::JsonLines => {
                let mut object = json!({ "response_id": id, "submitted_on": row.submitted_on, "channel": row.channel });
                if identified {
                    object["respondent"] = json!(row.respondent_subject);
                }
                object["answers"] = Value::Object(answers_object(survey, &answers));
                chunk.extend_from_slice(object.to_string().as_bytes());
                chunk.push(b'\n');
            }
        }
        written += 1;
        if chunk.len() >= CHUNK_BYTES {
            progress(written);
            if sink.send(std::mem::take(&mut chunk)).await.is_err() {
                return Ok(written);
            }
        }
    }
    progress(written);
    if !chunk.is_empty() {
        let _ = sink.send(chunk).await;
    }
    Ok(written)
}

/// How many responses an export of `survey` writes.
pub async fn response_count(ctx: &Context, survey: &Survey) -> Result<u64, SurveyError> {
    use sea_orm::PaginatorTrait;
    Ok(response::Entity::find().filter(response::Column::SurveyId.eq(survey.id.0)).count(&ctx.db).await?)
}

fn csv_row(out: &mut Vec<u8>, record: &[String]) -> Result<(), SurveyError> {
    let mut writer = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
    writer.write_record(record).map_err(|error| SurveyError::Corrupt(error.to_string()))?;
    let bytes = writer.into_inner().map_err(|error| SurveyError::Corrupt(error.to_string()))?;
    out.extend_from_slice(&bytes);
    Ok(())
}

/// One CSV column: a question, or one of its options or rows.
struct Column {
    name: String,
    question: String,
    part: Part,
}

enum Part {
    Whole,
    Option(String),
    Rank(String),
    Row(String),
    Other,
}

impl Column {
    fn value(&self, answers: &[Answer]) -> String {
        let Some(answer) = answers.iter().find(|answer| answer.question == self.question) else {
            return String::new();
        };
        match &self.part {
            Part::Whole => {
                if let Some(choice) = answer.choices.first() {
                    choice.clone()
                } else if let Some(number) = answer.number {
                    number.to_string()
                } else if let Some(date) = answer.date {
                    date.format("%Y-%m-%d").to_string()
                } else {
                    answer.text.clone().unwrap_or_default()
                }
            }
            Part::Option(key) => if answer.choices.contains(key) { "1" } else { "0" }.to_owned(),
            Part::Rank(key) => answer
                .ranking
                .iter()
                .position(|ranked| ranked == key)
                .map(|place| (place + 1).to_string())
                .unwrap_or_default(),
            Part::Row(key) => {
                answer.matrix.iter().find(|(row, _)| row == key).map(|(_, value)| value.to_string()).unwrap_or_default()
            }
            Part::Other => answer.other.clone().unwrap_or_default(),
        }
    }
}

fn columns(survey: &Survey) -> Vec<Column> {
    let mut columns = Vec::new();
    for question in &survey.questions {
        let key = &question.key;
        let column = |name: String, part: Part| Column { name, question: key.clone(), part };
        match &question.kind {
            QuestionKind::SingleChoice { allow_other, .. } => {
                columns.push(column(key.clone(), Part::Whole));
                if *allow_other {
                    columns.push(column(format!("{key}:other"), Part::Other));
                }
            }
            QuestionKind::MultipleChoice { options, allow_other, .. } => {
                for option in options {
                    columns.push(column(format!("{key}:{}", option.key), Part::Option(option.key.clone())));
                }
                if *allow_other {
                    columns.push(column(format!("{key}:other"), Part::Other));
                }
            }
            QuestionKind::Ranking { options, .. } => {
                for option in options {
                    columns.push(column(format!("{key}:{}", option.key), Part::Rank(option.key.clone())));
                }
            }
            QuestionKind::Matrix { rows, .. } => {
                for row in rows {
                    columns.push(column(format!("{key}:{}", row.key), Part::Row(row.key.clone())));
                }
            }
            _ => columns.push(column(key.clone(), Part::Whole)),
        }
    }
    columns
}

/// The answers of one response as a JSON object keyed by question.
fn answers_object(survey: &Survey, answers: &[Answer]) -> Map<String, Value> {
    let mut object = Map::new();
    for answer in answers {
        let Some(question) = survey.questions.iter().find(|question| question.key == answer.question) else {
            continue;
        };
        let value = match &question.kind {
            QuestionKind::SingleChoice { .. } => json!(answer.choices.first()),
            QuestionKind::MultipleChoice { .. } => json!(answer.choices),
            QuestionKind::Ranking { .. } => json!(answer.ranking),
            QuestionKind::Matrix { .. } => {
                Value::Object(answer.matrix.iter().map(|(row, value)| (row.clone(), json!(value))).collect())
            }
            QuestionKind::Date => json!(answer.date.map(|date| date.format("%Y-%m-%d").to_string())),
            QuestionKind::Text { .. } => json!(answer.text),
            QuestionKind::Rating { .. } | QuestionKind::Nps | QuestionKind::Number { .. } => json!(answer.number),
        };
        object.insert(answer.question.clone(), value);
        if let Some(other) = &answer.other {
            object.insert(format!("{}:other", answer.question), json!(other));
        }
    }
    object
}
