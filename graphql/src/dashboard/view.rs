//! What a dashboard page shows, read from the domain and written with its templates (minijinja,
//! escaped by default).

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{Days, Duration};
use civitas_core::Context;
use civitas_core::directory::{self, District};
use civitas_core::i18n::{Locale, Message};
use civitas_core::tickets::{self, Breakdown, StatsQuery, TicketStats, TicketStatus};
use minijinja::Environment;
use serde::Serialize;
use serde_json::{Value, json};

use super::chart::{self, Line};
use super::period::{Choice, Period};

/// Why a page could not be made.
pub enum Failure {
    /// No such district.
    NotFound(Message),
    /// Every rendering turn stayed taken for as long as a request waits.
    Busy,
    /// Reading or rendering failed (logged, not shown).
    Internal(String),
}

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(error: E) -> Self {
        Failure::Internal(error.to_string())
    }
}

const TEMPLATES: [(&str, &str); 6] = [
    ("base.html", include_str!("templates/base.html")),
    ("period.html", include_str!("templates/period.html")),
    ("definitions.html", include_str!("templates/definitions.html")),
    ("overview.html", include_str!("templates/overview.html")),
    ("district.html", include_str!("templates/district.html")),
    ("error.html", include_str!("templates/error.html")),
];

fn environment() -> Result<Environment<'static>, minijinja::Error> {
    let mut environment = Environment::new();
    environment.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    for (name, source) in TEMPLATES {
        environment.add_template(name, source)?;
    }
    Ok(environment)
}

fn templates() -> Result<&'static Environment<'static>, String> {
    static PARSED: OnceLock<Result<Environment<'static>, String>> = OnceLock::new();
    // The templates are part of the binary: one that does not parse fails every page (and the
    // unit test below), never silently.
    PARSED.get_or_init(|| environment().map_err(|error| error.to_string())).as_ref().map_err(Clone::clone)
}

fn render(name: &str, context: &Value) -> Result<String, String> {
    let template = templates()?.get_template(name).map_err(|error| error.to_string())?;
    template.render(context).map_err(|error| error.to_string())
}

fn text(message: &'static str, locale: Locale) -> String {
    Message::new(message).render(locale)
}

/// The words of every page.
fn labels(locale: Locale) -> Value {
    let t = |message: &'static str| text(message, locale);
    json!({
        "city": t("City overview"),
        "languages": t("Languages"),
        "period": t("Period"),
        "districts": t("Districts"),
        "district": t("District"),
        "departments": t("Departments"),
        "department": t("Department"),
        "rates": t("Rates"),
        "response_rate": t("Response rate"),
        "resolution_rate": t("Resolution rate"),
        "satisfaction_rate": t("Satisfaction rate"),
        "tickets": t("Tickets"),
        "at_a_glance": t("At a glance"),
        "overdue": t("Overdue now"),
        "median_response": t("Median time to respond"),
        "median_resolution": t("Median time to resolve"),
        "trend": t("Weekly trend of the three rates"),
        "see_table": t("the same numbers are in the table below"),
        "week_of": t("Week of"),
        "by_status": t("Tickets by status"),
        "status": t("Status"),
        "by_category": t("Tickets by category"),
        "category": t("Category"),
        "definitions": t("What the rates mean"),
        "response_definition": t("Of the tickets whose response was due, the share a department accepted before its response deadline."),
        "resolution_definition": t("Of the tickets whose resolution was due, the share resolved before the deadline and never reopened by an unhappy reporter."),
        "satisfaction_definition": t("Of the tickets that residents rated, the share rated 4 or 5 out of 5."),
        "no_data": t("\u{201c}No data\u{201d} means that nothing was due or rated in the period yet. Rejected and merged tickets are not counted."),
        "footer": t("Figures are recomputed at most once a minute. Dates are in the city's time zone."),
    })
}

/// A rate as the page shows it: a percentage to one decimal, or "no data".
pub fn percent(rate: Option<f64>, locale: Locale) -> String {
    match rate {
        Some(rate) => format!("{:.1}%", rate * 100.0),
        None => text("no data", locale),
    }
}

fn duration(value: Option<Duration>, locale: Locale) -> String {
    let Some(value) = value else { return text("no data", locale) };
    let hours = value.num_minutes() as f64 / 60.0;
    if hours < 48.0 {
        Message::new("{hours} h").arg("hours", format!("{hours:.1}")).render(locale)
    } else {
        Message::new("{days} d").arg("days", format!("{:.1}", hours / 24.0)).render(locale)
    }
}

