//! A demo city, seeded into an empty database by `civitas serve --demo` and used by examples.

use crate::auth::Caller;
use crate::context::Context;
use crate::directory::{
    self, Category, Department, DirectoryError, District, NewCategory, NewDepartment, NewDistrict, NewStreet,
};
use crate::i18n::LocalizedText;
use crate::tickets::{self, Channel, Contact, NewTicket, TicketError};

/// What the demo seeding created, to print tokens and examples for.
#[derive(Debug, Clone)]
pub struct DemoCity {
    /// The districts, each with its departments and categories.
    pub districts: Vec<DemoDistrict>,
}

/// One demo district.
#[derive(Debug, Clone)]
pub struct DemoDistrict {
    /// The district.
    pub district: District,
    /// Its departments.
    pub departments: Vec<Department>,
    /// Its categories.
    pub categories: Vec<Category>,
}

/// Why seeding failed.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// Creating the directory failed.
    #[error(transparent)]
    Directory(#[from] DirectoryError),
    /// Creating the sample tickets failed.
    #[error(transparent)]
    Tickets(#[from] TicketError),
}

/// A name in English, Simplified and Traditional Chinese.
type Names = [&'static str; 3];

const DISTRICTS: [(&str, Names, [Names; 2]); 3] = [
    (
        "harbour",
        ["Harbour District", "港湾区", "港灣區"],
        [["Quay Road", "码头路", "碼頭路"], ["Lighthouse Lane", "灯塔巷", "燈塔巷"]],
    ),
    (
        "old-town",
        ["Old Town", "老城区", "老城區"],
        [["Bell Tower Street", "钟楼街", "鐘樓街"], ["Silk Market Road", "丝市路", "絲市路"]],
    ),
    (
        "riverside",
        ["Riverside", "河滨区", "河濱區"],
        [["Willow Avenue", "柳荫大道", "柳蔭大道"], ["Mill Street", "磨坊街", "磨坊街"]],
    ),
];

const DEPARTMENTS: [Names; 5] = [
    ["Sanitation", "环境卫生所", "環境衛生所"],
    ["Roads and Lighting", "道路照明科", "道路照明科"],
    ["Water Works", "供排水所", "供排水所"],
    ["Parks and Greenery", "园林绿化科", "園林綠化科"],
    ["Public Order", "综合执法队", "綜合執法隊"],
];

/// Category names, response and resolution hours, and the index of the usual department.
const CATEGORIES: [(Names, i32, i32, usize); 10] = [
    (["Uncollected rubbish", "垃圾未清运", "垃圾未清運"], 4, 24, 0),
    (["Illegal dumping", "乱倒垃圾", "亂倒垃圾"], 8, 72, 0),
    (["Broken street light", "路灯损坏", "路燈損壞"], 24, 72, 1),
    (["Pothole", "道路坑洼", "道路坑窪"], 24, 168, 1),
    (["Water leak", "漏水", "漏水"], 2, 24, 2),
    (["Blocked drain", "下水道堵塞", "下水道堵塞"], 4, 48, 2),
    (["Fallen tree", "树木倒伏", "樹木倒伏"], 2, 24, 3),
    (["Damaged playground", "游乐设施损坏", "遊樂設施損壞"], 24, 168, 3),
    (["Noise at night", "夜间噪音", "夜間噪音"], 1, 12, 4),
    (["Illegal parking", "违章停车", "違章停車"], 2, 24, 4),
];

fn text([en, zh_hans, zh_hant]: Names) -> LocalizedText {
    LocalizedText::new(en, zh_hans, zh_hant)
}

/// Seeds the demo city, with a few sample tickets, if the database has no district yet;
/// `None` if it already had one.
pub async fn seed(ctx: &Context) -> Result<Option<DemoCity>, DemoError> {
    let Some(city) = seed_directory(ctx).await? else {
        return Ok(None);
    };
    seed_tickets(ctx, &city).await?;
    Ok(Some(city))
}

/// Seeds only the demo city's directory (no tickets) if the database has no district yet.
pub async fn seed_directory(ctx: &Context) -> Result<Option<DemoCity>, DemoError> {
    if !directory::districts(ctx).await?.is_empty() {
        return Ok(None);
    }
    let system = Caller::System;
    let mut city = DemoCity { districts: Vec::new() };
    for (index, (code, name, streets)) in DISTRICTS.into_iter().enumerate() {
        let district = directory::create_district(
            ctx,
            &system,
            NewDistrict {
                code: code.into(),
                name: text(name),
                // One district takes anonymous reports, to show the setting.
                allow_anonymous_tickets: index == 0,
            },
        )
        .await?;
        for street in streets {
            directory::create_street(ctx, &system, NewStreet { district_id: district.id, name: text(street) }).await?;
        }
        let mut departments = Vec::new();
        for department in DEPARTMENTS {
            departments.push(
                directory::create_department(
                    ctx,
                    &system,
                    NewDepartment { district_id: district.id, name: text(department) },
                )
                .await?,
            );
        }
        let mut categories = Vec::new();
        for (name, respond, resolve, department) in CATEGORIES {
            categories.push(
                directory::create_category(
                    ctx,
                    &system,
                    NewCategory {
                        district_id: district.id,
                        name: text(name),
                        respond_within_hours: respond,
                        resolve_within_hours: resolve,
                        default_department_id: departments.get(department).map(|d| d.id),
                    },
                )
                .await?,
            );
        }
        city.districts.push(DemoDistrict { district, departments, categories });
    }
    Ok(Some(city))
}

async fn seed_tickets(ctx: &Context, city: &DemoCity) -> Result<(), DemoError> {
    let samples = [
        (
            0,
            2,
            "Street light out on Quay Road",
            "The lamp opposite pier 3 has been dark for three nights.",
            Channel::App,
            "demo-resident",
        ),
        (
            1,
            8,
            "Karaoke noise after midnight",
            "Loud music from the bar on Bell Tower Street every night.",
            Channel::Phone,
            "demo-operator",
        ),
        (
            2,
            4,
            "Water leaking from a hydrant",
            "Clean water running into the street near the mill.",
            Channel::Web,
            "demo-resident",
        ),
    ];
    for (district, category, title, description, channel, subject) in samples {
        let Some(demo) = city.districts.get(district) else { continue };
        let Some(category) = demo.categories.get(category) else { continue };
        let (caller, contact) = if channel == Channel::Phone {
            let contact =
                Contact {
                    name: Some("王秀英".into()), phone: Some("13812345678".into()), email: None, language: None
                };
            (Caller::operator(subject), contact)
        } else {
            (Caller::resident(subject), Contact::default())
        };
        tickets::submit(
            ctx,
            &caller,
            NewTicket { contact, ..NewTicket::new(demo.district.id, category.id, channel, title, description) },
        )
        .await?;
    }
    Ok(())
}
