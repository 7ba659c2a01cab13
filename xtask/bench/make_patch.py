"""Times Python's jsonpatch.make_patch on two image documents.

Run by `cargo xtask bench` inside its venv, as

    python make_patch.py OLD.json NEW.json

It prints the same stable lines as the Rust bench binaries:

    BENCH python.make_patch <median ns per call> <calls per repeat> <repeats>
    NOTE <name> <value>

The documents are decoded once, outside the timing, as python-glanceclient
and openstacksdk hold them before calling make_patch.
"""

import json
import platform
import statistics
import sys
import timeit
from importlib.metadata import version

import jsonpatch

REPEATS = 15


def main() -> int:
    if len(sys.argv) != 3:
        print("usage: make_patch.py OLD.json NEW.json", file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        old = json.load(f)
    with open(sys.argv[2], encoding="utf-8") as f:
        new = json.load(f)

    # Like the Rust side, refuse to time a diff that is wrong.
    patch = jsonpatch.make_patch(old, new)
    if patch.apply(old) != new:
        print("jsonpatch.make_patch does not turn OLD into NEW", file=sys.stderr)
        return 1

    timer = timeit.Timer(lambda: jsonpatch.make_patch(old, new))
    calls, _ = timer.autorange()
    per_call = [t / calls for t in timer.repeat(repeat=REPEATS, number=calls)]
    median_ns = statistics.median(per_call) * 1e9

    print(f"NOTE python.version {platform.python_version()}")
    print(f"NOTE python.jsonpatch {version('jsonpatch')}")
    print(f"NOTE diff.operations.python {len(patch.patch)}")
    print(f"BENCH python.make_patch {median_ns:.1f} {calls} {REPEATS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
