//! `civitas open311 key issue`: an API key for a district's Open311 client, issued on the
//! server's machine by its operators (the same as `createOpen311Client`, audited as the system).

use anyhow::Context as _;
use civitas_core::auth::Caller;
use civitas_core::ids::DistrictId;
use civitas_core::open311;
use clap::Subcommand;

use super::DatabaseArgs;

/// The `open311` subcommands.
#[derive(Subcommand)]
pub enum Open311Command {
    /// API keys of Open311 clients.
    Key {
        #[command(subcommand)]
        command: KeyCommand,
    },
}

/// The `open311 key` subcommands.
#[derive(Subcommand)]
pub enum KeyCommand {
    /// Issue a key to a new client of a district; prints the key alone on stdout (shown once).
    Issue {
        /// The district (`dst_…`).
        #[arg(long)]
        district: String,
        /// Who the client is (an app, a vendor, a portal).
        #[arg(long)]
        name: String,
        #[command(flatten)]
        data: DatabaseArgs,
    },
}

/// Runs an `open311` subcommand.
pub async fn run(command: Open311Command) -> anyhow::Result<()> {
    let Open311Command::Key { command: KeyCommand::Issue { district, name, data } } = command;
    let district: DistrictId = district.parse()?;
    let db = civitas_core::db::connect(&data.existing_url()?).await?;
    civitas_core::db::migrate(&db).await.context("cannot migrate the database")?;
    let ctx = civitas_core::Context::new(db);
    let issued = open311::create_client(&ctx, &Caller::System, district, &name)
        .await
        .with_context(|| format!("cannot issue a key for {district}"))?;
    eprintln!(
        "issued {} to {} in {district}: give it the key below (it is not shown again)",
        issued.client.id, issued.client.name
    );
    println!("{}", issued.api_key);
    Ok(())
}
