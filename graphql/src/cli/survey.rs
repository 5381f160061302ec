//! `civitas survey export`: a survey's responses to a file or stdout, read from the database as
//! the server would stream them, with a progress bar on stderr.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context as _;
use civitas_core::auth::Caller;
use civitas_core::ids::SurveyId;
use civitas_core::surveys::{self, ExportFormat};
use clap::{Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

use super::DatabaseArgs;

/// The `survey` subcommands.
#[derive(Subcommand)]
pub enum SurveyCommand {
    /// Export a survey's responses (CSV with a byte-order mark, or JSON Lines).
    Export {
        /// The survey (`srv_…`).
        survey_id: String,
        /// The format.
        #[arg(long, value_enum, default_value = "csv")]
        format: Format,
        /// The file to write; stdout by default.
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        data: DatabaseArgs,
    },
}

/// An export format.
#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    /// Comma-separated values.
    Csv,
    /// JSON Lines.
    Jsonl,
}

/// Runs a `survey` subcommand.
pub async fn run(command: SurveyCommand) -> anyhow::Result<()> {
    let SurveyCommand::Export { survey_id, format, out, data } = command;
    let id: SurveyId = survey_id.parse()?;
    let db = civitas_core::db::connect(&data.existing_url()?).await?;
    let ctx = civitas_core::Context::new(db);
    // Run on the server's machine by its operators: the system reads any survey.
    let survey =
        surveys::get_managed(&ctx, &Caller::System, id).await.with_context(|| format!("cannot export {id}"))?;
    let total = surveys::response_count(&ctx, &survey).await?;
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} responses {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let format = match format {
        Format::Csv => ExportFormat::Csv,
        Format::Jsonl => ExportFormat::JsonLines,
    };
    let mut writer: Box<dyn Write + Send> = match &out {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout())),
    };
    let (sink, mut chunks) = tokio::sync::mpsc::channel::<Vec<u8>>(4);
    let exporting = {
        let ctx = ctx.clone();
        let survey = survey.clone();
        let bar = bar.clone();
        tokio::spawn(
            async move { surveys::export(&ctx, &survey, format, sink, |written| bar.set_position(written)).await },
        )
    };
    while let Some(chunk) = chunks.recv().await {
        writer.write_all(&chunk)?;
    }
    writer.flush()?;
    let written = exporting.await??;
    bar.finish_and_clear();
    eprintln!(
        "exported {written} responses of {id}{}",
        out.map(|path| format!(" to {}", path.display())).unwrap_or_default()
    );
    Ok(())
}
