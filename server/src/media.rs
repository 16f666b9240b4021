//! Media files (uploaded and received images), stored content-addressed under the media
//! directory: the name is the SHA-256 of the bytes plus the extension of the checked type.

use std::path::{Path, PathBuf};

use anyhow::Context;
use sha2::{Digest, Sha256};

/// Image types accepted, recognised by their first bytes (not by the file name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageType {
    Jpeg,
    Png,
    Webp,
}

impl ImageType {
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(Self::Webp)
        } else {
            None
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Webp => "webp",
        }
    }
}

/// Stores bytes and returns their reference (`<sha256>.<ext>`); storing twice is a no-op.
pub async fn store(dir: &Path, bytes: &[u8], kind: ImageType) -> anyhow::Result<String> {
    let reference = format!(
        "{}.{}",
        hex::encode(Sha256::digest(bytes)),
        kind.extension()
    );
    let path = dir.join(&reference);
    if !tokio::fs::try_exists(&path).await.unwrap_or(false) {
        tokio::fs::create_dir_all(dir)
            .await
            .context("creating the media directory")?;
        let partial = dir.join(format!(
            "{reference}.partial-{}",
            uuid::Uuid::new_v4().simple()
        ));
        tokio::fs::write(&partial, bytes)
            .await
            .context("writing a media file")?;
        tokio::fs::rename(&partial, &path)
            .await
            .context("moving a media file into place")?;
    }
    Ok(reference)
}

/// The file of a reference; `None` for anything that is not a reference we made (no paths).
pub fn path_of(dir: &Path, reference: &str) -> Option<PathBuf> {
    let (hash, ext) = reference.split_once('.')?;
    let valid = hash.len() == 64
        && hash
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        && matches!(ext, "jpg" | "png" | "webp");
    valid.then(|| dir.join(reference))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_recognised_by_content() {
        assert_eq!(
            ImageType::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some(ImageType::Jpeg)
        );
        assert_eq!(
            ImageType::sniff(b"\x89PNG\r\n\x1a\nrest"),
            Some(ImageType::Png)
        );
        assert_eq!(
            ImageType::sniff(b"RIFF\0\0\0\0WEBPVP8 "),
            Some(ImageType::Webp)
        );
        assert_eq!(ImageType::sniff(b"%PDF-1.7"), None);
    }

    #[test]
    fn references_cannot_escape_the_media_directory() {
        let dir = Path::new("/media");
        assert!(path_of(dir, "../etc/passwd").is_none());
        assert!(path_of(dir, &format!("{}.exe", "a".repeat(64))).is_none());
        assert!(path_of(dir, &format!("{}.jpg", "a".repeat(64))).is_some());
    }
}
