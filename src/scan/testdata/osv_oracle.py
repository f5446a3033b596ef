#!/usr/bin/env python3
"""An independent OSV evaluator, the oracle of mamori's vendored-copies test.

Reads OSV records (all.zip files or single JSON files) and, for each query
(ecosystem, package name, version), prints the records that affect that
version, with the fix that closes the affecting span. It follows the OSV
schema's evaluation rules (https://ossf.github.io/osv-schema/#evaluation):
explicit `versions`, or an ECOSYSTEM/SEMVER range whose sorted events open a
span containing the version; withdrawn records are skipped. Versions compare
with Python's `packaging` for PyPI and with SemVer 2.0 precedence for Go
(without the `v` / `go` prefixes) and npm. It shares no code with mamori.

stdin:  {"feeds": [PATH, ...], "queries": [{"ecosystem", "name", "version"}, ...]}
stdout: [[{"id", "aliases", "fixed"}...] per query]
"""
import functools
import json
import re
import sys
import zipfile

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")


def semver_key(v):
    m = SEMVER.match(v)
    if not m:
        raise ValueError(f"not semver: {v}")
    major, minor, patch, pre = m.groups()
    # A release sorts after every pre-release of it.
    if pre is None:
        pre_key = (1,)
    else:
        parts = []
        for p in pre.split("."):
            parts.append((0, int(p), "") if p.isdigit() else (1, 0, p))
        pre_key = (0, tuple(parts))
    return (int(major), int(minor), int(patch), pre_key)


def norm(ecosystem, v):
    if ecosystem == "Go":
        if v.startswith("go"):
            v = v[2:]
        return v[1:] if v.startswith("v") else v
    return v


def compare(ecosystem, a, b):
    if ecosystem == "PyPI":
        x, y = Version(a), Version(b)
    else:
        x, y = semver_key(norm(ecosystem, a)), semver_key(norm(ecosystem, b))
    return (x > y) - (x < y)


def same_name(ecosystem, a, b):
    if ecosystem == "PyPI":
        return canonicalize_name(a) == canonicalize_name(b)
    return a == b


def span(ecosystem, version, events):
    """The fix closing the span holding `version`, '' when none, None when not affected."""
    evs = []
    for e in events:
        for kind in ("introduced", "fixed", "last_affected", "limit"):
            if kind in e:
                evs.append((kind, e[kind]))
    order = {"introduced": 0, "fixed": 1, "last_affected": 2, "limit": 3}

    def cmp(x, y):
        zx = x[0] == "introduced" and x[1] == "0"
        zy = y[0] == "introduced" and y[1] == "0"
        if zx or zy:
            return 0 if zx and zy else (-1 if zx else 1)
        return compare(ecosystem, x[1], y[1]) or order[x[0]] - order[y[0]]

    evs.sort(key=functools.cmp_to_key(cmp))
    limits = [at for kind, at in evs if kind == "limit"]
    if limits and not any(at == "*" or compare(ecosystem, version, at) < 0 for at in limits):
        return None
    affected = False
    closing = None
    for kind, at in evs:
        if kind == "introduced":
            if at == "0" or compare(ecosystem, version, at) >= 0:
                affected, closing = True, None
        elif kind == "fixed":
            if compare(ecosystem, version, at) >= 0:
                affected = False
            elif affected and closing is None:
                closing = ("fixed", at)
        elif kind == "last_affected":
            if compare(ecosystem, version, at) > 0:
                affected = False
            elif affected and closing is None:
                closing = ("last_affected", at)
    if not affected:
        return None
    return closing[1] if closing and closing[0] == "fixed" else ""


def records(paths):
    for path in paths:
        if path.endswith(".zip"):
            with zipfile.ZipFile(path) as z:
                for n in z.namelist():
                    if n.endswith(".json"):
                        yield json.loads(z.read(n))
        else:
            with open(path) as f:
                yield json.load(f)


def main():
    req = json.load(sys.stdin)
    queries = req["queries"]
    out = [[] for _ in queries]
    for rec in records(req["feeds"]):
        if rec.get("withdrawn"):
            continue
        for i, q in enumerate(queries):
            best = None
            for aff in rec.get("affected", []):
                pkg = aff.get("package", {})
                if pkg.get("ecosystem") != q["ecosystem"] or not same_name(q["ecosystem"], pkg.get("name", ""), q["name"]):
                    continue
                for r in aff.get("ranges", []):
                    if r.get("type") in ("ECOSYSTEM", "SEMVER"):
                        try:
                            s = span(q["ecosystem"], q["version"], r.get("events", []))
                        except (ValueError, InvalidVersion):
                            s = None  # a version outside the ecosystem's scheme, e.g. Go's "(devel)"
                        if s is not None and best is None:
                            best = s
                if best is None and q["version"] in aff.get("versions", []):
                    best = ""
            if best is not None:
                out[i].append({"id": rec["id"], "aliases": rec.get("aliases", []), "fixed": best})
    json.dump(out, sys.stdout)


main()
