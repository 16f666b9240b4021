//! Message templates of campaigns and sequence steps: placeholders (`{name}`, `{phone}`,
//! `{name|there}` = "there" when the name is empty) and nested spintax
//! (`{Hi|Hello|{Good day|Hey}}`: one option, chosen per recipient).
//!
//! A template is parsed once (`Template::parse`, which refuses what cannot work: unbalanced
//! braces, unknown placeholders, an empty option) and rendered per recipient with a seed taken
//! from the outbox row, so a retry renders the same words.

use rand::{rngs::StdRng, Rng, SeedableRng};

use crate::types::InvalidValue;

/// The longest template (characters); the rendered text must also fit a WhatsApp message.
pub const MAX_TEMPLATE: usize = 4096;

/// What a template can say about its recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Name,
    /// The first word of the name.
    FirstName,
    /// E.164, as stored.
    Phone,
}

impl Field {
    fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "name" | "nama" => Some(Self::Name),
            "first_name" | "firstname" => Some(Self::FirstName),
            "phone" => Some(Self::Phone),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    Text(String),
    Field {
        field: Field,
        /// Said instead when the recipient has no such value.
        fallback: Option<String>,
    },
    /// One of the options, chosen per recipient.
    Spin(Vec<Vec<Node>>),
}

/// A parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    source: String,
    nodes: Vec<Node>,
}

/// Who a message is rendered for.
#[derive(Debug, Clone, Copy, Default)]
pub struct Recipient<'a> {
    pub name: Option<&'a str>,
    pub phone: &'a str,
}

impl Template {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        if raw.chars().count() > MAX_TEMPLATE {
            return Err(InvalidValue(format!(
                "The message is too long (at most {MAX_TEMPLATE} characters)."
            )));
        }
        if raw.contains('\0') {
            return Err(InvalidValue::new("The message contains a NUL character."));
        }
        let chars: Vec<char> = raw.chars().collect();
        let mut at = 0;
        let nodes = parse_sequence(&chars, &mut at, 0)?;
        if at < chars.len() {
            return Err(InvalidValue::new(
                "The message has a } without its {. Spintax looks like {Hi|Hello}.",
            ));
        }
        Ok(Self {
            source: raw.to_owned(),
            nodes,
        })
    }

    /// The template as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The text for one recipient; `seed` picks the spintax options (the same seed, the same text).
    pub fn render(&self, recipient: Recipient<'_>, seed: u64) -> String {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut out = String::new();
        render_into(&self.nodes, recipient, &mut rng, &mut out);
        tidy(&out)
    }

    /// How many different texts the spintax can make (placeholders not counted), saturating.
    pub fn variants(&self) -> u64 {
        variants(&self.nodes)
    }

    /// Whether some recipient could get an empty text: every option of some choice is blank
    /// apart from a name without a fallback.
    pub fn can_render_empty(&self) -> bool {
        can_be_empty(&self.nodes)
    }

    /// Whether the template uses the recipient's name.
    pub fn uses_name(&self) -> bool {
        uses_name(&self.nodes)
    }
}

const MAX_NESTING: usize = 8;

fn parse_sequence(chars: &[char], at: &mut usize, depth: usize) -> Result<Vec<Node>, InvalidValue> {
    let mut nodes = Vec::new();
    let mut text = String::new();
    while *at < chars.len() {
        match chars[*at] {
            '{' => {
                if !text.is_empty() {
                    nodes.push(Node::Text(std::mem::take(&mut text)));
                }
                *at += 1;
                nodes.push(parse_group(chars, at, depth + 1)?);
            }
            // The end of this group's option: the caller decides.
            '}' | '|' if depth > 0 => break,
            '}' => break,
            c => {
                text.push(c);
                *at += 1;
            }
        }
    }
    if !text.is_empty() {
        nodes.push(Node::Text(text));
    }
    Ok(nodes)
}

