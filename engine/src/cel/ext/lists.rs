//! Lists: Kubernetes' list library (`isSorted`, `sum`, `min`, `max`, `indexOf`, `lastIndexOf`,
//! `includes`), cel-go's lists extension (version 3: `slice`, `flatten`, `distinct`, `reverse`, `sort`,
//! `sortBy`'s `@sortByAssociatedKeys`, `lists.range`), the optional library's `unwrapOpt`, cel-go's sets
//! and the numeric functions of its math extension.
//!
//! Numbers of different types count as one kind where Kubernetes' typed lists would hold one type: a JSON
//! list of a `number` field holds `1` (an int here) and `2.5` (a double).

use std::cmp::Ordering;
use std::rc::Rc;

use crate::cel::value::no_overload;
use crate::cel::{Cost, Error, List, Value};

type R<'a> = Result<Value<'a>, Error>;

/// The kind of a comparable value: numbers are one kind.
fn kind(v: &Value<'_>) -> Option<u8> {
    Some(match v {
        Value::Int(_) | Value::Uint(_) | Value::Double(_) => 0,
        Value::Bool(_) => 1,
        Value::String(_) => 2,
        Value::Bytes(_) => 3,
        Value::Duration(_) => 4,
        Value::Timestamp(_) => 5,
        _ => return None,
    })
}

fn charge(cost: &mut Cost, n: usize) -> Result<(), Error> {
    cost.charge(n as u64 + 1)
}

pub(super) fn index_of<'a>(l: &List<'a>, x: &Value<'a>, last: bool, cost: &mut Cost) -> R<'a> {
    charge(cost, l.len())?;
    let hit = |i: &usize| l.get(*i).is_some_and(|v| v.equals(x));
    let found = if last { (0..l.len()).rev().find(hit) } else { (0..l.len()).find(hit) };
    Ok(Value::Int(found.map_or(-1, |i| i as i64)))
}

pub(super) fn reverse<'a>(l: &List<'a>, cost: &mut Cost) -> R<'a> {
    charge(cost, l.len())?;
    let mut items = l.to_vec();
    items.reverse();
    Ok(Value::list(items))
}

pub(super) fn is_sorted<'a>(l: &List<'a>, cost: &mut Cost) -> R<'a> {
    charge(cost, l.len())?;
    let items = l.to_vec();
    if let Some(bad) = items.iter().find(|v| kind(v).is_none()) {
        return Err(no_overload("isSorted", &[bad]));
    }
    for pair in items.windows(2) {
        if pair[0].compare(&pair[1])? == Some(Ordering::Greater) {
            return Ok(Value::Bool(false));
        }
    }
    Ok(Value::Bool(true))
}

/// The sum of ints, uints, doubles (a double among them makes it a double) or durations; `0` when empty.
pub(super) fn sum<'a>(l: &List<'a>, cost: &mut Cost) -> R<'a> {
    charge(cost, l.len())?;
    let items = l.to_vec();
    let overflow = || Error::new("integer overflow");
    if !items.is_empty() && items.iter().all(|v| matches!(v, Value::Duration(_))) {
        let mut total: i64 = 0;
        for v in &items {
            if let Value::Duration(d) = v {
                total = i64::try_from(*d).ok().and_then(|d| total.checked_add(d)).ok_or_else(overflow)?;
            }
        }
        return Ok(Value::Duration(i128::from(total)));
    }
    if let Some(bad) = items.iter().find(|v| !matches!(v, Value::Int(_) | Value::Uint(_) | Value::Double(_))) {
        return Err(no_overload("sum", &[bad]));
    }
    if items.iter().any(|v| matches!(v, Value::Double(_))) {
        let total = items.iter().fold(0.0, |t, v| match v {
            Value::Double(d) => t + d,
            Value::Int(i) => t + *i as f64,
            Value::Uint(u) => t + *u as f64,
            _ => t,
        });
        return Ok(Value::Double(total));
    }
    if !items.is_empty() && items.iter().all(|v| matches!(v, Value::Uint(_))) {
        let mut total: u64 = 0;
        for v in &items {
            if let Value::Uint(u) = v {
                total = total.checked_add(*u).ok_or_else(|| Error::new("unsigned integer overflow"))?;
            }
        }
        return Ok(Value::Uint(total));
    }
    let mut total: i64 = 0;
    for v in &items {
        let x = match v {
            Value::Int(i) => *i,
            Value::Uint(u) => i64::try_from(*u).map_err(|_| overflow())?,
            _ => 0,
        };
        total = total.checked_add(x).ok_or_else(overflow)?;
    }
    Ok(Value::Int(total))
}

