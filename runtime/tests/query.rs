//! Query-string encoding of every image-list filter, both sort syntaxes, and
//! the task-list query.

use cloud_images::{
    ImageContainerFormat, ImageDiskFormat, ImageStatus, ImageVisibility, MemberStatus, TaskStatus,
    TaskType,
};
use cloud_images_runtime::{
    Api, Error, ImageListQuery, Match, MemberStatusFilter, Sort, SortDir, SortKey, TaskListQuery,
    TaskSortKey, TimeFilter, TimeOp, VisibilityFilter,
};

fn query_string(query: &ImageListQuery) -> String {
    query.to_query_string().unwrap()
}

#[test]
fn every_filter_in_its_place() {
    let query = ImageListQuery {
        name: Some(Match::eq("lab")),
        id: Some(Match::any_of(["a", "b"])),
        member_status: Some(MemberStatus::Accepted.into()),
        visibility: Some(ImageVisibility::Community.into()),
        owner: Some("tenantA".into()),
        status: Some(Match::any_of([ImageStatus::Active, ImageStatus::Queued])),
        tags: vec!["x".into(), "y".into()],
        size_min: Some(1),
        size_max: Some(18_446_744_073_709_551_615),
        os_hidden: Some(false),
        protected: Some(true),
        disk_format: Some(Match::any_of([
            ImageDiskFormat::Qcow2,
            ImageDiskFormat::Raw,
        ])),
        container_format: Some(Match::Eq(ImageContainerFormat::Bare)),
        checksum: Some("37c6e1dc70aaf136834e92bf9637f613".into()),
        os_hash_value: Some("abc".into()),
        created_at: Some(TimeFilter::new(TimeOp::Gt, "2026-11-28T10:30:48Z")),
        updated_at: Some(TimeFilter::new(TimeOp::Neq, "2026-11-28T10:30:48Z")),
        properties: vec![
            ("os_distro".into(), "ubuntu".into()),
            ("hw_disk_bus".into(), "virtio".into()),
        ],
        sort: Some(Sort::Combined(vec![
            (SortKey::Size, None),
            (SortKey::Id, Some(SortDir::Desc)),
        ])),
        limit: Some(20),
        marker: Some("d789e7cb-f1e2-4336-879e-90f446a47d83".into()),
    };
    assert_eq!(
        query_string(&query),
        "name=lab&id=in:a,b&member_status=accepted&visibility=community&owner=tenantA&status=in:active,queued\
         &tag=x&tag=y&size_min=1&size_max=18446744073709551615&os_hidden=false&protected=true\
         &disk_format=in:qcow2,raw&container_format=bare&checksum=37c6e1dc70aaf136834e92bf9637f613\
         &os_hash_value=abc&created_at=gt:2026-11-28T10:30:48Z&updated_at=neq:2026-11-28T10:30:48Z\
         &os_distro=ubuntu&hw_disk_bus=virtio&sort=size,id:desc&limit=20\
         &marker=d789e7cb-f1e2-4336-879e-90f446a47d83"
    );
}

#[test]
fn an_empty_query_sends_no_question_mark() {
    let api = Api::new("http://127.0.0.1:9292").unwrap();
    let operation = api.list_images(&ImageListQuery::new()).unwrap();
    assert_eq!(operation.uri(), "http://127.0.0.1:9292/v2/images");
    assert_eq!(query_string(&ImageListQuery::new()), "");
}

#[test]
fn every_time_operator() {
    let operators = [
        (TimeOp::Gt, "gt"),
        (TimeOp::Gte, "gte"),
        (TimeOp::Lt, "lt"),
        (TimeOp::Lte, "lte"),
        (TimeOp::Eq, "eq"),
        (TimeOp::Neq, "neq"),
    ];
    for (op, text) in operators {
        let query = ImageListQuery {
            created_at: Some(TimeFilter::new(op, "2026-11-28T00:00:00Z")),
            ..ImageListQuery::new()
        };
        assert_eq!(
            query_string(&query),
            format!("created_at={text}:2026-11-28T00:00:00Z")
        );
    }
}

#[test]
fn values_are_percent_encoded() {
    let query = ImageListQuery {
        name: Some(Match::eq("a b&c=d+e#f%g/h?i")),
        owner: Some("ünïcødé".into()),
        ..ImageListQuery::new()
    }
    .tag("two words")
    .tag("a&b")
    .property("vendor/arch", "x86 64")
    .property("key=with&", "v");
    assert_eq!(
        query_string(&query),
        "name=a%20b%26c%3Dd%2Be%23f%25g%2Fh%3Fi&owner=%C3%BCn%C3%AFc%C3%B8d%C3%A9&tag=two%20words&tag=a%26b\
         &vendor%2Farch=x86%2064&key%3Dwith%26=v"
    );
}

