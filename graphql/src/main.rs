//! The `civitas` command line: run the server, migrate, issue tokens, print the schema.

mod cli;

use clap::Parser;

fn main() -> anyhow::Result<()> {
    let cli = cli::Cli::parse();
    cli::run(cli)
}
