//! Text as people and programs send it, checked the same way on every backend: trimmed,
//! bounded, never blank (zero-width characters count as blank), and without control characters
//! other than tab and line feed (NUL is stored by SQLite and refused by PostgreSQL; escape
//! sequences would reach timelines and logs). A Windows line end (`\r\n`) becomes `\n`.

use crate::error::InvalidInput;
use crate::i18n::Message;

/// Characters that print nothing: a title of only these is as empty as one of spaces.
const INVISIBLE: [char; 6] = ['\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}', '\u{00AD}'];

fn is_blank(character: char) -> bool {
    character.is_whitespace() || INVISIBLE.contains(&character)
}

/// `text` trimmed, with 1 to `max` characters and no control characters but tab and line feed;
/// otherwise why not, naming `field`.
pub fn required(field: &'static str, text: &str, max: usize) -> Result<String, InvalidInput> {
    let text = text.replace("\r\n", "\n");
    let trimmed = text.trim_matches(is_blank);
    if trimmed.is_empty() {
        return Err(InvalidInput::new(field, "must not be empty"));
    }
    if trimmed.chars().count() > max {
        return Err(InvalidInput::new(field, Message::new("must have at most {max} characters").arg("max", max)));
    }
    if trimmed.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(InvalidInput::new(field, "must not contain control characters"));
    }
    Ok(trimmed.to_owned())
}

/// Like [`required`], but an absent or blank value is `None`.
pub fn optional(field: &'static str, text: Option<&str>, max: usize) -> Result<Option<String>, InvalidInput> {
    match text {
        Some(text) if !text.chars().all(is_blank) => required(field, text, max).map(Some),
        _ => Ok(None),
    }
}

/// A phone number as people write one: an optional leading `+`, then groups of digits
/// separated by single spaces or hyphens, one group possibly in parentheses; 3 to 20 digits.
pub fn phone(field: &'static str, text: &str) -> Result<String, InvalidInput> {
    let number = required(field, text, 32)?;
    let refuse = || InvalidInput::new(field, "must be a phone number such as +86 138 1234 5678 (3 to 20 digits)");
    let body = number.strip_prefix('+').unwrap_or(&number);
    let mut parenthesised = 0;
    for group in body.split([' ', '-']) {
        let digits = match group.strip_prefix('(').and_then(|inner| inner.strip_suffix(')')) {
            Some(inner) => {
                parenthesised += 1;
                inner
            }
            None => group,
        };
        if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
            return Err(refuse());
        }
    }
    let count = body.bytes().filter(u8::is_ascii_digit).count();
    if parenthesised > 1 || !(3..=20).contains(&count) {
        return Err(refuse());
    }
    Ok(number)
}

/// A phone number as `+<country code><number>`, for comparing one person's number however it
/// was written: digits only, `00` read as `+`, and +86 (a leading trunk `0` dropped) when no
/// country code is given.
pub fn international_phone(field: &'static str, text: &str) -> Result<String, InvalidInput> {
    let phone = phone(field, text)?;
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let international = phone.trim_start().starts_with('+');
    let full = match digits.strip_prefix("00") {
        Some(rest) if !international => rest.to_owned(),
        _ if international => digits,
        _ => format!("86{}", digits.trim_start_matches('0')),
    };
    Ok(format!("+{full}"))
}

/// An email address with a real domain: a local part, `@`, and dot-separated labels of letters,
/// digits and inner hyphens ending in a top-level domain of two letters or more.
pub fn email(field: &'static str, text: &str) -> Result<String, InvalidInput> {
    let address = required(field, text, 254)?;
    let refuse = || InvalidInput::new(field, "must be an email address such as name@example.org");
    let Some((local, domain)) = address.rsplit_once('@') else {
        return Err(refuse());
    };
    let local_ok = !local.is_empty() && local.len() <= 64 && !local.chars().any(|c| c.is_whitespace() || c == '@');
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |label: &&str| {
        !label.is_empty()
            && label.len() <= 63
            && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    let tld_ok = labels.last().is_some_and(|tld| tld.chars().count() >= 2 && tld.chars().all(char::is_alphabetic));
    if !local_ok || labels.len() < 2 || !labels.iter().all(label_ok) || !tld_ok {
        return Err(refuse());
    }
    Ok(address)
}

/// `text` with each language trimmed, or its problems recorded at `path.en`, `path.zhHans`…
pub(crate) fn clean_localized(
    problems: &mut crate::problems::Problems,
    path: &str,
    text: &crate::i18n::LocalizedText,
    max: usize,
) -> crate::i18n::LocalizedText {
    let mut clean = text.clone();
    for (language, value) in [("en", &mut clean.en), ("zhHans", &mut clean.zh_hans), ("zhHant", &mut clean.zh_hant)] {
        match required("text", value, max) {
            Ok(trimmed) => *value = trimmed,
            Err(invalid) => problems.add(format!("{path}.{language}"), invalid.message),
        }
    }
    clean
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_trimmed_bounded_and_free_of_control_characters() {
        assert_eq!(required("title", "  Lamp out \r\n", 20), Ok("Lamp out".to_owned()));
        assert_eq!(required("body", "two\r\nlines\tand a tab", 50), Ok("two\nlines\tand a tab".to_owned()));
        for blank in ["", "   ", "\u{200B}\u{200B}", "\u{FEFF} \u{2060}"] {
            assert_eq!(required("title", blank, 20).expect_err(blank).message.to_string(), "must not be empty");
        }
        for control in ["nul\u{0}byte", "bell\u{7}", "\u{1b}[31mred", "lone\rreturn", "del\u{7f}"] {
            assert!(required("title", control, 50).is_err(), "{control:?}");
        }
        assert!(required("title", &"x".repeat(21), 20).is_err());
        assert_eq!(optional("address", Some(" \u{200B} "), 20), Ok(None));
        assert_eq!(optional("address", None, 20), Ok(None));
    }

    #[test]
    fn phone_numbers_look_like_phone_numbers() {
        for good in ["13812345678", "+86 138 1234 5678", "(021) 6232-0000", "62345678", "110", "+1-415-555-0100"] {
            assert!(phone("phone", good).is_ok(), "{good}");
        }
        for bad in
            ["(((((((((((((123", "12", "call me", "1--2-3", "+", "(1)(2)(3)", "123456789012345678901", "1 2\u{0}3"]
        {
            assert!(phone("phone", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn email_addresses_need_a_real_domain() {
        for good in ["li@example.org", "jane.doe+hotline@city.gov.cn", "王@例子.中国"] {
            assert!(email("email", good).is_ok(), "{good}");
        }
        for bad in ["a@b", "a@b.c", "@example.org", "a@-x.org", "a@x..org", "a b@example.org", "a@exa mple.org", "noat"]
        {
            assert!(email("email", bad).is_err(), "{bad}");
        }
    }
}
