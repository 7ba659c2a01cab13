//! JSON Patch support shared by the generated patch builders, and the
//! checks the generated create bodies share with them. The generator emits
//! this file verbatim; it does not depend on any schema.

// Every schema uses a different subset of the checks below (one without
// patterns never calls `check_pattern`), so unused ones are expected.
#![allow(dead_code)]

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt;

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Value;

use crate::properties::{Properties, PropertyValue};

/// `application/openstack-images-v2.1-json-patch`: RFC 6902 operation objects,
/// where `add` on an existing key replaces it.
pub const PATCH_MEDIA_TYPE_V2_1: &str = "application/openstack-images-v2.1-json-patch";

/// `application/openstack-images-v2.0-json-patch`: the older draft form
/// `{"replace": "/name", "value": "x"}`, where `add` on an existing key is
/// refused with 409.
pub const PATCH_MEDIA_TYPE_V2_0: &str = "application/openstack-images-v2.0-json-patch";

/// The two patch media types Glance accepts. Anything else gets 415.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PatchMediaType {
    /// `application/openstack-images-v2.1-json-patch`, the default.
    #[default]
    V2_1,
    /// `application/openstack-images-v2.0-json-patch`.
    V2_0,
}

impl PatchMediaType {
    /// The `Content-Type` header value.
    pub fn as_str(self) -> &'static str {
        match self {
            PatchMediaType::V2_1 => PATCH_MEDIA_TYPE_V2_1,
            PatchMediaType::V2_0 => PATCH_MEDIA_TYPE_V2_0,
        }
    }
}

/// The operations Glance accepts; `move`, `copy` and `test` get 400.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PatchOp {
    /// `add`: sets a key, or inserts a list item.
    Add,
    /// `replace`: sets a key the document has.
    Replace,
    /// `remove`: deletes a key, or a list item.
    Remove,
}

impl PatchOp {
    /// The operation's name in a patch body.
    pub fn as_str(self) -> &'static str {
        match self {
            PatchOp::Add => "add",
            PatchOp::Replace => "replace",
            PatchOp::Remove => "remove",
        }
    }
}

/// Where in a list an operation applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListPosition {
    /// `/<list>/<n>`
    Index(usize),
    /// `/<list>/-`, after the last item (add only).
    End,
}

/// One checked operation. Paths are kept as unescaped keys and rendered
/// with RFC 6901 escaping, so a key such as `vendor/arch` is always sent as
/// `/vendor~1arch`.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchOperation {
    op: PatchOp,
    /// Borrowed for declared properties, whose keys are known when the
    /// crate is generated; owned for free-form keys.
    key: Cow<'static, str>,
    position: Option<ListPosition>,
    value: Option<OperationValue>,
}

impl PatchOperation {
    pub(crate) fn new(
        op: PatchOp,
        key: impl Into<Cow<'static, str>>,
        position: Option<ListPosition>,
        value: Option<OperationValue>,
    ) -> Self {
        PatchOperation {
            op,
            key: key.into(),
            position,
            value,
        }
    }

    /// What the operation does.
    pub fn op(&self) -> PatchOp {
        self.op
    }

    /// The top-level key the operation changes, unescaped.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The list position, for an operation on one item of a list.
    pub fn position(&self) -> Option<ListPosition> {
        self.position
    }

    /// The value sent, as JSON; `None` for `remove`. Built on each call:
    /// the operation keeps the value as it was given (a string, a list of
    /// strings, a number), which costs a fraction of keeping JSON.
    pub fn value(&self) -> Option<Value> {
        self.value.as_ref().map(OperationValue::to_json)
    }

    /// The JSON Pointer, escaped.
    pub fn path(&self) -> String {
        Path(self).to_string()
    }

    pub(crate) fn set_op(&mut self, op: PatchOp) {
        self.op = op;
    }
}

/// Writes an operation's JSON Pointer, escaping as it goes, so that
/// serializing a patch builds no intermediate path strings.
struct Path<'a>(&'a PatchOperation);

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "/{}", Escaped(&self.0.key))?;
        match self.0.position {
            Some(ListPosition::Index(index)) => write!(f, "/{index}"),
            Some(ListPosition::End) => f.write_str("/-"),
            None => Ok(()),
        }
    }
}

/// One JSON Pointer reference token, written escaped (RFC 6901): `~` as
/// `~0` and `/` as `~1`. The only escaper in the crate.
struct Escaped<'a>(&'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(at) = rest.find(['~', '/']) {
            f.write_str(&rest[..at])?;
            f.write_str(if rest.as_bytes()[at] == b'~' {
                "~0"
            } else {
                "~1"
            })?;
            rest = &rest[at + 1..];
        }
        f.write_str(rest)
    }
}

