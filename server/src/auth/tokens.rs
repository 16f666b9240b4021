//! Random bearer tokens. Only their SHA-256 is stored; a token is shown to its owner once.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A freshly generated token: the plaintext (for the client, once) and its hash (for the table).
pub struct NewToken {
    pub plaintext: String,
    pub hash: String,
}

/// 256 random bits, URL-safe, with a recognisable prefix for secret scanners.
pub fn generate() -> NewToken {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let plaintext = format!("wft_{}", URL_SAFE_NO_PAD.encode(bytes));
    let hash = hash(&plaintext);
    NewToken { plaintext, hash }
}

/// SHA-256 suffices here: tokens carry 256 bits of entropy, so they cannot be guessed offline.
pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_and_hash_consistently() {
        let a = generate();
        let b = generate();
        assert_ne!(a.plaintext, b.plaintext);
        assert_eq!(hash(&a.plaintext), a.hash);
        assert_eq!(a.hash.len(), 64);
        assert!(a.plaintext.starts_with("wft_"));
    }
}
