//! Which events one cursor reads.

use crate::ids::DistrictId;

/// The events a consumer's cursor reads: every event, the city-wide ones, or one district's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventScope {
    /// Every event, whatever its district.
    All,
    /// Events that belong to no district (e.g. a new district, a city-wide plugin).
    CityWide,
    /// The events of one district.
    District(DistrictId),
}

impl EventScope {
    /// The stored key of a cursor over this scope: `all`, `city`, `dst_3`.
    pub fn key(self) -> String {
        match self {
            EventScope::All => "all".to_owned(),
            EventScope::CityWide => "city".to_owned(),
            EventScope::District(district) => district.to_string(),
        }
    }

    /// The district whose plugins hear this scope's events (`None`: the city's).
    pub fn district(self) -> Option<DistrictId> {
        match self {
            EventScope::District(district) => Some(district),
            EventScope::All | EventScope::CityWide => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_tell_scopes_apart() {
        let keys = [EventScope::All, EventScope::CityWide, EventScope::District(DistrictId(3))].map(EventScope::key);
        assert_eq!(keys, ["all", "city", "dst_3"]);
    }
}
