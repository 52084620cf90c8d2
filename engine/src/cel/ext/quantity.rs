//! `kubernetes.Quantity`, as `k8s.io/apimachinery`'s `resource.Quantity` parses and computes it: exact
//! values, kept like Kubernetes keeps them either as a small integer with a decimal scale or as an arbitrary
//! precision decimal (rounded up to nano units, binary suffixes capped at 2^63-1). The difference shows:
//! only the first form converts with `asInteger`, and `asApproximateFloat` multiplies by Go's `Pow10`.

use std::cmp::Ordering;
use std::fmt;

use crate::cel::{Cost, Error};

const FORMAT_WRONG: &str =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const NUMERIC: &str = "unable to parse numeric part of quantity";
const SUFFIX: &str = "unable to parse quantity's suffix";
const TOO_LARGE: &str = "quantity too large";

/// The most digits a decimal may have here (Kubernetes has no limit; it would take as long).
const MAX_DIGITS: usize = 100_000;

/// A quantity: its value and, when it was parsed, the text it was parsed from.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    text: Option<Box<str>>,
    amount: Amount,
}

#[derive(Debug, Clone, PartialEq)]
enum Amount {
    /// `value` × 10^`scale` (Kubernetes' `int64Amount`).
    Int { value: i64, scale: i32 },
    /// An arbitrary precision decimal (Kubernetes' `inf.Dec`).
    Dec(Dec),
}

/// ±`digits` × 10^`exp`: decimal digits, most significant first, without leading zeros (none for zero).
/// Trailing zeros are kept: they are `inf.Dec`'s scale, which `asApproximateFloat` shows.
#[derive(Debug, Clone, PartialEq)]
struct Dec {
    neg: bool,
    digits: Vec<u8>,
    exp: i64,
}

impl Dec {
    fn new(neg: bool, mut digits: Vec<u8>, exp: i64) -> Dec {
        let zeros = digits.iter().take_while(|&&d| d == 0).count();
        digits.drain(..zeros);
        Dec { neg: neg && !digits.is_empty(), digits, exp }
    }

    fn from_int(value: i64, scale: i32) -> Dec {
        let digits = value.unsigned_abs().to_string().bytes().map(|b| b - b'0').collect();
        Dec::new(value < 0, digits, i64::from(scale))
    }

    /// The magnitudes compared, without aligning them.
    fn cmp_abs(&self, other: &Dec) -> Ordering {
        match (self.digits.is_empty(), other.digits.is_empty()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            _ => {}
        }
        let top = |d: &Dec| d.digits.len() as i64 + d.exp;
        top(self).cmp(&top(other)).then_with(|| {
            let n = self.digits.len().max(other.digits.len());
            (0..n)
                .map(|i| (self.digits.get(i).copied().unwrap_or(0), other.digits.get(i).copied().unwrap_or(0)))
                .map(|(a, b)| a.cmp(&b))
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal)
        })
    }

    fn compare(&self, other: &Dec) -> Ordering {
        match (self.neg, other.neg) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.cmp_abs(other),
            (true, true) => other.cmp_abs(self),
        }
    }

    /// The digits scaled to 10^`exp` (`exp` at most `self.exp`).
    fn aligned(&self, exp: i64) -> Result<Vec<u8>, &'static str> {
        let zeros = usize::try_from(self.exp - exp).map_err(|_| TOO_LARGE)?;
        if self.digits.len().saturating_add(zeros) > MAX_DIGITS {
            return Err(TOO_LARGE);
        }
        let mut d = self.digits.clone();
        d.resize(d.len() + zeros, 0);
        Ok(d)
    }

    /// The sum, at the smaller of the two scales (as `inf.Dec` adds).
    fn add(&self, other: &Dec) -> Result<Dec, &'static str> {
        let exp = self.exp.min(other.exp);
        let (a, b) = (self.aligned(exp)?, other.aligned(exp)?);
        if self.neg == other.neg {
            return Ok(Dec::new(self.neg, add_digits(&a, &b), exp));
        }
        let (a, b) = (Dec::new(false, a, 0), Dec::new(false, b, 0));
        Ok(match a.cmp_abs(&b) {
            Ordering::Less => Dec::new(other.neg, sub_digits(&b.digits, &a.digits), exp),
            _ => Dec::new(self.neg, sub_digits(&a.digits, &b.digits), exp),
        })
    }
}

