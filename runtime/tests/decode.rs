//! Success responses recorded from Glance 33 decoded into the generated
//! types, bodies that do not match the schema, and arbitrary bytes.

mod common;

use cloud_images::{ImageStatus, MemberStatus, TaskStatus, TaskType};
use cloud_images_runtime::{Api, Error};
use http::{HeaderMap, Response, StatusCode};

fn api() -> Api {
    Api::new("http://127.0.0.1:9292").unwrap()
}

fn with_body(tag: &str, edit: impl FnOnce(&mut serde_json::Value)) -> Response<Vec<u8>> {
    let exchange = common::exchange(tag);
    let mut body = exchange.response.json();
    edit(&mut body);
    let (parts, _) = exchange.http_response().into_parts();
    Response::from_parts(parts, serde_json::to_vec(&body).unwrap())
}

fn decode_error_path(error: Error) -> (String, String) {
    match error {
        Error::Decode { path, message } => (path, message),
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[test]
fn a_01_created_image() {
    let exchange = common::exchange("a-01");
    let image = api()
        .create_image(&Default::default())
        .unwrap()
        .decode(exchange.http_response())
        .unwrap();
    assert_eq!(
        image.id.as_deref(),
        Some("e271a900-0064-4475-b550-fc3c44896d1e")
    );
    assert_eq!(image.status, Some(ImageStatus::Queued));
    assert_eq!(image.min_ram, Some(512));
    assert_eq!(image.size, Some(None));
}

#[test]
fn g_06_full_page_and_g_17_last_page() {
    let page = api()
        .list_images(&Default::default())
        .unwrap()
        .decode(common::exchange("g-06").http_response())
        .unwrap();
    assert_eq!(page.images.as_ref().map(Vec::len), Some(2));
    assert_eq!(
        page.next.as_deref(),
        Some("/v2/images?limit=2&marker=d789e7cb-f1e2-4336-879e-90f446a47d83")
    );
    let last = api()
        .list_images(&Default::default())
        .unwrap()
        .decode(common::exchange("g-17").http_response())
        .unwrap();
    assert_eq!(last.images.as_ref().map(Vec::len), Some(1));
    assert_eq!(last.next, None);
}

#[test]
fn e_11_members_and_e_21_member() {
    let list = api()
        .list_members("x")
        .unwrap()
        .decode(common::exchange("e-11").http_response())
        .unwrap();
    let members = list.members.unwrap();
    assert_eq!(members.len(), 5);
    assert!(
        members
            .iter()
            .all(|member| member.status == Some(MemberStatus::Pending))
    );
    let member = api()
        .update_member("x", "tenantB", MemberStatus::Accepted)
        .unwrap()
        .decode(common::exchange("e-21").http_response())
        .unwrap();
    assert_eq!(member.status, Some(MemberStatus::Accepted));
}

#[test]
fn f_28_image_tasks_keep_undeclared_keys() {
    let list = api()
        .list_image_tasks("x")
        .unwrap()
        .decode(common::exchange("f-28").http_response())
        .unwrap();
    let task = &list.tasks.unwrap()[0];
    assert_eq!(task.r#type, Some(TaskType::ApiImageImport));
    assert_eq!(task.status, Some(TaskStatus::Success));
    assert_eq!(
        task.additional_properties
            .get("deleted")
            .map(|v| v.to_value()),
        Some(serde_json::json!(false))
    );
}

#[test]
fn f_09_no_content_and_f_05_data() {
    api()
        .deactivate_image("x")
        .unwrap()
        .decode(common::exchange("f-09").http_response())
        .unwrap();
    let response = Response::builder().status(200).body(vec![1, 2, 3]).unwrap();
    assert_eq!(
        api().download_image("x").unwrap().decode(response).unwrap(),
        Some(vec![1, 2, 3])
    );
    let response = Response::builder().status(204).body(Vec::new()).unwrap();
    assert_eq!(
        api().download_image("x").unwrap().decode(response).unwrap(),
        None
    );
}

#[test]
fn schema_is_returned_as_json() {
    let body =
        br#"{"name": "image", "properties": {"name": {"type": ["null", "string"]}}}"#.to_vec();
    let response = Response::builder().status(200).body(body).unwrap();
    let schema = api().get_schema("image").unwrap().decode(response).unwrap();
    assert_eq!(schema["properties"]["name"]["type"][1], "string");
}

#[test]
fn wrong_type_in_a_list_names_the_field_path() {
    let response = with_body("g-06", |body| body["images"][1]["min_ram"] = "512".into());
    let (path, message) = decode_error_path(
        api()
            .list_images(&Default::default())
            .unwrap()
            .decode(response)
            .unwrap_err(),
    );
    assert_eq!(path, "images[1].min_ram");
    assert!(
        message.contains("invalid type: string \"512\""),
        "{message}"
    );
}

#[test]
fn wrong_type_in_a_nullable_field_names_the_field_path() {
    let response = with_body("a-01", |body| {
        body["size"] = serde_json::json!({"bytes": 1})
    });
    let (path, _) = decode_error_path(api().get_image("x").unwrap().decode(response).unwrap_err());
    assert_eq!(path, "size");
}

#[test]
fn wrong_type_in_a_tag_names_its_index() {
    let response = with_body("a-01", |body| body["tags"][1] = 7.into());
    let (path, _) = decode_error_path(api().get_image("x").unwrap().decode(response).unwrap_err());
    assert_eq!(path, "tags[1]");
}

#[test]
fn wrong_type_in_a_member_list_names_the_field_path() {
    let response = with_body("e-11", |body| body["members"][3]["status"] = 1.into());
    let (path, _) = decode_error_path(
        api()
            .list_members("x")
            .unwrap()
            .decode(response)
            .unwrap_err(),
    );
    assert_eq!(path, "members[3].status");
}

#[test]
fn a_document_that_is_not_an_object_is_a_decode_error_at_the_root() {
    let response = Response::builder()
        .status(200)
        .body(b"[1, 2]".to_vec())
        .unwrap();
    let (path, _) = decode_error_path(api().get_image("x").unwrap().decode(response).unwrap_err());
    assert_eq!(path, ".");
}

#[test]
fn trailing_bytes_after_the_document_are_a_decode_error() {
    let response = Response::builder()
        .status(200)
        .body(b"{} {}".to_vec())
        .unwrap();
    let (path, message) =
        decode_error_path(api().get_image("x").unwrap().decode(response).unwrap_err());
    assert_eq!(path, ".");
    assert!(message.contains("trailing"), "{message}");
}

#[test]
fn an_empty_success_body_where_json_is_expected_is_a_decode_error() {
    let response = Response::builder().status(200).body(Vec::new()).unwrap();
    assert!(matches!(
        api().get_image("x").unwrap().decode(response),
        Err(Error::Decode { .. })
    ));
}

/// The runtime checks a body's UTF-8 in one pass and decodes the text; a body
/// that is not UTF-8 is decoded from its bytes instead, which names the key
/// whose string is broken.
#[test]
fn a_string_that_is_not_utf8_is_a_decode_error_at_its_key() {
    let mut body = br#"{"id": "x", "hw_note": "caf"#.to_vec();
    body.extend_from_slice(&[0xC3, 0x28]);
    body.extend_from_slice(br#""}"#);
    let response = Response::builder().status(200).body(body).unwrap();
    let (path, message) =
        decode_error_path(api().get_image("x").unwrap().decode(response).unwrap_err());
    assert_eq!(path, "hw_note");
    assert!(message.contains("invalid unicode code point"), "{message}");
}

/// Text with characters outside ASCII, escaped and not, in keys and values
/// decodes to the same image whether the runtime or
/// `serde_json::from_slice` reads it.
#[test]
fn a_body_beyond_ascii_decodes_as_serde_json_reads_it_from_bytes() {
    let body = "{\"id\": \"x\", \"name\": \"Ubuntu \\u00e9t\u{e9}\", \"os_distro\": \"\u{1F427}\", \
                \"cl\u{e9}\": \"\\\"\u{fc}\\\"\", \"n\": null}";
    let response = Response::builder()
        .status(200)
        .body(body.as_bytes().to_vec())
        .unwrap();
    let image = api().get_image("x").unwrap().decode(response).unwrap();
    let expected: cloud_images::Image = serde_json::from_slice(body.as_bytes()).unwrap();
    assert_eq!(image, expected);
    assert_eq!(image.name(), Some("Ubuntu \u{e9}t\u{e9}"));
    assert_eq!(image.os_distro(), Some("\u{1F427}"));
    assert_eq!(
        image.additional_properties.get_str("cl\u{e9}"),
        Some("\"\u{fc}\"")
    );
}

/// A small deterministic generator, so the bytes are the same on every run.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Every decoder, on every prefix of every recorded body, on corrupted
/// copies of them and on random bytes, for success and error statuses:
/// a result, never a panic.
#[test]
fn no_response_bytes_make_a_decoder_panic() {
    let api = api();
    let mut bodies: Vec<Vec<u8>> = common::all()
        .into_iter()
        .filter_map(|exchange| exchange.response.body)
        .filter(|body| body.len() < 6_000)
        .collect();
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    for index in 0..bodies.len() {
        let mut corrupted = bodies[index].clone();
        for _ in 0..8 {
            if corrupted.is_empty() {
                break;
            }
            let at = (rng.next() as usize) % corrupted.len();
            corrupted[at] = rng.next() as u8;
        }
        bodies.push(corrupted);
    }
    for _ in 0..200 {
        let length = (rng.next() % 64) as usize;
        bodies.push((0..length).map(|_| rng.next() as u8).collect());
    }
    for fragment in [
        "<",
        "<h1>",
        "<!--",
        "<!DOCTYPE",
        "{\"message\": 1}",
        "{\"a\": {\"message\": \"x\"}}",
    ] {
        bodies.push(fragment.as_bytes().to_vec());
    }

    let image = api.get_image("x").unwrap().decoder();
    let images = api.list_images(&Default::default()).unwrap().decoder();
    let members = api.list_members("x").unwrap().decoder();
    let task = api.get_task("x").unwrap().decoder();
    let deleted = api.delete_image("x").unwrap().decoder();
    let data = api.download_image("x").unwrap().decoder();
    let schema = api.get_schema("image").unwrap().decoder();
    let mut decoded = 0usize;
    for body in &bodies {
        let step = (body.len() / 8).max(1);
        for end in (0..=body.len()).step_by(step) {
            let bytes = &body[..end];
            let cases = [
                (200u16, "application/json"),
                (204, ""),
                (403, "application/json"),
                (403, "text/html"),
            ];
            for (status, content_type) in cases {
                let status = StatusCode::from_u16(status).unwrap();
                let mut headers = HeaderMap::new();
                headers.insert("content-type", content_type.parse().unwrap());
                let _ = image.decode_parts(status, &headers, bytes);
                let _ = images.decode_parts(status, &headers, bytes);
                let _ = members.decode_parts(status, &headers, bytes);
                let _ = task.decode_parts(status, &headers, bytes);
                let _ = deleted.decode_parts(status, &headers, bytes);
                let _ = data.decode_parts(status, &headers, bytes);
                let _ = schema.decode_parts(status, &headers, bytes);
                decoded += 7;
            }
        }
    }
    assert!(decoded > 20_000, "only {decoded} decodes ran");
}
