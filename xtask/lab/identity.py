#!/usr/bin/env python3
"""The lab's identity data and its end-to-end check, for `cargo xtask lab`.

    identity.py bootstrap LAB KEYSTONE_PORT GLANCE_PORT NOVA_PORT POSTGRES_PORT
        Creates, through Keystone's v3 API as admin, the projects, users,
        roles, regions, catalog and application credential the tests use,
        then writes LAB/lab.env and LAB/clouds.yaml (each through a temporary
        file, so that a half-done bootstrap leaves neither behind).
    identity.py check LAB
        Proves that Glance and nova-api check real tokens: alice's token is
        accepted, no token is refused, and a token revoked in Keystone is
        refused at once by both.

Standard library only: it runs with the lab's Python before anything else
would be importable. Every exchange is appended to LAB/logs/identity-http.log.
"""

import json
import os
import sys
import urllib.error
import urllib.request

# The lab's passwords are fixed: the lab listens on loopback only, and tests
# and people read them from lab.env or clouds.yaml. The service users'
# passwords must match [keystone_authtoken] in etc/glance and etc/nova.
ADMIN_PW = "admin-lab-secret"
GLANCE_PW = "glance-lab-secret"
NOVA_PW = "nova-lab-secret"
ALICE_PW = "alice-lab-secret"
BOB_PW = "bob-lab-secret"
BENCH_PW = "bench-lab-secret"
APPCRED_NAME = "alice-alpha-lab"
APPCRED_SECRET = "appcred-lab-secret"

CLOUD_NAMES = (
    "lab-admin",
    "lab-alpha",
    "lab-beta",
    "lab-alpha-regiontwo",
    "lab-alpha-noregion",
    "lab-alpha-unversioned-auth-url",
    "lab-appcred",
    "lab-bench",
)


class Failure(Exception):
    pass


class Http:
    def __init__(self, log_path):
        self.log = open(log_path, "a", encoding="utf-8")

    def call(self, method, url, token=None, body=None, headers=None):
        """(status, headers, parsed JSON or None); never raises on a status."""
        request = urllib.request.Request(url, method=method)
        request.add_header("Accept", "application/json")
        if token:
            request.add_header("X-Auth-Token", token)
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, data, timeout=60) as response:
                status, head, raw = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, head, raw = error.code, error.headers, error.read()
        except OSError as error:
            raise Failure(f"{method} {url}: {error}") from None
        # Passwords and secrets are in request bodies only, which are not logged.
        self.log.write(f"{method} {url} -> {status}\n")
        self.log.flush()
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return status, head, parsed

    def ok(self, method, url, token=None, body=None):
        status, head, parsed = self.call(method, url, token, body)
        if status >= 400:
            raise Failure(f"{method} {url} -> {status}: {parsed}")
        return head, parsed


def password_token(http, keystone, user, password, project):
    """A project-scoped token; user and project in domain Default."""
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {"name": user, "domain": {"name": "Default"}, "password": password}
                },
            },
            "scope": {"project": {"name": project, "domain": {"name": "Default"}}},
        }
    }
    head, _ = http.ok("POST", f"{keystone}/v3/auth/tokens", body=body)
    token = head.get("X-Subject-Token")
    if not token:
        raise Failure(f"Keystone gave {user} no X-Subject-Token")
    return token


def read_env(path):
    values = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, value = line.split("=", 1)
                values[key] = value
    return values


def write_atomically(path, text):
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


