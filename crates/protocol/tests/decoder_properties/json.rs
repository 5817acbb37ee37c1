//! Arbitrary JSON for the decoders' property tests, shared by `sideline-protocol` and
//! `sideline-hub` (`crates/hub/tests/http_bodies.rs` includes this file): values of every shape,
//! numbers and strings picked around the protocol's limits, and mutations that damage a valid
//! payload a little so that the decoders get past "missing field" and into the fields' own rules.

#![allow(dead_code)]

use proptest::prelude::*;
use proptest::sample::{Index, select};
use serde_json::{Map, Number, Value};

/// Deepest nesting of a generated chain (`[[[…]]]`, `{"a":{"a":…}}`). Payloads reach the
/// decoders through serde_json's parser (socketioxide, axum), which reads at most 127 levels, so
/// nothing deeper can arrive; 120 leaves room for the few levels of a payload built around a
/// chain (and for the mutations' wrapping) while the result still parses.
pub const MAX_CHAIN_DEPTH: usize = 120;

/// Numbers on and around the limits of `validate::limits`, the integer widths and the range
/// JavaScript represents exactly.
const BOUNDARY_INTEGERS: &[i128] = &[
    -1,
    0,
    1,
    10,
    11,
    64,
    65,
    100,
    101,
    200,
    201,
    500,
    501,
    2_000,
    2_001,
    5_000,
    5_001,
    8_192,
    8_193,
    16_384,
    20_000,
    20_001,
    86_400,
    86_401,
    1_000_000,
    1_000_001,
    u8::MAX as i128,
    u8::MAX as i128 + 1,
    u32::MAX as i128,
    u32::MAX as i128 + 1,
    (1 << 53) - 1,
    1 << 53,
    (1 << 53) + 1,
    i64::MAX as i128,
    i64::MAX as i128 + 1,
    u64::MAX as i128,
    i32::MIN as i128,
    i64::MIN as i128,
];

/// Floats on and around the limits (percentages), at the edges of `f64`, and integers too
/// large for `u64` (which JSON carries as floats).
const BOUNDARY_FLOATS: &[f64] = &[
    -0.0,
    0.5,
    -1e-9,
    99.999,
    100.0,
    100.000_000_000_000_01,
    100.5,
    1e19,
    1.8446744073709552e19,
    1e300,
    -1e300,
    5e-324,
    f64::MAX,
    f64::MIN,
    f64::EPSILON,
];

/// Strings that have meant something to a decoder: dates at and past their edges, room names,
/// UUIDs, blanks, a `"CODE: "` refusal prefix.
const SPECIAL_STRINGS: &[&str] = &[
    "",
    " ",
    "\t\n",
    "\u{a0}",
    "\u{0}",
    "0",
    "123",
    "-1",
    "1.5",
    "null",
    "true",
    "2025-01-24",
    "2025-02-30",
    "0000-01-01",
    "9999-12-31",
    "+10000-01-01",
    "-0001-12-31",
    "2025-01-24T10:00:00Z",
    "2025-01-24T10:00:00.123456789+14:00",
    "2016-12-31T23:59:60Z",
    "9999-12-31T23:59:59.999999999-23:59",
    "2025-01-24T10:00:00",
    "00000000-0000-0000-0000-000000000000",
    "0190B4A2-7C3E-7D21-9F3A-2B8C4D5E6F70",
    "0190b4a27c3e7d219f3a2b8c4d5e6f70",
    "{0190b4a2-7c3e-7d21-9f3a-2b8c4d5e6f70}",
    "urn:uuid:0190b4a2-7c3e-7d21-9f3a-2b8c4d5e6f70",
    "user:",
    "user:1",
    "user:a:b",
    "team:5",
    "tv-display",
    "project:../etc",
    "COACHING",
    "coaching",
    "HIGH",
    "create",
    "month",
    "UNAUTHORIZED: no",
    "🏆",
    "é",
    "e\u{301}",
];

