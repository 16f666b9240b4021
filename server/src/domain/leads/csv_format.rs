//! The CSV format shared by import and export: column names and their aliases, and the guard
//! against spreadsheet formulas.

/// A column an import understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Name,
    Phone,
    Niches,
    TargetStatus,
    Triggers,
    Notes,
    Reason,
}

impl Column {
    /// The column a header cell names, by its common spellings (English and Malay).
    pub fn from_header(raw: &str) -> Option<Self> {
        let key: String = super::tags::fold(raw)
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect();
        Some(match key.as_str() {
            "name" | "nama" | "fullname" | "contact" | "contactname" | "namapenuh" => Self::Name,
            "phone" | "mobile" | "number" | "whatsapp" | "nohp" | "phonenumber"
            | "mobilenumber" | "telefon" | "notel" | "msisdn" | "wa" | "whatsappnumber" => {
                Self::Phone
            }
            "niche" | "niches" | "tags" | "tag" => Self::Niches,
            "status" | "targetstatus" | "target" => Self::TargetStatus,
            "trigger" | "triggers" | "triggercode" | "triggercodes" => Self::Triggers,
            "notes" | "note" | "remarks" | "catatan" => Self::Notes,
            "reason" => Self::Reason,
            _ => return None,
        })
    }
}

/// A cell a spreadsheet would run as a formula gets a leading `'` (OWASP's advice).
pub fn escape_cell(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

/// Undoes `escape_cell`, so export → import changes nothing.
pub fn unescape_cell(value: &str) -> &str {
    match value.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => value,
    }
}

/// The delimiter of a CSV file, from its header line: the most frequent of `,` `;` and tab
/// outside quotes (spreadsheets in many locales write semicolons).
pub fn sniff_delimiter(header_line: &str) -> u8 {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for c in header_line.bytes() {
        if c == b'"' {
            quoted = !quoted;
        } else if !quoted {
            for (d, n) in counts.iter_mut() {
                if c == *d {
                    *n += 1;
                }
            }
        }
    }
    counts
        .iter()
        .max_by_key(|(_, n)| *n)
        .map(|(d, _)| *d)
        .unwrap_or(b',')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_by_alias() {
        assert_eq!(Column::from_header("No HP"), Some(Column::Phone));
        assert_eq!(Column::from_header("Full Name"), Some(Column::Name));
        assert_eq!(
            Column::from_header("target_status"),
            Some(Column::TargetStatus)
        );
        assert_eq!(Column::from_header("Nama"), Some(Column::Name));
        assert_eq!(Column::from_header("whatever"), None);
    }

    #[test]
    fn formulas_are_escaped_and_unescaped() {
        for raw in ["=1+1", "+60123", "-x", "@SUM(A1)", "plain", "'quoted"] {
            assert_eq!(unescape_cell(&escape_cell(raw)), raw);
        }
        assert_eq!(escape_cell("=HYPERLINK()"), "'=HYPERLINK()");
    }

    #[test]
    fn delimiters_are_sniffed() {
        assert_eq!(sniff_delimiter("name;phone;niches"), b';');
        assert_eq!(sniff_delimiter("name,phone"), b',');
        assert_eq!(sniff_delimiter("name\tphone"), b'\t');
        assert_eq!(sniff_delimiter("\"a;b\",phone"), b',');
    }
}
