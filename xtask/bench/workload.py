"""One whole-operation workload with python-glanceclient or openstacksdk.

`cargo xtask bench` runs this as a process of its own, beside the Rust
clients (`runtime/examples/bench_workload.rs`,
`xtask/bench/openstack-sdk-workload`) doing the same work, and reads the
process's CPU time and peak memory from the operating system.

    workload.py <glanceclient|openstacksdk> <workload> <cloud> [<argument>]

Both log in as their users do, from the cloud `<cloud>` of the clouds.yaml
that `OS_CLIENT_CONFIG_FILE` names: openstacksdk with `openstack.connect`,
python-glanceclient with the keystoneauth session that openstacksdk's
configuration loader makes (what python-openstackclient hands it).

Workloads: `noop` (import, read the configuration and build the client, no
request), `list <expected count>`, `patch <image id>`, `transfer <file>`.
Prints `OK <what it checked>`; any error exits non-zero.
"""

import os
import sys

PAGE = 200
UPDATES = 200


def transfer_name():
    # A name of its own: openstacksdk refuses to create an image whose name
    # another image in the project already has.
    return "bench-transfer-%d" % os.getpid()


class GlanceClient:
    def __init__(self, cloud):
        import openstack.config
        from glanceclient import Client

        region = openstack.config.get_cloud_region(cloud=cloud)
        # The session logs in on its first request and finds the image
        # endpoint in the catalog.
        self.client = Client("2", session=region.get_session(), region_name=region.region_name)

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
            # `data()` checks the md5 of what it received against the image's.
            return sum(len(chunk) for chunk in self.client.images.data(image["id"]))
        finally:
            self.client.images.delete(image["id"])


class OpenStackSdk:
    def __init__(self, cloud):
        import openstack

        # Logs in on the first request.
        self.conn = openstack.connect(cloud=cloud)

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
        try:
            response = self.conn.image.download_image(image, stream=True)
            return sum(len(chunk) for chunk in response.iter_content(chunk_size=65536))
        finally:
            self.conn.image.delete_image(image)


def main(argv):
    kind, workload, cloud, *rest = argv
    client = {"glanceclient": GlanceClient, "openstacksdk": OpenStackSdk}[kind](cloud)
    if workload == "noop":
        return "configuration read"
    if workload == "list":
        (expected,) = rest
        listed = client.list()
        if listed != int(expected):
            raise SystemExit("listed %d images, expected %s" % (listed, expected))
        return "%d images" % listed
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


def peak_rss_kib():
    # Linux's VmHWM: the most memory this process has held. The bench cannot
    # take it from wait4, whose ru_maxrss starts at the resident size of the
    # process that spawned this one (resource.getrusage has the same floor).
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


if __name__ == "__main__":
    try:
        print("OK " + main(sys.argv[1:]))
        print("PEAK_RSS_KIB %d" % peak_rss_kib())
    except SystemExit as error:
        print(error.code)
        raise
    except Exception as error:
        # The last line is the reason the bench reports.
        print("%s: %s" % (type(error).__name__, str(error).splitlines()[0] if str(error) else ""))
        raise
