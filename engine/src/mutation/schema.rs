//! Schema conflict detection between mutators: two mutators that disagree on the shape of the same object
//! location (map vs keyed list vs set vs string, or different list keys) are both disabled.

use std::collections::{BTreeMap, BTreeSet};

use super::path::{Location, Node};

/// The shape a mutator writes at the end of its location.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Terminal {
    /// Any value (Assign); compatible with every other use.
    Unknown,
    /// A list treated as a set (ModifySet).
    Set,
    /// A string (AssignImage).
    String,
}

/// The shape one mutator implies at one schema position.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Shape {
    Unknown,
    Set,
    String,
    Object,
    List { key_field: String },
}

/// A schema position: the steps from the root, ignoring list key values (every element of a list shares one
/// position) and key fields (those are compared as part of the list's shape).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Field(String),
    Element,
}

#[derive(Debug, Clone)]
struct Entry {
    bindings: BTreeSet<String>,
    steps: Vec<Step>,
    /// `shapes[i]` is the shape at `steps[..=i]`.
    shapes: Vec<Shape>,
    must_terminate: bool,
}

impl Entry {
    fn new(bindings: &[String], location: &Location, terminal: Terminal, must_terminate: bool) -> Entry {
        let nodes = &location.nodes;
        let steps = nodes
            .iter()
            .map(|n| match n {
                Node::Object(name) => Step::Field(name.clone()),
                Node::List { .. } => Step::Element,
            })
            .collect();
        let shapes = (0..nodes.len())
            .map(|i| match nodes.get(i + 1) {
                Some(Node::Object(_)) => Shape::Object,
                Some(Node::List { key_field, .. }) => Shape::List { key_field: key_field.clone() },
                None => match terminal {
                    Terminal::Unknown => Shape::Unknown,
                    Terminal::Set => Shape::Set,
                    Terminal::String => Shape::String,
                },
            })
            .collect();
        Entry { bindings: bindings.iter().cloned().collect(), steps, shapes, must_terminate }
    }

    /// Whether this mutator's path goes strictly below `position`.
    fn extends(&self, position: &[Step]) -> bool {
        self.steps.len() > position.len() && self.steps.starts_with(position)
    }
}

/// The registered mutators' implied schemas and the conflicts between them.
#[derive(Debug, Clone, Default)]
pub struct SchemaDb {
    entries: BTreeMap<String, Entry>,
    conflicts: BTreeMap<String, BTreeSet<String>>,
}

impl SchemaDb {
    pub fn new() -> SchemaDb {
        SchemaDb::default()
    }

    /// Adds or replaces the schema implied by mutator `id` under each of its `bindings` (opaque keys such as
    /// GVK × operation; only mutators sharing a binding can conflict).
    pub fn upsert(
        &mut self,
        id: &str,
        bindings: &[String],
        location: &Location,
        terminal: Terminal,
        must_terminate: bool,
    ) {
        self.entries.insert(id.to_owned(), Entry::new(bindings, location, terminal, must_terminate));
        self.recompute();
    }

    /// Forgets mutator `id`; conflicts that involved it disappear.
    pub fn remove(&mut self, id: &str) {
        if self.entries.remove(id).is_some() {
            self.recompute();
        }
    }

    /// Whether mutator `id` is in a conflict (and must be skipped).
    pub fn has_conflict(&self, id: &str) -> bool {
        self.conflicts.get(id).is_some_and(|others| !others.is_empty())
    }

    /// The other mutators `id` conflicts with, sorted.
    pub fn conflicts_of(&self, id: &str) -> Vec<String> {
        self.conflicts.get(id).map(|others| others.iter().cloned().collect()).unwrap_or_default()
    }

