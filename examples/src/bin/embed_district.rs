//! A district embedding `civitas-core` directly, without the GraphQL server: open a database,
//! seed a directory, take a phone call, dispatch, work and resolve the ticket, then print the
//! district's rates.
//!
//! Run it with `cargo run -p civitas-examples --bin embed_district` (SQLite in a temporary
//! directory), or point it at PostgreSQL with `DATABASE_URL=postgres://…`.

use civitas_core::auth::Caller;
use civitas_core::tickets::{self, Channel, Contact, GeoPoint, NewTicket, StatsQuery};
use civitas_core::{Context, db, demo};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let url = match std::env::var("DATABASE_URL") {
        Ok(url) => url,
        Err(_) => {
            let dir = std::env::temp_dir().join(format!("civitas-example-{}", std::process::id()));
            std::fs::create_dir_all(&dir)?;
            db::sqlite_url_in(&dir)
        }
    };
    let connection = db::connect(&url).await?;
    db::migrate(&connection).await?;
    let ctx = Context::new(connection);
    let city = match demo::seed_directory(&ctx).await? {
        Some(city) => city,
        None => anyhow::bail!("this example needs an empty database"),
    };
    let harbour = &city.districts[0];
    let lighting = harbour.categories.iter().find(|c| c.name.en == "Broken street light").expect("demo category");
    let roads = lighting.default_department_id.expect("demo default department");

    // An operator takes a call from an elderly resident without a smartphone.
    let operator = Caller::operator("operator-7");
    let ticket = tickets::submit(
        &ctx,
        &operator,
        NewTicket {
            address: Some("Bus stop, Quay Road".into()),
            location: Some(GeoPoint { latitude: 31.2304, longitude: 121.4737 }),
            contact: Contact {
                name: Some("陈阿姨".into()),
                phone: Some("13900001111".into()),
                email: None,
                language: None,
            },
            ..NewTicket::new(
                harbour.district.id,
                lighting.id,
                Channel::Phone,
                "Street light out at the bus stop",
                "Dark since Monday; the caller is worried about falling at night.",
            )
        },
    )
    .await?;
    println!("submitted {} ({})", ticket.code, ticket.status);

    let ticket = tickets::dispatch(&ctx, &operator, ticket.id, roads, Some("usual department")).await?;
    println!("dispatched {} to {}", ticket.code, ticket.department_id.map(|d| d.to_string()).unwrap_or_default());

    let crew = Caller::staff("roads-crew-2", harbour.district.id, roads);
    tickets::accept(&ctx, &crew, ticket.id).await?;
    let ticket = tickets::resolve(&ctx, &crew, ticket.id, "Lamp and fuse replaced").await?;
    println!("resolved {} ({})", ticket.code, ticket.status);

    // The operator calls the resident back and records her rating.
    let ticket = tickets::rate(&ctx, &operator, ticket.id, 5, Some("very grateful")).await?;
    println!("rated {} -> {}", ticket.code, ticket.status);

    let now = ctx.clock.now();
    let stats = tickets::stats(
        &ctx,
        &StatsQuery {
            district_id: Some(harbour.district.id),
            department_id: None,
            from: now - chrono::Duration::days(30),
            to: now + chrono::Duration::seconds(1),
        },
    )
    .await?;
    let percent = |rate: Option<f64>| rate.map_or("n/a".to_owned(), |rate| format!("{:.0}%", rate * 100.0));
    println!(
        "{}: {} ticket(s), response {}, resolution {}, satisfaction {}",
        harbour.district.name.en,
        stats.total,
        percent(stats.response_rate()),
        percent(stats.resolution_rate()),
        percent(stats.satisfaction_rate())
    );
    Ok(())
}
