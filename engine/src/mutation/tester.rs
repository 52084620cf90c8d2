//! Path tests (`pathTests`): per-depth MustExist / MustNotExist conditions that gate the mutation walk.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::path::Location;

/// What a path test demands of the node at its sub-path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Condition {
    MustExist,
    MustNotExist,
}

/// One `pathTests[]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathTest {
    pub sub_path: Location,
    pub condition: Condition,
}

/// Rejected path tests.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TesterError {
    #[error(
        "all subpaths must be a prefix of the `location` value of the mutation: {sub_path:?} is not a prefix of {location:?}"
    )]
    Prefix { sub_path: String, location: String },
    #[error("conflicting path test: {sub_path:?} is marked both MustExist and MustNotExist")]
    Conflict { sub_path: String },
    #[error(
        "conflicting path tests: {must_exist:?} is marked MustExist but is listed after {must_not_exist:?}, which is marked MustNotExist"
    )]
    ParentChildConflict { must_exist: String, must_not_exist: String },
}

/// The conditions of a mutator, indexed by depth.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tester {
    /// Keyed by `len(subPath.Nodes)`, i.e. depth + 1, so that an empty sub-path (depth -1 upstream) has a slot
    /// without ever being consulted by the walk.
    conditions: BTreeMap<usize, Condition>,
}

impl Tester {
    /// Validates `tests` against `location`.
    pub fn new(location: &Location, tests: &[PathTest]) -> Result<Tester, TesterError> {
        let mut conditions = BTreeMap::new();
        let mut last_must_exist: Option<usize> = None;
        let mut first_must_not_exist: Option<usize> = None;
        for (i, test) in tests.iter().enumerate() {
            let nodes = &test.sub_path.nodes;
            if !location.nodes.starts_with(nodes) {
                return Err(TesterError::Prefix {
                    sub_path: test.sub_path.to_string(),
                    location: location.to_string(),
                });
            }
            if let Some(previous) = conditions.insert(nodes.len(), test.condition)
                && previous != test.condition
            {
                return Err(TesterError::Conflict { sub_path: test.sub_path.to_string() });
            }
            match test.condition {
                Condition::MustExist => last_must_exist = Some(i),
                Condition::MustNotExist => {
                    first_must_not_exist.get_or_insert(i);
                }
            }
        }
        // Upstream compares list positions, not depths; kept literally (see the spec, §1.3 rule 3).
        if let (Some(must), Some(must_not)) = (last_must_exist, first_must_not_exist)
            && must > must_not
        {
            let name = |i: usize| tests.get(i).map(|t| t.sub_path.to_string()).unwrap_or_default();
            return Err(TesterError::ParentChildConflict { must_exist: name(must), must_not_exist: name(must_not) });
        }
        Ok(Tester { conditions })
    }

    /// A tester without conditions: everything is okay.
    pub fn unconstrained() -> Tester {
        Tester::default()
    }

    fn condition(&self, depth: usize) -> Option<Condition> {
        self.conditions.get(&(depth + 1)).copied()
    }

    /// Whether the walk may continue when the node at `depth` exists.
    pub fn exists_okay(&self, depth: usize) -> bool {
        self.condition(depth) != Some(Condition::MustNotExist)
    }