fn status_name(status: TicketStatus) -> Message {
    Message::new(match status {
        TicketStatus::Received => "Received",
        TicketStatus::Dispatched => "Dispatched",
        TicketStatus::Accepted => "Being handled",
        TicketStatus::Resolved => "Resolved",
        TicketStatus::Closed => "Closed",
        TicketStatus::Rejected => "Rejected",
        TicketStatus::Merged => "Merged as a duplicate",
    })
}

fn href(path: &str, locale: Locale, period: &Period) -> String {
    format!("{path}?lang={}&{}", locale.tag(), period.query())
}

/// What every page shares: language and period links, labels.
fn frame(locale: Locale, period: Option<&Period>, path: &str, title: String) -> Value {
    let languages: Vec<Value> = [(Locale::ZhHans, "简体中文"), (Locale::ZhHant, "繁體中文"), (Locale::En, "English")]
        .into_iter()
        .map(|(language, name)| {
            let href = match period {
                Some(period) => href(path, language, period),
                None => format!("{path}?lang={}", language.tag()),
            };
            json!({ "tag": language.tag(), "name": name, "href": href, "current": language == locale })
        })
        .collect();
    let mut frame = json!({
        "lang": locale.tag(),
        "title": title,
        "labels": labels(locale),
        "languages": languages,
        "home_href": match period {
            Some(period) => href("/", locale, period),
            None => format!("/?lang={}", locale.tag()),
        },
    });
    if let Some(period) = period {
        let periods: Vec<Value> = Choice::PRESETS
            .into_iter()
            .map(|choice| {
                json!({
                    "name": choice.name().render(locale),
                    "href": format!("{path}?lang={}&period={}", locale.tag(), choice.key()),
                    "current": choice == period.choice,
                })
            })
            .collect();
        frame["periods"] = Value::from(periods);
        frame["period"] = json!({
            "label": format!("{} – {} ({})", period.first_day, period.last_day(), period.choice.name().render(locale)),
        });
    }
    frame
}

fn query(district: Option<&District>, period: &Period) -> StatsQuery {
    StatsQuery { district_id: district.map(|d| d.id), department_id: None, from: period.from, to: period.to }
}

#[derive(Serialize)]
struct Rates {
    response: String,
    resolution: String,
    satisfaction: String,
    total: i64,
}

impl Rates {
    fn of(stats: &TicketStats, locale: Locale) -> Rates {
        Rates {
            response: percent(stats.response_rate(), locale),
            resolution: percent(stats.resolution_rate(), locale),
            satisfaction: percent(stats.satisfaction_rate(), locale),
            total: stats.total,
        }
    }
}

/// `GET /`: every district's rates.
pub async fn overview(ctx: &Context, locale: Locale, period: &Period) -> Result<String, Failure> {
    let districts = directory::districts(ctx).await?;
    let by_district: HashMap<Option<i64>, TicketStats> =
        tickets::stats_by(ctx, &query(None, period), Breakdown::District).await?.into_iter().collect();
    let empty = TicketStats::default();
    let mut rows = Vec::new();
    for district in &districts {
        let stats = by_district.get(&Some(district.id.0)).unwrap_or(&empty);
        let mut row = serde_json::to_value(Rates::of(stats, locale))?;
        row["code"] = Value::from(district.code.clone());
        row["name"] = Value::from(district.name.get(locale));
        row["href"] = Value::from(href(&format!("/districts/{}", district.code), locale, period));
        rows.push(row);
    }
    let mut context = frame(locale, Some(period), "/", text("How the city answers its residents", locale));
    context["districts"] = Value::from(rows);
    Ok(render("overview.html", &context)?)
}

