//! The keys of an object that its schema does not declare, kept in the
//! order they were sent, with their values as sent. The generator emits
//! this file verbatim; it does not depend on any schema.
//!
//! Operators put dozens of such keys on an image (`com.rackspace__1__*`,
//! `org.openstack__1__*`, `hw_*`), nearly all with string values. A map of
//! `String` to `serde_json::Value` pays three allocations per key (the key,
//! the value's string, a share of the map's nodes) and a string comparison
//! per level of the tree. [`Properties`] instead copies every key and every
//! string value into one buffer and keeps a list of where each lies, so that
//! decoding an image with 27 custom properties takes a handful of
//! allocations instead of about 80, and encoding walks a flat list.
//!
//! Lookups scan the list. Images carry tens of custom properties, not
//! thousands, and a scan of a few dozen short keys is faster than hashing
//! each one or walking a tree of them.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

/// Undeclared keys and their values, in the order they were sent or set.
///
/// String values, which are nearly all of them, are stored as text; a value
/// of another JSON type (which a service may send even where its schema says
/// string) is kept as a [`serde_json::Value`], so nothing is lost. A key sent
/// twice keeps its last value, as `serde_json::Value` does. Two sets are
/// equal when they hold the same keys with the same values, in any order,
/// as two JSON objects are.
#[derive(Clone, Default)]
pub struct Properties {
    /// Every key and string value, back to back. Text of removed or
    /// replaced entries stays until [`Properties::compact`] or a clone.
    text: String,
    entries: Vec<Entry>,
    /// One bit per [`Fingerprint`] of the keys held (and of some removed):
    /// a key whose bit is clear is not held, so most insertions, decoding
    /// included, add a key without comparing it with any other.
    fingerprints: Fingerprints,
}

/// A set of [`Fingerprint`]s. 256 bits keep a scan for a key that is not
/// there rare: with the 28 keys of an operator's image, about one
/// insertion in twenty finds its bit already set.
#[derive(Clone, Copy, Default)]
struct Fingerprints([u64; 4]);

/// A bit that stands for a key in [`Fingerprints`], from its length and its
/// first and last two bytes, which set operator keys apart where their
/// middle (`com.rackspace__1__`) does not.
#[derive(Clone, Copy)]
struct Fingerprint(u8);

impl Fingerprint {
    #[inline]
    fn of(key: &str) -> Self {
        let bytes = key.as_bytes();
        let tail = match bytes {
            [first, .., a, b] => u64::from(*first) << 16 | u64::from(*a) << 8 | u64::from(*b),
            [a, b] => u64::from(*a) << 8 | u64::from(*b),
            [b] => u64::from(*b),
            [] => 0,
        };
        let mixed = (tail ^ (bytes.len() as u64) << 24).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        Fingerprint((mixed >> 56) as u8)
    }
}

impl Fingerprints {
    #[inline]
    fn contains(self, bit: Fingerprint) -> bool {
        self.0[usize::from(bit.0 >> 6)] & 1 << (bit.0 & 63) != 0
    }

    #[inline]
    fn insert(&mut self, bit: Fingerprint) {
        self.0[usize::from(bit.0 >> 6)] |= 1 << (bit.0 & 63);
    }
}

#[derive(Clone)]
struct Entry {
    key: Span,
    value: Slot,
}

/// Where a piece of text lies in [`Properties::text`]. `u32` offsets keep an
/// entry at 24 bytes; [`Properties::push_text`] refuses text that would not
/// fit, which would need 4 GiB of keys.
#[derive(Clone, Copy)]
struct Span {
    start: u32,
    end: u32,
}

impl Span {
    fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    fn len(self) -> u32 {
        self.end - self.start
    }
}

#[derive(Clone)]
enum Slot {
    Text(Span),
    Json(Box<Value>),
}

/// A value of [`Properties`]: a string, or any other JSON value as sent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PropertyValue<'a> {
    /// A JSON string, as sent.
    String(&'a str),
    /// Any other JSON value (`null`, a number, a list, ...), as sent.
    Json(&'a Value),
}

impl<'a> PropertyValue<'a> {
    /// The string, or `None` for a value of another JSON type.
    pub fn as_str(self) -> Option<&'a str> {
        match self {
            PropertyValue::String(text) => Some(text),
            PropertyValue::Json(value) => value.as_str(),
        }
    }

    /// The value as JSON.
    pub fn to_value(self) -> Value {
        match self {
            PropertyValue::String(text) => Value::String(text.to_owned()),
            PropertyValue::Json(value) => value.clone(),
        }
    }
}

impl PartialEq<Value> for PropertyValue<'_> {
    fn eq(&self, other: &Value) -> bool {
        match self {
            PropertyValue::String(text) => other.as_str() == Some(*text),
            PropertyValue::Json(value) => *value == other,
        }
    }
}

