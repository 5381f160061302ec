//! The two formats of every Open311 document, chosen by the path's extension, and the
//! protocol's error body: a list of `{code, description}` with the HTTP status as the code.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use civitas_core::error::{Classify, ErrorKind};
use civitas_core::i18n::{Locale, Message};
use serde::Serialize;

/// A document's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.json`
    Json,
    /// `.xml`, the format the specification requires.
    Xml,
}

impl Format {
    /// `services.json` → (`services`, JSON); `None` for another extension.
    pub fn split(file: &str) -> Option<(&str, Format)> {
        let (name, extension) = file.rsplit_once('.')?;
        let format = match extension {
            "json" => Format::Json,
            "xml" => Format::Xml,
            _ => return None,
        };
        Some((name, format))
    }
}

/// A document in both shapes: GeoReport's JSON is a bare list or object, its XML wraps the same
/// values in named elements (`<services><service>…`), so each document says how.
pub trait Document {
    /// The JSON value.
    fn json(&self) -> serde_json::Result<String>;
    /// The XML document, without its declaration.
    fn xml(&self) -> Result<String, quick_xml::SeError>;
}

/// A list whose JSON is an array and whose XML is `<root><item>…</item>…</root>`.
pub struct List<'a, T> {
    /// The root element.
    pub root: &'static str,
    /// The element of each item.
    pub item: &'static str,
    /// The items.
    pub items: &'a [T],
}

impl<T: Serialize> Document for List<'_, T> {
    fn json(&self) -> serde_json::Result<String> {
        serde_json::to_string(self.items)
    }

    fn xml(&self) -> Result<String, quick_xml::SeError> {
        let mut out = String::new();
        out.push_str(&format!("<{}>", self.root));
        for item in self.items {
            out.push_str(&quick_xml::se::to_string_with_root(self.item, item)?);
        }
        out.push_str(&format!("</{}>", self.root));
        Ok(out)
    }
}

/// `document` in `format` with `status`.
pub fn respond(format: Format, status: StatusCode, document: &impl Document) -> Response {
    let body = match format {
        Format::Json => document.json().map_err(|error| error.to_string()),
        Format::Xml => document
            .xml()
            .map(|xml| format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>{xml}"))
            .map_err(|error| error.to_string()),
    };
    match body {
        Ok(body) => {
            let content_type = match format {
                Format::Json => "application/json; charset=utf-8",
                Format::Xml => "text/xml; charset=utf-8",
            };
            (status, [(header::CONTENT_TYPE, content_type)], body).into_response()
        }
        Err(error) => {
            tracing::error!(%error, "an Open311 document could not be written");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

/// One error of GeoReport's error list.
#[derive(Debug, Serialize)]
pub struct ErrorItem {
    /// The HTTP status.
    pub code: u16,
    /// What went wrong, in the request's language.
    pub description: String,
}

/// A refused request: its status and why.
#[derive(Debug)]
pub struct Refusal {
    /// 400, 403, 404 (or 500 for our failures, logged).
    pub status: StatusCode,
    /// Why.
    pub message: Message,
}

impl Refusal {
    /// 400: the request is malformed.
    pub fn bad(message: impl Into<Message>) -> Self {
        Refusal { status: StatusCode::BAD_REQUEST, message: message.into() }
    }

    /// 404.
    pub fn not_found(message: impl Into<Message>) -> Self {
        Refusal { status: StatusCode::NOT_FOUND, message: message.into() }
    }

    /// A domain error: its kind decides the status; an internal one is logged, not shown.
    pub fn domain<E: Classify + std::fmt::Display>(error: E) -> Self {
        let status = match error.kind() {
            ErrorKind::Unauthenticated | ErrorKind::Forbidden => StatusCode::FORBIDDEN,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::Internal => {
                tracing::error!(%error, "an Open311 request failed");
                StatusCode::INTERNAL_SERVER_ERROR
            }
            _ => StatusCode::BAD_REQUEST,
        };
        Refusal { status, message: error.message() }
    }

    /// The error body in `format` and `locale`.
    pub fn respond(&self, format: Format, locale: Locale) -> Response {
        let items = [ErrorItem { code: self.status.as_u16(), description: self.message.render(locale) }];
        respond(format, self.status, &List { root: "errors", item: "error", items: &items })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Item {
        code: &'static str,
        note: Option<&'static str>,
    }

    #[test]
    fn extensions_choose_the_format() {
        assert_eq!(Format::split("services.json"), Some(("services", Format::Json)));
        assert_eq!(Format::split("T-2026-000001.xml"), Some(("T-2026-000001", Format::Xml)));
        assert_eq!(Format::split("services.html"), None);
        assert_eq!(Format::split("services"), None);
    }

    #[test]
    fn a_list_is_an_array_in_json_and_wrapped_elements_in_xml() {
        let items = [Item { code: "a<b", note: None }, Item { code: "c", note: Some("n & m") }];
        let list = List { root: "services", item: "service", items: &items };
        assert_eq!(list.json().expect("json"), r#"[{"code":"a<b","note":null},{"code":"c","note":"n & m"}]"#);
        let xml = list.xml().expect("xml");
        assert!(xml.starts_with("<services><service><code>a&lt;b</code>"), "{xml}");
        assert!(xml.contains("<note>n &amp; m</note></service></services>"), "{xml}");
    }
}
