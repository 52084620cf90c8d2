//! Writing the site: into a temporary sibling folder first, then swapped in, so a failed or interrupted build
//! never leaves a half-written site where the old one was.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn sibling(out: &Path, tag: &str) -> PathBuf {
    let name = out.file_name().map_or_else(|| "site".into(), |n| n.to_string_lossy().into_owned());
    out.with_file_name(format!(".{name}.{tag}-{}", std::process::id()))
}

/// Writes `files` (relative path → bytes) as the folder `out`, replacing what was there only at the end.
pub(crate) fn write_atomically(files: &BTreeMap<String, Vec<u8>>, out: &Path) -> std::io::Result<()> {
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let tmp = sibling(out, "new");
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp)?;
    }
    let result = (|| {
        for (rel, bytes) in files {
            let path = tmp.join(rel);
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(&path, bytes)?;
        }
        Ok(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    let old = sibling(out, "old");
    if out.exists() {
        std::fs::rename(out, &old)?;
    }
    if let Err(e) = std::fs::rename(&tmp, out) {
        // Put the previous site back before reporting.
        if old.exists() {
            let _ = std::fs::rename(&old, out);
        }
        return Err(e);
    }
    if old.exists() {
        std::fs::remove_dir_all(&old)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_folder_whole() {
        let dir = std::env::temp_dir().join(format!("guardrail-out-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let out = dir.join("public");
        let mut files = BTreeMap::new();
        files.insert("index.html".to_string(), b"one".to_vec());
        files.insert("a/b.html".to_string(), b"two".to_vec());
        write_atomically(&files, &out).unwrap();
        assert_eq!(std::fs::read(out.join("a/b.html")).unwrap(), b"two");
        files.remove("a/b.html");
        write_atomically(&files, &out).unwrap();
        assert!(!out.join("a/b.html").exists(), "stale files do not survive a rebuild");
        let leftovers: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(leftovers, vec![std::ffi::OsString::from("public")]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