pub(super) fn min_max<'a>(l: &List<'a>, max: bool, cost: &mut Cost) -> R<'a> {
    charge(cost, l.len())?;
    let name = if max { "max" } else { "min" };
    let replace = if max { Ordering::Less } else { Ordering::Greater };
    let mut best: Option<Value<'a>> = None;
    for v in l.iter() {
        if kind(&v).is_none() {
            return Err(no_overload(name, &[&v]));
        }
        best = Some(match best {
            Some(b) if b.compare(&v)? != Some(replace) => b,
            _ => v,
        });
    }
    best.ok_or_else(|| Error::new(format!("{name} called on empty list")))
}

/// Elements `start..end`; a JSON array stays borrowed.
pub(super) fn slice<'a>(l: &List<'a>, start: i64, end: i64, cost: &mut Cost) -> R<'a> {
    let fail = |why: String| Err(Error::new(format!("cannot slice({start}, {end}), {why}")));
    if start < 0 || end < 0 {
        return fail("negative indexes not supported".into());
    }
    if start > end {
        return fail("start index must be less than or equal to end index".into());
    }
    if (l.len() as i64) < end {
        return fail(format!("list is length {}", l.len()));
    }
    let (start, end) = (start as usize, end as usize);
    charge(cost, end - start)?;
    Ok(Value::List(match l {
        List::Json(a) => List::Json(&a[start..end]),
        List::Owned(v) => List::Owned(Rc::new(v[start..end].to_vec())),
    }))
}

pub(super) fn flatten<'a>(l: &List<'a>, depth: i64, cost: &mut Cost) -> R<'a> {
    if depth < 0 {
        return Err(Error::new("level must be non-negative"));
    }
    let mut out = Vec::with_capacity(l.len());
    flatten_into(l, depth, &mut out, cost)?;
    Ok(Value::list(out))
}

fn flatten_into<'a>(l: &List<'a>, depth: i64, out: &mut Vec<Value<'a>>, cost: &mut Cost) -> Result<(), Error> {
    charge(cost, l.len())?;
    for v in l.iter() {
        match v {
            Value::List(inner) if depth > 0 => flatten_into(&inner, depth - 1, out, cost)?,
            v => out.push(v),
        }
    }
    Ok(())
}

/// The first of each set of equal elements, in order.
pub(super) fn distinct<'a>(l: &List<'a>, cost: &mut Cost) -> R<'a> {
    let mut seen: Vec<Value<'a>> = Vec::new();
    for v in l.iter() {
        charge(cost, seen.len() / 10)?;
        if !seen.iter().any(|s| s.equals(&v)) {
            seen.push(v);
        }
    }
    Ok(Value::list(seen))
}

/// `list` ordered as `keys` sort (stably); `sort()` is the list by itself. The keys must be of one
/// comparable kind.
pub(super) fn sort_by_keys<'a>(l: &List<'a>, keys: &List<'a>, cost: &mut Cost) -> R<'a> {
    if l.len() != keys.len() {
        return Err(Error::new(format!(
            "@sortByAssociatedKeys() expected a list of the same size as the associated keys list, but got {} and {} \
             elements respectively",
            l.len(),
            keys.len()
        )));
    }
    let keys = keys.to_vec();
    let Some(first) = keys.first() else { return Ok(Value::List(l.clone())) };
    let k = kind(first).ok_or_else(|| Error::new("list elements must be comparable"))?;
    if keys.iter().any(|x| kind(x) != Some(k)) {
        return Err(Error::new("list elements must have the same type"));
    }
    charge(cost, keys.len() * (usize::BITS - keys.len().leading_zeros()) as usize)?;
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by(|&a, &b| keys[a].compare(&keys[b]).ok().flatten().unwrap_or(Ordering::Equal));
    let items = l.to_vec();
    Ok(Value::list(order.into_iter().map(|i| items[i].clone()).collect()))
}

/// `lists.range(n)`: `[0, ..., n-1]`.
pub(super) fn range<'a>(n: i64, cost: &mut Cost) -> R<'a> {
    cost.charge(n.max(0) as u64 + 1)?;
    Ok(Value::list((0..n.max(0)).map(Value::Int).collect()))
}

