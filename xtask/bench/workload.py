"""One whole-operation workload with python-glanceclient or openstacksdk.

`cargo xtask bench` runs this as a process of its own, beside the Rust
client (`runtime/examples/bench_workload.rs`) doing the same work, and reads
the process's CPU time and peak memory from the operating system.

    workload.py <glanceclient|openstacksdk> <workload> <url> <project> [<argument>]

Workloads: `noop` (import and build the client), `list`, `patch <image id>`,
`transfer <file>`. Prints `OK <what it checked>`; any error exits non-zero.
"""

import os
import sys

PAGE = 200
UPDATES = 200


def identity(project):
    # The header-identity Glance trusts these in place of a token.
    return {
        "X-Identity-Status": "Confirmed",
        "X-Project-Id": project,
        "X-User-Id": "user-" + project,
        "X-Roles": "member,reader",
    }


def transfer_name():
    # A name of its own: openstacksdk refuses to create an image whose name
    # another image in the project already has.
    return "bench-transfer-%d" % os.getpid()


class GlanceClient:
    def __init__(self, url, project):
        from glanceclient import Client

        self.client = Client("2", endpoint=url)
        # Not `identity_headers=`: glanceclient %-encodes header values, which
        # turns the roles `member,reader` into `member%2Creader`. Headers of
        # the underlying requests session go out as they are.
        self.client.http_client.session.headers.update(identity(project))

    def list(self):
        return sum(1 for _ in self.client.images.list(page_size=PAGE))

    def patch(self, image_id, value):
        # Fetches the image, then sends a patch computed with jsonpatch.
        image = self.client.images.update(image_id, bench_a=value, bench_b=value, bench_c=value)
        return image["bench_c"]

    def transfer(self, path, length):
        image = self.client.images.create(name=transfer_name(), disk_format="raw", container_format="bare")
        try:
            with open(path, "rb") as data:
                self.client.images.upload(image["id"], data, image_size=length)
            return sum(len(chunk) for chunk in self.client.images.data(image["id"]))
        finally:
            self.client.images.delete(image["id"])


class OpenStackSdk:
    def __init__(self, url, project):
        from keystoneauth1 import noauth, session
        from openstack import connection

        auth = noauth.NoAuth(endpoint=url)
        sess = session.Session(auth=auth, additional_headers=identity(project))
        self.conn = connection.Connection(session=sess, image_endpoint_override=url)

    def list(self):
        return sum(1 for _ in self.conn.image.images(limit=PAGE))

    def patch(self, image_id, value):
        image = self.conn.image.update_image(image_id, bench_a=value, bench_b=value, bench_c=value)
        return image.properties.get("bench_c", getattr(image, "bench_c", None))

    def transfer(self, path, length):
        image = self.conn.image.create_image(
            name=transfer_name(),
            filename=path,
            disk_format="raw",
            container_format="bare",
            validate_checksum=False,
        )
        response = self.conn.image.download_image(image, stream=True)
        received = sum(len(chunk) for chunk in response.iter_content(chunk_size=65536))
        self.conn.image.delete_image(image)
        return received


def main(argv):
    kind, workload, url, project, *rest = argv
    client = {"glanceclient": GlanceClient, "openstacksdk": OpenStackSdk}[kind](url, project)
    if workload == "noop":
        return "client built"
    if workload == "list":
        return "%d images" % client.list()
    if workload == "patch":
        (image_id,) = rest
        for round in range(UPDATES):
            value = "value-%d" % round
            if client.patch(image_id, value) != value:
                raise SystemExit("update %d was not applied" % round)
        return "%d updates" % UPDATES
    if workload == "transfer":
        (path,) = rest
        length = os.path.getsize(path)
        received = client.transfer(path, length)
        if received != length:
            raise SystemExit("downloaded %d bytes of %d" % (received, length))
        return "%d bytes up and down" % length
    raise SystemExit("unknown workload " + workload)


if __name__ == "__main__":
    try:
        print("OK " + main(sys.argv[1:]))
    except Exception as error:
        # The last line is the reason the bench reports.
        print("%s: %s" % (type(error).__name__, str(error).splitlines()[0] if str(error) else ""))
        raise
