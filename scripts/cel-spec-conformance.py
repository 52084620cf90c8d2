#!/usr/bin/env python3
"""guardrail's CEL evaluator against the official conformance data of google/cel-spec (tests/simple/testdata).

    python3 scripts/cel-spec-conformance.py PATH/TO/cel-spec/tests/simple/testdata
    python3 scripts/cel-spec-conformance.py --git-dir PATH/TO/cel-spec.git [--rev HEAD]

Reads the .textproto files (stdlib only: a small text-format reader), keeps the tests this evaluator can run
(an expression, its expected value or error, bindings made of plain values) and counts the others by reason
(protocol buffer messages and enums, a container, check-only tests, unknowns, custom functions). The runnable
ones are written in the format of engine/tests/cel/conformance.txt to target/cel-spec-cases.txt (never into
the repository), then run by the same harness:

    CEL_CASES=target/cel-spec-cases.txt CEL_REPORT=target/cel-spec-report.jsonl \\
        cargo test -p guardrail-engine --test cel_conformance -- --nocapture

which reports without failing (CEL_CASES_STRICT=1 would make it fail). The script then prints passed/runnable,
the skips by reason, the results per file, and the failures grouped by cause with example expressions.

Not part of CI: the cel-spec data is not in the repository. `--no-run` only converts; `--cargo-dir` runs cargo
in another checkout of this repository.
"""
import argparse
import collections
import json
import math
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Skip(Exception):
    """A test this evaluator cannot run, and why."""


# ----------------------------------------------------------------------------------------------------------
# Protocol buffer text format: just what the conformance files use.

WORD = re.compile(r"[A-Za-z0-9_.+\-/]+")


def unescape(body):
    """A text-format string's body (between its quotes) as bytes."""
    out = bytearray()
    i = 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out += c.encode("utf-8")
            i += 1
            continue
        i += 1
        e = body[i]
        simple = {"n": 10, "t": 9, "r": 13, "a": 7, "b": 8, "f": 12, "v": 11, "\\": 92, "'": 39, '"': 34, "?": 63}
        if e in simple:
            out.append(simple[e])
            i += 1
        elif e in "01234567":
            j = i
            while j < len(body) and j < i + 3 and body[j] in "01234567":
                j += 1
            out.append(int(body[i:j], 8) & 0xFF)
            i = j
        elif e in "xX":
            j = i + 1
            while j < len(body) and j < i + 3 and body[j] in "0123456789abcdefABCDEF":
                j += 1
            out.append(int(body[i + 1 : j], 16))
            i = j
        elif e in "uU":
            n = 4 if e == "u" else 8
            code = int(body[i + 1 : i + 1 + n], 16)
            out += chr(code).encode("utf-8", "surrogatepass")
            i += 1 + n
        else:
            raise ValueError(f"unknown escape \\{e}")
    return bytes(out)


def tokenize(text):
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c == "#":
            while i < n and text[i] != "\n":
                i += 1
        elif c in "{}<>[]:,;":
            yield ("p", c)
            i += 1
        elif c in "\"'":
            j = i + 1
            while text[j] != c:
                j += 2 if text[j] == "\\" else 1
            yield ("s", unescape(text[i + 1 : j]))
            i = j + 1
        else:
            m = WORD.match(text, i)
            if not m:
                raise ValueError(f"unexpected {text[i:i + 20]!r}")
            yield ("w", m.group())
            i = m.end()


class Tokens:
    def __init__(self, text):
        self.toks = list(tokenize(text))
        self.i = 0

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else None

    def next(self):
        t = self.peek()
        self.i += 1
        return t


def parse_value(ts):
    t = ts.peek()
    if t in (("p", "{"), ("p", "<")):
        ts.next()
        return parse_message(ts, "}" if t[1] == "{" else ">")
    t = ts.next()
    if t[0] == "s":
        data = t[1]
        while ts.peek() and ts.peek()[0] == "s":  # adjacent strings concatenate
            data += ts.next()[1]
        return ("s", data)
    return t