#[test]
fn an_exact_value_with_a_colon_is_sent_with_eq() {
    // Glance reads `name=a:b` as operator `a`; `eq:a:b` matches the name `a:b`.
    let query = ImageListQuery {
        name: Some(Match::eq("release:2024")),
        ..ImageListQuery::new()
    };
    assert_eq!(query_string(&query), "name=eq:release:2024");
}

#[test]
fn in_lists_quote_values_with_commas_and_refuse_double_quotes() {
    let query = ImageListQuery {
        name: Some(Match::any_of(["plain", "with,comma", "with:colon"])),
        ..ImageListQuery::new()
    };
    assert_eq!(
        query_string(&query),
        "name=in:plain,%22with,comma%22,with:colon"
    );

    let query = ImageListQuery {
        name: Some(Match::any_of(["say \"hi\""])),
        ..ImageListQuery::new()
    };
    let error = query.to_query_string().unwrap_err();
    assert!(
        matches!(&error, Error::InvalidRequest(reason) if reason.contains("say \"hi\"")),
        "{error}"
    );
}

#[test]
fn both_sort_syntaxes() {
    let key_dir = ImageListQuery {
        sort: Some(Sort::KeyDir(vec![
            (SortKey::Name, SortDir::Asc),
            (SortKey::Status, SortDir::Desc),
            (SortKey::ContainerFormat, SortDir::Asc),
            (SortKey::DiskFormat, SortDir::Asc),
        ])),
        ..ImageListQuery::new()
    };
    assert_eq!(
        query_string(&key_dir),
        "sort_key=name&sort_dir=asc&sort_key=status&sort_dir=desc&sort_key=container_format&sort_dir=asc\
         &sort_key=disk_format&sort_dir=asc"
    );
    let combined = ImageListQuery {
        sort: Some(Sort::Combined(vec![
            (SortKey::UpdatedAt, Some(SortDir::Asc)),
            (SortKey::CreatedAt, None),
            (SortKey::Size, Some(SortDir::Desc)),
        ])),
        ..ImageListQuery::new()
    };
    assert_eq!(
        query_string(&combined),
        "sort=updated_at:asc,created_at,size:desc"
    );
}

#[test]
fn visibility_and_member_status_all() {
    let query = ImageListQuery {
        visibility: Some(VisibilityFilter::All),
        member_status: Some(MemberStatusFilter::All),
        ..ImageListQuery::new()
    };
    assert_eq!(query_string(&query), "member_status=all&visibility=all");
}

#[test]
fn unknown_visibility_and_member_status_are_refused() {
    // Glance answers 400 for both (g-54, g-55).
    let query = ImageListQuery {
        visibility: Some(ImageVisibility::from("bogus").into()),
        ..ImageListQuery::new()
    };
    assert!(matches!(
        query.to_query_string(),
        Err(Error::InvalidRequest(_))
    ));
    let query = ImageListQuery {
        member_status: Some(MemberStatus::from("bogus").into()),
        ..ImageListQuery::new()
    };
    assert!(matches!(
        query.to_query_string(),
        Err(Error::InvalidRequest(_))
    ));
}

#[test]
fn a_property_filter_named_like_a_parameter_is_refused() {
    for key in ["limit", "tag", "sort_key", "created_at", "name"] {
        let error = ImageListQuery::new()
            .property(key, "1")
            .to_query_string()
            .unwrap_err();
        assert!(
            matches!(&error, Error::InvalidRequest(reason) if reason.contains(key)),
            "{key}: {error}"
        );
    }
    let api = Api::new("http://127.0.0.1:9292").unwrap();
    assert!(
        api.list_images(&ImageListQuery::new().property("marker", "x"))
            .is_err()
    );
}

#[test]
fn task_list_query() {
    let query = TaskListQuery {
        task_type: Some(TaskType::Import),
        status: Some(TaskStatus::Processing),
        sort_key: Some(TaskSortKey::ExpiresAt),
        sort_dir: Some(SortDir::Asc),
        limit: Some(5),
        marker: Some("639992ff-dc06-40b5-936f-6cdcf8e040a0".into()),
    };
    assert_eq!(
        query.to_query_string().unwrap(),
        "type=import&status=processing&sort_key=expires_at&sort_dir=asc&limit=5\
         &marker=639992ff-dc06-40b5-936f-6cdcf8e040a0"
    );
    let api = Api::new("http://127.0.0.1:9292").unwrap();
    assert_eq!(
        api.list_tasks(&TaskListQuery::new()).unwrap().uri(),
        "http://127.0.0.1:9292/v2/tasks"
    );
    let unknown = TaskListQuery {
        status: Some(TaskStatus::from("stuck")),
        ..TaskListQuery::new()
    };
    assert!(matches!(
        unknown.to_query_string(),
        Err(Error::InvalidRequest(_))
    ));
}