/// Escapes one JSON Pointer reference token (RFC 6901): `~` becomes `~0`
/// and `/` becomes `~1`.
pub fn escape_token(token: &str) -> String {
    Escaped(token).to_string()
}

/// Serializes operations as a patch body in either media type.
pub(crate) struct Body<'a> {
    pub operations: &'a [PatchOperation],
    pub media_type: PatchMediaType,
}

impl Serialize for Body<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.operations.len()))?;
        for operation in self.operations {
            seq.serialize_element(&OperationBody {
                operation,
                media_type: self.media_type,
            })?;
        }
        seq.end()
    }
}

struct OperationBody<'a> {
    operation: &'a PatchOperation,
    media_type: PatchMediaType,
}

impl Serialize for OperationBody<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let operation = self.operation;
        let entries = 1
            + usize::from(operation.value.is_some())
            + usize::from(self.media_type == PatchMediaType::V2_1);
        let mut map = serializer.serialize_map(Some(entries))?;
        match self.media_type {
            PatchMediaType::V2_1 => {
                map.serialize_entry("op", operation.op.as_str())?;
                map.serialize_entry("path", &PathValue(operation))?;
            }
            PatchMediaType::V2_0 => {
                map.serialize_entry(operation.op.as_str(), &PathValue(operation))?
            }
        }
        if let Some(value) = &operation.value {
            map.serialize_entry("value", value)?;
        }
        map.end()
    }
}

/// A path as a serde string, written through [`Path`].
struct PathValue<'a>(&'a PatchOperation);

impl Serialize for PathValue<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Nearly every path is `/` and a key with nothing to escape: put it
        // together on the stack and write it as one string, which costs a
        // fraction of going through `fmt` for the slash, the key and the
        // escaping checks.
        let key = self.0.key.as_bytes();
        let mut buffer = [0u8; SHORT_PATH];
        if self.0.position.is_none()
            && key.len() < SHORT_PATH
            && !key.iter().any(|byte| matches!(byte, b'~' | b'/'))
        {
            buffer[0] = b'/';
            buffer[1..=key.len()].copy_from_slice(key);
            if let Ok(path) = std::str::from_utf8(&buffer[..=key.len()]) {
                return serializer.serialize_str(path);
            }
        }
        serializer.collect_str(&Path(self.0))
    }
}

/// The longest path [`PathValue`] puts together on the stack.
const SHORT_PATH: usize = 128;

/// The value of an operation, kept as the setter was given it and written as
/// JSON only when the patch is. Strings, lists of strings and numbers, nearly
/// every value a patch sends, then cost one copy of their text instead of a
/// `serde_json::Value` built around it (a list of strings as `Value` is a
/// second list, of `Value`s). Other values (enums, objects) are serialized
/// once, when recorded, and kept as JSON.
///
/// Scalars given as JSON are stored as the typed variant they match, so that
/// one value has one form and two operations compare equal when they send
/// the same JSON.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum OperationValue {
    Null,
    Bool(bool),
    Unsigned(u64),
    Signed(i64),
    Text(String),
    Texts(Vec<String>),
    Json(Value),
}

impl OperationValue {
    /// The value as JSON.
    pub fn to_json(&self) -> Value {
        match self {
            OperationValue::Null => Value::Null,
            OperationValue::Bool(value) => Value::Bool(*value),
            OperationValue::Unsigned(value) => Value::from(*value),
            OperationValue::Signed(value) => Value::from(*value),
            OperationValue::Text(text) => Value::String(text.clone()),
            OperationValue::Texts(items) => Value::from(items.clone()),
            OperationValue::Json(value) => value.clone(),
        }
    }

    /// The string, or `None` for a value of another JSON type.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            OperationValue::Text(text) => Some(text),
            _ => None,
        }
    }

    /// The first character beyond U+FFFF in any string of the value.
    fn four_byte_character(&self) -> Option<char> {
        match self {
            OperationValue::Text(text) => first_four_byte(text),
            OperationValue::Texts(items) => items.iter().find_map(|item| first_four_byte(item)),
            OperationValue::Json(value) => four_byte_character(value),
            OperationValue::Null
            | OperationValue::Bool(_)
            | OperationValue::Unsigned(_)
            | OperationValue::Signed(_) => None,
        }
    }
}

