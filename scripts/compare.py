#!/usr/bin/env python3
"""Side-by-side build times, peak memory and output size: guardrail, Zola, Hugo and mdBook on the same
generated Markdown corpus (1,000 pages by default, or 10,000: one flat folder, ~1,100 words and 3 YAML examples a
page). Not part of CI.

    cargo build --release            # guardrail
    apt-get install hugo             # Debian's Hugo
    cargo install mdbook             # mdBook
    # Zola is on neither crates.io nor Debian: build its release from its source (cargo build --release --locked)
    # and put the binary on PATH, or name it with ZOLA=/path/to/zola.
    python3 scripts/compare.py [--pages 1000|10000] [--runs 5] [--cleanup move|delete] [--tools a,b,...]

Zola and Hugo render the pages with a bare template (no sidebar, no search, no highlighting): what they do is the
least a docs build does, so the ratios are against their best case.

Hugo with a sidebar on every page writes every link into every page (its output grows with the square of the
page count: about 6 GB at 10,000 pages), so above 2,000 pages it is left out unless `--tools` names it.

guardrail's corpus comes from the site benchmark's generator (`cargo bench --bench site` writes it); the same
page bodies are then laid out for Hugo (with and without a sidebar template) and for mdBook (whose theme always
has one). guardrail checks every example and renders its sidebar; the others only render.

Every run of every tool starts with an empty output folder and nothing waiting to be written back (`sync`);
neither is timed. `--cleanup` says what happens to the previous run's output: `move` (the default) renames it
into a trash folder that is deleted after the last run; `delete` deletes it right there. The difference matters
on an ext4 file system without a journal (this machine's): for a minute after a file is deleted, ext4 does not
reuse its inode, and every file created meanwhile pays for stepping over it (`recently_deleted` in the kernel),
so with `delete` each tool's build is slowed by how many files the runs before it deleted.
"""
import argparse, os, re, shutil, statistics, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(cmd, cwd=None):
    """Wall time (s) and peak resident memory (KiB, GNU time's %M) of one run."""
    started = time.perf_counter()
    out = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, cwd=cwd, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    took = time.perf_counter() - started
    if out.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{out.stderr}")
    return took, int(out.stderr.strip().splitlines()[-1])


def size_of(folder):
    total = 0
    for dirpath, _, files in os.walk(folder):
        total += sum(os.path.getsize(os.path.join(dirpath, f)) for f in files)
    return total


def median(cmd, runs, cwd=None, before=None):
    times = []
    for _ in range(runs):
        if before:
            before()
        times.append(run(cmd, cwd)[0])
    return statistics.median(times)


def pages(corpus):
    """(section, name, title, weight, body) for every generated page."""
    out = []
    content = os.path.join(corpus, "content")
    for section in sorted(os.listdir(content)):
        for name in sorted(os.listdir(os.path.join(content, section))):
            text = open(os.path.join(content, section, name)).read()
            fm, body = re.match(r"---\n(.*?)\n---\n(.*)", text, re.S).groups()
            title = re.search(r"^title: (.*)$", fm, re.M).group(1)
            weight = re.search(r"^sidebar_position: (.*)$", fm, re.M).group(1)
            # Links between pages: guardrail resolves `page-N.md#anchor`; keep them as relative links.
            out.append((section, name, title, weight, body))
    return out