/// After a `{`: a placeholder (`{name}`, `{name|fallback}`) or a spintax choice.
fn parse_group(chars: &[char], at: &mut usize, depth: usize) -> Result<Node, InvalidValue> {
    if depth > MAX_NESTING {
        return Err(InvalidValue(format!(
            "The spintax is nested too deep (at most {MAX_NESTING} levels)."
        )));
    }
    let mut options = Vec::new();
    loop {
        let option = parse_sequence(chars, at, depth)?;
        options.push(option);
        match chars.get(*at) {
            Some('|') => *at += 1,
            Some('}') => {
                *at += 1;
                break;
            }
            _ => {
                return Err(InvalidValue::new(
                    "The message has a { without its }. Spintax looks like {Hi|Hello}.",
                ))
            }
        }
    }
    // A placeholder is a group whose first option is a field name written alone.
    if let Some([Node::Text(first)]) = options.first().map(Vec::as_slice) {
        if let Some(field) = Field::parse(first) {
            let fallback = match options.len() {
                1 => None,
                2 => Some(plain_text(&options[1]).ok_or_else(|| {
                    InvalidValue::new("A placeholder's fallback is plain text, e.g. {name|there}.")
                })?),
                _ => {
                    return Err(InvalidValue::new(
                        "A placeholder has one fallback at most, e.g. {name|there}.",
                    ))
                }
            };
            return Ok(Node::Field { field, fallback });
        }
    }
    if options.len() == 1 {
        let shown = match options.first().map(Vec::as_slice) {
            Some([Node::Text(text)]) => text.clone(),
            _ => String::new(),
        };
        return Err(InvalidValue(format!(
            "{{{shown}}} is not a placeholder: use {{name}}, {{first_name}} or {{phone}}, or give spintax options like {{Hi|Hello}}."
        )));
    }
    if options.iter().any(Vec::is_empty) {
        return Err(InvalidValue::new(
            "A spintax option is empty (two | in a row, or | next to a brace).",
        ));
    }
    Ok(Node::Spin(options))
}

fn plain_text(nodes: &[Node]) -> Option<String> {
    match nodes {
        [] => Some(String::new()),
        [Node::Text(text)] => Some(text.clone()),
        _ => None,
    }
}

fn render_into(nodes: &[Node], recipient: Recipient<'_>, rng: &mut StdRng, out: &mut String) {
    for node in nodes {
        match node {
            Node::Text(text) => out.push_str(text),
            Node::Field { field, fallback } => {
                let value = match field {
                    Field::Name => recipient.name.map(str::trim).unwrap_or_default(),
                    Field::FirstName => recipient
                        .name
                        .and_then(|n| n.split_whitespace().next())
                        .unwrap_or_default(),
                    Field::Phone => recipient.phone,
                };
                if value.is_empty() {
                    out.push_str(fallback.as_deref().unwrap_or_default());
                } else {
                    out.push_str(value);
                }
            }
            Node::Spin(options) => {
                let chosen = rng.gen_range(0..options.len());
                render_into(&options[chosen], recipient, rng, out);
            }
        }
    }
}

/// Removes what an empty placeholder leaves behind: spaces before punctuation, doubled spaces,
/// blanks at either end ("Hi {name}, …" with no name reads "Hi, …").
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split('\n') {
        if !out.is_empty() {
            out.push('\n');
        }
        let mut previous_space = false;
        let mut line_out = String::new();
        for c in line.chars() {
            if c == ' ' {
                previous_space = true;
                continue;
            }
            if previous_space
                && !matches!(c, ',' | '.' | '!' | '?' | ';' | ':')
                && !line_out.is_empty()
            {
                line_out.push(' ');
            }
            previous_space = false;
            line_out.push(c);
        }
        out.push_str(&line_out);
    }
    out.trim().to_owned()
}

fn variants(nodes: &[Node]) -> u64 {
    nodes.iter().fold(1u64, |total, node| match node {
        Node::Spin(options) => {
            let choices = options
                .iter()
                .fold(0u64, |sum, option| sum.saturating_add(variants(option)));
            total.saturating_mul(choices)
        }
        _ => total,
    })
}