impl From<Value> for OperationValue {
    fn from(value: Value) -> Self {
        match value {
            Value::Null => OperationValue::Null,
            Value::Bool(value) => OperationValue::Bool(value),
            Value::String(text) => OperationValue::Text(text),
            Value::Number(number) => OperationValue::from(number),
            other => OperationValue::Json(other),
        }
    }
}

impl From<serde_json::Number> for OperationValue {
    fn from(number: serde_json::Number) -> Self {
        if let Some(value) = number.as_u64() {
            OperationValue::Unsigned(value)
        } else if let Some(value) = number.as_i64() {
            OperationValue::Signed(value)
        } else {
            OperationValue::Json(Value::Number(number))
        }
    }
}

impl From<String> for OperationValue {
    fn from(text: String) -> Self {
        OperationValue::Text(text)
    }
}

impl From<&str> for OperationValue {
    fn from(text: &str) -> Self {
        OperationValue::Text(text.to_owned())
    }
}

impl From<Vec<String>> for OperationValue {
    fn from(items: Vec<String>) -> Self {
        OperationValue::Texts(items)
    }
}

impl From<bool> for OperationValue {
    fn from(value: bool) -> Self {
        OperationValue::Bool(value)
    }
}

impl From<u64> for OperationValue {
    fn from(value: u64) -> Self {
        OperationValue::Unsigned(value)
    }
}

impl From<i64> for OperationValue {
    /// As JSON does, a non-negative integer is one value whatever its Rust
    /// type: `Unsigned`, as [`From<serde_json::Number>`] stores it.
    fn from(value: i64) -> Self {
        match u64::try_from(value) {
            Ok(value) => OperationValue::Unsigned(value),
            Err(_) => OperationValue::Signed(value),
        }
    }
}

/// `None` is `null`, as the setters of nullable properties document.
impl<T: Into<OperationValue>> From<Option<T>> for OperationValue {
    fn from(value: Option<T>) -> Self {
        value.map_or(OperationValue::Null, Into::into)
    }
}

/// A free-form value of a document, copied for a patch.
impl From<PropertyValue<'_>> for OperationValue {
    fn from(value: PropertyValue<'_>) -> Self {
        match value {
            PropertyValue::String(text) => OperationValue::Text(text.to_owned()),
            PropertyValue::Json(value) => OperationValue::from(value.clone()),
        }
    }
}

impl Serialize for OperationValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            OperationValue::Null => serializer.serialize_unit(),
            OperationValue::Bool(value) => serializer.serialize_bool(*value),
            OperationValue::Unsigned(value) => serializer.serialize_u64(*value),
            OperationValue::Signed(value) => serializer.serialize_i64(*value),
            OperationValue::Text(text) => serializer.serialize_str(text),
            OperationValue::Texts(items) => items.serialize(serializer),
            OperationValue::Json(value) => value.serialize(serializer),
        }
    }
}

impl From<&PatchOperation> for json_patch::PatchOperation {
    fn from(operation: &PatchOperation) -> Self {
        let mut tokens = vec![json_patch::jsonptr::Token::new(operation.key.as_ref())];
        match operation.position {
            Some(ListPosition::Index(index)) => {
                tokens.push(json_patch::jsonptr::Token::from(index))
            }
            Some(ListPosition::End) => tokens.push(json_patch::jsonptr::Token::new("-")),
            None => {}
        }
        let path = json_patch::jsonptr::PointerBuf::from_tokens(tokens);
        let value = operation
            .value
            .as_ref()
            .map_or(Value::Null, OperationValue::to_json);
        match operation.op {
            PatchOp::Add => {
                json_patch::PatchOperation::Add(json_patch::AddOperation { path, value })
            }
            PatchOp::Replace => {
                json_patch::PatchOperation::Replace(json_patch::ReplaceOperation { path, value })
            }
            PatchOp::Remove => {
                json_patch::PatchOperation::Remove(json_patch::RemoveOperation { path })
            }
        }
    }
}

/// Rewrites operations so that they mean the same under both media types,
/// given the document they will be applied to: `add` on a key the document
/// has becomes `replace` (v2.0 refuses it with 409), and `replace` on a key
/// it lacks becomes `add` (Glance refuses it with 409). Keys in `base` are
/// left alone: the service holds them on every document, so `replace` is
/// right even when the caller's copy lacks the key, and `add` on them is a
/// 409 under v2.0.
pub(crate) fn rebase(operations: &mut [PatchOperation], current: &Value, base: &[&str]) {
    for operation in operations.iter_mut() {
        if operation.position.is_some() || base.contains(&operation.key.as_ref()) {
            continue;
        }
        let exists = current.get(operation.key.as_ref()).is_some();
        match (operation.op, exists) {
            (PatchOp::Add, true) => operation.set_op(PatchOp::Replace),
            (PatchOp::Replace, false) => operation.set_op(PatchOp::Add),
            _ => {}
        }
    }
}