def hugo_site(dst, items, sidebar):
    shutil.rmtree(dst, ignore_errors=True)
    os.makedirs(os.path.join(dst, "layouts", "_default"))
    with open(os.path.join(dst, "config.toml"), "w") as f:
        f.write('baseURL = "/"\ntitle = "Bench"\ndisableKinds = ["taxonomy", "term", "RSS"]\n')
    nav = '<nav>{{ range .Site.RegularPages }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>\n{{ end }}</nav>' if sidebar else ""
    layout = f'<!doctype html><title>{{{{ .Title }}}}</title>{nav}<main>{{{{ .Content }}}}</main>\n'
    for kind in ["single.html", "list.html"]:
        with open(os.path.join(dst, "layouts", "_default", kind), "w") as f:
            f.write(layout)
    for section, name, title, weight, body in items:
        d = os.path.join(dst, "content", section)
        os.makedirs(d, exist_ok=True)
        body = re.sub(r"\]\((page-\d+)\.md(#[^)]*)?\)", lambda m: f"](../{m.group(1)}/{m.group(2) or ''})", body)
        with open(os.path.join(d, name), "w") as f:
            f.write(f"---\ntitle: \"{title}\"\nweight: {weight}\n---\n{body}")


def zola_site(dst, items):
    shutil.rmtree(dst, ignore_errors=True)
    os.makedirs(os.path.join(dst, "templates"))
    with open(os.path.join(dst, "config.toml"), "w") as f:
        f.write('base_url = "/"\ntitle = "Bench"\ncompile_sass = false\nbuild_search_index = false\n'
                'generate_feeds = false\n')
    page = '<!doctype html><title>{{ page.title }}</title><main>{{ page.content | safe }}</main>\n'
    listing = '<!doctype html><title>{{ section.title }}</title><main>{{ section.content | safe }}</main>\n'
    for name, text in [("page.html", page), ("section.html", listing), ("index.html", listing)]:
        with open(os.path.join(dst, "templates", name), "w") as f:
            f.write(text)
    content = os.path.join(dst, "content")
    os.makedirs(content)
    with open(os.path.join(content, "_index.md"), "w") as f:
        f.write('+++\ntitle = "Bench"\n+++\n')
    for section, name, title, weight, body in items:
        d = os.path.join(content, section)
        if not os.path.exists(d):
            os.makedirs(d)
            with open(os.path.join(d, "_index.md"), "w") as f:
                f.write(f'+++\ntitle = "{section}"\nsort_by = "weight"\n+++\n')
        with open(os.path.join(d, name), "w") as f:
            f.write(f'+++\ntitle = "{title}"\nweight = {weight}\n+++\n{body}')