impl Serialize for PropertyValue<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            PropertyValue::String(text) => serializer.serialize_str(text),
            PropertyValue::Json(value) => value.serialize(serializer),
        }
    }
}

impl Properties {
    /// No properties; allocates nothing until the first is set.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many keys are held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<PropertyValue<'_>> {
        self.position(key).map(|index| self.value_at(index))
    }

    /// The value of `key` when it is a string.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(PropertyValue::as_str)
    }

    /// Whether `key` is held, whatever its value.
    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_some()
    }

    /// Sets `key` to a string, in place when the key is there and at the end
    /// otherwise.
    ///
    /// # Panics
    ///
    /// When the keys and values held would pass 4 GiB of text.
    pub fn insert(&mut self, key: &str, value: &str) {
        let value = Slot::Text(self.push_text(value).expect(TOO_MUCH_TEXT));
        self.set(key, value).expect(TOO_MUCH_TEXT);
    }

    /// Sets `key` to any JSON value; a string is stored as [`Properties::insert`]
    /// stores it.
    ///
    /// # Panics
    ///
    /// As [`Properties::insert`].
    pub fn insert_value(&mut self, key: &str, value: Value) {
        let value = match value {
            Value::String(text) => Slot::Text(self.push_text(&text).expect(TOO_MUCH_TEXT)),
            other => Slot::Json(Box::new(other)),
        };
        self.set(key, value).expect(TOO_MUCH_TEXT);
    }

    /// Removes `key`, returning its value as JSON. Later keys keep their order.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let index = self.position(key)?;
        let value = self.value_at(index).to_value();
        self.entries.remove(index);
        Some(value)
    }

    /// The keys and values, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, PropertyValue<'_>)> + '_ {
        (0..self.entries.len()).map(|index| (self.key_at(index), self.value_at(index)))
    }

    /// The keys, in order.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.entries
            .iter()
            .map(|entry| &self.text[entry.key.range()])
    }

    /// The keys whose values are strings, with those strings, in order.
    pub fn strings(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.iter()
            .filter_map(|(key, value)| Some((key, value.as_str()?)))
    }

    /// Drops the text of removed and replaced entries.
    pub fn compact(&mut self) {
        *self = self
            .iter()
            .fold(Properties::new(), |mut kept, (key, value)| {
                // The kept text is no longer than the text held now.
                let _ = kept.append(key, value);
                kept
            });
    }

    fn key_at(&self, index: usize) -> &str {
        &self.text[self.entries[index].key.range()]
    }

    fn value_at(&self, index: usize) -> PropertyValue<'_> {
        match &self.entries[index].value {
            Slot::Text(span) => PropertyValue::String(&self.text[span.range()]),
            Slot::Json(value) => PropertyValue::Json(value),
        }
    }

    fn position(&self, key: &str) -> Option<usize> {
        if !self.fingerprints.contains(Fingerprint::of(key)) {
            return None;
        }
        self.scan(key)
    }

    /// Where `key` is, comparing it with every key held.
    fn scan(&self, key: &str) -> Option<usize> {
        let length = key.len();
        self.entries.iter().position(|entry| {
            entry.key.len() as usize == length
                && self.text.as_bytes()[entry.key.range()] == *key.as_bytes()
        })
    }

    #[inline]
    fn push_text(&mut self, text: &str) -> Option<Span> {
        let start = u32::try_from(self.text.len()).ok()?;
        let end = u32::try_from(self.text.len().checked_add(text.len())?).ok()?;
        if self.text.capacity() == 0 {
            // Room for a typical operator's image: one allocation, not ten.
            self.text.reserve(TYPICAL_TEXT.max(text.len()));
        }
        self.text.push_str(text);
        Some(Span { start, end })
    }

    /// Sets `key` to an already stored value.
    #[inline]
    fn set(&mut self, key: &str, value: Slot) -> Option<()> {
        let bit = Fingerprint::of(key);
        // Only a key whose fingerprint is already set can be present.
        let present = if self.fingerprints.contains(bit) {
            self.scan(key)
        } else {
            None
        };
        if let Some(index) = present {
            self.entries[index].value = value;
            return Some(());
        }
        self.fingerprints.insert(bit);
        let key = self.push_text(key)?;
        if self.entries.capacity() == 0 {
            self.entries.reserve(TYPICAL_ENTRIES);
        }
        self.entries.push(Entry { key, value });
        Some(())
    }

    fn append(&mut self, key: &str, value: PropertyValue<'_>) -> Option<()> {
        let value = match value {
            PropertyValue::String(text) => Slot::Text(self.push_text(text)?),
            PropertyValue::Json(value) => Slot::Json(Box::new(value.clone())),
        };
        self.set(key, value)
    }
}

const TOO_MUCH_TEXT: &str = "the properties' keys and values fit in 4 GiB";