/// Why a value or an operation was refused before anything was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// The value is not one the schema's enum lists.
    NotInEnum {
        /// The value given.
        value: String,
        /// The values the schema lists.
        allowed: &'static [&'static str],
    },
    /// The string is longer than `maxLength`.
    TooLong {
        /// The most characters allowed.
        max: u64,
        /// The characters given.
        length: usize,
    },
    /// The string is shorter than `minLength`.
    TooShort {
        /// The fewest characters allowed.
        min: u64,
        /// The characters given.
        length: usize,
    },
    /// The string does not match the schema's `pattern`.
    PatternMismatch {
        /// The schema's regular expression.
        pattern: &'static str,
    },
    /// The list has fewer items than the service accepts.
    TooFewItems {
        /// The fewest items allowed.
        min: u64,
        /// The items given.
        length: usize,
    },
    /// The list has more items than the schema allows.
    TooManyItems {
        /// The most items allowed.
        max: u64,
        /// The items given.
        length: usize,
    },
    /// The integer is outside the range the service accepts.
    OutOfRange {
        /// The value given.
        value: i128,
        /// The smallest value allowed, if any.
        minimum: Option<i64>,
        /// The largest value allowed, if any.
        maximum: Option<i64>,
    },
    /// A free-form key the service reserves for itself.
    ReservedKey,
    /// A free-form key that names a schema property, which has its own typed method.
    DeclaredProperty,
    /// An empty free-form key.
    EmptyKey,
    /// A property the schema requires is not set.
    Missing,
    /// A free-form key that starts or ends with whitespace, which the
    /// service strips from a path token, so another key would change.
    UntrimmedKey,
    /// A free-form key longer than the service accepts.
    KeyTooLong {
        /// The most characters allowed.
        max: u64,
        /// The characters given.
        length: usize,
    },
    /// A free-form value that is not a string.
    NotAString,
    /// A base property cannot be removed (Glance answers 403).
    NotRemovable,
    /// The value could not be turned into JSON.
    Unserializable(String),
    /// A string (a value, or a free-form key) holds a character beyond
    /// U+FFFF, 4 bytes in UTF-8, such as an emoji. Glance refuses these in
    /// every string of an image with 400 ("Name can't contain 4 byte unicode
    /// characters."), a limit of its database layer the schema does not state.
    FourByteCharacter {
        /// The first such character.
        character: char,
    },
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::NotInEnum { value, allowed } => {
                write!(f, "`{value}` is not one of {}", allowed.join(", "))
            }
            Rule::TooLong { max, length } => {
                write!(f, "{length} characters is more than the {max} allowed")
            }
            Rule::TooShort { min, length } => {
                write!(f, "{length} characters is fewer than the {min} required")
            }
            Rule::TooFewItems { min, length } => {
                write!(f, "{length} items is fewer than the {min} required")
            }
            Rule::TooManyItems { max, length } => {
                write!(f, "{length} items is more than the {max} allowed")
            }
            Rule::PatternMismatch { pattern } => write!(f, "does not match the pattern {pattern}"),
            Rule::OutOfRange {
                value,
                minimum,
                maximum,
            } => {
                write!(f, "{value} is out of range")?;
                match (minimum, maximum) {
                    (Some(min), Some(max)) => write!(f, " {min}..={max}"),
                    (Some(min), None) => write!(f, " (at least {min})"),
                    (None, Some(max)) => write!(f, " (at most {max})"),
                    (None, None) => Ok(()),
                }
            }
            Rule::ReservedKey => f.write_str("the key is reserved by the service"),
            Rule::DeclaredProperty => {
                f.write_str("the key is a schema property: use its typed method")
            }
            Rule::EmptyKey => f.write_str("the key is empty"),
            Rule::Missing => f.write_str("the schema requires it, but it is not set"),
            Rule::UntrimmedKey => {
                f.write_str("the key starts or ends with whitespace, which the service strips")
            }
            Rule::KeyTooLong { max, length } => write!(
                f,
                "the key has {length} characters, more than the {max} allowed"
            ),
            Rule::NotAString => f.write_str("free-form values must be strings"),
            Rule::NotRemovable => f.write_str("a base property cannot be removed"),
            Rule::Unserializable(reason) => write!(f, "cannot be written as JSON: {reason}"),
            Rule::FourByteCharacter { character } => write!(
                f,
                "contains `{character}` (U+{:04X}), a 4-byte UTF-8 character, which the service refuses",
                u32::from(*character)
            ),
        }
    }
}

