//! The ticket list's own cost, without HTTP or a load generator
//! (`cargo bench -p civitas-graphql --bench list_page`): a page of 50 tickets read from SQLite
//! and decoded (`tickets::list`), and the same page resolved and serialised to JSON through the
//! schema (`tickets(first: 50)` with district and department names), so that a regression in
//! decoding or in resolution shows without a full load run (BENCHMARKS.md, issue 20).

use std::hint::black_box;

use civitas_core::auth::Caller;
use civitas_core::i18n::Locale;
use civitas_core::paging::Window;
use civitas_core::testing::TestDatabase;
use civitas_core::tickets::{self, Channel, Contact, NewTicket, TicketFilter};
use civitas_graphql::cost::Limits;
use civitas_graphql::schema::{request_data, server_schema};
use criterion::{Criterion, criterion_group, criterion_main};

const PAGE: &str = "{ tickets(first: 50) { edges { node { code status title createdAt \
                    district { name } department { name } } } } }";

fn list_page(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (ctx, _database) = runtime.block_on(async {
        let database = TestDatabase::new().await.expect("database");
        let ctx = database.ctx.clone();
        let city = civitas_core::demo::seed_directory(&ctx).await.expect("directory").expect("empty");
        let operator = Caller::operator("bench");
        for index in 0..200usize {
            let district = &city.districts[index % 3];
            let new = NewTicket {
                district_id: district.district.id,
                category_id: district.categories[index % 10].id,
                title: format!("Ticket {index}"),
                description: "Seeded for the list-page benchmark".into(),
                channel: Channel::Phone,
                street_id: None,
                address: (index % 2 == 0).then(|| "1 Quay Road".into()),
                location: None,
                contact: Contact { phone: Some("13800000000".into()), ..Contact::default() },
                priority: None,
                idempotency_key: None,
            };
            let ticket = tickets::submit(&ctx, &operator, new).await.expect("submit");
            if index % 3 != 0 {
                let department = district.departments[index % 5].id;
                tickets::dispatch(&ctx, &operator, ticket.id, department, None).await.expect("dispatch");
            }
        }
        (ctx, database)
    });
    let operator = Caller::operator("bench");
    c.bench_function("tickets::list, 50 tickets (SQLite, decoded)", |b| {
        b.iter(|| {
            let page = runtime
                .block_on(tickets::list(&ctx, &operator, &TicketFilter::default(), Window::first(50, None)))
                .expect("page");
            black_box(page.items.len())
        })
    });
    // As the server runs it: the cost guard applied before the schema, not as its extension.
    let (schema, guard) = server_schema(ctx.clone(), None, Limits::default());
    c.bench_function("tickets(first: 50) with names, to JSON (SQLite)", |b| {
        b.iter(|| {
            let (request, loaders) = request_data(&ctx, operator.clone(), Locale::En);
            let mut request = async_graphql::Request::new(PAGE).data(request).data(loaders);
            guard.prepare(&mut request).expect("within the limits");
            let response = runtime.block_on(schema.execute(request));
            assert!(response.errors.is_empty(), "{:?}", response.errors);
            black_box(serde_json::to_vec(&response).expect("json").len())
        })
    });
}

criterion_group!(benches, list_page);
criterion_main!(benches);
