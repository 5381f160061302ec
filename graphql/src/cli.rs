//! Commands of the `civitas` binary.

mod migrate;
mod open311;
mod pb;
mod plugin;
mod serve;
mod survey;
mod token;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Civitas: hotline tickets, surveys and participatory budgeting for a city.
#[derive(Parser)]
#[command(name = "civitas", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the GraphQL server.
    Serve(Box<serve::ServeArgs>),
    /// Apply pending database migrations.
    Migrate(DatabaseArgs),
    /// Work with bearer tokens.
    Token {
        #[command(subcommand)]
        command: token::TokenCommand,
    },
    /// Print the GraphQL schema (SDL).
    Schema,
    /// Participatory budgeting: tally and check Pabulib `.pb` files, export a process's ballots.
    Pb {
        #[command(subcommand)]
        command: pb::PbCommand,
    },
    /// District plugins: check and run WASM components locally, without a server.
    Plugin {
        #[command(subcommand)]
        command: plugin::PluginCommand,
    },
    /// Open311 GeoReport v2: issue API keys to 311 clients.
    Open311 {
        #[command(subcommand)]
        command: open311::Open311Command,
    },
    /// Surveys: export responses.
    Survey {
        #[command(subcommand)]
        command: survey::SurveyCommand,
    },
}

/// Where the data lives; shared by every command that opens the database or the secret.
#[derive(Args, Clone)]
pub struct DatabaseArgs {
    /// Database URL (`postgres://…` or `sqlite://…`); a SQLite file in the data dir by default.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,
    /// Directory for the SQLite database and the generated signing secret.
    #[arg(long, env = "CIVITAS_DATA_DIR", default_value = "./civitas-data")]
    pub data_dir: PathBuf,
}

impl DatabaseArgs {
    /// The database URL to use.
    pub fn url(&self) -> anyhow::Result<String> {
        match &self.database_url {
            Some(url) => Ok(url.clone()),
            None => {
                civitas_graphql::settings::prepare_data_dir(&self.data_dir)?;
                Ok(civitas_core::db::sqlite_url_in(&self.data_dir))
            }
        }
    }

    /// The URL of a database that exists already: for commands that read a server's data and
    /// must not leave an empty database behind when pointed at the wrong directory.
    pub fn existing_url(&self) -> anyhow::Result<String> {
        match &self.database_url {
            Some(url) => Ok(url.clone()),
            None => {
                let file = self.data_dir.join("civitas.db");
                if !file.is_file() {
                    anyhow::bail!(
                        "no database at {}: run this where the server keeps its data (--data-dir or \
                         CIVITAS_DATA_DIR), or pass --database-url",
                        file.display()
                    );
                }
                Ok(civitas_core::db::sqlite_url_in(&self.data_dir))
            }
        }
    }
}

pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}

/// Runs the parsed command.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => runtime()?.block_on(serve::run(*args)),
        Command::Migrate(args) => runtime()?.block_on(migrate::run(args)),
        Command::Token { command } => token::run(command),
        Command::Pb { command } => pb::run(command),
        Command::Plugin { command } => plugin::run(command),
        Command::Survey { command } => runtime()?.block_on(survey::run(command)),
        Command::Open311 { command } => runtime()?.block_on(open311::run(command)),
        Command::Schema => {
            let ctx = runtime()?.block_on(civitas_core::db::connect("sqlite::memory:"))?;
            print!("{}", civitas_graphql::build_schema(civitas_core::Context::new(ctx)).sdl());
            Ok(())
        }
    }
}