def parse_message(ts, end=None):
    """A message: a list of (field name, value); a value is a message (list) or a token ('s', bytes)/('w', text)."""
    fields = []
    while True:
        t = ts.next()
        if t is None or t == ("p", end):
            return fields
        if t == ("p", "["):
            parts = []
            while ts.peek() != ("p", "]"):
                parts.append(ts.next()[1])
            ts.next()
            name = "[" + "".join(parts) + "]"
        else:
            name = t[1]
        if ts.peek() == ("p", ":"):
            ts.next()
            if ts.peek() == ("p", "["):
                ts.next()
                while ts.peek() != ("p", "]"):
                    fields.append((name, parse_value(ts)))
                    if ts.peek() == ("p", ","):
                        ts.next()
                ts.next()
            else:
                fields.append((name, parse_value(ts)))
        else:
            fields.append((name, parse_value(ts)))
        if ts.peek() in (("p", ","), ("p", ";")):
            ts.next()


def get(msg, name, default=None):
    for k, v in msg:
        if k == name:
            return v
    return default


def get_all(msg, name):
    return [v for k, v in msg if k == name]


def text(v):
    return v[1].decode("utf-8") if v[0] == "s" else v[1]


# ----------------------------------------------------------------------------------------------------------
# cel.expr.Value → a CEL expression of the same value.


