#!/usr/bin/env python3
"""Derives the schema sets of other clouds from the checked-in `schemas/`.

Glance builds the image schema from its base properties, the format lists of
its configuration and the operator's `schema-image.json`, whose properties it
appends with `"is_base": false`. This script replays that for two clouds:

- glance-without-schema-image/: the same Glance without `schema-image.json`;
- rackspace-like/: that Glance with Rackspace-style custom properties and
  format lists of its own.

Files are written as Glance serves them: one line, Python's `json.dumps`
separators, no trailing newline. Run from the workspace root:

    python3 codegen/tests/clouds/derive.py
"""

import json
import os

SCHEMAS = "schemas"
OUT = os.path.join("codegen", "tests", "clouds")

# What `xtask/glance/schema-image.json` adds to the checked-in schemas.
STOCK_CUSTOM = ["kernel_id", "ramdisk_id", "instance_uuid", "architecture",
                "os_distro", "os_version", "description"]

DIGITS = "^[0-9]+$"

# A Rackspace-style `schema-image.json`, in file order.
RACKSPACE_CUSTOM = {
    "vm_mode": {"type": ["null", "string"], "enum": [None, "hvm", "xen"],
                "description": "The virtualization mode the hypervisor boots the image in."},
    "auto_disk_config": {"type": "string", "enum": ["True", "False", "disabled"],
                         "description": "Whether the hypervisor grows the partition and file system to fill the server's disk."},
    "os_type": {"type": "string", "enum": ["linux", "windows"],
                "description": "The operating system family installed on the image."},
    "image_type": {"type": "string", "enum": ["base", "snapshot", "import"],
                   "description": "How the image came to exist."},
    "cache_in_nova": {"type": ["null", "string"], "enum": [None, "True", "False"],
                      "description": "Whether compute hosts keep a cached copy of the image."},
    "hypervisor_version_requires": {"type": "string", "maxLength": 255,
                                    "description": "The XenServer versions the image boots on, such as \">=6.1\"."},
    "flavor_classes": {"type": "string",
                       "description": "Flavor classes the image boots on, comma-separated; \"!\" excludes a class."},
    "com.rackspace__1__build_core": {"type": ["null", "string"],
                                     "description": "\"1\" when the image was built for the Core service level."},
    "com.rackspace__1__build_managed": {"type": ["null", "string"],
                                        "description": "\"1\" when the image was built for the Managed service level."},
    "com.rackspace__1__build_rackconnect": {"type": ["null", "string"],
                                            "description": "\"1\" when the image was built for RackConnect."},
    "com.rackspace__1__options": {"type": "string", "pattern": DIGITS,
                                  "description": "Build options, as a decimal bit mask."},
    "com.rackspace__1__release_build_date": {"type": "string",
                                             "description": "When the release was built."},
    "com.rackspace__1__release_id": {"type": "string", "pattern": DIGITS,
                                     "description": "Identifies every version of one public image."},
    "com.rackspace__1__release_version": {"type": "string",
                                          "description": "The version of the release."},
    "com.rackspace__1__source": {"type": "string", "enum": ["kickstart", "import", "snapshot"],
                                 "description": "How the image was built."},
    "com.rackspace__1__visible_core": {"type": ["null", "string"], "enum": [None, "0", "1"],
                                       "description": "Whether Core accounts see the image."},
    "com.rackspace__1__visible_managed": {"type": "string",
                                          "description": "Whether Managed accounts see the image."},
    "com.rackspace__1__visible_rackconnect": {"type": "string",
                                              "description": "Whether RackConnect accounts see the image."},
    "org.openstack__1__architecture": {"type": "string", "enum": ["x64", "x86", "arm64"],
                                       "description": "The CPU architecture the image runs on."},
    "org.openstack__1__os_distro": {"type": "string", "pattern": "^(com|org)\\.[a-z0-9]+(\\.[a-z0-9]+)*$",
                                    "description": "The distribution, as a reverse domain name such as org.debian."},
    "org.openstack__1__os_version": {"type": "string",
                                     "description": "The distribution's version."},
    "xenapi_use_agent": {"type": "string", "enum": ["True", "False"],
                         "description": "Whether the hypervisor talks to the agent inside the server."},
}

# Format lists a XenServer cloud configures (`disk_formats`, `container_formats`).
RACKSPACE_FORMATS = {
    "disk_format": [None, "vhd", "vhdx", "raw", "qcow2", "vmdk", "iso", "qed"],
    "container_format": [None, "ovf", "bare"],
}


def read(name):
    with open(os.path.join(SCHEMAS, name + ".json")) as f:
        return json.load(f)


def write(folder, name, schema):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name + ".json"), "w") as f:
        f.write(json.dumps(schema))


def without_stock_custom(properties):
    return {k: v for k, v in properties.items() if k not in STOCK_CUSTOM}


def rackspace(properties):
    properties = dict(properties)
    for key, values in RACKSPACE_FORMATS.items():
        properties[key] = dict(properties[key], enum=values)
    for key, value in RACKSPACE_CUSTOM.items():
        properties[key] = dict(value, is_base=False)
    return properties


def derive(folder, change):
    image = read("image")
    image["properties"] = change(without_stock_custom(image["properties"]))
    images = read("images")
    images["properties"]["images"]["items"]["properties"] = image["properties"]
    write(folder, "image", image)
    write(folder, "images", images)
    for name in ["member", "members", "task", "tasks"]:
        write(folder, name, read(name))


derive(os.path.join(OUT, "glance-without-schema-image"), lambda p: p)
derive(os.path.join(OUT, "rackspace-like"), rackspace)