/// One broken rule, with the property (or free-form key) that broke it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The property, or free-form key, whose value broke the rule.
    pub property: String,
    /// The rule it broke.
    pub rule: Rule,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`: {}", self.property, self.rule)
    }
}

/// A request body (a patch, or a create body) that was refused before it
/// could be sent, with every reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// What was refused, for the message: `patch`, `create body`.
    subject: &'static str,
    violations: Vec<Violation>,
}

/// The error of a patch builder; the same type as a create body's.
pub type PatchError = ValidationError;

impl ValidationError {
    pub(crate) fn new(subject: &'static str, violations: Vec<Violation>) -> Self {
        ValidationError {
            subject,
            violations,
        }
    }

    /// Every rule that was broken, in the order the values were given.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {}: ", self.subject)?;
        for (index, violation) in self.violations.iter().enumerate() {
            if index > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{violation}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationError {}

/// Collects operations and the rules they break; a builder's `build` turns
/// it into a patch only when nothing is broken.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Recorder {
    pub operations: Vec<PatchOperation>,
    pub violations: Vec<Violation>,
}

impl Default for Recorder {
    /// Room for a typical patch (a handful of operations) from the start,
    /// rather than growing the list one reallocation at a time.
    fn default() -> Self {
        Recorder {
            operations: Vec::with_capacity(8),
            violations: Vec::new(),
        }
    }
}

impl Recorder {
    /// Records an operation whose value needs no serializing (strings,
    /// numbers, booleans, lists of strings and their options, or JSON).
    pub fn set(
        &mut self,
        op: PatchOp,
        key: impl Into<Cow<'static, str>>,
        position: Option<ListPosition>,
        value: impl Into<OperationValue>,
    ) {
        let key = key.into();
        let value = value.into();
        if let Some(character) = value.four_byte_character() {
            self.violate(&key, Rule::FourByteCharacter { character });
        }
        self.operations
            .push(PatchOperation::new(op, key, position, Some(value)));
    }

    /// Records an operation whose value must be serialized first (enums,
    /// nested objects).
    pub fn push<T: Serialize + ?Sized>(
        &mut self,
        op: PatchOp,
        key: impl Into<Cow<'static, str>>,
        position: Option<ListPosition>,
        value: &T,
    ) {
        let key = key.into();
        match serde_json::to_value(value) {
            Ok(value) => self.set(op, key, position, value),
            Err(error) => self.violate(&key, Rule::Unserializable(error.to_string())),
        }
    }

    pub fn violate(&mut self, property: &str, rule: Rule) {
        self.violations.push(Violation {
            property: property.to_owned(),
            rule,
        });
    }

    pub fn check_length(
        &mut self,
        property: &str,
        value: &str,
        min: Option<u64>,
        max: Option<u64>,
    ) {
        if !may_break_length(value, min, max) {
            return;
        }
        let length = value.chars().count();
        if let Some(max) = max.filter(|max| length as u64 > *max) {
            self.violate(property, Rule::TooLong { max, length });
        }
        if let Some(min) = min.filter(|min| (length as u64) < *min) {
            self.violate(property, Rule::TooShort { min, length });
        }
    }

    pub fn check_pattern(&mut self, property: &str, value: &str, pattern: &Pattern) {
        if !pattern.regex().is_some_and(|re| re.is_match(value)) {
            self.violate(
                property,
                Rule::PatternMismatch {
                    pattern: pattern.source,
                },
            );
        }
    }

    /// Records a `remove`, which carries no value.
    pub fn remove(&mut self, key: impl Into<Cow<'static, str>>, position: Option<ListPosition>) {
        self.operations
            .push(PatchOperation::new(PatchOp::Remove, key, position, None));
    }

    pub fn check_items(
        &mut self,
        property: &str,
        length: usize,
        min: Option<u64>,
        max: Option<u64>,
    ) {
        if let Some(min) = min.filter(|min| (length as u64) < *min) {
            self.violate(property, Rule::TooFewItems { min, length });
        }
        if let Some(max) = max.filter(|max| length as u64 > *max) {
            self.violate(property, Rule::TooManyItems { max, length });
        }
    }

    /// Checks an integer of any width (sizes are unsigned, other integers
    /// signed) against the schema's range.
    pub fn check_range(
        &mut self,
        property: &str,
        value: impl Into<i128>,
        minimum: Option<i64>,
        maximum: Option<i64>,
    ) {
        let value = value.into();
        let below = minimum.is_some_and(|min| value < i128::from(min));
        let above = maximum.is_some_and(|max| value > i128::from(max));
        if below || above {
            self.violate(
                property,
                Rule::OutOfRange {
                    value,
                    minimum,
                    maximum,
                },
            );
        }
    }

    pub fn check_known(
        &mut self,
        property: &str,
        known: bool,
        value: &str,
        allowed: &'static [&'static str],
    ) {
        if !known {
            self.violate(
                property,
                Rule::NotInEnum {
                    value: value.to_owned(),
                    allowed,
                },
            );
        }
    }

    /// Glance refuses characters beyond U+FFFF in every string of an image
    /// with 400 ("Name can't contain 4 byte unicode characters."), a limit
    /// of its database layer that the schema does not state. The create
    /// body makes it on each member of its JSON (see [`Recorder::check_body`]);
    /// the patch builder makes it on each value it records (see
    /// [`Recorder::set`]), both through [`first_four_byte`].
    fn check_four_byte(&mut self, property: &str, value: &Value) {
        if let Some(character) = four_byte_character(value) {
            self.violate(property, Rule::FourByteCharacter { character });
        }
    }

    /// Checks the JSON of a create body for what the service refuses in any
    /// member's value, naming each member.
    pub fn check_body<T: Serialize + ?Sized>(&mut self, body: &T) {
        match serde_json::to_value(body) {
            Ok(Value::Object(members)) => {
                for (key, value) in &members {
                    self.check_four_byte(key, value);
                }
            }
            Ok(other) => self.check_four_byte("", &other),
            Err(error) => self.violate("", Rule::Unserializable(error.to_string())),
        }
    }

    /// Checks a free-form value against the schema's rules for values the
    /// schema does not declare; `None` for a value that is not a string.
    /// Shared by the builder's free-form methods, `diff` and create bodies.
    pub fn check_free_form_value(&mut self, key: &str, value: Option<&str>, rules: &FreeForm) {
        let values = &rules.values;
        let Some(text) = value else {
            if values.strings_only {
                self.violate(key, Rule::NotAString);
            }
            return;
        };
        if values.min_length.is_some() || values.max_length.is_some() {
            self.check_length(key, text, values.min_length, values.max_length);
        }
        if let Some(pattern) = values.pattern {
            self.check_pattern(key, text, pattern);
        }
    }

    /// Checks a free-form key against what the service refuses.
    pub fn check_free_form_key(&mut self, key: &str, rules: &FreeForm) {
        if key.is_empty() {
            self.violate(key, Rule::EmptyKey);
        } else if is_untrimmed(key) {
            self.violate(key, Rule::UntrimmedKey);
        } else {
            self.check_key_owner(key, rules);
        }
        self.check_key_text(key, rules);
    }

    /// Checks a free-form key of a create body. There the key is a member
    /// of a JSON object, not a path token, so the service keeps it as sent:
    /// it accepts the empty key and strips nothing.
    pub fn check_create_key(&mut self, key: &str, rules: &FreeForm) {
        self.check_key_owner(key, rules);
        self.check_key_text(key, rules);
    }

    /// A key the service keeps for itself, or one with a typed field.
    fn check_key_owner(&mut self, key: &str, rules: &FreeForm) {
        if rules.is_reserved(key) {
            self.violate(key, Rule::ReservedKey);
        } else if (rules.declared)(key) {
            self.violate(key, Rule::DeclaredProperty);
        }
    }

    fn check_key_text(&mut self, key: &str, rules: &FreeForm) {
        if let Some(character) = first_four_byte(key) {
            self.violate(key, Rule::FourByteCharacter { character });
        }
        if !may_break_length(key, None, rules.max_length) {
            return;
        }
        let length = key.chars().count();
        if let Some(max) = rules.max_length.filter(|max| length as u64 > *max) {
            self.violate(key, Rule::KeyTooLong { max, length });
        }
    }

    /// Checks the key of a free-form `remove`. Emptiness and length matter
    /// only when a key is created: Glance removes any key an image holds,
    /// including the empty one and longer ones that PATCH let in.
    pub fn check_removable_key(&mut self, key: &str, rules: &FreeForm) {
        if is_untrimmed(key) {
            self.violate(key, Rule::UntrimmedKey);
        } else {
            self.check_key_owner(key, rules);
        }
    }

    /// The recorded operations, or every violation against `subject`
    /// (`patch`, `create body`) as the error names it.
    pub fn finish(self, subject: &'static str) -> Result<Vec<PatchOperation>, ValidationError> {
        if self.violations.is_empty() {
            Ok(self.operations)
        } else {
            Err(ValidationError::new(subject, self.violations))
        }
    }
}

fn is_four_byte(c: &char) -> bool {
    c.len_utf8() == 4
}

/// The first character of `text` beyond U+FFFF. Such a character is the
/// only one whose UTF-8 starts with a byte of 0xF0 or more, so one pass
/// over the bytes, which the compiler vectorizes, rules nearly every
/// string out before any character is decoded.
fn first_four_byte(text: &str) -> Option<char> {
    let highest = text.bytes().max().unwrap_or(0);
    if highest < 0xF0 {
        return None;
    }
    text.chars().find(is_four_byte)
}

/// Whether `text` could have fewer than `min` or more than `max`
/// characters. A character takes one to four bytes, so the byte length
/// settles it for nearly every string without counting characters.
fn may_break_length(text: &str, min: Option<u64>, max: Option<u64>) -> bool {
    let bytes = text.len() as u64;
    max.is_some_and(|max| bytes > max) || min.is_some_and(|min| bytes < min.saturating_mul(4))
}

/// The first character beyond U+FFFF in any string of `value`, object keys
/// included.
fn four_byte_character(value: &Value) -> Option<char> {
    match value {
        Value::String(text) => first_four_byte(text),
        Value::Array(items) => items.iter().find_map(four_byte_character),
        Value::Object(map) => map
            .iter()
            .find_map(|(key, value)| first_four_byte(key).or_else(|| four_byte_character(value))),
        Value::Null | Value::Bool(_) | Value::Number(_) => None,
    }
}

/// Whether the service would strip characters from the ends of `key`, as
/// Python's `str.strip` does: Unicode whitespace plus U+001C..U+001F.
fn is_untrimmed(key: &str) -> bool {
    let stripped = |c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c);
    key.starts_with(stripped) || key.ends_with(stripped)
}

/// A schema `pattern`, compiled on first use. The generator has already
/// compiled it with the same regex crate, so `regex` returns `None` only if
/// that crate changed its syntax; the value is then reported as not matching
/// rather than panicking.
pub(crate) struct Pattern {
    source: &'static str,
    compiled: std::sync::OnceLock<Option<regex::Regex>>,
}

impl Pattern {
    pub const fn new(source: &'static str) -> Self {
        Pattern {
            source,
            compiled: std::sync::OnceLock::new(),
        }
    }

    fn regex(&self) -> Option<&regex::Regex> {
        self.compiled
            .get_or_init(|| regex::Regex::new(self.source).ok())
            .as_ref()
    }
}

/// What the service refuses as a free-form property: the keys it keeps for
/// itself or gives a typed field, and what the schema says of the values.
pub(crate) struct FreeForm {
    /// Whether a key is one of the schema's own properties, which have
    /// typed methods: a `match` on the keys, generated with the crate.
    pub declared: fn(&str) -> bool,
    /// Keys the service refuses outright.
    pub reserved: &'static [&'static str],
    /// Key prefixes the service refuses.
    pub reserved_prefixes: &'static [&'static str],
    /// The longest key the service accepts.
    pub max_length: Option<u64>,
    pub values: FreeFormValues,
}

/// The schema's rules for free-form values (`additionalProperties`).
pub(crate) struct FreeFormValues {
    /// Values must be strings.
    pub strings_only: bool,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub pattern: Option<&'static Pattern>,
}

impl FreeForm {
    pub fn is_reserved(&self, key: &str) -> bool {
        self.reserved.contains(&key) || self.reserved_prefixes.iter().any(|p| key.starts_with(p))
    }
}

/// How a property differs between two documents.
pub(crate) enum Change<'a, T> {
    Unchanged,
    Added(&'a T),
    Replaced(&'a T),
    Removed,
}

pub(crate) fn change<'a, T: PartialEq>(old: &Option<T>, new: &'a Option<T>) -> Change<'a, T> {
    match (old, new) {
        (old, new) if old == new => Change::Unchanged,
        (None, Some(value)) => Change::Added(value),
        (Some(_), Some(value)) => Change::Replaced(value),
        _ => Change::Removed,
    }
}

/// Whether two optional lists hold the same set of strings: Glance keeps
/// neither order nor duplicates of tags.
pub(crate) fn same_set(old: &Option<Vec<String>>, new: &Option<Vec<String>>) -> bool {
    match (old, new) {
        (Some(old), Some(new)) if old == new => true,
        // Images carry a handful of tags: comparing each with each costs
        // less than building two sets.
        (Some(old), Some(new)) if old.len() + new.len() <= SMALL_SET => {
            old.iter().all(|tag| new.contains(tag)) && new.iter().all(|tag| old.contains(tag))
        }
        (Some(old), Some(new)) => {
            old.iter().collect::<BTreeSet<_>>() == new.iter().collect::<BTreeSet<_>>()
        }
        (old, new) => old.is_none() == new.is_none(),
    }
}

/// Up to this many tags in both lists together, [`same_set`] compares
/// without allocating.
const SMALL_SET: usize = 32;

/// How an indexed list differs between two documents, as the fewest
/// operations Glance accepts: appends, removals at an index, or one replace.
pub(crate) enum ListChange<'a, T> {
    Unchanged,
    Append(&'a [T]),
    /// Indices to remove, highest first so that each stays valid.
    RemoveAt(Vec<usize>),
    Replace(&'a Vec<T>),
    Removed,
}

pub(crate) fn list_change<'a, T: PartialEq>(
    old: &Option<Vec<T>>,
    new: &'a Option<Vec<T>>,
) -> ListChange<'a, T> {
    let (old, new) = match (old, new) {
        (old, new) if old == new => return ListChange::Unchanged,
        (_, None) => return ListChange::Removed,
        // A copy without the list says nothing about it, and the service has
        // no operation that sets an empty one: nothing to send.
        (None, Some(new)) if new.is_empty() => return ListChange::Unchanged,
        (None, Some(new)) => return ListChange::Replace(new),
        (Some(old), Some(new)) => (old, new),
    };
    if new.len() > old.len() && new.starts_with(old) {
        return ListChange::Append(&new[old.len()..]);
    }
    if new.len() < old.len() {
        // Keep `new` as a subsequence of `old`; whatever is skipped is removed.
        let mut removed = Vec::new();
        let mut kept = new.iter().peekable();
        for (index, item) in old.iter().enumerate() {
            if kept.peek() == Some(&item) {
                kept.next();
            } else {
                removed.push(index);
            }
        }
        if kept.peek().is_none() {
            removed.reverse();
            return ListChange::RemoveAt(removed);
        }
    }
    ListChange::Replace(new)
}

/// The body of a patch as a JSON value, in either media type, written by
/// the same [`Body`] serializer that writes it as text.
pub(crate) fn body_value(operations: &[PatchOperation], media_type: PatchMediaType) -> Value {
    // Every map key is a string and every value is already JSON, so
    // serializing into a `Value` has no way to fail.
    serde_json::to_value(Body {
        operations,
        media_type,
    })
    .unwrap_or(Value::Null)
}

/// One change between two sets of free-form properties.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum FreeFormChange<'a> {
    /// Set a key, with `add` when the old set lacks it and `replace` when
    /// it holds another value.
    Set(PatchOp, &'a str, PropertyValue<'a>),
    Remove(&'a str),
}

/// The changes that turn one set of free-form properties into another.
/// Reserved keys are the service's own and are left alone, as read-only
/// properties are. The builder's own free-form methods check and record
/// each change, so that `diff` refuses exactly what they refuse. Each
/// change goes to `record` as it is found: a diff collects no list of them.
pub(crate) fn free_form_changes<'a>(
    old: &'a Properties,
    new: &'a Properties,
    keys: &FreeForm,
    mut record: impl FnMut(FreeFormChange<'a>),
) {
    let mut old_entries = old.iter();
    let mut in_step = true;
    // Keys are unique, so when every old key was found among the new ones
    // nothing was removed, and no scan for removals is needed.
    let mut found = 0;
    for (key, value) in new.iter() {
        // Two versions of one document list their keys in the same order,
        // so the old entry at the same place is nearly always the one to
        // compare with, and a scan is needed only once the orders part.
        let previous = match old_entries.next() {
            Some((old_key, old_value)) if in_step && old_key == key => Some(old_value),
            _ => {
                in_step = false;
                old.get(key)
            }
        };
        found += usize::from(previous.is_some());
        match previous {
            Some(previous) if previous == value => {}
            Some(_) if keys.is_reserved(key) => {}
            Some(_) => record(FreeFormChange::Set(PatchOp::Replace, key, value)),
            None if keys.is_reserved(key) => {}
            None => record(FreeFormChange::Set(PatchOp::Add, key, value)),
        }
    }
    if found < old.len() {
        for key in old.keys() {
            if !new.contains_key(key) && !keys.is_reserved(key) {
                record(FreeFormChange::Remove(key));
            }
        }
    }
}
