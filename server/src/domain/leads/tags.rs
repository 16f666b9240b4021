//! Tags (niches) and trigger codes: folded once at the edge so matching is by whole tag,
//! case- and accent-insensitive (`Beauty` matches `beauty` and `béauty`, never `beaut`).

use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};

use crate::types::InvalidValue;

pub const MAX_TAG_CHARS: usize = 60;
pub const MAX_TAGS: usize = 50;

/// A tag as written (`label`) and as matched (`key`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub key: String,
    pub label: String,
}

/// Lowercase, accents removed, runs of whitespace as one space.
pub fn fold(raw: &str) -> String {
    let lowered: String = raw
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .collect::<String>()
        .to_lowercase();
    lowered.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Tag {
    pub fn parse(raw: &str) -> Result<Option<Self>, InvalidValue> {
        let label = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if label.is_empty() {
            return Ok(None);
        }
        if label.chars().count() > MAX_TAG_CHARS {
            return Err(InvalidValue::new(format!(
                "A tag can have at most {MAX_TAG_CHARS} characters."
            )));
        }
        if label.contains(',') {
            return Err(InvalidValue::new("A tag cannot contain a comma."));
        }
        Ok(Some(Self {
            key: fold(&label),
            label,
        }))
    }
}

/// A list of tags, duplicates (after folding) removed, first spelling kept.
pub fn parse_tags<S: AsRef<str>>(raw: &[S]) -> Result<Vec<Tag>, InvalidValue> {
    let mut tags: Vec<Tag> = Vec::new();
    for item in raw {
        if let Some(tag) = Tag::parse(item.as_ref())? {
            if !tags.iter().any(|t| t.key == tag.key) {
                tags.push(tag);
            }
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(InvalidValue::new(format!(
            "A lead can have at most {MAX_TAGS} tags."
        )));
    }
    Ok(tags)
}

/// Tags from one CSV cell: `Beauty, Health` (commas or semicolons between).
pub fn split_cell(cell: &str) -> Vec<&str> {
    cell.split([',', ';', '|'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// Trigger codes, folded, stored as `,code,code,` so a code matches only whole
/// (`LIKE '%,code,%'`; codes are letters, digits, `-` and `_`, and `_` is escaped there).
pub fn parse_triggers<S: AsRef<str>>(raw: &[S]) -> Result<String, InvalidValue> {
    let mut codes: Vec<String> = Vec::new();
    for item in raw {
        let code = fold(item.as_ref()).replace(' ', "-");
        if code.is_empty() {
            continue;
        }
        if code.len() > 40
            || !code
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
        {
            return Err(InvalidValue::new(
                "A trigger code has at most 40 letters, digits, '-' or '_'.",
            ));
        }
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    if codes.is_empty() {
        return Ok(String::new());
    }
    let joined = format!(",{},", codes.join(","));
    if joined.len() > 1000 {
        return Err(InvalidValue::new("Too many trigger codes."));
    }
    Ok(joined)
}

/// The stored `,a,b,` form back as a list.
pub fn triggers_list(stored: &str) -> Vec<String> {
    stored
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The LIKE pattern that finds one whole trigger code in the stored form.
pub fn trigger_pattern(code: &str) -> String {
    let code = fold(code).replace(' ', "-");
    let escaped = code
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%,{escaped},%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_fold_case_accents_and_spaces() {
        let tags = parse_tags(&["Beauty", " Health ", "BEAUTY", "Café  Owners", ""]).unwrap();
        let keys: Vec<_> = tags.iter().map(|t| t.key.as_str()).collect();
        assert_eq!(keys, ["beauty", "health", "cafe owners"]);
        assert_eq!(tags[2].label, "Café Owners");
        assert!(Tag::parse(&"x".repeat(61)).is_err());
        assert_eq!(
            split_cell("Beauty, Health;Spa"),
            ["Beauty", "Health", "Spa"]
        );
    }

    #[test]
    fn triggers_are_whole_codes() {
        let stored = parse_triggers(&["COLD", "Promo_1", "cold"]).unwrap();
        assert_eq!(stored, ",cold,promo_1,");
        assert_eq!(triggers_list(&stored), ["cold", "promo_1"]);
        assert_eq!(trigger_pattern("Promo_1"), "%,promo\\_1,%");
        assert!(parse_triggers(&["no way!"]).is_err());
    }
}