/// `a + b`, digits most significant first.
fn add_digits(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(a.len().max(b.len()) + 1);
    let (mut i, mut j, mut carry) = (a.len(), b.len(), 0);
    while i > 0 || j > 0 || carry > 0 {
        let x = if i > 0 {
            i -= 1;
            a[i]
        } else {
            0
        };
        let y = if j > 0 {
            j -= 1;
            b[j]
        } else {
            0
        };
        let s = x + y + carry;
        out.push(s % 10);
        carry = s / 10;
    }
    out.reverse();
    out
}

/// `a - b` for `a` ≥ `b`.
fn sub_digits(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(a.len());
    let (mut j, mut borrow) = (b.len(), 0);
    for &x in a.iter().rev() {
        let y = if j > 0 {
            j -= 1;
            b[j]
        } else {
            0
        };
        let (d, next) = if x >= y + borrow { (x - y - borrow, 0) } else { (x + 10 - y - borrow, 1) };
        out.push(d);
        borrow = next;
    }
    out.reverse();
    out
}

fn mul_small(digits: &mut Vec<u8>, m: u64) {
    let mut carry: u64 = 0;
    for d in digits.iter_mut().rev() {
        let p = u64::from(*d) * m + carry;
        *d = (p % 10) as u8;
        carry = p / 10;
    }
    while carry > 0 {
        digits.insert(0, (carry % 10) as u8);
        carry /= 10;
    }
}

/// Go's `math.Pow10`, whose products of table entries a quantity's float is multiplied by.
fn go_pow10(n: i64) -> f64 {
    let p = |e: i64| format!("1e{e}").parse::<f64>().unwrap_or(f64::INFINITY);
    match n {
        0..=308 => p(n / 32 * 32) * p(n % 32),
        309.. => f64::INFINITY,
        -323..=-1 => p(n / 32 * 32) / p(-n % 32),
        _ => 0.0,
    }
}

/// The pieces of a quantity string, as Kubernetes' scanner splits it.
struct Scanned<'s> {
    positive: bool,
    /// The sign and number as written.
    value: &'s str,
    num: &'s str,
    denom: &'s str,
    suffix: &'s str,
}

fn scan(s: &str) -> Result<Scanned<'_>, &'static str> {
    let b = s.as_bytes();
    let end = b.len();
    let mut q = Scanned { positive: true, value: "0", num: "0", denom: "", suffix: "" };
    let mut pos = 0;
    match b.first() {
        Some(b'-') => {
            q.positive = false;
            pos = 1;
        }
        Some(b'+') => pos = 1,
        _ => {}
    }
    while pos < end && b[pos] == b'0' {
        pos += 1;
    }
    if pos >= end {
        return Ok(q);
    }
    let digits = |from: usize| from + b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let i = digits(pos);
    q.num = if i == pos { "0" } else { &s[pos..i] };
    if i >= end {
        q.value = s;
        return Ok(q);
    }
    pos = i;
    if b[pos] == b'.' {
        let i = digits(pos + 1);
        q.denom = &s[pos + 1..i];
        pos = i;
        if i >= end {
            q.value = s;
            return Ok(q);
        }
    }
    q.value = &s[..pos];
    let letters = pos + b[pos..].iter().take_while(|c| b"eEinumkKMGTP".contains(c)).count();
    let mut i = letters;
    if matches!(b.get(i), Some(b'-' | b'+')) {
        i += 1;
    }
    if letters < end && digits(i) < end {
        return Err(FORMAT_WRONG);
    }
    q.suffix = &s[pos..];
    Ok(q)
}

