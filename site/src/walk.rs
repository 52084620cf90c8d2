//! Walking a folder tree (walkdir): the content, static and policies folders, and gator suites. Symbolic links
//! are either followed, with a link back into its own ancestors reported instead of walked forever, or refused.

use std::fmt;
use std::path::{Path, PathBuf};

/// What to do with symbolic links met on the way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Links {
    /// Follow them (a loop is an error).
    Follow,
    /// Refuse them: the walk fails at the first link, file or folder.
    Refuse,
}

/// Why a walk stopped.
#[derive(Debug)]
pub enum WalkError {
    /// A folder or entry could not be read.
    Read { path: PathBuf, error: std::io::Error },
    /// A symbolic link leads to one of the folders that contain it.
    Loop { path: PathBuf, ancestor: PathBuf },
    /// A symbolic link where [`Links::Refuse`] allows none.
    Symlink(PathBuf),
}

impl WalkError {
    /// The path the error is about.
    pub fn path(&self) -> &Path {
        match self {
            WalkError::Read { path, .. } | WalkError::Loop { path, .. } | WalkError::Symlink(path) => path,
        }
    }
}

impl fmt::Display for WalkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WalkError::Read { path, error } => write!(f, "cannot read {}: {error}", path.display()),
            WalkError::Loop { path, ancestor } => write!(
                f,
                "{} is a symbolic link to a folder that contains it ({}); the walk would never end",
                path.display(),
                ancestor.display()
            ),
            WalkError::Symlink(path) => write!(f, "{} is a symbolic link", path.display()),
        }
    }
}

impl std::error::Error for WalkError {}

/// Every file under `dir` that `keep_file` accepts, in folders `enter` accepts (the root is always entered),
/// sorted by path.
pub fn files(
    dir: &Path,
    links: Links,
    keep_file: &dyn Fn(&Path) -> bool,
    enter: &dyn Fn(&Path) -> bool,
) -> Result<Vec<PathBuf>, WalkError> {
    let mut out = Vec::new();
    // walkdir notices a loop only when it meets the looping link a second time, one whole lap later; a link to a
    // folder that contains `dir` (`content/loop -> ..`) is stopped where it is met, so the error names it.
    let canonical = dir.canonicalize().ok();
    let looped: std::cell::RefCell<Option<WalkError>> = std::cell::RefCell::new(None);
    let walker = walkdir::WalkDir::new(dir).follow_links(links == Links::Follow).into_iter().filter_entry(|e| {
        if e.depth() == 0 || !e.file_type().is_dir() {
            return true;
        }
        if e.path_is_symlink() {
            if let (Some(root), Ok(target)) = (&canonical, e.path().canonicalize()) {
                if root.starts_with(&target) {
                    let mut slot = looped.borrow_mut();
                    slot.get_or_insert(WalkError::Loop { path: e.path().to_path_buf(), ancestor: target });
                    return false;
                }
            }
        }
        enter(e.path())
    });
    for entry in walker {
        let entry = entry.map_err(|e| {
            let path = e.path().map_or_else(|| dir.to_path_buf(), Path::to_path_buf);
            match e.loop_ancestor() {
                Some(ancestor) => WalkError::Loop { path, ancestor: ancestor.to_path_buf() },
                None => {
                    WalkError::Read { path, error: e.into_io_error().unwrap_or_else(|| std::io::Error::other("walk")) }
                }
            }
        })?;
        if links == Links::Refuse && entry.depth() > 0 && entry.path_is_symlink() {
            return Err(WalkError::Symlink(entry.into_path()));
        }
        if entry.file_type().is_file() && keep_file(entry.path()) {
            out.push(entry.into_path());
        }
    }
    if let Some(e) = looped.into_inner() {
        return Err(e);
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("guardrail-walk-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("a/samples")).expect("dirs");
        std::fs::write(dir.join("a/x.yaml"), "").expect("file");
        std::fs::write(dir.join("a/samples/s.yaml"), "").expect("file");
        std::fs::write(dir.join("b.yml"), "").expect("file");
        std::fs::write(dir.join("c.txt"), "").expect("file");
        dir
    }

    #[test]
    fn filters_files_and_folders_and_sorts() {
        let dir = scratch("filter");
        let yaml = |p: &Path| p.extension().is_some_and(|e| e == "yaml" || e == "yml");
        let found = files(&dir, Links::Follow, &yaml, &|d| !d.ends_with("samples")).expect("walks");
        assert_eq!(found, [dir.join("a/x.yaml"), dir.join("b.yml")]);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_loop_is_reported_not_walked() {
        let dir = scratch("loop");
        std::os::unix::fs::symlink("..", dir.join("a/loop")).expect("link");
        let err = files(&dir, Links::Follow, &|_| true, &|_| true).expect_err("a loop");
        assert!(
            matches!(err, WalkError::Loop { ref ancestor, .. } if ancestor == &dir.canonicalize().unwrap()),
            "{err}"
        );
        assert_eq!(err.path(), dir.join("a/loop"));
        // A loop inside the tree (a link to a sibling's parent that is below the root) is walkdir's to find.
        std::fs::remove_file(dir.join("a/loop")).expect("unlink");
        std::fs::create_dir_all(dir.join("a/b")).expect("dir");
        std::os::unix::fs::symlink("../../a", dir.join("a/b/up")).expect("link");
        let err = files(&dir, Links::Follow, &|_| true, &|_| true).expect_err("a loop");
        assert!(matches!(err, WalkError::Loop { .. }), "{err}");
        std::fs::remove_file(dir.join("a/b/up")).expect("unlink");
        std::os::unix::fs::symlink("..", dir.join("a/loop")).expect("link");
        assert!(err.to_string().contains("a symbolic link to a folder that contains it"), "{err}");
        // Refused outright when links are not allowed.
        let err = files(&dir, Links::Refuse, &|_| true, &|_| true).expect_err("a link");
        assert!(matches!(err, WalkError::Symlink(ref p) if p == &dir.join("a/loop")), "{err}");
        let _ = std::fs::remove_dir_all(dir);
    }
}
