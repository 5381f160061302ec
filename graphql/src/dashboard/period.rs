//! The period a dashboard page covers: this month, the last three months, this year, or the
//! dates given, each day a midnight in the city's time zone and `to` exclusive.

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc};
use civitas_core::i18n::Message;

/// The longest period a page covers, in days (its weekly trend then has 105 weeks).
pub const MAX_DAYS: u64 = 731;

/// Which period was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// From the first of this month.
    Month,
    /// The last three months, this one included.
    Quarter,
    /// From the first of January.
    Year,
    /// `?from=…&to=…`.
    Dates,
}

impl Choice {
    /// The presets, in the order the page offers them.
    pub const PRESETS: [Choice; 3] = [Choice::Month, Choice::Quarter, Choice::Year];

    /// Its name in links.
    pub fn key(self) -> &'static str {
        match self {
            Choice::Month => "month",
            Choice::Quarter => "quarter",
            Choice::Year => "year",
            Choice::Dates => "dates",
        }
    }

    /// Its name on the page.
    pub fn name(self) -> Message {
        match self {
            Choice::Month => Message::new("this month"),
            Choice::Quarter => Message::new("last 3 months"),
            Choice::Year => Message::new("this year"),
            Choice::Dates => Message::new("chosen dates"),
        }
    }
}

/// A period: the first day and the day after the last, as dates and as instants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// How it was chosen.
    pub choice: Choice,
    /// The first day.
    pub first_day: NaiveDate,
    /// The day after the last.
    pub end_day: NaiveDate,
    /// The first day's midnight.
    pub from: DateTime<Utc>,
    /// The end day's midnight.
    pub to: DateTime<Utc>,
}

impl Period {
    /// The period a request asks for (`period`, or `from` and `to`), `today` being the city's date.
    pub fn parse(
        period: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
        today: NaiveDate,
        timezone: chrono_tz::Tz,
    ) -> Result<Period, Message> {
        let month_start = today.with_day(1).unwrap_or(today);
        let (choice, first_day, end_day) = match (from, to) {
            (Some(from), Some(to)) => {
                let day = |field: &str, text: &str| {
                    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
                        Message::new("{field} must be a date such as 2026-01-31").arg("field", field.to_owned())
                    })
                };
                let (first, end) = (day("from", from)?, day("to", to)?);
                if end <= first {
                    return Err(Message::new("to must be after from"));
                }
                if (end - first).num_days() > MAX_DAYS as i64 {
                    return Err(Message::new("a period is at most {days} days").arg("days", MAX_DAYS));
                }
                (Choice::Dates, first, end)
            }
            (Some(_), None) | (None, Some(_)) => return Err(Message::new("give both from and to")),
            (None, None) => match period.unwrap_or("month") {
                "month" => (Choice::Month, month_start, month_start + Months::new(1)),
                "quarter" => (Choice::Quarter, month_start - Months::new(2), month_start + Months::new(1)),
                "year" => {
                    let first = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(month_start);
                    (Choice::Year, first, first + Months::new(12))
                }
                _ => return Err(Message::new("period must be month, quarter or year")),
            },
        };
        let midnight = |day: NaiveDate| {
            day.and_hms_opt(0, 0, 0)
                .and_then(|time| time.and_local_timezone(timezone).earliest())
                .map(|at| at.with_timezone(&Utc))
                .ok_or_else(|| Message::new("{field} must be a date such as 2026-01-31").arg("field", "from"))
        };
        Ok(Period { choice, first_day, end_day, from: midnight(first_day)?, to: midnight(end_day)? })
    }

    /// The last day.
    pub fn last_day(&self) -> NaiveDate {
        self.end_day.checked_sub_days(Days::new(1)).unwrap_or(self.first_day)
    }

    /// The query string that asks for this period again.
    pub fn query(&self) -> String {
        match self.choice {
            Choice::Dates => format!("from={}&to={}", self.first_day, self.end_day),
            preset => format!("period={}", preset.key()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn presets_and_dates_are_midnights_in_the_city() {
        let shanghai = chrono_tz::Asia::Shanghai;
        let today = date("2026-12-07");
        let month = Period::parse(None, None, None, today, shanghai).expect("month");
        assert_eq!((month.first_day, month.end_day), (date("2026-12-01"), date("2027-01-01")));
        assert_eq!(month.from.to_rfc3339(), "2026-11-30T16:00:00+00:00");
        let quarter = Period::parse(Some("quarter"), None, None, today, shanghai).expect("quarter");
        assert_eq!((quarter.first_day, quarter.last_day()), (date("2026-10-01"), date("2026-12-31")));
        let year = Period::parse(Some("year"), None, None, today, shanghai).expect("year");
        assert_eq!((year.first_day, year.end_day), (date("2026-01-01"), date("2027-01-01")));
        let dates = Period::parse(None, Some("2026-01-01"), Some("2026-02-01"), today, shanghai).expect("dates");
        assert_eq!((dates.choice, dates.last_day()), (Choice::Dates, date("2026-01-31")));
        assert_eq!(dates.query(), "from=2026-01-01&to=2026-02-01");
    }

    #[test]
    fn bad_periods_are_refused() {
        let utc = chrono_tz::UTC;
        let today = date("2026-12-07");
        assert!(Period::parse(Some("decade"), None, None, today, utc).is_err());
        assert!(Period::parse(None, Some("2026-02-01"), Some("2026-01-01"), today, utc).is_err());
        assert!(Period::parse(None, Some("2026-01-01"), None, today, utc).is_err());
        assert!(Period::parse(None, Some("2020-01-01"), Some("2026-01-01"), today, utc).is_err());
        assert!(Period::parse(None, Some("yesterday"), Some("2026-01-01"), today, utc).is_err());
    }
}