/// Keys that the protocol's payloads use, so that generated objects often look like one.
const KNOWN_KEYS: &[&str] = &[
    "clientId",
    "id",
    "eventId",
    "lastEventId",
    "token",
    "agentId",
    "userId",
    "sessionId",
    "projectId",
    "analysisId",
    "commentId",
    "notificationId",
    "moduleId",
    "contestId",
    "teamId",
    "content",
    "message",
    "title",
    "description",
    "category",
    "noteType",
    "priority",
    "dueDate",
    "type",
    "data",
    "room",
    "status",
    "updates",
    "engagementScore",
    "topicsCovered",
    "userInfo",
    "line",
    "column",
    "isActive",
    "entity",
    "action",
    "topic",
    "metric",
    "range",
    "limit",
    "progress",
    "timeSpentSeconds",
    "records",
    "event",
    "filePath",
    "username",
    "password",
    "name",
    "role",
    "values",
    "amount",
    "score",
    "detectors",
    "startsAt",
    "endsAt",
    "entrantIds",
];

/// Lengths (in characters) on and around the protocol's text limits.
const TEXT_LENGTHS: &[usize] = &[
    0, 1, 63, 64, 65, 99, 100, 101, 199, 200, 201, 1_024, 1_025, 2_000, 2_001, 5_000, 5_001, 8_192,
    8_193, 16_384, 20_000, 20_001,
];

/// A JSON number: any `u64`, any `i64`, any finite `f64` (JSON has no NaN or infinity), or one
/// of the boundary values.
pub fn any_number() -> impl Strategy<Value = Number> {
    use proptest::num::f64 as float;
    prop_oneof![
        any::<u64>().prop_map(Number::from),
        any::<i64>().prop_map(Number::from),
        (float::POSITIVE | float::NEGATIVE | float::NORMAL | float::SUBNORMAL | float::ZERO)
            .prop_map(|f| Number::from_f64(f).expect("finite")),
        select(BOUNDARY_INTEGERS).prop_map(|n| {
            u64::try_from(n)
                .map(Number::from)
                .or_else(|_| i64::try_from(n).map(Number::from))
                .expect("the boundary integers fit u64 or i64")
        }),
        select(BOUNDARY_FLOATS).prop_map(|f| Number::from_f64(f).expect("finite")),
    ]
}

/// A string: short ones of any characters (control characters, newlines, astral planes),
/// id- and token-like ones, the special strings, and long runs of one- to four-byte characters
/// at the text limits.
pub fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "(?s).{0,24}",
        2 => "[A-Za-z0-9_:.-]{1,70}",
        2 => select(SPECIAL_STRINGS).prop_map(str::to_owned),
        1 => (select(TEXT_LENGTHS), select(&["x", "é", "€", "🏆", " "][..]))
            .prop_map(|(length, unit)| unit.repeat(length)),
    ]
}

/// An object key: usually one the protocol uses, sometimes anything.
pub fn any_key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => select(KNOWN_KEYS).prop_map(str::to_owned),
        1 => any_text(),
    ]
}

/// A leaf: null, a boolean, a number or a string.
pub fn any_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        3 => any_number().prop_map(Value::Number),
        3 => any_text().prop_map(Value::String),
    ]
}

/// Any JSON value: mostly trees of up to 8 levels and about 64 nodes, sometimes a chain nested
/// up to [`MAX_CHAIN_DEPTH`] levels.
pub fn any_json() -> impl Strategy<Value = Value> {
    prop_oneof![
        8 => json_tree(8, 64),
        1 => deep_chain(),
    ]
}

/// A small JSON value (at most 3 levels, about 8 nodes): what a mutation puts in.
pub fn small_json() -> impl Strategy<Value = Value> {
    json_tree(3, 8)
}

fn json_tree(depth: u32, nodes: u32) -> impl Strategy<Value = Value> {
    any_leaf().prop_recursive(depth, nodes, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((any_key(), inner), 0..6)
                .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    })
}

/// A leaf wrapped in up to [`MAX_CHAIN_DEPTH`] arrays and objects.
fn deep_chain() -> impl Strategy<Value = Value> {
    (
        any_leaf(),
        prop::collection::vec((any::<bool>(), any_key()), 0..=MAX_CHAIN_DEPTH),
    )
        .prop_map(|(leaf, wrappers)| {
            wrappers.into_iter().fold(leaf, |inner, (as_array, key)| {
                if as_array {
                    Value::Array(vec![inner])
                } else {
                    Value::Object(Map::from_iter([(key, inner)]))
                }
            })
        })
}