/// A suffix's base-2 or base-10 exponent: `Some((true, 20))` for `Mi`, `Some((false, 3))` for `k` or `e3`.
fn suffix(s: &str) -> Option<(bool, i32)> {
    Some(match s {
        "" => (false, 0),
        "n" => (false, -9),
        "u" => (false, -6),
        "m" => (false, -3),
        "k" => (false, 3),
        "M" => (false, 6),
        "G" => (false, 9),
        "T" => (false, 12),
        "P" => (false, 15),
        "E" => (false, 18),
        "Ki" => (true, 10),
        "Mi" => (true, 20),
        "Gi" => (true, 30),
        "Ti" => (true, 40),
        "Pi" => (true, 50),
        "Ei" => (true, 60),
        // Go truncates the 64-bit exponent to 32 bits.
        _ if s.len() > 1 && s.starts_with(['e', 'E']) => (false, s[1..].parse::<i64>().ok()? as i32),
        _ => return None,
    })
}

/// Parses a quantity as `resource.ParseQuantity` does, with its error messages.
pub(super) fn parse(s: &str) -> Result<Quantity, &'static str> {
    let text = Some(s.into());
    if s.is_empty() {
        return Err(FORMAT_WRONG);
    }
    if s == "0" {
        return Ok(Quantity { text, amount: Amount::Int { value: 0, scale: 0 } });
    }
    let q = scan(s)?;
    let (binary, exponent) = suffix(q.suffix).ok_or(SUFFIX)?;
    let (num, denom) = (q.num.len() as i64, q.denom.len() as i64);
    let (precision, mut scale, mantissa) = match binary {
        false => (18 - num - denom, i64::from(exponent), 1),
        true if exponent >= 0 && denom == 0 => (15 - num - i64::from(exponent) * 3 / 10 - 1, 0, 1i64 << exponent),
        true => (-1, 0, 1),
    };
    if precision >= 0 {
        scale -= denom;
        if scale >= -9 {
            // At most 18 digits: an i64.
            let shifted = q.num.bytes().chain(q.denom.bytes()).fold(0i64, |n, d| n * 10 + i64::from(d - b'0'));
            if let Some(v) = shifted.checked_mul(mantissa) {
                let value = if q.positive { v } else { -v };
                return Ok(Quantity { text, amount: Amount::Int { value, scale: scale as i32 } });
            }
        }
    }
    if !q.value.bytes().any(|b| b.is_ascii_digit()) {
        return Err(NUMERIC);
    }
    if num + denom > MAX_DIGITS as i64 {
        return Err(TOO_LARGE);
    }
    let mut digits: Vec<u8> = q.num.bytes().chain(q.denom.bytes()).map(|d| d - b'0').collect();
    let mut exp = -denom;
    if binary {
        mul_small(&mut digits, 1 << exponent);
    } else {
        exp += i64::from(exponent);
    }
    let mut d = Dec::new(false, digits, exp);
    if !d.digits.is_empty() {
        // Rounded up (away from zero) to nano units, at scale 9.
        if d.exp > -9 {
            d.digits = d.aligned(-9)?;
        } else if d.exp < -9 {
            let cut = d.digits.len().saturating_sub(usize::try_from(-9 - d.exp).unwrap_or(usize::MAX));
            let dropped = d.digits.split_off(cut);
            if dropped.iter().any(|&x| x != 0) {
                d.digits = add_digits(&d.digits, &[1]);
            }
        }
        d.exp = -9;
    }
    let max = Dec::from_int(i64::MAX, 0);
    if binary && d.cmp_abs(&max) == Ordering::Greater {
        d = max;
    }
    d.neg = !q.positive && !d.digits.is_empty();
    Ok(Quantity { text, amount: Amount::Dec(d) })
}

impl Quantity {
    /// An integer, as `add(int)` and `sub(int)` take it.
    pub(super) fn from_int(value: i64) -> Quantity {
        Quantity { text: None, amount: Amount::Int { value, scale: 0 } }
    }

    fn dec(&self) -> Dec {
        match &self.amount {
            Amount::Int { value, scale } => Dec::from_int(*value, *scale),
            Amount::Dec(d) => d.clone(),
        }
    }