def bootstrap(lab, keystone_port, glance_port, nova_port, postgres_port):
    http = Http(os.path.join(lab, "logs", "identity-http.log"))
    ks = f"http://127.0.0.1:{keystone_port}"
    # RegionTwo's endpoints name the same servers by another host name, so
    # that a test can tell which region's endpoint a client picked.
    glance = {"RegionOne": f"http://127.0.0.1:{glance_port}", "RegionTwo": f"http://localhost:{glance_port}"}
    nova = {"RegionOne": f"http://127.0.0.1:{nova_port}/v2.1", "RegionTwo": f"http://localhost:{nova_port}/v2.1"}

    admin = password_token(http, ks, "admin", ADMIN_PW, "admin")

    def create(kind, body):
        _, parsed = http.ok("POST", f"{ks}/v3/{kind}s", admin, {kind: body})
        return parsed[kind]["id"]

    def project(name, description):
        return create("project", {"name": name, "domain_id": "default", "description": description})

    def user(name, password, project_id):
        return create("user", {"name": name, "domain_id": "default", "password": password,
                               "default_project_id": project_id})

    def role_id(name):
        _, parsed = http.ok("GET", f"{ks}/v3/roles?name={name}", admin)
        return parsed["roles"][0]["id"]

    def grant(project_id, user_id, role):
        http.ok("PUT", f"{ks}/v3/projects/{project_id}/users/{user_id}/roles/{role}", admin)

    ids = {}
    _, parsed = http.ok("GET", f"{ks}/v3/projects?name=admin", admin)
    ids["ADMIN_PROJECT_ID"] = parsed["projects"][0]["id"]
    _, parsed = http.ok("GET", f"{ks}/v3/users?name=admin", admin)
    ids["ADMIN_USER_ID"] = parsed["users"][0]["id"]
    ids["SERVICE_PROJECT_ID"] = project("service", "service users")
    ids["ALPHA_PROJECT_ID"] = project("alpha", "lab project alpha")
    ids["BETA_PROJECT_ID"] = project("beta", "lab project beta")
    # The whole-operation bench's images (2,000 to list) stay out of the
    # projects the tests list.
    ids["BENCH_PROJECT_ID"] = project("bench", "images of cargo xtask bench")
    ids["GLANCE_USER_ID"] = user("glance", GLANCE_PW, ids["SERVICE_PROJECT_ID"])
    ids["NOVA_USER_ID"] = user("nova", NOVA_PW, ids["SERVICE_PROJECT_ID"])
    ids["ALICE_USER_ID"] = user("alice", ALICE_PW, ids["ALPHA_PROJECT_ID"])
    ids["BOB_USER_ID"] = user("bob", BOB_PW, ids["BETA_PROJECT_ID"])
    ids["BENCH_USER_ID"] = user("bench", BENCH_PW, ids["BENCH_PROJECT_ID"])
    for name in ("member", "reader", "service", "admin"):
        ids[f"{name.upper()}_ROLE_ID"] = role_id(name)
    # keystonemiddleware's users need "service" (Keystone's validate_token
    # policy, and Glance trusts Nova's service token for it); no admin.
    grant(ids["SERVICE_PROJECT_ID"], ids["GLANCE_USER_ID"], ids["SERVICE_ROLE_ID"])
    grant(ids["SERVICE_PROJECT_ID"], ids["NOVA_USER_ID"], ids["SERVICE_ROLE_ID"])
    for role in (ids["MEMBER_ROLE_ID"], ids["READER_ROLE_ID"]):
        grant(ids["ALPHA_PROJECT_ID"], ids["ALICE_USER_ID"], role)
        grant(ids["BETA_PROJECT_ID"], ids["BOB_USER_ID"], role)
        grant(ids["BENCH_PROJECT_ID"], ids["BENCH_USER_ID"], role)

    http.ok("POST", f"{ks}/v3/regions", admin, {"region": {"id": "RegionTwo", "description": "second lab region"}})
    ids["IMAGE_SERVICE_ID"] = create("service", {"type": "image", "name": "glance",
                                                 "description": "Glance Image Service", "enabled": True})
    ids["COMPUTE_SERVICE_ID"] = create("service", {"type": "compute", "name": "nova",
                                                   "description": "Nova Compute Service", "enabled": True})
    for interface in ("public", "internal", "admin"):
        for region in ("RegionOne", "RegionTwo"):
            for service, urls in (("IMAGE_SERVICE_ID", glance), ("COMPUTE_SERVICE_ID", nova)):
                create("endpoint", {"service_id": ids[service], "interface": interface,
                                    "region_id": region, "url": urls[region]})

    # Alice creates her application credential herself, with a token of alpha.
    alice = password_token(http, ks, "alice", ALICE_PW, "alpha")
    _, parsed = http.ok("POST", f"{ks}/v3/users/{ids['ALICE_USER_ID']}/application_credentials", alice,
                        {"application_credential": {"name": APPCRED_NAME, "secret": APPCRED_SECRET,
                                                    "description": "lab application credential for alice on alpha"}})
    appcred_id = parsed["application_credential"]["id"]

    env = {
        "LAB": lab,
        "KEYSTONE_PORT": keystone_port,
        "GLANCE_PORT": glance_port,
        "NOVA_PORT": nova_port,
        "POSTGRES_PORT": postgres_port,
        "OS_AUTH_URL": f"{ks}/v3",
        "KEYSTONE_URL": ks,
        "GLANCE_URL": glance["RegionOne"],
        "GLANCE_URL_REGIONTWO": glance["RegionTwo"],
        "NOVA_URL": nova["RegionOne"],
        "NOVA_URL_REGIONTWO": nova["RegionTwo"],
        "ADMIN_PW": ADMIN_PW,
        "GLANCE_PW": GLANCE_PW,
        "NOVA_PW": NOVA_PW,
        "ALICE_PW": ALICE_PW,
        "BOB_PW": BOB_PW,
        "BENCH_PW": BENCH_PW,
        "APPCRED_ID": appcred_id,
        "APPCRED_NAME": APPCRED_NAME,
        "APPCRED_SECRET": APPCRED_SECRET,
        **ids,
        **store_keys(lab),
    }
    text = "# written by `cargo xtask lab start`; KEY=VALUE lines, no quoting (bash can source it)\n"
    text += "".join(f"{key}={value}\n" for key, value in env.items())
    write_atomically(os.path.join(lab, "lab.env"), text)
    write_atomically(os.path.join(lab, "clouds.yaml"), clouds_yaml(ks, glance["RegionOne"], nova["RegionOne"], appcred_id))