def cel_string(s):
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif o < 0x20 or o == 0x7F:
            out.append(f"\\x{o:02x}")
        elif 0xD800 <= o <= 0xDFFF:
            raise Skip("a string with a surrogate code point")
        elif o > 0x7E and not ch.isprintable():
            out.append(f"\\u{o:04x}" if o <= 0xFFFF else f"\\U{o:08x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def cel_bytes(b):
    out = ['b"']
    for c in b:
        if 0x20 <= c <= 0x7E and c not in (0x22, 0x5C):
            out.append(chr(c))
        else:
            out.append(f"\\x{c:02x}")
    out.append('"')
    return "".join(out)


def cel_double(word):
    d = float(word)
    if math.isnan(d):
        return "double('NaN')"
    if math.isinf(d):
        return "double('Infinity')" if d > 0 else "double('-Infinity')"
    return repr(d)


PLAIN_TYPES = {"int", "uint", "double", "bool", "string", "bytes", "list", "map", "null_type", "type"}
WRAPPERS = {
    "google.protobuf.Int32Value": "int",
    "google.protobuf.Int64Value": "int",
    "google.protobuf.UInt32Value": "uint",
    "google.protobuf.UInt64Value": "uint",
    "google.protobuf.FloatValue": "double",
    "google.protobuf.DoubleValue": "double",
    "google.protobuf.BoolValue": "bool",
    "google.protobuf.StringValue": "string",
    "google.protobuf.BytesValue": "bytes",
}


def object_to_cel(obj):
    """An Any of a well-known type; other messages are skipped."""
    if len(obj) != 1 or not obj[0][0].startswith("["):
        raise Skip("a protocol buffer message value")
    url, body = obj[0]
    type_name = url.strip("[]").split("/")[-1]
    if type_name == "google.protobuf.Duration":
        nanos = int(text(get(body, "seconds", ("w", "0")))) * 10**9 + int(text(get(body, "nanos", ("w", "0"))))
        return f"duration('{nanos}ns')"
    if type_name == "google.protobuf.Timestamp":
        seconds = int(text(get(body, "seconds", ("w", "0"))))
        nanos = int(text(get(body, "nanos", ("w", "0"))))
        return f"timestamp({seconds})" + (f" + duration('{nanos}ns')" if nanos else "")
    if type_name in WRAPPERS:
        kind = WRAPPERS[type_name]
        v = get(body, "value")
        if kind in ("int", "uint"):
            n = text(v) if v else "0"
            return n + ("u" if kind == "uint" else "")
        if kind == "double":
            return cel_double(text(v) if v else "0")
        if kind == "bool":
            return text(v) if v else "false"
        if kind == "string":
            return cel_string(v[1].decode("utf-8") if v else "")
        return cel_bytes(v[1] if v else b"")
    raise Skip("a protocol buffer message value")


def value_to_cel(v):
    (kind, x), = v if len(v) == 1 else [(None, None)]
    if kind is None:
        raise Skip("an empty or ambiguous expected value")
    if kind == "null_value":
        return "null"
    if kind == "bool_value":
        return text(x)
    if kind == "int64_value":
        return text(x)
    if kind == "uint64_value":
        return text(x) + "u"
    if kind == "double_value":
        return cel_double(text(x))
    if kind == "string_value":
        try:
            return cel_string(x[1].decode("utf-8"))
        except UnicodeDecodeError:
            raise Skip("a string value that is not UTF-8")
    if kind == "bytes_value":
        return cel_bytes(x[1])
    if kind == "list_value":
        return "[" + ", ".join(value_to_cel(e) for e in get_all(x, "values")) + "]"
    if kind == "map_value":
        entries = [f"{value_to_cel(get(e, 'key'))}: {value_to_cel(get(e, 'value'))}" for e in get_all(x, "entries")]
        return "{" + ", ".join(entries) + "}"
    if kind == "type_value":
        name = text(x)
        if name in PLAIN_TYPES:
            return name
        if name == "google.protobuf.Duration":
            return "type(duration('0s'))"
        if name == "google.protobuf.Timestamp":
            return "type(timestamp(0))"
        raise Skip("a protocol buffer type value")
    if kind == "enum_value":
        raise Skip("a protocol buffer enum value")
    if kind == "object_value":
        return object_to_cel(x)
    raise Skip(f"a value of kind {kind}")


# ----------------------------------------------------------------------------------------------------------
# A test → a line of the harness's format.

PROTO_NAMES = re.compile(
    r"TestAllTypes|NestedTestAllTypes|NestedMessage|NestedEnum|GlobalEnum|cel\.expr\.conformance|"
    r"google\.protobuf\.(?!Duration\b|Timestamp\b)|proto\.(getExt|hasExt)"
)


def convert_test(test):
    """(expression line, None) or raises Skip."""
    expr = text(get(test, "expr", ("s", b"")))
    if text(get(test, "check_only", ("w", "false"))) == "true":
        raise Skip("check only (type checking)")
    if get(test, "container") is not None and text(get(test, "container")):
        raise Skip("a container (protocol buffer package)")
    if PROTO_NAMES.search(expr):
        raise Skip("protocol buffer messages or enums in the expression")
    for env in get_all(test, "type_env"):
        if get(env, "function") is not None:
            raise Skip("custom function declarations")
    if get(test, "unknown") is not None or get(test, "any_unknowns") is not None:
        raise Skip("unknowns")
    if "\r" in expr or any(line.endswith("\\") for line in expr.split("\n")):
        raise Skip("not representable in the case format")
    first = expr.strip().split("\n")[0].strip()
    if not first or first.startswith(("#", "//")):
        raise Skip("not representable in the case format")

    lets = []
    for b in get_all(test, "bindings"):
        name = text(get(b, "key"))
        ev = get(b, "value")
        if get(ev, "value") is None:
            raise Skip("an error or unknown bound to a variable")
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise Skip("a qualified variable name")
        try:
            lets.append(f"let {name} := {value_to_cel(get(ev, 'value'))}; ")
        except Skip as s:
            raise Skip(f"binding: {s}")

    if get(test, "eval_error") is not None or get(test, "any_eval_errors") is not None:
        expect = "!!>"
    elif get(test, "value") is not None:
        expect = "==> " + value_to_cel(get(test, "value"))
    elif get(test, "typed_result") is not None:
        result = get(get(test, "typed_result"), "result")
        if result is None:
            raise Skip("a typed result without a value")
        expect = "==> " + value_to_cel(result)
    else:
        expect = "==> true"  # simple.proto: no result matcher means `true`
    body = expr.strip().replace("\n", "\\\n")
    return "".join(lets) + body + " " + expect


def read_sources(args):
    """(file name, text) of every .textproto file."""
    if args.git_dir:
        listing = subprocess.run(
            ["git", "--git-dir", args.git_dir, "ls-tree", "--name-only", f"{args.rev}:tests/simple/testdata"],
            check=True, capture_output=True, text=True,
        ).stdout.split()
        for name in sorted(listing):
            if name.endswith(".textproto"):
                blob = subprocess.run(
                    ["git", "--git-dir", args.git_dir, "show", f"{args.rev}:tests/simple/testdata/{name}"],
                    check=True, capture_output=True,
                ).stdout
                yield name, blob.decode("utf-8")
    else:
        for name in sorted(os.listdir(args.testdata)):
            if name.endswith(".textproto"):
                with open(os.path.join(args.testdata, name), encoding="utf-8") as f:
                    yield name, f.read()


def convert(args):
    """Writes the cases file; returns (runnable count, skips by reason, runnable per file)."""
    lines = [
        "// Converted from google/cel-spec tests/simple/testdata by scripts/cel-spec-conformance.py.",
        "// Generated: not part of the repository.",
    ]
    skips = collections.Counter()
    skip_examples = {}
    per_file = collections.Counter()
    runnable = 0
    for name, src in read_sources(args):
        stem = name[: -len(".textproto")]
        top = parse_message(Tokens(src))
        for section in get_all(top, "section"):
            sname = text(get(section, "name", ("s", b"?")))
            lines.append(f"# {stem}/{sname}")
            for test in get_all(section, "test"):
                tname = text(get(test, "name", ("s", b"?")))
                try:
                    line = convert_test(test)
                except Skip as s:
                    reason = str(s)
                    skips[reason] += 1
                    skip_examples.setdefault(reason, f"{stem}/{sname}/{tname}")
                    continue
                lines.append(f"// {tname}")
                lines.append(line)
                runnable += 1
                per_file[stem] += 1
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return runnable, skips, skip_examples, per_file


# ----------------------------------------------------------------------------------------------------------
# Failures, grouped.


def normalize(message):
    m = re.sub(r"'[^']*'", "'…'", message)
    m = re.sub(r"\b\d+(\.\d+)?\b", "N", m)
    return m[:90]


# Causes recognised by name (checked first): (label, pattern on the expression, pattern on what was got).
KNOWN_CAUSES = [
    ("cel.block / cel.index / cel.iterVar (the block extension, not in Kubernetes)", r"cel\.(block|index|iterVar)", ""),
    ("math bit operations (math extension version 1, not in Kubernetes)", r"math\.bit", ""),
    ("string.format: Kubernetes' formatter (strings v2, en_US) differs from cel-spec's newer one", r"\.format\(", ""),
    ("named time zones (guardrail knows UTC and fixed offsets only)", "", r"unknown time zone"),
    ("backquoted field names (a.`b-c`)", r"\.`", ""),
    ("reserved words as field or method names (a.if, a.as())", "", r"reserved identifier"),
    ("optional chaining: a plain select, index or has() on an optional", "", r"optional_type"),
    ("type names as values (google.protobuf.Duration, net.IP)", r"google\.protobuf\.|net\.(IP|CIDR)\b", ""),
    ("IPv4-mapped IPv6 addresses (refused by the Kubernetes library, accepted by cel-go's)", "", r"IPv4-mapped"),
    ("int compared with double near 2^63 (cel-spec compares as doubles)", r"922337203685477580[78]", ""),
]


def category(rec):
    got = rec["got"] or ""
    for label, expr_pattern, got_pattern in KNOWN_CAUSES:
        if (not expr_pattern or re.search(expr_pattern, rec["expr"])) and (not got_pattern or re.search(got_pattern, got)):
            return label
    if got.startswith("panic:"):
        return "panic"
    if got.startswith("the expected side"):
        return "the expected value does not evaluate here: " + normalize(got.split(": ", 1)[-1])
    if got.startswith("parse error:"):
        message = re.sub(r"^parse error: \d+:\d+: ", "", got)
        message = re.sub(r"reserved identifier: \w+", "reserved identifier", message)
        return "does not parse here: " + normalize(message)
    if got.startswith("parsed;"):
        return "parses here, should not"
    if got.endswith("(no error)"):
        return "no error where one is expected"
    if re.search(r"undeclared reference to '([^']+)'", got):
        return "unknown function or name (not implemented, or no overload for these arguments)"
    if got.startswith("error:"):
        return "an error where a value is expected: " + normalize(got[len("error: ") :])
    if "; expected a " in got:
        return "right value, wrong type: " + re.sub(r".*\((a .*)\)$", r"\1", got)
    return "wrong value"


def report(args, runnable, skips, skip_examples, per_file):
    with open(args.report, encoding="utf-8") as f:
        records = [json.loads(l) for l in f if l.strip()]
    failed = [r for r in records if not r["passed"]]
    passed = len(records) - len(failed)
    print()
    print(f"cel-spec conformance: {passed} passed of {len(records)} runnable ({100 * passed / max(1, len(records)):.1f}%)")
    print(f"skipped: {sum(skips.values())}")
    for reason, n in skips.most_common():
        print(f"  {n:5}  {reason}  (e.g. {skip_examples[reason]})")
    print("per file (passed/runnable):")
    by_file = collections.defaultdict(lambda: [0, 0])
    for r in records:
        stem = r["section"].split("/")[0]
        by_file[stem][1] += 1
        by_file[stem][0] += r["passed"]
    for stem in sorted(by_file):
        p, n = by_file[stem]
        print(f"  {stem:<24} {p:>4}/{n:<4}")
    groups = collections.defaultdict(list)
    for r in failed:
        groups[category(r)].append(r)
    print(f"failures by cause ({len(failed)}):")
    for cause, recs in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        print(f"  {len(recs):5}  {cause}")
        names = collections.Counter(
            m.group(1) for r in recs for m in [re.search(r"undeclared reference to '([^']+)'", r["got"] or "")] if m
        )
        if names:
            print("           " + ", ".join(f"{n} {c}" for n, c in names.most_common()))
        for r in recs[: args.examples]:
            expr = r["expr"].replace("\n", " ")
            if len(expr) > 100:
                expr = expr[:97] + "..."
            print(f"           {r['section']}: {expr}")
            print(f"             expected {r['expected'][:100]}; got {(r['got'] or '')[:100]}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("testdata", nargs="?", help="a cel-spec checkout's tests/simple/testdata")
    ap.add_argument("--git-dir", help="a cel-spec git directory (bare is fine), read with git show")
    ap.add_argument("--rev", default="HEAD", help="the revision to read with --git-dir (HEAD)")
    ap.add_argument("--out", default=os.path.join(ROOT, "target", "cel-spec-cases.txt"))
    ap.add_argument("--report", default=os.path.join(ROOT, "target", "cel-spec-report.jsonl"))
    ap.add_argument("--cargo-dir", default=ROOT, help="where to run cargo (this repository)")
    ap.add_argument("--no-run", action="store_true", help="only convert")
    ap.add_argument("--examples", type=int, default=3, help="example expressions per failure cause")
    args = ap.parse_args()
    if bool(args.testdata) == bool(args.git_dir):
        ap.error("give either the testdata folder or --git-dir")

    runnable, skips, skip_examples, per_file = convert(args)
    print(f"{runnable} runnable tests written to {args.out}; {sum(skips.values())} skipped")
    if args.no_run:
        for reason, n in skips.most_common():
            print(f"  {n:5}  {reason}")
        return
    env = dict(os.environ, CEL_CASES=os.path.abspath(args.out), CEL_REPORT=os.path.abspath(args.report))
    env.pop("CEL_CASES_STRICT", None)
    if os.path.exists(args.report):
        os.remove(args.report)
    run = subprocess.run(
        ["cargo", "test", "-p", "guardrail-engine", "--test", "cel_conformance", "--", "--nocapture", "cel_conformance"],
        cwd=args.cargo_dir, env=env, capture_output=True, text=True,
    )
    if run.returncode != 0 or not os.path.exists(args.report):
        sys.stderr.write(run.stdout[-4000:] + run.stderr[-4000:])
        sys.exit(f"the harness failed (exit {run.returncode})")
    report(args, runnable, skips, skip_examples, per_file)


if __name__ == "__main__":
    main()