/// Bytes of keys and string values reserved by the first insertion: the 28
/// custom properties of an operator's image (`com.rackspace__1__release_build_date`
/// and the like) take about 940 bytes, so they fit without growing the
/// buffer. Each growth is a `realloc` that copies what was read so far; on
/// that image the two buffers' growths cost about 5% of the decode.
const TYPICAL_TEXT: usize = 1024;
/// Entries reserved by the first insertion, for the same image. An image
/// with one custom property holds 1.8 KiB it does not use instead of 0.7 KiB:
/// a price paid per image held, not per byte of images.
const TYPICAL_ENTRIES: usize = 32;

impl fmt::Debug for Properties {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// Equal when both hold the same keys with the same values, in any order.
impl PartialEq for Properties {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len()
            && self
                .iter()
                .enumerate()
                .all(|(index, (key, value))| match other.entries.get(index) {
                    // The same key at the same place: no scan (the usual case,
                    // two versions of one document).
                    Some(_) if other.key_at(index) == key => other.value_at(index) == value,
                    _ => other.get(key) == Some(value),
                })
    }
}

impl<K: AsRef<str>, V: Into<Value>> FromIterator<(K, V)> for Properties {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut properties = Properties::new();
        properties.extend(iter);
        properties
    }
}

impl<K: AsRef<str>, V: Into<Value>> Extend<(K, V)> for Properties {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (key, value) in iter {
            self.insert_value(key.as_ref(), value.into());
        }
    }
}

impl From<&Properties> for serde_json::Map<String, Value> {
    fn from(properties: &Properties) -> Self {
        properties
            .iter()
            .map(|(key, value)| (key.to_owned(), value.to_value()))
            .collect()
    }
}

/// Written as a JSON object, in order; with `#[serde(flatten)]`, as members
/// of the enclosing object.
impl Serialize for Properties {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        // Straight from the entries, without building a `PropertyValue` for
        // each: this loop is most of the time an operator's image takes to
        // encode beyond what serde_json itself spends.
        for entry in &self.entries {
            let key = &self.text[entry.key.range()];
            match &entry.value {
                Slot::Text(span) => map.serialize_entry(key, &self.text[span.range()])?,
                Slot::Json(value) => map.serialize_entry(key, value)?,
            }
        }
        map.end()
    }
}

/// Described as the map it stands for, an object of any JSON values (a
/// field whose schema says more names its own with `schemars(with = ...)`).
#[cfg(feature = "schemars")]
impl schemars::JsonSchema for Properties {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        <std::collections::BTreeMap<String, Value>>::schema_name()
    }

    fn schema_id() -> Cow<'static, str> {
        <std::collections::BTreeMap<String, Value>>::schema_id()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <std::collections::BTreeMap<String, Value>>::json_schema(generator)
    }
}

impl<'de> Deserialize<'de> for Properties {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;

        impl<'de> de::Visitor<'de> for Visitor {
            type Value = Properties;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Properties, A::Error> {
                let mut properties = Properties::new();
                while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                    properties.read_value(&mut map, &key)?;
                }
                Ok(properties)
            }
        }

        deserializer.deserialize_map(Visitor)
    }
}

impl Properties {
    /// Reads the value of `key` from `map` straight into the buffer: a string
    /// is copied from the input without a `String` of its own.
    pub(crate) fn read_value<'de, A: MapAccess<'de> + ?Sized>(
        &mut self,
        map: &mut A,
        key: &str,
    ) -> Result<(), A::Error> {
        let value = map.next_value_seed(ValueSeed(self))?;
        self.set(key, value)
            .ok_or_else(|| de::Error::custom(TOO_MUCH_TEXT))
    }
}

/// Decodes one value: a string into [`Properties::text`], anything else as a
/// `serde_json::Value`.
struct ValueSeed<'a>(&'a mut Properties);

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Slot;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Slot, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> de::Visitor<'de> for ValueSeed<'_> {
    type Value = Slot;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Slot, E> {
        self.0
            .push_text(text)
            .map(Slot::Text)
            .ok_or_else(|| E::custom(TOO_MUCH_TEXT))
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Slot, E> {
        Ok(json(Value::Bool(value)))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Slot, E> {
        Ok(json(Value::from(value)))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Slot, E> {
        Ok(json(Value::from(value)))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Slot, E> {
        // Finite, since it came from JSON; a non-finite one would become null
        // in `serde_json::Value` too.
        Ok(json(Value::from(value)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Slot, E> {
        Ok(json(Value::Null))
    }

    fn visit_none<E: de::Error>(self) -> Result<Slot, E> {
        Ok(json(Value::Null))
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Slot, D::Error> {
        Value::deserialize(deserializer).map(json)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Slot, A::Error> {
        Value::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(json)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Slot, A::Error> {
        Value::deserialize(de::value::MapAccessDeserializer::new(map)).map(json)
    }
}

fn json(value: Value) -> Slot {
    Slot::Json(Box::new(value))
}
