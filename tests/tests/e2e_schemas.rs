//! End to end: the schemas the real Glance serves are the ones the project
//! generates from, fetched through the runtime's `get_schema`.

mod e2e;

use cloud_images_tests::OWNER;
use e2e::Session;

const SCHEMAS: [&str; 6] = ["image", "images", "member", "members", "task", "tasks"];

#[test]
fn served_schemas_equal_the_checked_in_ones() {
    let Some(session) = Session::start("served_schemas_equal_the_checked_in_ones") else {
        return;
    };
    let glance = session.client(OWNER);
    for name in SCHEMAS {
        let served = glance
            .get_schema(name)
            .unwrap_or_else(|error| panic!("GET /v2/schemas/{name}: {error}"));
        let path = format!("{}/../schemas/{name}.json", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).expect("the schema is checked in");
        let checked_in: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        assert_eq!(served, checked_in, "{path}");
    }
    let unknown = glance.get_schema("no-such-schema");
    assert!(
        matches!(unknown, Err(cloud_images_runtime::Error::NotFound(_))),
        "an unknown schema: {unknown:?}"
    );
}
