//! `civitas migrate`.

use super::DatabaseArgs;

pub async fn run(args: DatabaseArgs) -> anyhow::Result<()> {
    let db = civitas_core::db::connect(&args.url()?).await?;
    let applied = civitas_core::db::migrate(&db).await?;
    println!("applied {applied} migration(s); the schema is up to date");
    Ok(())
}
