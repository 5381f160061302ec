//! Locales and localised names.
//!
//! Civitas serves Simplified Chinese, Traditional Chinese and English. Names of districts,
//! departments, categories and streets are stored in all three; messages for people (errors
//! first) are written in English in the code and translated by a catalog ([`Message`]).

mod catalog;
mod message;

pub use message::Message;

/// A supported locale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locale {
    /// English.
    #[default]
    En,
    /// Simplified Chinese (mainland).
    ZhHans,
    /// Traditional Chinese (Hong Kong, Taiwan, Macau).
    ZhHant,
}

impl Locale {
    /// Picks the best supported locale from an HTTP `Accept-Language` value, honouring q-values.
    ///
    /// `zh-TW`, `zh-HK` and `zh-MO` map to Traditional Chinese, any other `zh` to Simplified.
    pub fn negotiate(accept_language: &str) -> Locale {
        let mut best: Option<(f32, Locale)> = None;
        for range in accept_language.split(',') {
            let mut parts = range.split(';');
            let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let quality = parts
                .find_map(|param| param.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let Some(locale) = Self::from_tag(&tag) else {
                continue;
            };
            if quality > 0.0 && best.is_none_or(|(best_quality, _)| quality > best_quality) {
                best = Some((quality, locale));
            }
        }
        best.map(|(_, locale)| locale).unwrap_or_default()
    }

    /// The BCP 47 tag Civitas stores and sends (`en`, `zh-Hans`, `zh-Hant`).
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::ZhHans => "zh-Hans",
            Locale::ZhHant => "zh-Hant",
        }
    }

    /// The locale of a stored tag (one [`Locale::tag`] wrote), or of any tag `negotiate` knows.
    pub fn parse(tag: &str) -> Option<Locale> {
        Self::from_tag(&tag.trim().to_ascii_lowercase())
    }

    fn from_tag(tag: &str) -> Option<Locale> {
        if tag == "en" || tag.starts_with("en-") {
            return Some(Locale::En);
        }
        if tag != "zh" && !tag.starts_with("zh-") {
            return None;
        }
        let traditional = ["zh-hant", "zh-tw", "zh-hk", "zh-mo"].iter().any(|prefix| tag.starts_with(prefix));
        Some(if traditional { Locale::ZhHant } else { Locale::ZhHans })
    }
}

/// A name in every supported locale.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LocalizedText {
    /// English.
    pub en: String,
    /// Simplified Chinese.
    pub zh_hans: String,
    /// Traditional Chinese.
    pub zh_hant: String,
}

impl LocalizedText {
    /// A name from its three translations.
    pub fn new(en: &str, zh_hans: &str, zh_hant: &str) -> Self {
        LocalizedText { en: en.to_owned(), zh_hans: zh_hans.to_owned(), zh_hant: zh_hant.to_owned() }
    }

    /// The name in `locale`.
    pub fn get(&self, locale: Locale) -> &str {
        match locale {
            Locale::En => &self.en,
            Locale::ZhHans => &self.zh_hans,
            Locale::ZhHant => &self.zh_hant,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiates_accept_language() {
        assert_eq!(Locale::negotiate("zh-CN,zh;q=0.9,en;q=0.8"), Locale::ZhHans);
        assert_eq!(Locale::negotiate("zh-TW"), Locale::ZhHant);
        assert_eq!(Locale::negotiate("zh-Hant-HK"), Locale::ZhHant);
        assert_eq!(Locale::negotiate("fr, en;q=0.5, zh-Hans;q=0.7"), Locale::ZhHans);
        assert_eq!(Locale::negotiate("de"), Locale::En);
        assert_eq!(Locale::negotiate(""), Locale::En);
        assert_eq!(Locale::negotiate("zh;q=0, en"), Locale::En);
    }
}