fn can_be_empty(nodes: &[Node]) -> bool {
    nodes.iter().all(|node| match node {
        Node::Text(text) => text.trim().is_empty(),
        Node::Field { field, fallback } => {
            *field != Field::Phone && fallback.as_deref().is_none_or(|f| f.trim().is_empty())
        }
        Node::Spin(options) => options.iter().any(|option| can_be_empty(option)),
    })
}

fn uses_name(nodes: &[Node]) -> bool {
    nodes.iter().any(|node| match node {
        Node::Field { field, .. } => *field != Field::Phone,
        Node::Spin(options) => options.iter().any(|option| uses_name(option)),
        Node::Text(_) => false,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    const AISYAH: Recipient<'static> = Recipient {
        name: Some("Aisyah Rahman"),
        phone: "+60123456789",
    };
    const NAMELESS: Recipient<'static> = Recipient {
        name: None,
        phone: "+60123456789",
    };

    #[test]
    fn placeholders_are_filled_with_a_fallback_when_empty() {
        let template = Template::parse("Hi {name|there}, this is for {phone}.").unwrap();
        assert_eq!(
            template.render(AISYAH, 1),
            "Hi Aisyah Rahman, this is for +60123456789."
        );
        assert_eq!(
            template.render(NAMELESS, 1),
            "Hi there, this is for +60123456789."
        );
        let plain = Template::parse("Hi {first_name}, welcome!").unwrap();
        assert_eq!(plain.render(AISYAH, 1), "Hi Aisyah, welcome!");
        assert_eq!(plain.render(NAMELESS, 1), "Hi, welcome!");
    }

    #[test]
    fn nested_spintax_gives_every_option_and_the_same_words_for_the_same_seed() {
        let template = Template::parse("{Hi|Hello|{Good day|Hey}} {name}").unwrap();
        assert_eq!(template.variants(), 4);
        let texts: HashSet<String> = (0..200).map(|seed| template.render(AISYAH, seed)).collect();
        assert_eq!(
            texts,
            ["Hi", "Hello", "Good day", "Hey"]
                .iter()
                .map(|g| format!("{g} Aisyah Rahman"))
                .collect()
        );
        assert_eq!(template.render(AISYAH, 42), template.render(AISYAH, 42));
    }

    #[test]
    fn variants_multiply_across_choices() {
        let template = Template::parse("{A|B} and {C|D|E}, {F|{G|H}}").unwrap();
        assert_eq!(template.variants(), 2 * 3 * 3);
        assert_eq!(Template::parse("No spin").unwrap().variants(), 1);
    }

    #[test]
    fn bad_templates_are_refused_with_a_reason() {
        for (raw, reason) in [
            ("Hi {name", "without its }"),
            ("Hi name}", "without its {"),
            ("{Hi||Hello}", "empty"),
            ("{foo}", "not a placeholder"),
            ("{name|a|b}", "one fallback"),
            ("{name|{a|b}}", "plain text"),
            ("{{{{{{{{{{a|b}|c}|d}|e}|f}|g}|h}|i}|j}|k}", "too deep"),
        ] {
            let err = Template::parse(raw).unwrap_err();
            assert!(err.message().contains(reason), "{raw}: {}", err.message());
        }
    }

    #[test]
    fn a_template_that_can_say_nothing_is_known() {
        assert!(Template::parse("{name}").unwrap().can_render_empty());
        assert!(Template::parse("  ").unwrap().can_render_empty());
        assert!(Template::parse("{Hi|{name}}").unwrap().can_render_empty());
        assert!(!Template::parse("{name|there}").unwrap().can_render_empty());
        assert!(!Template::parse("{phone}").unwrap().can_render_empty());
        assert!(!Template::parse("{Hi|Hello} {name}")
            .unwrap()
            .can_render_empty());
    }
}
