//! The output depends on what the schemas say, never on how the text is laid
//! out or in which order the files arrive.
//!
//! serde_json sorts object keys while parsing unless its `preserve_order`
//! feature is on, and any crate in the build can turn that on through
//! feature unification; the key-order tests are what would notice.

mod common;

use std::collections::BTreeMap;

use cloud_images_codegen::{Options, SchemaSource, generate};
use serde_json::Value;

use common::real_sources;

fn glance() -> Options {
    Options::glance().expect("the built-in overlay loads")
}

fn generate_ok(sources: &[SchemaSource]) -> BTreeMap<String, String> {
    generate(sources, &glance()).unwrap_or_else(|e| panic!("must generate: {e}"))
}

/// How to order the keys of each object when rewriting a schema.
#[derive(Clone, Copy, Debug)]
enum KeyOrder {
    Reversed,
    Shuffled(u64),
}

/// xorshift64*: a small, seeded generator, so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Fisher-Yates.
    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = usize::try_from(self.next() % (i as u64 + 1)).expect("an index fits in usize");
            items.swap(i, j);
        }
    }
}

/// Writes JSON with object keys in the chosen order. serde_json's own writer
/// cannot be used: its maps are sorted, so the order would be lost.
fn write_json(
    value: &Value,
    order: KeyOrder,
    rng: &mut Rng,
    pretty: bool,
    indent: usize,
    out: &mut String,
) {
    let newline = |out: &mut String, level: usize| {
        if pretty {
            out.push('\n');
            out.push_str(&"  ".repeat(level));
        }
    };
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            match order {
                KeyOrder::Reversed => entries.reverse(),
                KeyOrder::Shuffled(_) => rng.shuffle(&mut entries),
            }
            out.push('{');
            for (index, (key, child)) in entries.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                newline(out, indent + 1);
                out.push_str(&serde_json::to_string(key).expect("a key serializes"));
                out.push_str(if pretty { ": " } else { ":" });
                write_json(child, order, rng, pretty, indent + 1, out);
            }
            if !entries.is_empty() {
                newline(out, indent);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                newline(out, indent + 1);
                write_json(item, order, rng, pretty, indent + 1, out);
            }
            if !items.is_empty() {
                newline(out, indent);
            }
            out.push(']');
        }
        leaf => out.push_str(&serde_json::to_string(leaf).expect("a value serializes")),
    }
}

/// The real schemas, rewritten with their keys in another order.
fn rewritten(order: KeyOrder, pretty: bool) -> Vec<SchemaSource> {
    let seed = match order {
        KeyOrder::Reversed => 1,
        KeyOrder::Shuffled(seed) => seed,
    };
    let mut rng = Rng(seed);
    real_sources()
        .into_iter()
        .map(|source| {
            let value: Value =
                serde_json::from_str(&source.text).expect("the real schemas are JSON");
            let mut text = String::new();
            write_json(&value, order, &mut rng, pretty, 0, &mut text);
            assert_ne!(
                text, source.text,
                "{} was not rewritten ({order:?})",
                source.file
            );
            let reparsed: Value = serde_json::from_str(&text).expect("the rewrite is JSON");
            assert_eq!(
                reparsed, value,
                "{} changed meaning when rewritten ({order:?})",
                source.file
            );
            // The folder stays: it names the types.
            SchemaSource { text, ..source }
        })
        .collect()
}

fn assert_same(expected: &BTreeMap<String, String>, actual: &BTreeMap<String, String>, what: &str) {
    assert_eq!(
        expected.keys().collect::<Vec<_>>(),
        actual.keys().collect::<Vec<_>>(),
        "{what}: different files"
    );
    for (path, text) in expected {
        assert!(actual[path] == *text, "{what}: {path} differs");
    }
}

#[test]
fn generating_twice_gives_the_same_bytes() {
    let sources = real_sources();
    assert_same(
        &generate_ok(&sources),
        &generate_ok(&sources),
        "a second run",
    );
}

#[test]
fn key_order_and_layout_do_not_matter() {
    let baseline = generate_ok(&real_sources());
    let orders = [
        KeyOrder::Reversed,
        KeyOrder::Shuffled(0x5EED_0001),
        KeyOrder::Shuffled(0x5EED_0002),
        KeyOrder::Shuffled(0xDEAD_BEEF),
    ];
    for order in orders {
        for pretty in [true, false] {
            let what = format!(
                "keys {order:?}, {}",
                if pretty { "pretty" } else { "compact" }
            );
            assert_same(&baseline, &generate_ok(&rewritten(order, pretty)), &what);
        }
    }
}

#[test]
fn the_order_of_the_files_does_not_matter() {
    let sources = real_sources();
    let baseline = generate_ok(&sources);
    let mut reversed = sources.clone();
    reversed.reverse();
    assert_same(&baseline, &generate_ok(&reversed), "files reversed");
    for rotation in 1..sources.len() {
        let mut rotated = sources.clone();
        rotated.rotate_left(rotation);
        assert_same(
            &baseline,
            &generate_ok(&rotated),
            &format!("files rotated by {rotation}"),
        );
    }
    let mut rng = Rng(0x00F1_1E50);
    for _ in 0..4 {
        let mut shuffled = sources.clone();
        rng.shuffle(&mut shuffled);
        let order: Vec<&str> = shuffled.iter().map(|s| s.file.as_str()).collect();
        assert_same(
            &baseline,
            &generate_ok(&shuffled),
            &format!("files in order {order:?}"),
        );
    }
}
