//! The messages' texts: one template file per kind and language under `core/templates/email/`
//! (`ticket_received.zh-Hans.txt`: a `Subject:` line, a blank line, the plain-text body), and
//! one HTML layout that shows the same paragraphs. Templates are compiled into the binary;
//! values are escaped in the HTML part (minijinja escapes `.html` templates by default).

use minijinja::{Environment, Value, context};

use super::model::EmailKind;
use crate::i18n::Locale;

macro_rules! templates {
    ($($stem:literal),+ $(,)?) => {
        &[$(
            (concat!($stem, ".en.txt"), include_str!(concat!("../../templates/email/", $stem, ".en.txt"))),
            (concat!($stem, ".zh-Hans.txt"), include_str!(concat!("../../templates/email/", $stem, ".zh-Hans.txt"))),
            (concat!($stem, ".zh-Hant.txt"), include_str!(concat!("../../templates/email/", $stem, ".zh-Hant.txt"))),
        )+]
    };
}

/// Every template: (name, source).
const TEMPLATES: &[(&str, &str)] = templates!(
    "ticket_received",
    "ticket_dispatched",
    "ticket_resolved",
    "ticket_reopened",
    "ticket_closed",
    "department_ticket_dispatched",
    "ticket_escalated",
    "plugin_auto_disabled",
    "survey_invitation",
);

const LAYOUT: &str = include_str!("../../templates/email/layout.html");

/// A rendered message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Why a template did not render (a defect of the template, caught by the tests).
#[derive(Debug, thiserror::Error)]
#[error("email template {name}: {reason}")]
pub(crate) struct TemplateError {
    name: String,
    reason: String,
}

fn environment() -> Environment<'static> {
    let mut environment = Environment::new();
    // Undefined values are template defects: fail rather than send a message with a hole.
    environment.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    for (name, source) in TEMPLATES {
        // A template that does not parse fails its render below, with its name.
        let _ = environment.add_template(name, source);
    }
    let _ = environment.add_template("layout.html", LAYOUT);
    environment
}

/// Renders `kind` in `locale` with `values` (e.g. `context! { code, title, district }`).
pub(crate) fn render(kind: EmailKind, locale: Locale, values: Value) -> Result<Rendered, TemplateError> {
    let environment = environment();
    let name = format!("{}.{}.txt", kind.template(), locale.tag());
    let error = |reason: minijinja::Error| TemplateError { name: name.clone(), reason: reason.to_string() };
    let full = environment.get_template(&name).and_then(|template| template.render(&values)).map_err(error)?;
    let (subject, body) = full
        .split_once('\n')
        .and_then(|(first, rest)| Some((first.strip_prefix("Subject:")?.trim().to_owned(), rest.trim().to_owned())))
        .ok_or_else(|| TemplateError {
            name: name.clone(), reason: "the first line is not `Subject: …`".to_owned()
        })?;
    let paragraphs: Vec<&str> = body.split("\n\n").map(str::trim).filter(|text| !text.is_empty()).collect();
    let html = environment
        .get_template("layout.html")
        .and_then(|layout| layout.render(context! { lang => locale.tag(), subject => &subject, paragraphs }))
        .map_err(|reason| TemplateError { name: "layout.html".to_owned(), reason: reason.to_string() })?;
    Ok(Rendered { subject, text: body, html })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_renders_in_every_language_with_its_values_escaped_in_html() {
        for kind in EmailKind::ALL {
            for locale in [Locale::En, Locale::ZhHans, Locale::ZhHant] {
                let values = context! {
                    code => "BJ-2026-000042", title => "<b>lamp</b> & more", district => "Dongcheng",
                    department => "Streets", reason => "<b>lamp</b> & more", name => "BJ-2026-000042",
                    version => "1.0",
                };
                let rendered = render(*kind, locale, values).unwrap_or_else(|error| panic!("{error}"));
                assert!(rendered.subject.contains("BJ-2026-000042"), "{kind} {locale:?}: {}", rendered.subject);
                let whole = format!("{}\n{}", rendered.subject, rendered.text);
                assert!(whole.contains("Dongcheng"), "{kind} {locale:?}: names the district");
                assert!(rendered.text.contains("<b>lamp</b> & more"), "{kind} {locale:?}: the plain text is verbatim");
                assert!(
                    rendered.html.contains("&lt;b&gt;lamp&lt;") && rendered.html.contains("&amp; more"),
                    "{kind} {locale:?}"
                );
                assert!(!rendered.html.contains("<b>lamp"), "{kind} {locale:?}");
                assert!(!rendered.text.contains("{{"), "{kind} {locale:?}: every placeholder filled");
            }
        }
    }

    #[test]
    fn a_missing_value_is_an_error_not_a_hole() {
        let error = render(EmailKind::TicketReceived, Locale::En, context! { code => "X" }).expect_err("no title");
        assert!(error.to_string().contains("ticket_received.en.txt"), "{error}");
    }
}
