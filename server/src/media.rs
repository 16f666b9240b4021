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

/// Longest side of an accepted image, in pixels (WhatsApp itself scales photos to 1600).
pub const MAX_IMAGE_SIDE: u32 = 8192;
/// Most pixels of an accepted image (a 48-megapixel phone photo fits).
pub const MAX_IMAGE_PIXELS: u64 = 50_000_000;

/// Why an upload is not an image we send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageProblem {
    /// Not JPEG, PNG or WebP by its first bytes.
    UnknownType,
    /// Its header claims more pixels than we accept.
    TooLarge { width: u32, height: u32 },
    /// It starts like an image but does not decode as one.
    Broken,
}

/// Decodes the whole image, off the async threads, to check that it is the type its first
/// bytes claim and of sane dimensions (checked from its header first, before any pixel is
/// allocated).
pub async fn check_image(bytes: bytes::Bytes) -> Result<ImageType, ImageProblem> {
    let kind = ImageType::sniff(&bytes).ok_or(ImageProblem::UnknownType)?;
    tokio::task::spawn_blocking(move || {
        let format = match kind {
            ImageType::Jpeg => image::ImageFormat::Jpeg,
            ImageType::Png => image::ImageFormat::Png,
            ImageType::Webp => image::ImageFormat::WebP,
        };
        let reader = || image::ImageReader::with_format(std::io::Cursor::new(&bytes[..]), format);
        let (width, height) = reader()
            .into_dimensions()
            .map_err(|_| ImageProblem::Broken)?;
        if width > MAX_IMAGE_SIDE
            || height > MAX_IMAGE_SIDE
            || u64::from(width) * u64::from(height) > MAX_IMAGE_PIXELS
        {
            return Err(ImageProblem::TooLarge { width, height });
        }
        let mut limits = image::Limits::default();
        limits.max_image_width = Some(MAX_IMAGE_SIDE);
        limits.max_image_height = Some(MAX_IMAGE_SIDE);
        limits.max_alloc = Some(MAX_IMAGE_PIXELS * 4 + 16 * 1024 * 1024);
        let mut decoder = reader();
        decoder.limits(limits);
        decoder.decode().map_err(|_| ImageProblem::Broken)?;
        Ok(kind)
    })
    .await
    .map_err(|_| ImageProblem::Broken)?
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

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for byte in bytes {
            crc ^= u32::from(*byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = Vec::new();
        image::RgbImage::new(width, height)
            .write_to(
                &mut std::io::Cursor::new(&mut bytes),
                image::ImageFormat::Png,
            )
            .unwrap();
        bytes
    }

    #[tokio::test]
    async fn images_are_decoded_and_bounded() {
        assert_eq!(check_image(png(16, 8).into()).await, Ok(ImageType::Png));
        // PNG magic followed by HTML: sniffs as PNG, is not one.
        let polyglot = b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>".to_vec();
        assert_eq!(
            check_image(polyglot.into()).await,
            Err(ImageProblem::Broken)
        );
        // A tiny PNG whose header claims 100000 x 100000 pixels (with a valid checksum).
        let mut bomb = png(1, 1);
        bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        let crc = crc32(&bomb[12..29]);
        bomb[29..33].copy_from_slice(&crc.to_be_bytes());
        assert!(matches!(
            check_image(bomb.into()).await,
            Err(ImageProblem::TooLarge { width: 100_000, .. })
        ));
        assert_eq!(
            check_image(b"%PDF-1.7".to_vec().into()).await,
            Err(ImageProblem::UnknownType)
        );
    }

    #[test]
    fn references_cannot_escape_the_media_directory() {
        let dir = Path::new("/media");
        assert!(path_of(dir, "../etc/passwd").is_none());
        assert!(path_of(dir, &format!("{}.exe", "a".repeat(64))).is_none());
        assert!(path_of(dir, &format!("{}.jpg", "a".repeat(64))).is_some());
    }
}