    /// Whether the walk may continue (creating the node) when the node at `depth` is missing.
    pub fn missing_okay(&self, depth: usize) -> bool {
        self.condition(depth) != Some(Condition::MustExist)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc(s: &str) -> Location {
        match Location::parse(s) {
            Ok(l) => l,
            Err(e) => panic!("{e}"),
        }
    }

    fn test(s: &str, condition: Condition) -> PathTest {
        PathTest { sub_path: loc(s), condition }
    }

    use Condition::{MustExist, MustNotExist};

    const LOCATION: &str = "spec.containers[name:foo].securityContext.runAsUser";

    #[test]
    fn unconstrained_allows_everything() {
        let t = Tester::unconstrained();
        for d in 0..5 {
            assert!(t.exists_okay(d));
            assert!(t.missing_okay(d));
        }
        assert_eq!(Tester::new(&loc(LOCATION), &[]), Ok(Tester::unconstrained()));
    }

    #[test]
    fn conditions_by_depth() {
        let t =
            Tester::new(&loc(LOCATION), &[test("spec.containers[name:foo]", MustExist), test(LOCATION, MustNotExist)]);
        let Ok(t) = t else { panic!("{t:?}") };
        assert!(t.exists_okay(2));
        assert!(!t.missing_okay(2));
        assert!(!t.exists_okay(4));
        assert!(t.missing_okay(4));
        for d in [0, 1, 3, 5] {
            assert!(t.exists_okay(d) && t.missing_okay(d), "depth {d}");
        }
    }

    #[test]
    fn sub_path_must_be_a_node_wise_prefix() {
        let location = loc(LOCATION);
        for bad in [
            "spec.containers[name:bar]",
            "spec.containers[name:*]",
            "spec.containers[image:foo]",
            "spec.initContainers",
            "metadata",
            "spec.containers[name:foo].securityContext.runAsUser.x",
        ] {
            let err = Tester::new(&location, &[test(bad, MustExist)]);
            assert!(matches!(err, Err(TesterError::Prefix { .. })), "{bad}: {err:?}");
        }
        let err = Tester::new(&location, &[test("spec.x", MustExist)]);
        let Err(err) = err else { panic!("{err:?}") };
        assert!(err.to_string().starts_with("all subpaths must be a prefix of the `location` value of the mutation"));
        // A glob only equals a glob, and a string key only equals the same string.
        let globbed = loc("spec.containers[name:*].image");
        assert!(Tester::new(&globbed, &[test("spec.containers[name:*]", MustExist)]).is_ok());
        assert!(Tester::new(&globbed, &[test("spec.containers[name:\"*\"]", MustExist)]).is_err());
        let int_key = loc("spec.ports[containerPort:80].protocol");
        assert!(Tester::new(&int_key, &[test("spec.ports[containerPort:80]", MustExist)]).is_ok());
        assert!(Tester::new(&int_key, &[test("spec.ports[containerPort:\"80\"]", MustExist)]).is_err());
        // The whole location is its own prefix, and so is the empty path (never consulted).
        assert!(Tester::new(&location, &[test(LOCATION, MustExist)]).is_ok());
        let Ok(t) = Tester::new(&location, &[test("", MustNotExist)]) else { panic!() };
        assert!(t.exists_okay(0) && t.missing_okay(0));
    }

    #[test]
    fn same_depth_conflict() {
        let err = Tester::new(&loc(LOCATION), &[test("spec", MustExist), test("spec", MustNotExist)]);
        assert_eq!(err, Err(TesterError::Conflict { sub_path: "spec".to_owned() }));
        let Err(err) = err else { unreachable!() };
        assert!(err.to_string().ends_with("is marked both MustExist and MustNotExist"));
        // Repeating the same condition is fine.
        assert!(Tester::new(&loc(LOCATION), &[test("spec", MustExist), test("spec", MustExist)]).is_ok());
    }

    #[test]
    fn parent_forbidden_child_required_is_a_conflict() {
        let err =
            Tester::new(&loc(LOCATION), &[test("spec", MustNotExist), test("spec.containers[name:foo]", MustExist)]);
        assert!(matches!(err, Err(TesterError::ParentChildConflict { .. })), "{err:?}");
    }

    #[test]
    fn list_order_not_depth_decides_the_parent_child_rule() {
        // Spurious upstream conflict: the MustExist parent is listed after the MustNotExist child.
        let err =
            Tester::new(&loc(LOCATION), &[test("spec.containers[name:foo]", MustNotExist), test("spec", MustExist)]);
        assert_eq!(
            err,
            Err(TesterError::ParentChildConflict {
                must_exist: "spec".to_owned(),
                must_not_exist: "spec.containers[name: foo]".to_owned(),
            })
        );
        // Accepted upstream although the child is required under a forbidden parent.
        let ok =
            Tester::new(&loc(LOCATION), &[test("spec.containers[name:foo]", MustExist), test("spec", MustNotExist)]);
        let Ok(t) = ok else { panic!("{ok:?}") };
        assert!(!t.exists_okay(0));
        assert!(!t.missing_okay(2));
        // The usual order (parent required, child forbidden) is fine.
        assert!(
            Tester::new(
                &loc(LOCATION),
                &[
                    test("spec.containers[name:foo]", MustExist),
                    test(LOCATION, MustNotExist),
                ],
            )
            .is_ok()
        );
    }

    #[test]
    fn condition_deserializes_from_upstream_names() {
        let c: Result<Vec<Condition>, _> = serde_json::from_str(r#"["MustExist", "MustNotExist"]"#);
        assert_eq!(c.ok(), Some(vec![MustExist, MustNotExist]));
        assert!(serde_json::from_str::<Condition>(r#""mustexist""#).is_err());
    }
}
