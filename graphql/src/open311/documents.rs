//! The documents of GeoReport v2, as the specification names their fields.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use super::format::Document;

/// The discovery document: where this endpoint is and what it speaks.
#[derive(Debug, Serialize)]
pub struct Discovery {
    /// When this document last changed.
    pub changeset: String,
    /// Who to contact.
    pub contact: String,
    /// How to get an API key.
    pub key_service: String,
    /// The endpoints.
    pub endpoints: Vec<Endpoint>,
}

/// One endpoint.
#[derive(Debug, Clone, Serialize)]
pub struct Endpoint {
    /// The specification's URL.
    pub specification: String,
    /// The endpoint's base URL.
    pub url: String,
    /// When it last changed.
    pub changeset: String,
    /// `production` or `test`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Media types.
    pub formats: Vec<String>,
}

/// XML names each item of a list where JSON has a bare array: the discovery document's XML shape.
#[derive(Serialize)]
struct DiscoveryXml<'a> {
    changeset: &'a str,
    contact: &'a str,
    key_service: &'a str,
    endpoints: EndpointsXml<'a>,
}

#[derive(Serialize)]
struct EndpointsXml<'a> {
    endpoint: Vec<EndpointXml<'a>>,
}

#[derive(Serialize)]
struct EndpointXml<'a> {
    specification: &'a str,
    url: &'a str,
    changeset: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    formats: FormatsXml<'a>,
}

#[derive(Serialize)]
struct FormatsXml<'a> {
    format: &'a [String],
}

impl Document for Discovery {
    fn json(&self) -> serde_json::Result<String> {
        serde_json::to_string(self)
    }

    fn xml(&self) -> Result<String, quick_xml::SeError> {
        let endpoint = self
            .endpoints
            .iter()
            .map(|endpoint| EndpointXml {
                specification: &endpoint.specification,
                url: &endpoint.url,
                changeset: &endpoint.changeset,
                kind: &endpoint.kind,
                formats: FormatsXml { format: &endpoint.formats },
            })
            .collect();
        let xml = DiscoveryXml {
            changeset: &self.changeset,
            contact: &self.contact,
            key_service: &self.key_service,
            endpoints: EndpointsXml { endpoint },
        };
        quick_xml::se::to_string_with_root("discovery", &xml)
    }
}

/// A service: one of the district's categories.
#[derive(Debug, Serialize)]
pub struct Service {
    /// The category's ID (`cat_3`).
    pub service_code: String,
    /// The category's name in the request's language.
    pub service_name: String,
    /// Its deadlines, in words.
    pub description: String,
    /// Whether it has attributes (never: categories define none).
    pub metadata: bool,
    /// `realtime`: a request becomes a ticket at once.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Search words (the district's name).
    pub keywords: String,
    /// The department that usually handles it.
    pub group: String,
}

/// A service definition: its attributes (none: categories define none).
#[derive(Debug, Serialize)]
pub struct ServiceDefinition {
    /// The service.
    pub service_code: String,
    /// Its attributes (always empty).
    pub attributes: Vec<()>,
}

#[derive(Serialize)]
struct ServiceDefinitionXml<'a> {
    service_code: &'a str,
    attributes: AttributesXml,
}

#[derive(Serialize)]
struct AttributesXml {
    attribute: Vec<()>,
}

impl Document for ServiceDefinition {
    fn json(&self) -> serde_json::Result<String> {
        serde_json::to_string(self)
    }

    fn xml(&self) -> Result<String, quick_xml::SeError> {
        let xml = ServiceDefinitionXml {
            service_code: &self.service_code,
            attributes: AttributesXml { attribute: Vec::new() },
        };
        quick_xml::se::to_string_with_root("service_definition", &xml)
    }
}

/// A service request: a ticket as the public sees it.
#[derive(Debug, Serialize)]
pub struct ServiceRequest {
    /// The ticket's tracking code.
    pub service_request_id: String,
    /// `open` or `closed`.
    pub status: &'static str,
    /// The latest public note.
    pub status_notes: Option<String>,
    /// The category's name.
    pub service_name: String,
    /// The category's ID.
    pub service_code: String,
    /// What was reported.
    pub description: String,
    /// The department it is dispatched to.
    pub agency_responsible: Option<String>,
    /// Nothing to add.
    pub service_notice: Option<String>,
    /// Submitted.
    pub requested_datetime: String,
    /// Last changed.
    pub updated_datetime: String,
    /// To be resolved by.
    pub expected_datetime: Option<String>,
    /// Where, as written.
    pub address: Option<String>,
    /// Latitude.
    pub lat: Option<f64>,
    /// Longitude.
    pub long: Option<f64>,
    /// A photo the client posted.
    pub media_url: Option<String>,
}

/// What a post answers.
#[derive(Debug, Serialize)]
pub struct PostAnswer {
    /// The ticket's tracking code.
    pub service_request_id: String,
    /// A token to look the request up with.
    pub token: String,
    /// What happens next, in the request's language.
    pub service_notice: String,
}

/// What a token maps to.
#[derive(Debug, Serialize)]
pub struct TokenAnswer {
    /// The ticket's tracking code.
    pub service_request_id: String,
    /// The token.
    pub token: String,
}

/// A time as GeoReport writes it: ISO 8601 with the city's offset, to the second.
pub fn datetime(at: DateTime<Utc>, timezone: chrono_tz::Tz) -> String {
    at.with_timezone(&timezone).to_rfc3339_opts(SecondsFormat::Secs, false)
}
