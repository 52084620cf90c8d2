//! `kubernetes.Semver`, as blang/semver (v4) parses and orders versions, with Kubernetes' optional
//! normalization (`v` prefix, missing minor and patch, leading zeros).

use std::cmp::Ordering;
use std::fmt;

use super::go_quote;

/// A semantic version.
#[derive(Debug, Clone, PartialEq)]
pub struct Semver {
    major: u64,
    minor: u64,
    patch: u64,
    pre: Vec<Pre>,
    build: Vec<String>,
}

/// A pre-release identifier: numeric ones order below alphanumeric ones.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Pre {
    Num(u64),
    Alpha(String),
}

fn only(s: &str, alphanumeric: bool) -> bool {
    s.bytes().all(|b| b.is_ascii_digit() || alphanumeric && (b.is_ascii_alphabetic() || b == b'-'))
}

/// Go's `strconv.ParseUint` of a string of digits, with its messages.
fn parse_uint(s: &str) -> Result<u64, String> {
    s.parse().map_err(|_| {
        let why = if s.is_empty() { "invalid syntax" } else { "value out of range" };
        format!("strconv.ParseUint: parsing {}: {why}", go_quote(s))
    })
}

fn number(s: &str, what: &str) -> Result<u64, String> {
    if !only(s, false) {
        return Err(format!("Invalid character(s) found in {what} number {}", go_quote(s)));
    }
    if s.len() > 1 && s.starts_with('0') {
        let what = what[..1].to_uppercase() + &what[1..];
        return Err(format!("{what} number must not contain leading zeroes {}", go_quote(s)));
    }
    parse_uint(s)
}

/// Parses `s` as a version (normalizing it first when asked), with blang/semver's messages.
pub(super) fn parse(s: &str, normalize: bool) -> Result<Semver, String> {
    if normalize {
        let s = s.strip_prefix('v').unwrap_or(s);
        let mut parts: Vec<String> = s.splitn(3, '.').map(String::from).collect();
        for p in &mut parts {
            if p.len() > 1 {
                let t = p.trim_start_matches('0');
                *p = if t.starts_with(|c: char| c.is_ascii_digit()) { t.to_string() } else { format!("0{t}") };
            }
        }
        if parts.len() < 3 {
            if parts.last().is_some_and(|p| p.contains(['+', '-'])) {
                return Err("short version cannot contain PreRelease/Build meta data".into());
            }
            parts.resize(3, "0".into());
        }
        return parse(&parts.join("."), false);
    }
    if s.is_empty() {
        return Err("Version string empty".into());
    }
    let parts: Vec<&str> = s.splitn(3, '.').collect();
    let [major, minor, rest] = parts[..] else { return Err("No Major.Minor.Patch elements found".into()) };
    let (major, minor) = (number(major, "major")?, number(minor, "minor")?);
    let (rest, build) = rest.split_once('+').map_or((rest, None), |(r, b)| (r, Some(b)));
    let (patch, pre) = rest.split_once('-').map_or((rest, None), |(p, r)| (p, Some(r)));
    let patch = number(patch, "patch")?;
    let mut v = Semver { major, minor, patch, pre: vec![], build: vec![] };
    for p in pre.map(|p| p.split('.')).into_iter().flatten() {
        v.pre.push(if p.is_empty() {
            return Err("Prerelease is empty".into());
        } else if only(p, false) {
            if p.len() > 1 && p.starts_with('0') {
                return Err(format!("Numeric PreRelease version must not contain leading zeroes {}", go_quote(p)));
            }
            Pre::Num(parse_uint(p)?)
        } else if only(p, true) {
            Pre::Alpha(p.to_string())
        } else {
            return Err(format!("Invalid character(s) found in prerelease {}", go_quote(p)));
        });
    }
    for b in build.map(|b| b.split('.')).into_iter().flatten() {
        if b.is_empty() {
            return Err("Build meta data is empty".into());
        }
        if !only(b, true) {
            return Err(format!("Invalid character(s) found in build meta data {}", go_quote(b)));
        }
        v.build.push(b.to_string());
    }
    Ok(v)
}

impl Semver {
    /// Precedence: build metadata does not count, a pre-release is below its release.
    pub fn compare(&self, other: &Semver) -> Ordering {
        (self.major, self.minor, self.patch).cmp(&(other.major, other.minor, other.patch)).then_with(|| {
            match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => self.pre.cmp(&other.pre),
            }
        })
    }

    /// `major()`, `minor()`, `patch()` (Go converts the unsigned number to `int` as it is).
    pub(super) fn part(&self, name: &str) -> i64 {
        (match name {
            "major" => self.major,
            "minor" => self.minor,
            _ => self.patch,
        }) as i64
    }
}