    /// The values compared.
    pub fn compare(&self, other: &Quantity) -> Ordering {
        self.dec().compare(&other.dec())
    }

    pub(super) fn sign(&self) -> i64 {
        match &self.amount {
            Amount::Int { value, .. } => value.signum(),
            Amount::Dec(d) if d.digits.is_empty() => 0,
            Amount::Dec(d) => {
                if d.neg {
                    -1
                } else {
                    1
                }
            }
        }
    }

    /// `asInteger`: only a small integer form converts (as Kubernetes' `AsInt64`): `1.5Gi` or `1000m` do
    /// not.
    pub(super) fn as_i64(&self) -> Option<i64> {
        match self.amount {
            Amount::Int { value, scale } if scale >= 0 => (0..scale).try_fold(value, |v, _| v.checked_mul(10)),
            _ => None,
        }
    }

    pub(super) fn approximate_float(&self) -> f64 {
        let (base, exp) = match &self.amount {
            Amount::Int { value, scale } => (*value as f64, i64::from(*scale)),
            Amount::Dec(d) => {
                let digits: String = d.digits.iter().map(|&x| char::from(b'0' + x)).collect();
                let base = digits.parse::<f64>().unwrap_or(0.0);
                (if d.neg { -base } else { base }, d.exp)
            }
        };
        if exp == 0 { base } else { base * go_pow10(exp) }
    }

    /// `add` or `sub`: in the small form while it fits, else exactly.
    pub(super) fn add(&self, other: &Quantity, subtract: bool, cost: &mut Cost) -> Result<Quantity, Error> {
        let amount = match (&self.amount, &other.amount) {
            (&Amount::Int { value: a, scale: sa }, &Amount::Int { value: b, scale: sb }) => {
                // Go negates with wrap-around.
                let b = if subtract { b.wrapping_neg() } else { b };
                add_small(a, sa, b, sb)
            }
            _ => None,
        };
        let amount = match amount {
            Some(a) => a,
            None => {
                let mut y = other.dec();
                if subtract {
                    y.neg = !y.neg && !y.digits.is_empty();
                }
                let x = self.dec();
                cost.charge((x.digits.len() + y.digits.len()) as u64 / 10 + (x.exp - y.exp).unsigned_abs() / 10 + 1)?;
                Amount::Dec(x.add(&y).map_err(Error::new)?)
            }
        };
        Ok(Quantity { text: None, amount })
    }
}

/// Kubernetes' `int64Amount.Add`: `None` when it would overflow.
fn add_small(a: i64, sa: i32, b: i64, sb: i32) -> Option<Amount> {
    let scaled = |v: i64, by: i32| (0..by).try_fold(v, |v, _| v.checked_mul(10));
    let (value, scale) = if b == 0 {
        (a, sa)
    } else if a == 0 {
        (b, sb)
    } else if sa == sb {
        (a.checked_add(b)?, sa)
    } else if sa > sb {
        (scaled(a, sa - sb)?.checked_add(b)?, sb)
    } else {
        (a.checked_add(scaled(b, sb - sa)?)?, sa)
    };
    Some(Amount::Int { value, scale })
}

