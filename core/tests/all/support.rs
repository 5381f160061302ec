//! A seeded city for the tests.

use civitas_core::Context;
use civitas_core::auth::Caller;
use civitas_core::clock::Clock;
use civitas_core::demo::{self, DemoCity};
use civitas_core::testing::TestDatabase;
use civitas_core::tickets::{self, Channel, Contact, GeoPoint, NewTicket, Ticket};

pub struct City {
    pub url: String,
    pub ctx: Context,
    pub demo: DemoCity,
}

pub async fn city() -> City {
    let database = TestDatabase::new().await.expect("test database");
    let mut ctx = database.ctx;
    ctx.clock = Clock::manual(chrono::DateTime::parse_from_rfc3339("2026-03-01T08:00:00Z").expect("date").to_utc());
    let demo = demo::seed_directory(&ctx).await.expect("seed").expect("empty database");
    City { url: database.url, ctx, demo }
}

impl City {
    pub fn district(&self, index: usize) -> &demo::DemoDistrict {
        &self.demo.districts[index]
    }

    pub fn new_ticket(&self, district: usize, category: usize) -> NewTicket {
        let demo = self.district(district);
        NewTicket {
            district_id: demo.district.id,
            category_id: demo.categories[category].id,
            title: "Broken lamp".into(),
            description: "The lamp at the corner is out.".into(),
            channel: Channel::Phone,
            street_id: None,
            address: Some("1 Quay Road".into()),
            location: Some(GeoPoint { latitude: 31.23, longitude: 121.47 }),
            contact: Contact {
                name: Some("李四".into()),
                phone: Some("13812345678".into()),
                email: Some("li@example.org".into()),
                language: None,
            },
            priority: None,
            idempotency_key: None,
        }
    }

    /// A ticket as a resident (or an anonymous caller) reports it: through the app, with no
    /// contact details beyond their account.
    pub fn resident_ticket(&self, district: usize, category: usize) -> NewTicket {
        NewTicket { channel: Channel::App, contact: Contact::default(), ..self.new_ticket(district, category) }
    }

    /// A ticket taken by operator `op-1` in `district`, dispatched to its first department.
    pub async fn dispatched_ticket(&self, district: usize) -> Ticket {
        self.dispatched_ticket_in(&self.ctx, district).await
    }

    /// [`City::dispatched_ticket`] through `ctx` (e.g. one whose hooks run plugins).
    pub async fn dispatched_ticket_in(&self, ctx: &Context, district: usize) -> Ticket {
        let operator = Caller::operator("op-1");
        let ticket = tickets::submit(ctx, &operator, self.new_ticket(district, 0)).await.expect("submit");
        let department = self.district(district).departments[0].id;
        tickets::dispatch(ctx, &operator, ticket.id, department, None).await.expect("dispatch")
    }

    pub fn staff(&self, district: usize, department: usize) -> Caller {
        let demo = self.district(district);
        Caller::staff(&format!("staff-{district}-{department}"), demo.district.id, demo.departments[department].id)
    }

    pub fn district_admin(&self, district: usize) -> Caller {
        Caller::district_admin(&format!("admin-{district}"), self.district(district).district.id)
    }
}
