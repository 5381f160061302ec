//! Sentences for people, written in English in the code and shown in the reader's language.

use std::fmt;

use super::Locale;
use super::catalog;

/// A message: an English template with named `{placeholders}`, its arguments, and — when the
/// template is in the catalog — its Chinese translations. Domain errors carry one, so that a
/// transport renders it in the language the caller asked for (`Accept-Language`), while logs and
/// the CLI show English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    template: Template,
    args: Vec<(&'static str, Arg)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Template {
    /// An English template, looked up in the catalog.
    Catalog(&'static str),
    /// Text from elsewhere (a parser's, a sandbox's), shown as it is in every language.
    Verbatim(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Arg {
    Text(String),
    /// A word or phrase that is itself translated (an action's name, a hook's).
    Message(Message),
}

impl Message {
    /// The message with this English template (its translations come from the catalog).
    pub const fn new(template: &'static str) -> Self {
        Message { template: Template::Catalog(template), args: Vec::new() }
    }

    /// Text that is not translated: technical detail from another component.
    pub fn verbatim(text: impl Into<String>) -> Self {
        Message { template: Template::Verbatim(text.into()), args: Vec::new() }
    }

    /// The message with `{name}` standing for `value`.
    pub fn arg(mut self, name: &'static str, value: impl fmt::Display) -> Self {
        self.args.push((name, Arg::Text(value.to_string())));
        self
    }

    /// The message with `{name}` standing for `value`, translated along with it.
    pub fn arg_message(mut self, name: &'static str, value: Message) -> Self {
        self.args.push((name, Arg::Message(value)));
        self
    }

    /// The message in `locale` (English where the catalog has no translation).
    pub fn render(&self, locale: Locale) -> String {
        let template = match &self.template {
            Template::Verbatim(text) => return text.clone(),
            Template::Catalog(template) => catalog::translate(template, locale),
        };
        let mut out = String::with_capacity(template.len() + 16);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            match after.find('}') {
                Some(close) => {
                    let name = &after[..close];
                    match self.args.iter().find(|(arg, _)| *arg == name) {
                        Some((_, Arg::Text(value))) => out.push_str(value),
                        Some((_, Arg::Message(value))) => out.push_str(&value.render(locale)),
                        None => {
                            out.push('{');
                            out.push_str(name);
                            out.push('}');
                        }
                    }
                    rest = &after[close + 1..];
                }
                None => {
                    out.push_str(&rest[open..]);
                    rest = "";
                }
            }
        }
        out.push_str(rest);
        out
    }
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Locale::En))
    }
}

impl From<&'static str> for Message {
    fn from(template: &'static str) -> Self {
        Message::new(template)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_take_their_arguments_in_every_language() {
        let message = Message::new("must have at most {max} characters").arg("max", 200);
        assert_eq!(message.to_string(), "must have at most 200 characters");
        assert_eq!(message.render(Locale::ZhHans), "最多 200 个字符");
        assert_eq!(message.render(Locale::ZhHant), "最多 200 個字元");
    }

    #[test]
    fn nested_messages_are_translated_too_and_unknown_text_stays_english() {
        let message = Message::new("cannot {action} a ticket that is {from}")
            .arg_message("action", Message::new("dispatch"))
            .arg("from", "CLOSED");
        assert_eq!(message.to_string(), "cannot dispatch a ticket that is CLOSED");
        assert_eq!(message.render(Locale::ZhHans), "无法派单：工单状态为 CLOSED");
        assert_eq!(Message::new("not in the catalog {x}").render(Locale::ZhHant), "not in the catalog {x}");
        assert_eq!(Message::verbatim("wasm: bad magic {").render(Locale::ZhHans), "wasm: bad magic {");
    }
}