    fn recompute(&mut self) {
        let mut conflicts: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut mark = |a: &str, b: &str| {
            conflicts.entry(a.to_owned()).or_default().insert(b.to_owned());
            conflicts.entry(b.to_owned()).or_default().insert(a.to_owned());
        };
        let entries: Vec<(&String, &Entry)> = self.entries.iter().collect();
        for (i, (id_a, a)) in entries.iter().enumerate() {
            for (id_b, b) in entries.iter().skip(i + 1) {
                if a.bindings.is_disjoint(&b.bindings) {
                    continue;
                }
                if shapes_disagree(a, b) || terminates_under(a, b) || terminates_under(b, a) {
                    mark(id_a, id_b);
                }
            }
        }
        self.conflicts = conflicts;
    }
}

/// Two mutators disagree if, at some position both reach, both imply a concrete shape and the shapes differ
/// (including keyed lists with different key fields). `Unknown` agrees with everything.
fn shapes_disagree(a: &Entry, b: &Entry) -> bool {
    let shared = a.steps.iter().zip(&b.steps).take_while(|(x, y)| x == y).count();
    a.shapes.iter().zip(&b.shapes).take(shared).any(|(x, y)| *x != Shape::Unknown && *y != Shape::Unknown && x != y)
}

/// A must-terminate mutator (AssignImage, external data) owns the value at its end: nobody may go below it.
fn terminates_under(terminating: &Entry, other: &Entry) -> bool {
    terminating.must_terminate && !terminating.steps.is_empty() && other.extends(&terminating.steps)
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

    fn pod_create() -> Vec<String> {
        vec!["/v1/Pod CREATE".to_owned(), "/v1/Pod UPDATE".to_owned()]
    }

    fn assign(db: &mut SchemaDb, id: &str, path: &str) {
        db.upsert(id, &pod_create(), &loc(path), Terminal::Unknown, false);
    }

    #[test]
    fn list_versus_object() {
        let mut db = SchemaDb::new();
        assign(&mut db, "Assign/a", "spec.containers[name:foo].image");
        assign(&mut db, "Assign/b", "spec.containers.image");
        assert!(db.has_conflict("Assign/a") && db.has_conflict("Assign/b"));
        assert_eq!(db.conflicts_of("Assign/a"), vec!["Assign/b".to_owned()]);
        assert_eq!(db.conflicts_of("Assign/b"), vec!["Assign/a".to_owned()]);
    }

    #[test]
    fn different_key_fields() {
        let mut db = SchemaDb::new();
        assign(&mut db, "a", "spec.containers[name:foo].image");
        assign(&mut db, "b", "spec.containers[image:nginx].name");
        assign(&mut db, "c", "spec.containers[name:*].imagePullPolicy");
        assert_eq!(db.conflicts_of("a"), vec!["b".to_owned()]);
        assert_eq!(db.conflicts_of("b"), vec!["a".to_owned(), "c".to_owned()]);
        assert_eq!(db.conflicts_of("c"), vec!["b".to_owned()]);
    }

    #[test]
    fn assign_image_versus_assign_below_it() {
        let mut db = SchemaDb::new();
        db.upsert("AssignImage/i", &pod_create(), &loc("spec.containers[name:*].image"), Terminal::String, true);
        assign(&mut db, "Assign/a", "spec.containers[name:*].image.foo");
        assert_eq!(db.conflicts_of("AssignImage/i"), vec!["Assign/a".to_owned()]);
        assert!(db.has_conflict("Assign/a"));
    }

    #[test]
    fn must_terminate_with_unknown_terminal_still_blocks_extension() {
        // An externalData Assign: Unknown terminal, but nobody may write below it.
        let mut db = SchemaDb::new();
        db.upsert("ext", &pod_create(), &loc("spec.x"), Terminal::Unknown, true);
        assign(&mut db, "plain", "spec.x.y");
        assert!(db.has_conflict("ext") && db.has_conflict("plain"));
        // Ending at the same node is fine.
        let mut db = SchemaDb::new();
        db.upsert("ext", &pod_create(), &loc("spec.x"), Terminal::Unknown, true);
        assign(&mut db, "plain", "spec.x");
        db.upsert("ext2", &pod_create(), &loc("spec.x"), Terminal::Unknown, true);
        assert!(!db.has_conflict("ext") && !db.has_conflict("plain") && !db.has_conflict("ext2"));
    }

    #[test]
    fn no_conflict_for_compatible_paths() {
        let mut db = SchemaDb::new();
        assign(&mut db, "a", "spec.containers[name:foo].image");
        assign(&mut db, "b", "spec.containers[name:foo].image");
        assign(&mut db, "c", "spec.containers[name:bar].securityContext.runAsUser");
        assign(&mut db, "d", "spec.containers");
        assign(&mut db, "e", "spec.containers[name:foo]");
        db.upsert("img", &pod_create(), &loc("spec.containers[name:*].image"), Terminal::String, true);
        for id in ["a", "b", "c", "d", "e", "img"] {
            assert!(!db.has_conflict(id), "{id}: {:?}", db.conflicts_of(id));
        }
        assert!(db.conflicts_of("unknown").is_empty());
    }

    #[test]
    fn set_versus_keyed_list_and_string_versus_object() {
        let mut db = SchemaDb::new();
        db.upsert("set", &pod_create(), &loc("spec.containers"), Terminal::Set, false);
        assign(&mut db, "keyed", "spec.containers[name:a].image");
        assert_eq!(db.conflicts_of("set"), vec!["keyed".to_owned()]);
        let mut db = SchemaDb::new();
        db.upsert("img", &pod_create(), &loc("spec.image"), Terminal::String, false);
        assign(&mut db, "obj", "spec.image.x");
        assert!(db.has_conflict("img"));
        // Two ModifySets on the same list agree.
        let mut db = SchemaDb::new();
        db.upsert("s1", &pod_create(), &loc("spec.args"), Terminal::Set, false);
        db.upsert("s2", &pod_create(), &loc("spec.args"), Terminal::Set, false);
        assert!(!db.has_conflict("s1"));
    }

    #[test]
    fn only_shared_bindings_conflict() {
        let mut db = SchemaDb::new();
        db.upsert("a", &["/v1/Pod CREATE".to_owned()], &loc("spec.x[name:a].y"), Terminal::Unknown, false);
        db.upsert("b", &["apps/v1/Deployment CREATE".to_owned()], &loc("spec.x.y"), Terminal::Unknown, false);
        assert!(!db.has_conflict("a") && !db.has_conflict("b"));
        db.upsert(
            "b",
            &["apps/v1/Deployment CREATE".to_owned(), "/v1/Pod CREATE".to_owned()],
            &loc("spec.x.y"),
            Terminal::Unknown,
            false,
        );
        assert!(db.has_conflict("a") && db.has_conflict("b"));
        // Empty locations and binding-less mutators never conflict.
        db.upsert("empty", &pod_create(), &Location::default(), Terminal::Set, true);
        db.upsert("none", &[], &loc("spec.x"), Terminal::String, true);
        assert!(!db.has_conflict("empty") && !db.has_conflict("none"));
    }

    #[test]
    fn removal_and_replacement_clear_conflicts() {
        let mut db = SchemaDb::new();
        assign(&mut db, "a", "spec.containers[name:foo].image");
        assign(&mut db, "b", "spec.containers.image");
        assign(&mut db, "c", "spec.containers[image:x].name");
        assert_eq!(db.conflicts_of("a"), vec!["b".to_owned(), "c".to_owned()]);
        db.remove("b");
        assert_eq!(db.conflicts_of("a"), vec!["c".to_owned()]);
        assert!(!db.has_conflict("b"));
        // Re-upserting with a compatible path clears the rest.
        assign(&mut db, "c", "spec.containers[name:x].name");
        assert!(!db.has_conflict("a") && !db.has_conflict("c"));
        db.remove("missing");
        assign(&mut db, "d", "spec.containers");
        assert!(!db.has_conflict("d"));
    }
}