def store_keys(lab):
    """Where each Glance store keeps its files (see etc/glance/glance-api.conf)."""
    stores = {name: os.path.join(lab, "glance", "stores", name) for name in ("fs", "archive")}
    keys = {
        "GLANCE_STORES": ",".join(stores),
        "GLANCE_DEFAULT_STORE": "fs",
        "GLANCE_STORE_DIRS": ",".join(f"{name}:{path}" for name, path in stores.items()),
    }
    for name, path in stores.items():
        keys[f"GLANCE_STORE_DIR_{name.upper()}"] = path
    keys["GLANCE_STAGING_DIR"] = os.path.join(lab, "glance", "staging")
    keys["GLANCE_CACHE_DIR"] = os.path.join(lab, "glance", "cache")
    return keys


def clouds_yaml(ks, glance, nova, appcred_id):
    def cloud(name, auth_url, user, password, project, region):
        lines = [
            f"  {name}:",
            "    auth:",
            f'      auth_url: "{auth_url}"',
            f"      username: {user}",
            f'      password: "{password}"',
            f"      project_name: {project}",
            "      user_domain_name: Default",
            "      project_domain_name: Default",
        ]
        if region:
            lines.append(f"    region_name: {region}")
        lines += ["    interface: public", "    identity_api_version: 3"]
        return "\n".join(lines) + "\n"

    text = (
        "# written by `cargo xtask lab start`; use it with\n"
        "# OS_CLIENT_CONFIG_FILE=target/lab/clouds.yaml openstack --os-cloud lab-alpha image list\n"
        f"# Keystone {ks}, Glance {glance}, Nova {nova}\n"
        "clouds:\n"
    )
    text += cloud("lab-admin", f"{ks}/v3", "admin", ADMIN_PW, "admin", "RegionOne")
    text += cloud("lab-alpha", f"{ks}/v3", "alice", ALICE_PW, "alpha", "RegionOne")
    text += cloud("lab-beta", f"{ks}/v3", "bob", BOB_PW, "beta", "RegionOne")
    text += cloud("lab-alpha-regiontwo", f"{ks}/v3", "alice", ALICE_PW, "alpha", "RegionTwo")
    text += cloud("lab-alpha-noregion", f"{ks}/v3", "alice", ALICE_PW, "alpha", None)
    text += cloud("lab-alpha-unversioned-auth-url", ks, "alice", ALICE_PW, "alpha", "RegionOne")
    text += cloud("lab-bench", f"{ks}/v3", "bench", BENCH_PW, "bench", "RegionOne")
    text += (
        "  lab-appcred:\n"
        "    auth_type: v3applicationcredential\n"
        "    auth:\n"
        f'      auth_url: "{ks}/v3"\n'
        f'      application_credential_id: "{appcred_id}"\n'
        f'      application_credential_secret: "{APPCRED_SECRET}"\n'
        "    region_name: RegionOne\n"
        "    interface: public\n"
        "    identity_api_version: 3\n"
    )
    return text


def check(lab):
    env = read_env(os.path.join(lab, "lab.env"))
    http = Http(os.path.join(lab, "logs", "identity-http.log"))
    ks, glance, nova = env["KEYSTONE_URL"], env["GLANCE_URL"], env["NOVA_URL"]
    token = password_token(http, ks, "alice", env["ALICE_PW"], "alpha")

    def expect(url, token, wanted, what):
        status, _, body = http.call("GET", url, token)
        if status != wanted:
            raise Failure(f"GET {url} {what} -> {status}, expected {wanted}: {body}")

    expect(f"{glance}/v2/images?limit=1", token, 200, "with alice's token")
    expect(f"{nova}/images?limit=1", token, 200, "with alice's token")
    expect(f"{glance}/v2/images?limit=1", None, 401, "without a token")
    expect(f"{nova}/images?limit=1", None, 401, "without a token")
    # Alice revokes her own token; both services have just accepted it, and
    # with their token caches off they must refuse it at once.
    status, _, body = http.call("DELETE", f"{ks}/v3/auth/tokens", token, headers={"X-Subject-Token": token})
    if status != 204:
        raise Failure(f"revoking alice's token -> {status}: {body}")
    expect(f"{glance}/v2/images?limit=1", token, 401, "with a revoked token")
    expect(f"{nova}/images?limit=1", token, 401, "with a revoked token")


def main(argv):
    try:
        if len(argv) == 7 and argv[1] == "bootstrap":
            bootstrap(os.path.abspath(argv[2]), argv[3], argv[4], argv[5], argv[6])
        elif len(argv) == 3 and argv[1] == "check":
            check(os.path.abspath(argv[2]))
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except Failure as failure:
        print(f"error: {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
