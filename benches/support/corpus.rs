//! The generated N-page site shared by the benchmarks and `scripts/compare.py`: as a Docusaurus docs folder is
//! often written, one flat folder (its sidebar lists every page), each page about 1,100 words of prose under a
//! heading tree, a table, a link to another page, and three YAML examples (an admitted Pod, a mutated container
//! fragment and a rejected one). Page 7,777 (when there is one) alone has the word "zanzibarite", under its
//! heading "Rare minerals".

use std::path::Path;

const WORDS: &[&str] = &[
    "cluster",
    "namespace",
    "workload",
    "container",
    "policy",
    "admission",
    "webhook",
    "mutation",
    "constraint",
    "template",
    "image",
    "registry",
    "volume",
    "secret",
    "service",
    "ingress",
    "network",
    "label",
    "annotation",
    "replica",
    "deployment",
    "rollout",
    "probe",
    "readiness",
    "liveness",
    "resource",
    "limit",
    "request",
    "quota",
    "node",
    "taint",
    "toleration",
    "affinity",
    "scheduler",
    "controller",
    "operator",
    "audit",
    "violation",
    "the",
    "a",
    "of",
    "to",
    "and",
    "in",
    "is",
    "that",
    "for",
    "it",
    "as",
    "with",
    "on",
    "be",
    "by",
    "this",
    "are",
    "team",
    "platform",
    "developer",
    "review",
    "change",
    "release",
    "version",
    "upgrade",
    "backup",
    "restore",
    "metric",
    "alert",
    "dashboard",
    "log",
    "trace",
    "budget",
    "capacity",
    "storage",
    "class",
    "claim",
    "mount",
    "runtime",
    "kernel",
    "capability",
    "privilege",
    "escalation",
    "root",
    "user",
    "group",
    "filesystem",
    "seccomp",
    "profile",
    "apparmor",
    "selinux",
    "context",
    "port",
    "host",
    "path",
    "socket",
    "endpoint",
    "gateway",
    "route",
    "certificate",
    "rotation",
    "identity",
    "token",
    "account",
    "binding",
    "role",
    "permission",
    "default",
    "example",
    "guide",
    "reference",
    "section",
    "chapter",
    "note",
    "warning",
    "tip",
    "detail",
    "summary",
];

/// About `n` words of deterministic prose, in sentences.
fn prose(seed: &mut u64, n: usize) -> String {
    let mut out = String::new();
    for k in 0..n {
        *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let w = WORDS[(*seed >> 33) as usize % WORDS.len()];
        if k % 12 == 0 {
            let mut c = w.chars();
            out.extend(c.next().map(|f| f.to_ascii_uppercase()));
            out.push_str(c.as_str());
        } else {
            out.push_str(w);
        }
        out.push_str(if k % 12 == 11 { ". " } else { " " });
    }
    out.trim_end().to_string() + ".\n"
}

/// Writes an N-page site into `dir`.
pub(crate) fn generate(dir: &Path, pages: usize, repo: &Path) {
    let _ = std::fs::remove_dir_all(dir);
    let docs = dir.join("content/docs");
    std::fs::create_dir_all(&docs).expect("content dir");
    std::fs::write(
        dir.join("guardrail.toml"),
        format!(
            "title = \"Bench\"\n[paths]\npolicies = \"{}\"\ntheme = \"{}\"\n",
            repo.join("policies").display(),
            repo.join("theme").display()
        ),
    )
    .expect("config");
    for i in 0..pages {
        let mut seed = i as u64 + 1;
        let rare = if i == 7777 {
            "### Rare minerals\n\nOnly this page mentions zanzibarite, a mineral no other page names.\n\n"
        } else {
            ""
        };
        // Links must resolve: point at a page that exists.
        let body = format!(
            "---\ntitle: Page {i}\nsidebar_position: {i}\n---\n\n## Overview of page {i}\n\n{p1}\nSee [the first page](page-0.md#overview-of-page-0).\n\n\
             | field | value |\n|---|---|\n| replicas | {i} |\n| tier | web |\n\n\
             ### An admitted Pod\n\n{p2}\n```yaml title=\"pod-{i}.yaml\"\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web-{i}\nspec:\n  containers:\n  - name: app\n    image: nginx:1.27\n    securityContext:\n      allowPrivilegeEscalation: false\n      capabilities:\n        drop: [ALL]\n      readOnlyRootFilesystem: true\n```\n\n\
             ### What mutation adds\n\n{p3}\n```yaml\nname: worker\nimage: busybox:1.36\n```\n\n\
             ### What the cluster rejects\n\n{p4}\n```yaml expect=deny violates=\"K8sPSPPrivilegedContainer\"\nsecurityContext:\n  privileged: true\n```\n\n\
             {rare}## Operating notes\n\n{p5}",
            p1 = prose(&mut seed, 300),
            p2 = prose(&mut seed, 200),
            p3 = prose(&mut seed, 200),
            p4 = prose(&mut seed, 200),
            p5 = prose(&mut seed, 200),
        );
        std::fs::write(docs.join(format!("page-{i}.md")), body).expect("page");
    }
}
