//! The compiled schemas as shipped: a compact binary form of [`Schemas`](super::Schemas)' nodes, made from the
//! JSON definitions by a test (`the_compiled_schemas_are_current`, `GUARDRAIL_BLESS=1` rewrites them) and read at
//! run time without any JSON parsing (in the browser, parsing the JSON cost about 70 ms of the first verdict).
//!
//! Layout (integers are LEB128 varints): the magic `GRKS1`, the strings (count, then each as length and UTF-8),
//! the definitions (count, then each name's string), the nodes (count, then each node), the kinds (count, then
//! group, version and kind strings and a node). A node: its type bits, `oneOf` bits, flags (1 quantity, 2 int32,
//! 4 preserve unknown fields), its enum (0, or 1 + the string of its JSON), its fields (count, then name string
//! and node), `additionalProperties` (0 unsaid, 1 closed, 2 + node), items (0, or 1 + node), required (count,
//! then strings).

use std::collections::HashMap;

use super::{Additional, Node, NodeId, Schemas};

const MAGIC: &[u8] = b"GRKS1";

#[derive(Default)]
struct Writer {
    out: Vec<u8>,
    strings: Vec<String>,
    index: HashMap<String, usize>,
}

fn varint(out: &mut Vec<u8>, mut n: usize) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

impl Writer {
    fn string(&mut self, s: &str) -> usize {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        self.strings.push(s.to_string());
        self.index.insert(s.to_string(), self.strings.len() - 1);
        self.strings.len() - 1
    }

    fn n(&mut self, n: usize) {
        varint(&mut self.out, n);
    }
}

/// The binary form of `schemas`.
pub(super) fn encode(schemas: &Schemas) -> Vec<u8> {
    let mut w = Writer::default();
    let mut defs: Vec<(&String, &NodeId)> = schemas.defs.iter().collect();
    defs.sort_by_key(|(_, id)| **id);
    let def_names: Vec<usize> = defs.iter().map(|(name, _)| w.string(name)).collect();
    w.n(def_names.len());
    for s in def_names {
        w.n(s);
    }
    w.n(schemas.nodes.len());
    for node in &schemas.nodes {
        w.out.extend([node.types, node.one_of]);
        w.out.push(u8::from(node.quantity) | u8::from(node.int32) << 1 | u8::from(node.preserve_unknown) << 2);
        match &node.enumeration {
            Some(values) => {
                let s = w.string(&serde_json::Value::Array(values.clone()).to_string());
                w.n(1 + s);
            }
            None => w.n(0),
        }
        w.n(node.properties.len());
        for (name, id) in &node.properties {
            let s = w.string(name);
            w.n(s);
            w.n(*id);
        }
        match node.additional {
            Additional::Unsaid => w.n(0),
            Additional::Closed => w.n(1),
            Additional::Schema(id) => w.n(2 + id),
        }
        w.n(node.items.map_or(0, |id| 1 + id));
        w.n(node.required.len());
        for r in &node.required {
            let s = w.string(r);
            w.n(s);
        }
    }
    let mut kinds: Vec<(&(String, String, String), &NodeId)> = schemas.by_gvk.iter().collect();
    kinds.sort();
    w.n(kinds.len());
    for ((g, v, k), id) in kinds {
        for s in [g, v, k] {
            let s = w.string(s);
            w.n(s);
        }
        w.n(*id);
    }
    let mut out = MAGIC.to_vec();
    varint(&mut out, w.strings.len());
    for s in &w.strings {
        varint(&mut out, s.len());
        out.extend(s.as_bytes());
    }
    out.extend(w.out);
    out
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn n(&mut self) -> Option<usize> {
        let mut n = 0usize;
        for shift in (0..64).step_by(7) {
            let byte = *self.bytes.get(self.at)?;
            self.at += 1;
            n |= usize::from(byte & 0x7f).checked_shl(shift)?;
            if byte & 0x80 == 0 {
                return Some(n);
            }
        }
        None
    }

    fn byte(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(b)
    }
}

/// Schemas from their binary form; `None` when the bytes are not one (a build from a stale or broken file).
pub(super) fn decode(version: &'static str, bytes: &[u8]) -> Option<Schemas> {
    let bytes = bytes.strip_prefix(MAGIC)?;
    let mut r = Reader { bytes, at: 0 };
    let count = r.n()?;
    let mut strings: Vec<&str> = Vec::with_capacity(count.min(1 << 20));
    for _ in 0..count {
        let len = r.n()?;
        let s = std::str::from_utf8(r.bytes.get(r.at..r.at.checked_add(len)?)?).ok()?;
        r.at += len;
        strings.push(s);
    }
    let string = |r: &mut Reader<'_>| -> Option<&str> { strings.get(r.n()?).copied() };
    let def_count = r.n()?;
    let mut defs = HashMap::with_capacity(def_count.min(1 << 20));
    for id in 0..def_count {
        defs.insert(string(&mut r)?.to_string(), id);
    }
    let node_count = r.n()?;
    let node_id = |r: &mut Reader<'_>| -> Option<NodeId> { r.n().filter(|id| *id < node_count) };
    let mut nodes = Vec::with_capacity(node_count.min(1 << 20));
    for _ in 0..node_count {
        let (types, one_of, flags) = (r.byte()?, r.byte()?, r.byte()?);
        let enumeration = match r.n()? {
            0 => None,
            s => Some(serde_json::from_str(strings.get(s - 1)?).ok()?),
        };
        let mut properties = Vec::with_capacity(r.n()?.min(1 << 16));
        for _ in 0..properties.capacity() {
            properties.push((Box::from(string(&mut r)?), node_id(&mut r)?));
        }
        let additional = match r.n()? {
            0 => Additional::Unsaid,
            1 => Additional::Closed,
            id => Additional::Schema(Some(id - 2).filter(|id| *id < node_count)?),
        };
        let items = match r.n()? {
            0 => None,
            id => Some(Some(id - 1).filter(|id| *id < node_count)?),
        };
        let required_count = r.n()?;
        let mut required = Vec::with_capacity(required_count.min(1 << 16));
        for _ in 0..required_count {
            required.push(Box::from(string(&mut r)?));
        }
        nodes.push(Node {
            types,
            one_of,
            quantity: flags & 1 != 0,
            int32: flags & 2 != 0,
            preserve_unknown: flags & 4 != 0,
            enumeration,
            properties,
            additional,
            items,
            required,
        });
    }
    let kind_count = r.n()?;
    let mut by_gvk = HashMap::with_capacity(kind_count.min(1 << 20));
    for _ in 0..kind_count {
        let (g, v, k) = (string(&mut r)?.to_string(), string(&mut r)?.to_string(), string(&mut r)?.to_string());
        by_gvk.insert((g, v, k), node_id(&mut r)?);
    }
    (r.at == r.bytes.len()).then_some(Schemas { version, nodes, defs, by_gvk })
}
