//! End to end: the tasks API and the tasks of interoperable image import.
//!
//! What Glance 33 really does, as these tests pin down: `/v2/tasks` is for
//! admins only (policy `tasks_api_access`); a legacy `import` task is
//! accepted (201, `pending`) when its URL passes Glance's import filter,
//! then fails on its own when the URL cannot be fetched; an `export` task
//! is refused by the task schema (400).

mod e2e;

use std::collections::BTreeSet;
use std::thread::sleep;
use std::time::{Duration, Instant};

use cloud_images::{
    ImageContainerFormat, ImageDiskFormat, ImageStatus, Task, TaskStatus, TaskType,
};
use cloud_images_runtime::{
    Error, ImageCreate, ImageImport, ImportMethod, TaskCreate, TaskListQuery,
};
use cloud_images_tests::{ADMIN, OWNER};
use e2e::rng::Rng;
use e2e::{Glance, Session};

const SETTLE: Duration = Duration::from_secs(90);

/// A URL that passes Glance's import filter (http, port 80, not loopback or
/// link-local) and that nothing answers: TEST-NET-1 (RFC 5737).
fn unreachable_url(session: &Session) -> String {
    format!("http://192.0.2.1/{}.img", session.unique("import"))
}

fn import_task(session: &Session, url: &str) -> TaskCreate {
    TaskCreate::Import {
        import_from: url.to_owned(),
        import_from_format: ImageDiskFormat::Raw,
        image_properties: ImageCreate {
            name: Some(session.unique("task-image")),
            disk_format: Some(ImageDiskFormat::Raw),
            container_format: Some(ImageContainerFormat::Bare),
            ..ImageCreate::default()
        },
    }
}

/// Polls until the task leaves `pending` and `processing`.
fn settled(glance: &Glance, id: &str) -> Task {
    let start = Instant::now();
    loop {
        let task = glance.get_task(id).expect("get task");
        let running = matches!(
            task.status,
            Some(TaskStatus::Pending | TaskStatus::Processing)
        );
        if !running {
            return task;
        }
        assert!(
            start.elapsed() < SETTLE,
            "task {id} still {:?}",
            task.status
        );
        sleep(Duration::from_millis(250));
    }
}

#[test]
fn legacy_import_task_is_created_listed_and_fails() {
    let Some(session) = Session::start("legacy_import_task_is_created_listed_and_fails") else {
        return;
    };
    let admin = session.client(ADMIN);
    let url = unreachable_url(&session);
    let created = admin
        .create_task(&import_task(&session, &url))
        .expect("create task");
    let id = created.id.clone().expect("id");
    assert_eq!(created.r#type.as_ref(), Some(&TaskType::Import));
    assert!(
        matches!(
            created.status,
            Some(TaskStatus::Pending | TaskStatus::Processing | TaskStatus::Failure)
        ),
        "{:?}",
        created.status
    );
    assert_eq!(created.owner, Some(session.project_id(ADMIN)));
    assert_eq!(
        created.self_.as_deref(),
        Some(format!("/v2/tasks/{id}").as_str())
    );
    let input = created.input.clone().flatten().expect("input");
    assert_eq!(input["import_from"], url.as_str());
    assert_eq!(input["import_from_format"], "raw");

    let task = settled(&admin, &id);
    assert_eq!(
        task.status,
        Some(TaskStatus::Failure),
        "nothing answers {url}"
    );
    assert!(
        task.message
            .as_deref()
            .is_some_and(|message| !message.is_empty()),
        "a failed task says why: {task:?}"
    );
    assert!(
        matches!(task.expires_at, Some(Some(_))),
        "a finished task expires"
    );
    assert_eq!(task.result, Some(None));

    // Listed, by filter and across pages of one, each task once.
    let filtered = admin
        .list_tasks(&TaskListQuery {
            task_type: Some(TaskType::Import),
            status: Some(TaskStatus::Failure),
            ..TaskListQuery::default()
        })
        .expect("list tasks");
    let filtered = filtered.tasks.expect("tasks");
    assert!(
        filtered
            .iter()
            .any(|task| task.id.as_deref() == Some(id.as_str()))
    );
    assert!(
        filtered
            .iter()
            .all(|task| task.status == Some(TaskStatus::Failure))
    );
    let pages = admin
        .task_pages(&TaskListQuery {
            limit: Some(1),
            ..TaskListQuery::default()
        })
        .expect("task pages");
    assert!(pages.len() >= 2, "one task a page: {} pages", pages.len());
    let ids: Vec<String> = pages
        .into_iter()
        .flat_map(|page| page.tasks.unwrap_or_default())
        .filter_map(|task| task.id)
        .collect();
    let unique: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "no task twice: {ids:?}");
    assert!(unique.contains(&id));
}