impl fmt::Display for Semver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        for (i, p) in self.pre.iter().enumerate() {
            f.write_str(if i == 0 { "-" } else { "." })?;
            match p {
                Pre::Num(n) => write!(f, "{n}")?,
                Pre::Alpha(s) => f.write_str(s)?,
            }
        }
        for (i, b) in self.build.iter().enumerate() {
            f.write_str(if i == 0 { "+" } else { "." })?;
            f.write_str(b)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{global, global_value, method, run, s};
    use crate::cel::Value;

    fn v(x: &str) -> Value<'static> {
        global_value("semver", x)
    }

    #[test]
    fn parses_semver_with_blang_messages() {
        assert_eq!(global("semver", vec![s("1.0.0")]), "1.0.0");
        assert_eq!(global("semver", vec![s("0.1.0-alpha.1+build.5")]), "0.1.0-alpha.1+build.5");
        assert_eq!(global("semver", vec![s("200K")]), "error: No Major.Minor.Patch elements found");
        assert_eq!(global("semver", vec![s("")]), "error: Version string empty");
        assert_eq!(global("semver", vec![s("v1.0.0")]), "error: Invalid character(s) found in major number \"v1\"");
        assert_eq!(global("semver", vec![s("01.0.0")]), "error: Major number must not contain leading zeroes \"01\"");
        assert_eq!(global("semver", vec![s("1.01.0")]), "error: Minor number must not contain leading zeroes \"01\"");
        assert_eq!(global("semver", vec![s("1.0.x")]), "error: Invalid character(s) found in patch number \"x\"");
        assert_eq!(global("semver", vec![s("1..0")]), "error: strconv.ParseUint: parsing \"\": invalid syntax");
        assert_eq!(
            global("semver", vec![s("99999999999999999999.0.0")]),
            "error: strconv.ParseUint: parsing \"99999999999999999999\": value out of range"
        );
        assert_eq!(global("semver", vec![s("1.0.0-")]), "error: Prerelease is empty");
        assert_eq!(
            global("semver", vec![s("1.0.0-01")]),
            "error: Numeric PreRelease version must not contain leading zeroes \"01\""
        );
        assert_eq!(global("semver", vec![s("1.0.0-a_b")]), "error: Invalid character(s) found in prerelease \"a_b\"");
        assert_eq!(global("semver", vec![s("1.0.0+")]), "error: Build meta data is empty");
        assert_eq!(
            global("semver", vec![s("1.0.0+a+b")]),
            "error: Invalid character(s) found in build meta data \"a+b\""
        );
        assert_eq!(global("isSemver", vec![s("1.0.0")]), "true");
        assert_eq!(global("isSemver", vec![s("hello")]), "false");
        assert_eq!(global("isSemver", vec![s("v1.0")]), "false");
        assert_eq!(global("isSemver", vec![s("v1.0"), Value::Bool(true)]), "true");
        assert_eq!(global("isSemver", vec![s("1.0"), Value::Bool(false)]), "false");
        assert_eq!(global("isSemver", vec![Value::Int(1)]), "error: no such overload: isSemver(int)");
    }

    #[test]
    fn normalizes_on_request() {
        let n = |x: &str| global("semver", vec![s(x), Value::Bool(true)]);
        assert_eq!(n("v1.0.0"), "1.0.0");
        assert_eq!(n("1.0"), "1.0.0");
        assert_eq!(n("1"), "1.0.0");
        assert_eq!(n("01.01.01"), "1.1.1");
        assert_eq!(n("v1.00.0-rc.1"), "1.0.0-rc.1");
        assert_eq!(n("1.0-rc"), "error: short version cannot contain PreRelease/Build meta data");
        assert_eq!(n("1.2.03"), "1.2.3");
    }

    #[test]
    fn orders_by_precedence() {
        let cmp = |a: &str, b: &str| method("compareTo", v(a), vec![v(b)]);
        assert_eq!(cmp("1.2.3", "1.2.3"), "0");
        assert_eq!(cmp("1.2.3", "2.0.0"), "-1");
        assert_eq!(cmp("1.2.3", "0.1.2"), "1");
        assert_eq!(cmp("1.0.0-alpha", "1.0.0"), "-1");
        assert_eq!(cmp("1.0.0-alpha", "1.0.0-alpha.1"), "-1");
        assert_eq!(cmp("1.0.0-alpha.1", "1.0.0-alpha.beta"), "-1");
        assert_eq!(cmp("1.0.0-beta.2", "1.0.0-beta.11"), "-1");
        assert_eq!(cmp("1.0.0-rc.1", "1.0.0-beta.11"), "1");
        assert_eq!(cmp("1.0.0+a", "1.0.0+b"), "0");
        assert!(v("1.0.0+a").equals(&v("1.0.0+b")));
        assert!(!v("1.0.0").equals(&v("1.0.1")));
        assert_eq!(method("isLessThan", v("1.0.0"), vec![v("1.0.1")]), "true");
        assert_eq!(method("isGreaterThan", v("1.0.0"), vec![v("1.0.1")]), "false");
        assert_eq!(method("major", v("1.2.3"), vec![]), "1");
        assert_eq!(method("minor", v("1.2.3"), vec![]), "2");
        assert_eq!(method("patch", v("1.2.3"), vec![]), "3");
        assert_eq!(method("major", s("1.2.3"), vec![]), "error: no such overload: major(string)");
        assert!(matches!(run("semver", None, vec![s("1.2.3")]), Ok(Value::Ext(_))));
    }
}
