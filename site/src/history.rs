//! When each page last changed, from git: one `git log` over the content folder, not one per page.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

/// The date (`YYYY-MM-DD`) of the last commit that touched each file under `dir` (relative to `root`), keyed by
/// its path relative to `root`. `Err` says why there are none (not a git checkout, git missing).
pub(crate) fn last_commit_dates(root: &Path, dir: &Path) -> Result<HashMap<String, String>, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["log", "--format=%x1e%cs", "--name-only", "--relative", "--no-renames", "--"])
        .arg(dir)
        .output()
        .map_err(|e| format!("cannot run git ({e})"))?;
    if !out.status.success() {
        let why = String::from_utf8_lossy(&out.stderr);
        let why = why.lines().next().unwrap_or("git log failed").trim().trim_start_matches("fatal: ");
        return Err(format!("{} is not a git checkout ({why})", root.display()));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut dates = HashMap::new();
    // Newest first: the first date seen for a file is its last change.
    for commit in text.split('\u{1e}').filter(|c| !c.trim().is_empty()) {
        let mut lines = commit.lines();
        let Some(date) = lines.next().map(str::trim) else { continue };
        for file in lines.map(str::trim).filter(|l| !l.is_empty()) {
            dates.entry(file.replace('\\', "/")).or_insert_with(|| date.to_string());
        }
    }
    Ok(dates)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(dir: &Path, args: &[&str], date: &str) {
        let ok = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .expect("git runs")
            .status
            .success();
        assert!(ok, "git {args:?}");
    }

    #[test]
    fn the_last_commit_of_each_file() {
        let dir = std::env::temp_dir().join(format!("guardrail-history-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("content/sub")).unwrap();
        assert!(last_commit_dates(&dir, Path::new("content")).unwrap_err().contains("not a git checkout"));
        git(&dir, &["init", "-q"], "2024-01-01T00:00:00Z");
        std::fs::write(dir.join("content/a.md"), "a").unwrap();
        std::fs::write(dir.join("content/sub/b.md"), "b").unwrap();
        git(&dir, &["add", "."], "2024-01-01T00:00:00Z");
        git(&dir, &["commit", "-q", "-m", "one"], "2024-01-02T10:00:00Z");
        std::fs::write(dir.join("content/a.md"), "a2").unwrap();
        git(&dir, &["commit", "-q", "-am", "two"], "2024-03-05T10:00:00Z");
        let dates = last_commit_dates(&dir, Path::new("content")).unwrap();
        assert_eq!(dates.get("content/a.md").map(String::as_str), Some("2024-03-05"));
        assert_eq!(dates.get("content/sub/b.md").map(String::as_str), Some("2024-01-02"));
        let _ = std::fs::remove_dir_all(dir);
    }
}