#[test]
fn task_refusals() {
    let Some(session) = Session::start("task_refusals") else {
        return;
    };
    let admin = session.client(ADMIN);
    let owner = session.client(OWNER);
    let denied = "You are not authorized to complete tasks_api_access action.";
    let task = import_task(&session, &unreachable_url(&session));
    match owner.create_task(&task) {
        Err(Error::Forbidden(error)) => assert_eq!(error.message, denied),
        other => panic!("a member creating a task: {other:?}"),
    }
    match owner.list_tasks(&TaskListQuery::new()) {
        Err(Error::Forbidden(error)) => assert_eq!(error.message, denied),
        other => panic!("a member listing tasks: {other:?}"),
    }

    // Glance does not fetch from loopback addresses.
    let local = "http://127.0.0.1/e2e.img";
    match admin.create_task(&import_task(&session, local)) {
        Err(Error::BadRequest(error)) => assert_eq!(
            error.message,
            format!("URI for legacy import task does not pass filtering: {local}")
        ),
        other => panic!("a loopback import: {other:?}"),
    }
    let export = TaskCreate::Export {
        image_uuid: Rng::new(Rng::seed_from_env()).uuid(),
        receiving_swift_container: "e2e".into(),
    };
    match admin.create_task(&export) {
        Err(Error::BadRequest(error)) => assert!(
            error.message.starts_with(
                "Provided object does not match schema 'task': 'export' is not one of"
            ),
            "{}",
            error.message
        ),
        other => panic!("an export task: {other:?}"),
    }
    let unknown = Rng::new(Rng::seed_from_env()).uuid();
    match admin.get_task(&unknown) {
        Err(Error::NotFound(error)) => {
            assert_eq!(error.message, format!("Could not find task {unknown}"));
        }
        other => panic!("an unknown task: {other:?}"),
    }
}