/// `GET /districts/{code}`: one district's page.
pub async fn district(ctx: &Context, locale: Locale, period: &Period, code: &str) -> Result<String, Failure> {
    let Some(district) = directory::district_by_code(ctx, code).await? else {
        let code: String = code.chars().take(64).collect();
        return Err(Failure::NotFound(Message::new("no district `{code}`").arg("code", code)));
    };
    let query = query(Some(&district), period);
    let times = tickets::times(ctx, &query).await?;
    let by_department: HashMap<Option<i64>, TicketStats> =
        tickets::stats_by(ctx, &query, Breakdown::Department).await?.into_iter().collect();
    let by_category: HashMap<Option<i64>, TicketStats> =
        tickets::stats_by(ctx, &query, Breakdown::Category).await?.into_iter().collect();
    let by_week: HashMap<Option<i64>, TicketStats> =
        tickets::stats_by(ctx, &query, Breakdown::Week).await?.into_iter().collect();
    // Every ticket of the period is in one week: the weeks add up to the district's stats.
    let stats = TicketStats::combined(by_week.values());

    let empty = TicketStats::default();
    let departments: Vec<Value> = directory::departments(ctx, district.id)
        .await?
        .into_iter()
        .map(|department| {
            let stats = by_department.get(&Some(department.id.0)).unwrap_or(&empty);
            let mut row = serde_json::to_value(Rates::of(stats, locale)).unwrap_or_default();
            row["id"] = Value::from(department.id.to_string());
            row["name"] = Value::from(department.name.get(locale));
            row
        })
        .collect();
    let categories: Vec<Value> = directory::categories(ctx, district.id)
        .await?
        .into_iter()
        .map(|category| {
            let count = by_category.get(&Some(category.id.0)).map_or(0, |stats| stats.total);
            json!({ "key": category.id.to_string(), "name": category.name.get(locale), "count": count })
        })
        .collect();
    let statuses: Vec<Value> = TicketStatus::ALL
        .iter()
        .map(|&status| {
            let count = stats.by_status.iter().find(|(s, _)| *s == status).map_or(0, |(_, count)| *count);
            json!({ "key": status.as_str(), "name": status_name(status).render(locale), "count": count })
        })
        .collect();

    let week_count = ((period.end_day - period.first_day).num_days().max(1) + 6) / 7;
    let mut week_labels = Vec::new();
    let mut weeks = Vec::new();
    let (mut response, mut resolution, mut satisfaction) = (Vec::new(), Vec::new(), Vec::new());
    for week in 0..week_count {
        let start = period.first_day.checked_add_days(Days::new(7 * week as u64)).unwrap_or(period.first_day);
        let stats = by_week.get(&Some(week)).unwrap_or(&empty);
        let label = start.format("%m-%d").to_string();
        let mut row = serde_json::to_value(Rates::of(stats, locale))?;
        row["label"] = Value::from(start.to_string());
        weeks.push(row);
        week_labels.push(label);
        response.push(stats.response_rate());
        resolution.push(stats.resolution_rate());
        satisfaction.push(stats.satisfaction_rate());
    }
    let chart = chart::chart(
        &week_labels,
        vec![
            Line { name: text("Response rate", locale), color: "#1f4e9c", dash: "", values: response },
            Line { name: text("Resolution rate", locale), color: "#1b6e3a", dash: "8 4", values: resolution },
            Line { name: text("Satisfaction rate", locale), color: "#8a3b00", dash: "2 4", values: satisfaction },
        ],
    );

    let path = format!("/districts/{}", district.code);
    let title = Message::new("{district}: how it answers its residents")
        .arg("district", district.name.get(locale))
        .render(locale);
    let mut context = frame(locale, Some(period), &path, title);
    let mut summary = serde_json::to_value(Rates::of(&stats, locale))?;
    summary["overdue"] = Value::from(times.overdue);
    summary["median_response"] = Value::from(duration(times.median_response, locale));
    summary["median_resolution"] = Value::from(duration(times.median_resolution, locale));
    context["summary"] = summary;
    context["departments"] = Value::from(departments);
    context["categories"] = Value::from(categories);
    context["statuses"] = Value::from(statuses);
    context["weeks"] = Value::from(weeks);
    context["chart"] = serde_json::to_value(chart)?;
    Ok(render("district.html", &context)?)
}

/// A page saying what was wrong with the request.
pub fn error(locale: Locale, code: Option<&str>, message: &Message) -> Result<String, String> {
    let path = code.map_or_else(|| "/".to_owned(), |code| format!("/districts/{code}"));
    let mut context = frame(locale, None, &path, text("This page cannot be shown", locale));
    context["message"] = Value::from(message.render(locale));
    render("error.html", &context)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_parses_and_the_error_page_renders_escaped() {
        environment().expect("templates");
        let page = error(Locale::ZhHant, Some("x"), &Message::verbatim("<b>bad</b>".to_owned())).expect("page");
        assert!(page.contains(r#"<html lang="zh-Hant">"#) && page.contains("&lt;b&gt;bad&lt;"), "{page}");
        assert_eq!(percent(Some(0.97349), Locale::En), "97.3%");
        assert_eq!(percent(None, Locale::ZhHans), "暂无数据");
    }
}