def mdbook_site(dst, items):
    shutil.rmtree(dst, ignore_errors=True)
    os.makedirs(os.path.join(dst, "src"))
    with open(os.path.join(dst, "book.toml"), "w") as f:
        f.write('[book]\ntitle = "Bench"\n\n[output.html]\n\n[output.html.search]\nenable = false\n')
    summary = ["# Summary\n"]
    current = None
    for section, name, title, weight, body in items:
        if section != current:
            summary.append(f"\n# {section}\n")
            current = section
        d = os.path.join(dst, "src", section)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, name), "w") as f:
            f.write(f"# {title}\n{body}")
        summary.append(f"- [{title}]({section}/{name})")
    with open(os.path.join(dst, "src", "SUMMARY.md"), "w") as f:
        f.write("\n".join(summary) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--cleanup", choices=["move", "delete"], default="move")
    ap.add_argument("--settle", type=float, default=65, help="seconds to wait after setting up (default 65)")
    ap.add_argument("--tools", default="",
                    help="comma-separated: guardrail, zola, hugo-plain, hugo-sidebar, mdbook (default: those installed)")
    args = ap.parse_args()
    corpus = f"/tmp/guardrail-bench-{args.pages}"
    env = dict(os.environ, GUARDRAIL_BENCH_PAGES=str(args.pages), GUARDRAIL_BENCH_RUNS="1")
    subprocess.run(["cargo", "bench", "--bench", "site"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    items = pages(corpus)
    work = f"/tmp/guardrail-compare-{args.pages}"
    zola_site(os.path.join(work, "zola"), items)
    hugo_site(os.path.join(work, "hugo-sidebar"), items, True)
    hugo_site(os.path.join(work, "hugo-plain"), items, False)
    mdbook_site(os.path.join(work, "mdbook"), items)
    guardrail = os.path.join(ROOT, "target", "release", "guardrail")
    mdbook = shutil.which("mdbook") or os.path.expanduser("~/.cargo/bin/mdbook")
    zola = os.environ.get("ZOLA") or shutil.which("zola") or "zola"
    book = os.path.join(work, "mdbook")
    out = os.path.join(work, "guardrail-out")
    G = "guardrail build (checks 3 examples a page, sidebar)"
    # (name, command, cwd, output folder). Every tool writes into an empty output folder; removing the previous
    # one is not timed.
    tools = [
        (G, [guardrail, "build", "--root", corpus, "--out", out], None, out),
        ("zola build (no sidebar)", [zola, "build", "--output-dir", os.path.join(work, "zola", "public"), "--force"],
         os.path.join(work, "zola"), os.path.join(work, "zola", "public")),
        ("hugo (no sidebar)", ["hugo", "--quiet", "-d", os.path.join(work, "hugo-plain", "public")],
         os.path.join(work, "hugo-plain"), os.path.join(work, "hugo-plain", "public")),
        ("hugo (sidebar)", ["hugo", "--quiet", "-d", os.path.join(work, "hugo-sidebar", "public")],
         os.path.join(work, "hugo-sidebar"), os.path.join(work, "hugo-sidebar", "public")),
        ("mdbook build (sidebar)", [mdbook, "build", book], None, os.path.join(book, "book")),
    ]
    keys = ["guardrail", "zola", "hugo-plain", "hugo-sidebar", "mdbook"]
    installed = {"guardrail": True, "zola": os.path.exists(zola) or shutil.which(zola) is not None,
                 "hugo-plain": shutil.which("hugo") is not None, "hugo-sidebar": shutil.which("hugo") is not None,
                 "mdbook": os.path.exists(mdbook)}
    wanted = [t for t in args.tools.split(",") if t] or [
        k for k in keys if installed[k] and (k != "hugo-sidebar" or args.pages <= 2000)]
    tools = [t for k, t in zip(keys, tools) if k in wanted]
    if G not in [t[0] for t in tools]:
        sys.exit("--tools must include guardrail (the ratios are against it)")
    # Round robin: this machine's file system slows down as files are created and deleted, so each tool's runs
    # are spread over the same stretch of time instead of one tool paying for the churn of another.
    # Setting up deleted thousands of files (the corpus, the other tools' sources, the site benchmark's
    # outputs); let them age past ext4's window before anything is timed (see --cleanup above).
    os.sync()
    time.sleep(args.settle)
    times = {name: [] for name, *_ in tools}
    peaks = {name: 0 for name, *_ in tools}
    trash = os.path.join(work, "trash")
    shutil.rmtree(trash, ignore_errors=True)
    os.makedirs(trash)
    for n in range(args.runs):
        for i, (name, cmd, cwd, output) in enumerate(tools):
            if os.path.exists(output):
                if args.cleanup == "move":
                    os.rename(output, os.path.join(trash, f"{n}-{i}"))
                else:
                    shutil.rmtree(output)
            os.sync()
            took, peak = run(cmd, cwd)
            times[name].append(took)
            peaks[name] = max(peaks[name], peak)
    shutil.rmtree(trash, ignore_errors=True)
    sizes = {name: size_of(output) for name, _, _, output in tools}
    results = {name: statistics.median(t) for name, t in times.items()}
    print(f"{args.pages} pages, {3 * args.pages} YAML examples, median of {args.runs} builds, cleanup: {args.cleanup}")
    g = results[G]
    for name, t in results.items():
        spread = f"{min(times[name]):.2f}-{max(times[name]):.2f}"
        print(f"  {name:<52} {t:7.2f} s ({spread})   time guardrail/this = {g / t:.2f}   "
              f"peak {peaks[name] / 1024:.0f} MB, output {sizes[name] / 1e6:.0f} MB "
              f"(guardrail/this = {sizes[G] / max(sizes[name], 1):.2f})")


if __name__ == "__main__":
    main()