/// Interoperable import (f-23..f-28): stage data, import it with
/// `glance-direct`, and find the task Glance ran for it.
#[test]
fn glance_direct_import_runs_a_task() {
    let Some(session) = Session::start("glance_direct_import_runs_a_task") else {
        return;
    };
    let owner = session.client(OWNER);
    let admin = session.client(ADMIN);
    let mut rng = Rng::new(Rng::seed_from_env());
    let mut data = rng.bytes(64 * 1024);
    data[..8].copy_from_slice(b"e2e-raw\0");
    let id = owner
        .create_image(&ImageCreate {
            name: Some(session.unique("staged")),
            disk_format: Some(ImageDiskFormat::Raw),
            container_format: Some(ImageContainerFormat::Bare),
            ..ImageCreate::default()
        })
        .expect("create")
        .id
        .expect("id");
    owner.stage_image(&id, data.clone()).expect("stage");
    assert_eq!(
        owner.get_image(&id).expect("get").status,
        Some(ImageStatus::Uploading)
    );
    owner
        .import_image(&id, &ImageImport::new(ImportMethod::GlanceDirect))
        .expect("import");
    // Done when the image is active and Glance released its import lock,
    // the `os_glance_import_task` property, which it does last.
    let start = Instant::now();
    loop {
        let image = owner.get_image(&id).expect("get");
        let locked = image.property("os_glance_import_task").is_some();
        if image.status == Some(ImageStatus::Active) && !locked {
            break;
        }
        assert!(
            start.elapsed() < SETTLE,
            "the import did not finish: {:?}, import task {:?}",
            image.status,
            image.property("os_glance_import_task")
        );
        sleep(Duration::from_millis(250));
    }
    assert_eq!(owner.download_image(&id).expect("download"), Some(data));

    let tasks = owner.list_image_tasks(&id).expect("image tasks");
    let tasks = tasks.tasks.expect("tasks");
    assert_eq!(tasks.len(), 1, "{tasks:?}");
    let task = &tasks[0];
    assert_eq!(task.r#type.as_ref(), Some(&TaskType::ApiImageImport));
    assert_eq!(task.image_id.as_deref(), Some(id.as_str()));
    let task_id = task.id.clone().expect("task id");
    let fetched = settled(&admin, &task_id);
    assert_eq!(fetched.status, Some(TaskStatus::Success));
    assert_eq!(fetched.image_id.as_deref(), Some(id.as_str()));
    owner.delete_image(&id).expect("delete");
}

/// `wait_for_task` ends a failed task with its message, and
/// `wait_for_image` follows a staged image through its import, in both
/// clients.
#[test]
fn waiting_for_a_failed_task_and_an_import() {
    let Some(session) = Session::start("waiting_for_a_failed_task_and_an_import") else {
        return;
    };
    let admin = session.client(ADMIN);
    let created = admin
        .create_task(&import_task(&session, &unreachable_url(&session)))
        .expect("create task");
    let task_id = created.id.expect("id");
    match admin.client().wait_for_task(&task_id, SETTLE) {
        Err(Error::TaskFailed { id, message }) => {
            assert_eq!(id, task_id);
            assert!(!message.is_empty(), "a failed task says why");
        }
        other => panic!("an import from nowhere: {other:?}"),
    }

    let owner = session.client(OWNER);
    let runtime = tokio::runtime::Runtime::new().expect("tokio");
    let owner_async = session.async_client(OWNER);
    let mut rng = Rng::new(Rng::seed_from_env());
    let mut data = rng.bytes(96 * 1024);
    data[..8].copy_from_slice(b"e2e-raw\0");
    let id = owner
        .create_image(&ImageCreate {
            name: Some(session.unique("staged-waited")),
            disk_format: Some(ImageDiskFormat::Raw),
            container_format: Some(ImageContainerFormat::Bare),
            ..ImageCreate::default()
        })
        .expect("create")
        .id
        .expect("id");
    let staged = runtime
        .block_on(owner_async.stage_image_from(
            &id,
            std::io::Cursor::new(data.clone()),
            Some(data.len() as u64),
            &cloud_images_runtime::TransferOptions::default(),
        ))
        .expect("stage");
    assert_eq!(staged.bytes, data.len() as u64);
    assert!(
        !staged.verification.is_verified(),
        "nothing to compare before the import"
    );
    owner
        .import_image(&id, &ImageImport::new(ImportMethod::GlanceDirect))
        .expect("import");
    let image = owner
        .client()
        .wait_for_image(&id, ImageStatus::Active, SETTLE)
        .expect("the import finishes");
    assert_eq!(image.status, Some(ImageStatus::Active));
    let image = runtime
        .block_on(owner_async.wait_for_image(&id, ImageStatus::Active, SETTLE))
        .expect("active");
    assert_eq!(image.size, Some(Some(data.len() as u64)));
    // Verified once Glance has recorded the digests.
    assert_eq!(
        runtime
            .block_on(owner_async.download_image(&id))
            .expect("download"),
        Some(data)
    );
    // Let the import release its lock before the image goes.
    let start = Instant::now();
    while owner
        .get_image(&id)
        .expect("get")
        .property("os_glance_import_task")
        .is_some()
    {
        assert!(start.elapsed() < SETTLE, "the import lock stays");
        sleep(Duration::from_millis(250));
    }
    owner.delete_image(&id).expect("delete");
    match owner
        .client()
        .wait_for_image(&id, ImageStatus::Active, SETTLE)
    {
        Err(Error::NotFound(_)) => {}
        other => panic!("waiting for a deleted image: {other:?}"),
    }
}
