// Every operation Glance accepts on an image compiles and builds.
use cloud_images::{
    ImageContainerFormat, ImageDiskFormat, ImageLocation, ImagePatch, ImageVisibility,
    ListPosition, PatchMediaType,
};

fn main() {
    let uuid = "e271a900-0064-4475-b550-fc3c44896d1e";
    let location = ImageLocation {
        url: "file:///tmp/x".to_owned(),
        ..ImageLocation::default()
    };
    let patch = ImagePatch::builder()
        .replace_name(Some("n"))
        .replace_name(None)
        .replace_visibility(ImageVisibility::Shared)
        .replace_protected(true)
        .replace_os_hidden(false)
        .replace_owner(Some("tenantA"))
        .replace_container_format(Some(ImageContainerFormat::Bare))
        .replace_disk_format(Some(ImageDiskFormat::Qcow2))
        .replace_disk_format(None)
        .replace_min_ram(512)
        .replace_min_disk(10)
        .replace_tags(["a", "b"])
        .add_kernel_id(Some(uuid))
        .replace_kernel_id(None)
        .remove_kernel_id()
        .add_ramdisk_id(Some(uuid))
        .replace_ramdisk_id(Some(uuid))
        .remove_ramdisk_id()
        .add_instance_uuid(uuid)
        .replace_instance_uuid(uuid)
        .remove_instance_uuid()
        .add_architecture("x86_64")
        .replace_architecture("aarch64")
        .remove_architecture()
        .add_os_distro("ubuntu")
        .replace_os_distro("debian")
        .remove_os_distro()
        .add_os_version("24.04")
        .replace_os_version("22.04")
        .remove_os_version()
        .add_description("d")
        .replace_description("e")
        .remove_description()
        .add_location(ListPosition::End, location.clone())
        .remove_location(0)
        .replace_locations(vec![location])
        .add_property("vendor/arch", "x")
        .replace_property("vendor/arch", "y")
        .remove_property("vendor/arch")
        .build()
        .expect("every value is valid");
    assert_eq!(patch.len(), 39);
    assert_eq!(
        patch.to_body(PatchMediaType::V2_0).as_array().map(Vec::len),
        Some(39)
    );
}
