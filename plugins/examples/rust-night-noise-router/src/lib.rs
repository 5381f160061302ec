//! Night-noise router: noise complaints submitted between 22:00 and 06:00 go to the police
//! liaison named in the district's config. The same decision as `../night-noise-router` (C).
//!
//! Config: `{"noise_categories": ["cat_noise"], "police_department": "dep_police"}`.

use civitas_plugin_sdk::ticket_router::{NewTicket, PluginError, Priority, Routing, TicketRouter};
use civitas_plugin_sdk::{Host, Level};

/// The plugin.
pub struct NightNoise;

const NIGHT_STARTS: u16 = 22 * 60;
const NIGHT_ENDS: u16 = 6 * 60;

impl TicketRouter for NightNoise {
    fn route(ticket: NewTicket, host: &dyn Host) -> Result<Option<Routing>, PluginError> {
        let config = host.config_json()?;
        let bad_config = |message: &str| PluginError { code: "bad-config".to_owned(), message: message.to_owned() };
        let categories = config["noise_categories"]
            .as_array()
            .ok_or_else(|| bad_config("config needs \"noise_categories\": [category IDs]"))?;
        let police = config["police_department"]
            .as_str()
            .ok_or_else(|| bad_config("config needs \"police_department\": \"dep_...\""))?;
        let is_noise = categories.iter().any(|c| c.as_str() == Some(ticket.category.as_str()));
        let at_night = ticket.minute_of_day >= NIGHT_STARTS || ticket.minute_of_day < NIGHT_ENDS;
        if !(is_noise && at_night) {
            return Ok(None);
        }
        host.log(Level::Info, "night-time noise complaint: routed to the police liaison");
        Ok(Some(Routing {
            department: police.to_owned(),
            priority: Priority::High,
            tags: vec!["night-noise".to_owned()],
        }))
    }
}

civitas_plugin_sdk::export_ticket_router!(NightNoise);

#[cfg(test)]
mod tests {
    use civitas_plugin_sdk::TestHost;
    use civitas_plugin_sdk::ticket_router::Channel;

    use super::*;

    const CONFIG: &str = r#"{"noise_categories": ["cat_noise"], "police_department": "dep_police"}"#;

    fn ticket(category: &str, minute_of_day: u16) -> NewTicket {
        NewTicket {
            district: "dst_1".to_owned(),
            street: None,
            category: category.to_owned(),
            channel: Channel::App,
            text: "Loud music".to_owned(),
            location: None,
            submitted_at: 0,
            minute_of_day,
            weekday: 6,
        }
    }

    #[test]
    fn night_noise_goes_to_the_police_liaison() {
        let host = TestHost::with_config(CONFIG);
        let routing = NightNoise::route(ticket("cat_noise", 23 * 60 + 30), &host).expect("decides").expect("routes");
        assert_eq!(routing.department, "dep_police");
        assert_eq!(host.logs.borrow().len(), 1);
    }

    #[test]
    fn the_night_window_wraps_around_midnight() {
        let host = TestHost::with_config(CONFIG);
        assert!(NightNoise::route(ticket("cat_noise", 5 * 60 + 59), &host).expect("decides").is_some());
        assert!(NightNoise::route(ticket("cat_noise", 6 * 60), &host).expect("decides").is_none());
        assert!(NightNoise::route(ticket("cat_noise", 21 * 60 + 59), &host).expect("decides").is_none());
        assert!(NightNoise::route(ticket("cat_noise", 22 * 60), &host).expect("decides").is_some());
    }

    #[test]
    fn other_categories_get_no_opinion() {
        let host = TestHost::with_config(CONFIG);
        assert!(NightNoise::route(ticket("cat_pothole", 23 * 60), &host).expect("decides").is_none());
        assert!(host.logs.borrow().is_empty());
    }

    #[test]
    fn missing_config_is_the_plugins_own_error() {
        let host = TestHost::with_config("{}");
        let error = NightNoise::route(ticket("cat_noise", 23 * 60), &host).expect_err("refuses");
        assert_eq!(error.code, "bad-config");
    }
}
