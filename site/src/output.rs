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
    let result = write_tree(files, &tmp);
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    swap_in(&tmp, out)
}

/// Why [`write_streaming`] failed: the folder, or what made the files.
pub(crate) enum Streamed<E> {
    Io(std::io::Error),
    Made(E),
}

/// Has `make` write the site into a fresh temporary sibling of `out` (it gets that folder), then swaps it in
/// as [`write_atomically`] does; on any error the temporary folder is removed and `out` is left as it was.
pub(crate) fn write_streaming<E>(out: &Path, make: impl FnOnce(&Path) -> Result<(), E>) -> Result<(), Streamed<E>> {
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(Streamed::Io)?;
    }
    let tmp = sibling(out, "new");
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(Streamed::Io)?;
    }
    std::fs::create_dir(&tmp).map_err(Streamed::Io)?;
    if let Err(e) = make(&tmp) {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(Streamed::Made(e));
    }
    swap_in(&tmp, out).map_err(Streamed::Io)
}

/// Puts the finished folder `tmp` where `out` is, removing the previous one.
fn swap_in(tmp: &Path, out: &Path) -> std::io::Result<()> {
    let old = sibling(out, "old");
    if out.exists() {
        std::fs::rename(out, &old)?;
    }
    if let Err(e) = std::fs::rename(tmp, out) {
        // Put the previous site back before reporting.
        if old.exists() {
            let _ = std::fs::rename(&old, out);
        }
        let _ = std::fs::remove_dir_all(tmp);
        return Err(e);
    }
    if old.exists() {
        remove_tree(&old)?;
    }
    Ok(())
}

/// Runs `each` on every item on every core; the first error (in the items' order) wins. Creating and removing
/// a thousand folders and files is mostly the kernel's work, and it runs on every core.
fn on_every_core<T: Sync>(items: &[T], each: impl Fn(&T) -> std::io::Result<()> + Sync) -> std::io::Result<()> {
    crate::par::map(items, each).into_iter().collect()
}

/// Every folder once (parents first), then the files, written on every core.
fn write_tree(files: &BTreeMap<String, Vec<u8>>, root: &Path) -> std::io::Result<()> {
    let mut dirs: std::collections::BTreeSet<PathBuf> = std::collections::BTreeSet::new();
    for rel in files.keys() {
        let mut dir = Path::new(rel).parent();
        while let Some(d) = dir.filter(|d| !d.as_os_str().is_empty()) {
            if !dirs.insert(d.to_path_buf()) {
                break;
            }
            dir = d.parent();
        }
    }
    std::fs::create_dir(root)?;
    // Level by level, so every parent exists before its children; each level on every core.
    let mut levels: Vec<Vec<&PathBuf>> = Vec::new();
    for d in &dirs {
        let depth = d.components().count();
        if levels.len() < depth {
            levels.resize_with(depth, Vec::new);
        }
        levels[depth - 1].push(d);
    }
    for level in &levels {
        on_every_core(level, |d| std::fs::create_dir(root.join(d)))?;
    }
    let list: Vec<(&String, &Vec<u8>)> = files.iter().collect();
    on_every_core(&list, |(rel, bytes)| std::fs::write(root.join(rel), bytes))
}

/// Removes a folder, its top-level entries shared among every core.
fn remove_tree(dir: &Path) -> std::io::Result<()> {
    let entries: Vec<PathBuf> = std::fs::read_dir(dir)?.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>()?;
    on_every_core(&entries, |p| {
        if std::fs::symlink_metadata(p)?.is_dir() { std::fs::remove_dir_all(p) } else { std::fs::remove_file(p) }
    })?;
    std::fs::remove_dir(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An empty scratch folder for one test, and the site folder inside it.
    fn scratch(tag: &str) -> (PathBuf, PathBuf) {
        let dir = std::env::temp_dir().join(format!("guardrail-out-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let out = dir.join("public");
        (dir, out)
    }

    #[test]
    fn replaces_the_folder_whole() {
        let (dir, out) = scratch("whole");
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

    #[test]
    fn writes_deep_and_wide_trees() {
        let (dir, out) = scratch("deep");
        // Folders four levels deep, many side by side, and files at every level, so parents and children
        // are created by different threads.
        let mut files = BTreeMap::new();
        for i in 0..200 {
            files.insert(format!("s{}/p{i}/index.html", i % 7), format!("page {i}").into_bytes());
            files.insert(format!("s{}/p{i}/x/y/z.txt", i % 7), format!("deep {i}").into_bytes());
        }
        files.insert("top.txt".to_string(), b"top".to_vec());
        write_atomically(&files, &out).unwrap();
        for (rel, bytes) in &files {
            assert_eq!(&std::fs::read(out.join(rel)).unwrap(), bytes, "{rel}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
