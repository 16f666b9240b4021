//! WhatsApp message ids we choose ourselves, before a send.

/// A new message id in WhatsApp's own format ("3EB0" and 18 upper-case hex digits), made by the
/// same function whatsapp-rust uses when it names a message. The outbox stores it when a row is
/// claimed, so a send interrupted by a crash is sent again under the same id and the recipient
/// keeps one copy.
pub fn generate() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    whatsapp_rust::wacore::request::RequestUtils::message_id_at(None, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_look_like_whatsapp_web_ids_and_differ() {
        let (a, b) = (generate(), generate());
        assert_eq!(a.len(), 22);
        assert!(a.starts_with("3EB0"));
        assert!(a[4..]
            .chars()
            .all(|c| c.is_ascii_digit() || ('A'..='F').contains(&c)));
        assert_ne!(a, b);
    }
}