/// One small change to a JSON value, at a node picked by `at` among all its nodes (the root
/// included, in depth-first order).
#[derive(Debug, Clone)]
pub enum Mutation {
    /// The node becomes `with`.
    Replace { at: Index, with: Value },
    /// The node leaves its object or array (the root becomes `null`).
    Remove { at: Index },
    /// An object node gains (or changes) `key`; an array node gains an element; another node
    /// becomes `{key: value}`.
    Insert {
        at: Index,
        key: String,
        value: Value,
    },
    /// The node becomes `[node]`.
    Wrap { at: Index },
    /// A string node becomes `text`, a number node `number`, a boolean node its negation (so
    /// the payload keeps its shape and reaches the validation rules); other nodes stay.
    Perturb {
        at: Index,
        text: String,
        number: Number,
    },
}

/// One to three mutations.
pub fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    prop::collection::vec(mutation(), 1..=3)
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let replacement = prop_oneof![
        2 => any_leaf(),
        1 => small_json(),
    ];
    prop_oneof![
        4 => (any::<Index>(), any_text(), any_number())
            .prop_map(|(at, text, number)| Mutation::Perturb { at, text, number }),
        4 => (any::<Index>(), replacement).prop_map(|(at, with)| Mutation::Replace { at, with }),
        2 => any::<Index>().prop_map(|at| Mutation::Remove { at }),
        2 => (any::<Index>(), any_key(), any_leaf())
            .prop_map(|(at, key, value)| Mutation::Insert { at, key, value }),
        1 => any::<Index>().prop_map(|at| Mutation::Wrap { at }),
    ]
}

/// A step from a node to one of its children.
#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Element(usize),
}

/// The path of every node of `value`, the root's (empty) first, depth-first.
fn node_paths(value: &Value) -> Vec<Vec<Step>> {
    fn walk(value: &Value, path: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
        out.push(path.clone());
        match value {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    path.push(Step::Element(i));
                    walk(item, path, out);
                    path.pop();
                }
            }
            Value::Object(map) => {
                for (key, item) in map {
                    path.push(Step::Key(key.clone()));
                    walk(item, path, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, &mut Vec::new(), &mut out);
    out
}

fn node_mut<'a>(value: &'a mut Value, path: &[Step]) -> &'a mut Value {
    path.iter().fold(value, |node, step| match (step, node) {
        (Step::Key(key), Value::Object(map)) => map.get_mut(key).expect("path from node_paths"),
        (Step::Element(i), Value::Array(items)) => &mut items[*i],
        _ => unreachable!("path from node_paths"),
    })
}

/// Applies `mutations` to `value`, in order.
pub fn apply(value: &mut Value, mutations: &[Mutation]) {
    for mutation in mutations {
        let paths = node_paths(value);
        let pick = |at: &Index| paths[at.index(paths.len())].clone();
        match mutation {
            Mutation::Replace { at, with } => *node_mut(value, &pick(at)) = with.clone(),
            Mutation::Remove { at } => {
                let mut path = pick(at);
                match path.pop() {
                    None => *value = Value::Null,
                    Some(Step::Key(key)) => {
                        node_mut(value, &path)
                            .as_object_mut()
                            .expect("a key's parent is an object")
                            .remove(&key);
                    }
                    Some(Step::Element(i)) => {
                        node_mut(value, &path)
                            .as_array_mut()
                            .expect("an element's parent is an array")
                            .remove(i);
                    }
                }
            }
            Mutation::Insert {
                at,
                key,
                value: inserted,
            } => {
                let node = node_mut(value, &pick(at));
                match node {
                    Value::Object(map) => {
                        map.insert(key.clone(), inserted.clone());
                    }
                    Value::Array(items) => items.push(inserted.clone()),
                    other => {
                        *other = Value::Object(Map::from_iter([(key.clone(), inserted.clone())]))
                    }
                }
            }
            Mutation::Wrap { at } => {
                let node = node_mut(value, &pick(at));
                *node = Value::Array(vec![node.take()]);
            }
            Mutation::Perturb { at, text, number } => match node_mut(value, &pick(at)) {
                Value::String(s) => s.clone_from(text),
                Value::Number(n) => *n = number.clone(),
                Value::Bool(b) => *b = !*b,
                Value::Null | Value::Array(_) | Value::Object(_) => {}
            },
        }
    }
}