/// `optional.unwrap(list)`, `list.unwrapOpt()`: the values of the optionals that have one.
pub(super) fn unwrap_optionals<'a>(l: &List<'a>, cost: &mut Cost) -> R<'a> {
    charge(cost, l.len())?;
    let mut out = Vec::with_capacity(l.len());
    for v in l.iter() {
        match v {
            Value::Optional(Some(x)) => out.push((*x).clone()),
            Value::Optional(None) => {}
            other => return Err(no_overload("optional.unwrap", &[&other])),
        }
    }
    Ok(Value::list(out))
}

/// `sets.contains`, `sets.equivalent`, `sets.intersects`, with CEL equality (`1 == 1.0 == 1u`).
pub(super) fn sets<'a>(op: &str, a: &List<'a>, b: &List<'a>, cost: &mut Cost) -> R<'a> {
    cost.charge((a.len() as u64).saturating_mul(b.len() as u64) / 10 + 1)?;
    let (a, b) = (a.to_vec(), b.to_vec());
    let within = |x: &Value<'a>, l: &[Value<'a>]| l.iter().any(|y| y.equals(x));
    let contains = |l: &[Value<'a>], sub: &[Value<'a>]| sub.iter().all(|x| within(x, l));
    Ok(Value::Bool(match op {
        "contains" => contains(&a, &b),
        "equivalent" => contains(&a, &b) && contains(&b, &a),
        _ => a.iter().any(|x| within(x, &b)),
    }))
}

/// `math.greatest`/`math.least` (and the `math.@max`/`math.@min` they expand to) of numbers.
pub(super) fn greatest<'a>(args: &[Value<'a>], max: bool, name: &str, cost: &mut Cost) -> R<'a> {
    charge(cost, args.len())?;
    let internal = if max { "math.@max" } else { "math.@min" };
    let replace = if max { Ordering::Less } else { Ordering::Greater };
    let mut best: Option<&Value<'a>> = None;
    for v in args {
        if !matches!(v, Value::Int(_) | Value::Uint(_) | Value::Double(_)) {
            return Err(if name.contains('@') {
                Error::new(format!("no such overload: {internal}"))
            } else {
                no_overload(name, &[v])
            });
        }
        best = Some(match best {
            Some(b) if b.compare(v)? != Some(replace) => b,
            _ => v,
        });
    }
    best.cloned().ok_or_else(|| Error::new(format!("{internal}(list) argument must not be empty")))
}