/// The text it was parsed from, or the computed value in decimal notation.
impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(t) = &self.text {
            return f.write_str(t);
        }
        let d = self.dec();
        let trailing = d.digits.iter().rev().take_while(|&&x| x == 0).count();
        let digits: String = d.digits[..d.digits.len() - trailing].iter().map(|&x| char::from(b'0' + x)).collect();
        let exp = d.exp + trailing as i64;
        if digits.is_empty() {
            return f.write_str("0");
        }
        f.write_str(if d.neg { "-" } else { "" })?;
        match exp {
            0..=18 => write!(f, "{digits}{}", "0".repeat(exp as usize)),
            19.. => write!(f, "{digits}e{exp}"),
            _ => {
                let point = digits.len() as i64 + exp;
                if point > 0 {
                    write!(f, "{}.{}", &digits[..point as usize], &digits[point as usize..])
                } else {
                    write!(f, "0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{global, global_value, method};
    use crate::cel::Value;

    fn q(s: &str) -> Value<'static> {
        global_value("quantity", s)
    }

    fn qm(s: &str, name: &str, args: Vec<Value<'static>>) -> String {
        method(name, q(s), args)
    }

    #[test]
    fn parses_the_kubernetes_grammar() {
        for ok in [
            "1", "0", "-0", "+1", "1.5", ".5", "1.", "5.", "1.5G", "200k", "1.3Gi", "10000k", "1e3", "1E3", "1e-3",
            "1e+3", "-1.5Mi", "100m", "1n", "1u", "12Mi", "0.1m", "Mi", ".", "-", "+", "e-9", "Ti",
        ] {
            assert_eq!(global("isQuantity", vec![super::super::tests::s(ok)]), "true", "{ok}");
        }
        for bad in [
            "200K", "Three", "1,3G", "1.1.M", "1+1.0M", "0.1mi", "0.1am", "aoeu", ".5i", "1i", "-3.01i", "-3.01e-",
            " 1", "1 ", "10Mo", "", "1e", "Ei", "Pi", "e-10",
        ] {
            assert_eq!(global("isQuantity", vec![super::super::tests::s(bad)]), "false", "{bad}");
        }
        let s = super::super::tests::s;
        assert_eq!(
            global("quantity", vec![s("10Mo")]),
            "error: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
        );
        assert_eq!(global("quantity", vec![s("10Mm")]), "error: unable to parse quantity's suffix");
        assert_eq!(global("quantity", vec![s("e-10")]), "error: unable to parse numeric part of quantity");
        assert_eq!(global("quantity", vec![s("1.5G")]), "1.5G");
    }

    #[test]
    fn equality_and_comparison_are_by_value() {
        let eq = |a: &str, b: &str| q(a).equals(&q(b));
        assert!(eq("1Gi", "1024Mi"));
        assert!(eq("200M", "0.2G"));
        assert!(eq("2M", "0.002G") && eq("2000k", "2M") && eq("0.002G", "2000k"));
        assert!(eq("1e3", "1k"));
        assert!(eq("-0", "0"));
        assert!(eq("0.1n", "1n"), "rounded up to nano units");
        assert!(eq("-0.1n", "-1n"));
        assert!(eq("1.0000000001", "1.000000001"));
        assert!(eq("8Ei", "9223372036854775807"), "binary values are capped at 2^63-1");
        assert!(eq("100E", "1e20"), "decimal values are not capped");
        assert!(!eq("200M", "0.3G"));
        assert_eq!(qm("50M", "isLessThan", vec![q("50Mi")]), "true");
        assert_eq!(qm("100M", "isLessThan", vec![q("50M")]), "false");
        assert_eq!(qm("50Mi", "isGreaterThan", vec![q("50M")]), "true");
        assert_eq!(qm("200M", "compareTo", vec![q("0.2G")]), "0");
        assert_eq!(qm("50M", "compareTo", vec![q("50Mi")]), "-1");
        assert_eq!(qm("50Mi", "compareTo", vec![q("50M")]), "1");
        assert_eq!(qm("-1", "compareTo", vec![q("-2")]), "1");
        assert_eq!(qm("-1e100", "compareTo", vec![q("1n")]), "-1");
        assert_eq!(qm("1e100", "compareTo", vec![q("9999999999999999999999")]), "1");
    }

    #[test]
    fn arithmetic_is_exact() {
        assert!(method("add", q("50k"), vec![q("20")]).contains("50020"));
        assert!(
            global_value("quantity", "50.02k")
                .equals(&super::super::tests::run("add", Some(q("50k")), vec![q("20")]).unwrap_or(Value::Null))
        );
        assert_eq!(qm("50k", "add", vec![Value::Int(20)]), "50020");
        assert_eq!(qm("50k", "sub", vec![q("20")]), "49980");
        assert_eq!(qm("50k", "sub", vec![Value::Int(20000)]), "30000");
        assert_eq!(qm("1.5", "add", vec![q("1m")]), "1.501");
        assert_eq!(qm("1", "sub", vec![q("1.5Gi")]), "-1610612735");
        assert_eq!(qm("1n", "sub", vec![q("1")]), "-0.999999999");
        let x = "9999999999999999999999999999999999999";
        let one = super::super::tests::run("add", Some(q(x)), vec![q("1")]).unwrap_or(Value::Null);
        let two = super::super::tests::run("add", Some(q(x)), vec![q("2")]).unwrap_or(Value::Null);
        assert_eq!(method("compareTo", one.clone(), vec![two]), "-1");
        assert_eq!(one.to_string(), "1e37");
        assert_eq!(qm("9223372036854775807", "add", vec![Value::Int(1)]), "9223372036854775808");
        assert_eq!(qm("-9223372036854775807", "sub", vec![Value::Int(2)]), "-9223372036854775809");
        assert_eq!(qm("1e100", "add", vec![Value::Int(1)]).len(), 101);
        assert_eq!(qm("1e200000", "add", vec![Value::Int(1)]), "error: quantity too large");
    }

    #[test]
    fn integer_conversion_follows_kubernetes_representation() {
        assert_eq!(qm("50k", "asInteger", vec![]), "50000");
        assert_eq!(qm("50000000G", "isInteger", vec![]), "true");
        assert_eq!(qm("1Gi", "asInteger", vec![]), "1073741824");
        assert_eq!(qm("1.5k", "asInteger", vec![]), "1500");
        assert_eq!(qm("-2e3", "asInteger", vec![]), "-2000");
        assert_eq!(qm("1Ti", "isInteger", vec![]), "true");
        assert_eq!(qm("100Ti", "isInteger", vec![]), "false");
        assert_eq!(qm("1.5Gi", "isInteger", vec![]), "false");
        assert_eq!(qm("1000m", "isInteger", vec![]), "false");
        assert_eq!(qm("0.5", "isInteger", vec![]), "false");
        assert_eq!(qm("9999999999999999999999999999999999999G", "isInteger", vec![]), "false");
        assert_eq!(
            qm("9999999999999999999999999999999999999G", "asInteger", vec![]),
            "error: cannot convert value to integer"
        );
        assert_eq!(qm("20E", "asInteger", vec![]), "error: cannot convert value to integer");
        assert_eq!(
            method(
                "asInteger",
                super::super::tests::run("sub", Some(q("50k")), vec![q("100k")]).unwrap_or(Value::Null),
                vec![]
            ),
            "-50000"
        );
    }

    #[test]
    fn approximate_floats_and_signs() {
        assert_eq!(qm("50.703k", "asApproximateFloat", vec![]), "50703");
        assert_eq!(qm("100m", "asApproximateFloat", vec![]), "0.1");
        let float = |x: &str| super::super::tests::run("asApproximateFloat", Some(q(x)), vec![]);
        assert!(matches!(float("1.5Gi"), Ok(Value::Double(f)) if f == 1610612736.0));
        assert_eq!(float("1.1Gi").map(|v| v.to_string()), Ok("1.1811160064e+09".to_string()));
        assert!(matches!(float("-3.3"), Ok(Value::Double(f)) if format!("{f:?}") == "-3.3000000000000003"));
        assert_eq!(qm("-1e400", "asApproximateFloat", vec![]), "-Inf");
        assert_eq!(qm("1e-400", "asApproximateFloat", vec![]), "1e-09");
        assert_eq!(qm("50k", "sign", vec![]), "1");
        assert_eq!(qm("-50k", "sign", vec![]), "-1");
        assert_eq!(qm("0", "sign", vec![]), "0");
        assert_eq!(qm("-0.0000000001", "sign", vec![]), "-1");
        assert_eq!(global("sign", vec![q("-1")]), "-1");
        assert_eq!(global("sign", vec![Value::Int(1)]), "error: no such overload: sign(int)");
    }
}
