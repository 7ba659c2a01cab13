//! `allOf`, in the one form Glance uses: one schema that constrains the
//! value, beside schemas that only annotate it. Glance's metadef
//! definitions say `"positiveIntegerDefault0": {"allOf": [{"$ref":
//! "#/definitions/positiveInteger"}, {"default": 0}]}`: the value is a
//! `positiveInteger`, and `0` when absent. Intersecting two constraining
//! schemas would need a type the model does not have, so that is refused.

use serde_json::{Map, Value};

use crate::error::{Error, child_pointer};
use crate::load::json_kind;

use super::{Hint, Lowered, Lowerer};

/// Keywords that never constrain a value: a member made only of these
/// adds nothing to what the constraining member says.
const ANNOTATIONS: &[&str] = &["default", "description", "title", "$comment", "examples"];

impl Lowerer<'_> {
    pub(super) fn lower_all_of(
        &mut self,
        schema: &Map<String, Value>,
        members: &Value,
        pointer: &str,
        hint: &Hint,
    ) -> Result<Lowered, Error> {
        let at = child_pointer(pointer, "allOf");
        if let Some(extra) = schema
            .keys()
            .find(|k| *k != "allOf" && !ANNOTATIONS.contains(&k.as_str()))
        {
            return Err(self.error(
                &child_pointer(pointer, extra),
                format!("`{extra}` beside `allOf` is not supported: move it into the one member that constrains the value"),
            ));
        }
        let list = members.as_array().ok_or_else(|| {
            self.error(
                &at,
                format!(
                    "`allOf` must be a list of schemas, found {}",
                    json_kind(members)
                ),
            )
        })?;
        let mut constraining = Vec::new();
        for (index, member) in list.iter().enumerate() {
            let member_at = child_pointer(&at, &index.to_string());
            let fields = member.as_object().ok_or_else(|| {
                self.error(
                    &member_at,
                    format!(
                        "an `allOf` member must be a schema object, found {}",
                        json_kind(member)
                    ),
                )
            })?;
            if !fields.keys().all(|k| ANNOTATIONS.contains(&k.as_str())) {
                constraining.push((member, member_at));
            }
        }
        match constraining.as_slice() {
            [(member, member_at)] => self.lower_node(member, member_at, hint),
            [] => Err(self.error(
                &at,
                "no member of `allOf` constrains the value; write the schema without `allOf`",
            )),
            several => Err(self.error(
                &at,
                format!(
                    "{} members of `allOf` constrain the value ({}); the generator cannot intersect schemas, so merge them into one",
                    several.len(),
                    several.iter().map(|(_, p)| p.as_str()).collect::<Vec<_>>().join(", ")
                ),
            )),
        }
    }
}