/// cel-go's single-argument math functions; `None` for an argument of the wrong type. Integers are taken
/// as doubles where a double is expected (a JSON `2` of a `number` field).
pub(super) fn math<'a>(name: &str, x: &Value<'a>) -> Option<R<'a>> {
    let d = match x {
        Value::Double(d) => Some(*d),
        Value::Int(i) => Some(*i as f64),
        Value::Uint(u) => Some(*u as f64),
        _ => None,
    };
    Some(Ok(match (name, x) {
        ("math.abs", Value::Int(i)) => {
            return Some(i.checked_abs().map(Value::Int).ok_or_else(|| Error::new("integer overflow")));
        }
        ("math.abs", Value::Uint(u)) => Value::Uint(*u),
        ("math.abs", Value::Double(d)) => Value::Double(d.abs()),
        ("math.sign", Value::Int(i)) => Value::Int(i.signum()),
        ("math.sign", Value::Uint(u)) => Value::Uint(u64::from(*u > 0)),
        ("math.sign", Value::Double(d)) => Value::Double(if *d > 0.0 {
            1.0
        } else if *d < 0.0 {
            -1.0
        } else {
            *d
        }),
        ("math.ceil", _) => Value::Double(d?.ceil()),
        ("math.floor", _) => Value::Double(d?.floor()),
        ("math.round", _) => Value::Double(d?.round()),
        ("math.trunc", _) => Value::Double(d?.trunc()),
        ("math.isNaN", _) => Value::Bool(d?.is_nan()),
        ("math.isInf", _) => Value::Bool(d?.is_infinite()),
        ("math.isFinite", _) => Value::Bool(d?.is_finite()),
        _ => return None,
    }))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{global, list, method, run, s};
    use crate::cel::{Cost, Value};

    fn ints(xs: &[i64]) -> Value<'static> {
        list(xs.iter().map(|&i| Value::Int(i)).collect())
    }

    fn d(x: f64) -> Value<'static> {
        Value::Double(x)
    }

    #[test]
    fn kubernetes_list_functions() {
        assert_eq!(method("isSorted", ints(&[1, 2, 3]), vec![]), "true");
        assert_eq!(method("isSorted", list(vec![s("a"), s("b"), s("b"), s("c")]), vec![]), "true");
        assert_eq!(method("isSorted", list(vec![d(2.0), d(1.0)]), vec![]), "false");
        assert_eq!(method("isSorted", list(vec![Value::Int(1), d(1.5), Value::Uint(2)]), vec![]), "true");
        assert_eq!(method("isSorted", ints(&[]), vec![]), "true");
        assert_eq!(method("isSorted", list(vec![list(vec![])]), vec![]), "error: no such overload: isSorted(list)");
        assert_eq!(method("sum", ints(&[1, 3]), vec![]), "4");
        assert_eq!(method("sum", list(vec![d(1.0), d(3.0)]), vec![]), "4");
        assert_eq!(method("sum", list(vec![Value::Int(1), d(0.5)]), vec![]), "1.5");
        assert_eq!(method("sum", list(vec![Value::Uint(1), Value::Uint(2)]), vec![]), "3");
        assert_eq!(
            method("sum", list(vec![Value::Duration(60_000_000_000), Value::Duration(1_000_000_000)]), vec![]),
            "61s"
        );
        assert_eq!(method("sum", ints(&[]), vec![]), "0");
        assert_eq!(method("sum", ints(&[i64::MAX, 1]), vec![]), "error: integer overflow");
        assert_eq!(method("sum", list(vec![s("a")]), vec![]), "error: no such overload: sum(string)");
        assert_eq!(method("min", ints(&[1, 3]), vec![]), "1");
        assert_eq!(method("max", ints(&[1, 3]), vec![]), "3");
        assert_eq!(method("max", list(vec![Value::Int(1), d(2.5), Value::Uint(2)]), vec![]), "2.5");
        assert_eq!(method("min", ints(&[]), vec![]), "error: min called on empty list");
        assert_eq!(method("max", ints(&[]), vec![]), "error: max called on empty list");
        assert_eq!(method("max", list(vec![s("b"), s("c"), s("a")]), vec![]), "\"c\"");
        assert_eq!(method("indexOf", ints(&[1, 2, 2, 3]), vec![Value::Int(2)]), "1");
        assert_eq!(method("lastIndexOf", list(vec![s("a"), s("b"), s("b"), s("c")]), vec![s("b")]), "2");
        assert_eq!(method("indexOf", list(vec![d(1.0)]), vec![d(1.1)]), "-1");
        assert_eq!(method("indexOf", list(vec![d(1.0)]), vec![Value::Uint(1)]), "0");
        assert_eq!(method("indexOf", ints(&[]), vec![s("x")]), "-1");
        assert_eq!(method("includes", ints(&[1, 2, 3]), vec![Value::Int(2)]), "true");
        assert_eq!(method("includes", ints(&[1, 2, 3]), vec![Value::Int(4)]), "false");
        assert_eq!(method("includes", s("model-a"), vec![s("model-a")]), "true");
    }

    #[test]
    fn cel_go_list_extensions() {
        assert_eq!(method("slice", ints(&[1, 2, 3, 4]), vec![Value::Int(1), Value::Int(3)]), "[2, 3]");
        assert_eq!(method("slice", ints(&[1, 2, 3, 4]), vec![Value::Int(4), Value::Int(4)]), "[]");
        assert_eq!(
            method("slice", ints(&[1, 2]), vec![Value::Int(-1), Value::Int(1)]),
            "error: cannot slice(-1, 1), negative indexes not supported"
        );
        assert_eq!(
            method("slice", ints(&[1, 2]), vec![Value::Int(2), Value::Int(1)]),
            "error: cannot slice(2, 1), start index must be less than or equal to end index"
        );
        assert_eq!(
            method("slice", ints(&[1, 2]), vec![Value::Int(0), Value::Int(3)]),
            "error: cannot slice(0, 3), list is length 2"
        );
        let nested = || list(vec![Value::Int(1), list(vec![Value::Int(2), list(vec![Value::Int(3), ints(&[4])])])]);
        assert_eq!(method("flatten", list(vec![Value::Int(1), ints(&[2, 3]), ints(&[4])]), vec![]), "[1, 2, 3, 4]");
        assert_eq!(method("flatten", nested(), vec![]), "[1, 2, [3, [4]]]");
        assert_eq!(method("flatten", nested(), vec![Value::Int(2)]), "[1, 2, 3, [4]]");
        assert_eq!(method("flatten", nested(), vec![Value::Int(0)]), "[1, [2, [3, [4]]]]");
        assert_eq!(method("flatten", nested(), vec![Value::Int(-1)]), "error: level must be non-negative");
        assert_eq!(method("flatten", list(vec![ints(&[]), ints(&[])]), vec![]), "[]");
        assert_eq!(method("distinct", ints(&[1, 2, 2, 3, 3, 3]), vec![]), "[1, 2, 3]");
        assert_eq!(method("distinct", list(vec![Value::Int(1), s("b"), d(1.0), s("b")]), vec![]), "[1, \"b\"]");
        assert_eq!(method("reverse", ints(&[5, 3, 1, 2]), vec![]), "[2, 1, 3, 5]");
        assert_eq!(method("sort", ints(&[3, 2, 1]), vec![]), "[1, 2, 3]");
        assert_eq!(method("sort", list(vec![s("b"), s("c"), s("a")]), vec![]), "[\"a\", \"b\", \"c\"]");
        assert_eq!(method("sort", ints(&[]), vec![]), "[]");
        assert_eq!(
            method("sort", list(vec![Value::Int(1), s("b")]), vec![]),
            "error: list elements must have the same type"
        );
        assert_eq!(method("sort", list(vec![ints(&[1])]), vec![]), "error: list elements must be comparable");
        assert_eq!(
            method("@sortByAssociatedKeys", list(vec![s("foo"), s("bar"), s("baz")]), vec![ints(&[3, 1, 2])]),
            "[\"bar\", \"baz\", \"foo\"]"
        );
        assert_eq!(
            method("@sortByAssociatedKeys", ints(&[1]), vec![ints(&[])]),
            "error: @sortByAssociatedKeys() expected a list of the same size as the associated keys list, but got 1 and 0 elements respectively"
        );
        assert_eq!(global("lists.range", vec![Value::Int(5)]), "[0, 1, 2, 3, 4]");
        assert_eq!(global("lists.range", vec![Value::Int(0)]), "[]");
        assert_eq!(global("lists.range", vec![Value::Int(-3)]), "[]");
        assert_eq!(method("first", ints(&[1, 2, 3]), vec![]), "optional.of(1)");
        assert_eq!(method("last", ints(&[1, 2, 3]), vec![]), "optional.of(3)");
        assert_eq!(method("first", ints(&[]), vec![]), "optional.none()");
        assert_eq!(method("last", ints(&[]), vec![]), "optional.none()");
        let opts = || list(vec![Value::Optional(Some(std::rc::Rc::new(Value::Int(42)))), Value::Optional(None)]);
        assert_eq!(global("optional.unwrap", vec![opts()]), "[42]");
        assert_eq!(method("unwrapOpt", opts(), vec![]), "[42]");
        assert_eq!(method("unwrapOpt", ints(&[1]), vec![]), "error: no such overload: optional.unwrap(int)");
    }

    #[test]
    fn json_lists_are_read_and_sliced_in_place() {
        let doc = serde_json::json!([1, 2.5, "x", [3]]);
        let v = Value::from_json(&doc);
        let mut cost = Cost::new(1000);
        let r = super::super::call("slice", Some(&v), &[Value::Int(1), Value::Int(3)], &mut cost);
        match r {
            Some(Ok(Value::List(crate::cel::List::Json(a)))) => assert_eq!(a.len(), 2),
            other => panic!("{other:?}"),
        }
        let r = super::super::call("flatten", Some(&v), &[], &mut cost);
        assert_eq!(r.map(|r| r.map(|v| v.to_string())), Some(Ok("[1, 2.5, \"x\", 3]".to_string())));
    }

    #[test]
    fn sets() {
        let set = |name: &str, a: Value<'static>, b: Value<'static>| global(name, vec![a, b]);
        assert_eq!(set("sets.contains", ints(&[]), ints(&[])), "true");
        assert_eq!(set("sets.contains", ints(&[]), ints(&[1])), "false");
        assert_eq!(set("sets.contains", ints(&[1, 2, 3, 4]), ints(&[2, 3])), "true");
        assert_eq!(
            set(
                "sets.contains",
                list(vec![Value::Int(1), d(2.0), Value::Uint(3)]),
                list(vec![d(1.0), Value::Uint(2), Value::Int(3)])
            ),
            "true"
        );
        assert_eq!(set("sets.equivalent", ints(&[]), ints(&[])), "true");
        assert_eq!(set("sets.equivalent", ints(&[1]), ints(&[1, 1])), "true");
        assert_eq!(set("sets.equivalent", ints(&[1]), list(vec![Value::Uint(1), d(1.0)])), "true");
        assert_eq!(set("sets.equivalent", ints(&[1, 2]), ints(&[2, 3])), "false");
        assert_eq!(set("sets.intersects", ints(&[1]), ints(&[])), "false");
        assert_eq!(set("sets.intersects", ints(&[1]), ints(&[1, 2])), "true");
        assert_eq!(
            set(
                "sets.intersects",
                list(vec![ints(&[1]), ints(&[2, 3])]),
                list(vec![ints(&[1, 2]), list(vec![Value::Int(2), d(3.0)])])
            ),
            "true"
        );
        assert_eq!(
            set("sets.contains", ints(&[1]), Value::Int(1)),
            "error: no such overload: sets.contains(list, int)"
        );
    }

    #[test]
    fn math() {
        assert_eq!(global("math.greatest", vec![Value::Int(1)]), "1");
        assert_eq!(global("math.greatest", vec![Value::Uint(1), Value::Uint(2)]), "2");
        assert_eq!(global("math.greatest", vec![d(-42.0), d(-21.5), d(-100.0)]), "-21.5");
        assert_eq!(global("math.greatest", vec![list(vec![d(-42.0), d(-21.5), d(-100.0)])]), "-21.5");
        assert_eq!(global("math.least", vec![list(vec![d(-42.0), d(-21.5), d(-100.0)])]), "-100");
        assert_eq!(global("math.least", vec![Value::Int(3), d(2.5), Value::Uint(7)]), "2.5");
        assert_eq!(global("math.@max", vec![ints(&[])]), "error: math.@max(list) argument must not be empty");
        assert_eq!(global("math.least", vec![ints(&[])]), "error: math.@min(list) argument must not be empty");
        assert_eq!(global("math.greatest", vec![s("x")]), "error: no such overload: math.greatest(string)");
        assert_eq!(global("math.@max", vec![Value::Int(1), s("x")]), "error: no such overload: math.@max");
        assert_eq!(global("math.greatest", vec![]), "error: no such overload: math.greatest()");
        assert_eq!(global("math.ceil", vec![d(1.2)]), "2");
        assert_eq!(global("math.ceil", vec![d(-1.2)]), "-1");
        assert_eq!(global("math.floor", vec![d(-1.2)]), "-2");
        assert_eq!(global("math.round", vec![d(1.5)]), "2");
        assert_eq!(global("math.round", vec![d(-1.5)]), "-2");
        assert_eq!(global("math.round", vec![d(1.2)]), "1");
        assert_eq!(global("math.trunc", vec![d(-1.3)]), "-1");
        assert_eq!(global("math.abs", vec![Value::Int(-1)]), "1");
        assert_eq!(global("math.abs", vec![Value::Int(i64::MIN)]), "error: integer overflow");
        assert_eq!(global("math.abs", vec![d(-2.5)]), "2.5");
        assert_eq!(global("math.sign", vec![Value::Int(-42)]), "-1");
        assert_eq!(global("math.sign", vec![Value::Int(0)]), "0");
        assert_eq!(global("math.sign", vec![Value::Uint(42)]), "1");
        assert_eq!(global("math.sign", vec![d(-0.5)]), "-1");
        assert_eq!(global("math.isNaN", vec![d(f64::NAN)]), "true");
        assert_eq!(global("math.isInf", vec![d(f64::INFINITY)]), "true");
        assert_eq!(global("math.isFinite", vec![d(1.2)]), "true");
        assert_eq!(global("math.isFinite", vec![d(f64::NAN)]), "false");
        assert_eq!(global("math.ceil", vec![s("1")]), "error: no such overload: math.ceil(string)");
    }

    #[test]
    fn costs_are_charged_for_the_work() {
        let mut cost = Cost::new(50);
        let big = ints(&(0..100).collect::<Vec<_>>());
        let r = super::super::call("reverse", Some(&big), &[], &mut cost);
        assert!(matches!(r, Some(Err(e)) if e.cost_exceeded));
        let r = run("lists.range", None, vec![Value::Int(10_000_000)]);
        assert!(matches!(r, Err(e) if e.cost_exceeded));
    }
}
