//! Files shipped as they are: content hashes and hashed names, the URL an asset is served at, and the site's
//! static folder, read once per build.

use std::path::Path;

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::walk::{self, Links, WalkError};

/// The content hash in asset names: the first 32 bits of the bytes' SHA-256, in hex (8 characters).
pub(crate) fn content_hash(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)[..4].iter().map(|b| format!("{b:02x}")).collect()
}

/// `rel` with the content hash before its extension (`img/logo.png` -> `img/logo.1a2b3c4d.png`).
fn hashed_name(rel: &str, bytes: &[u8]) -> String {
    let hash = content_hash(bytes);
    match rel.rsplit_once('.') {
        Some((stem, ext)) if !stem.ends_with('/') && !stem.is_empty() => format!("{stem}.{hash}.{ext}"),
        _ => format!("{rel}.{hash}"),
    }
}

/// The URL a file is served at: content-hashed below `assets/`.
pub(crate) fn asset_url(base_url: &str, rel: &str, bytes: &[u8]) -> String {
    format!("{base_url}assets/{}", hashed_name(rel, bytes))
}

/// One file shipped as it is: of the static folder, or beside the pages.
#[derive(Debug, Clone)]
pub(crate) struct StaticFile {
    /// Its path below the static folder, with `/` separators (`img/logo.png`); a file beside the pages is
    /// `content/<path below the content folder>`.
    pub(crate) rel: String,
    pub(crate) bytes: Vec<u8>,
    /// Served at its own path from the site root (`robots.txt`, `favicon.ico`, `CNAME`), as Docusaurus and Zola
    /// serve `static/`; otherwise under `assets/` with a content-hash name.
    pub(crate) at_root: bool,
}

impl StaticFile {
    /// The URL it is served at.
    pub(crate) fn url(&self, base_url: &str) -> String {
        if self.at_root { format!("{base_url}{}", self.rel) } else { asset_url(base_url, &self.rel, &self.bytes) }
    }
}

/// The site's static files, sorted by path. A missing folder is an empty one; a symbolic link is an error (it
/// could pull any file of the machine into the site).
pub(crate) fn static_files(root: &Path, config: &Config) -> Result<Vec<StaticFile>, Diagnostic> {
    let dir = root.join(&config.paths.static_dir);
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let label = config.paths.static_dir.display().to_string();
    let shown = |p: &Path| p.strip_prefix(root).unwrap_or(p).to_string_lossy().replace('\\', "/");
    let found = walk::files(&dir, Links::Refuse, &|_| true, &|_| true).map_err(|e| match e {
        WalkError::Symlink(p) => {
            let rel = shown(&p);
            Diagnostic::error(format!("{rel} is a symbolic link; static files must be regular files"), rel, 1, 1)
                .help(format!("copy the file into {label}/ instead of linking it"))
        }
        other => Diagnostic::error(other.to_string(), &label, 1, 1),
    })?;
    let mut out = Vec::with_capacity(found.len());
    for p in found {
        let rel = p.strip_prefix(&dir).unwrap_or(&p).to_string_lossy().replace('\\', "/");
        let bytes = std::fs::read(&p)
            .map_err(|e| Diagnostic::error(format!("cannot read {}: {e}", p.display()), shown(&p), 1, 1))?;
        out.push(StaticFile { rel, bytes, at_root: true });
    }
    Ok(out)
}

/// The files of the content folder that are not pages (images and downloads beside the Markdown, as Docusaurus
/// sites keep them), keyed `content/<path below the content folder>`; a missing folder is an empty one.
pub(crate) fn content_files(root: &Path, config: &Config) -> Result<Vec<StaticFile>, Diagnostic> {
    let dir = root.join(&config.paths.content);
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let shown = |p: &Path| p.strip_prefix(root).unwrap_or(p).to_string_lossy().replace('\\', "/");
    let keep = |p: &Path| {
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        !crate::content::is_content_file(p) && !name.starts_with("_category_.") && !name.starts_with('.')
    };
    let found = walk::files(&dir, Links::Follow, &keep, &|_| true)
        .map_err(|e| Diagnostic::error(e.to_string(), config.paths.content.display().to_string(), 1, 1))?;
    let mut out = Vec::with_capacity(found.len());
    for p in found {
        let rel = p.strip_prefix(&dir).unwrap_or(&p).to_string_lossy().replace('\\', "/");
        let bytes = std::fs::read(&p)
            .map_err(|e| Diagnostic::error(format!("cannot read {}: {e}", p.display()), shown(&p), 1, 1))?;
        out.push(StaticFile { rel: format!("content/{rel}"), bytes, at_root: false });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_stable_and_named() {
        assert_eq!(content_hash(b"guardrail"), content_hash(b"guardrail"));
        assert_ne!(content_hash(b"a"), content_hash(b"b"));
        // SHA-256("abc") starts ba7816bf (FIPS 180-2's example).
        assert_eq!(content_hash(b"abc"), "ba7816bf");
        assert!(hashed_name("style.css", b"x").starts_with("style."));
        assert!(hashed_name("style.css", b"x").ends_with(".css"));
        assert_eq!(hashed_name("img/logo.png", b"x").split('.').count(), 3);
        assert_eq!(asset_url("/docs/", "a.txt", b"x"), format!("/docs/assets/a.{}.txt", content_hash(b"x")));
    }
}
