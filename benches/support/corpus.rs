//! The generated N-page site shared by the benchmarks (and by issue 6's side-by-side comparison).

use std::path::Path;

/// Writes an N-page site into `dir`: every page has a heading tree, a table, prose and three examples
/// (an admitted Pod, a mutated container fragment and a rejected one).
pub(crate) fn generate(dir: &Path, pages: usize, repo: &Path) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("content")).expect("content dir");
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
        let section = format!("section-{:02}", i % 20);
        let dir_path = dir.join("content").join(&section);
        std::fs::create_dir_all(&dir_path).expect("section dir");
        // Links must resolve: point at pages that exist.
        let body = format!(
            "---\ntitle: Page {i}\nsidebar_position: {i}\n---\n\n## Overview of page {i}\n\nThis page explains workload {i}. \
             See [the section's first page](page-{first}.md#overview-of-page-{first}).\n\n\
             | field | value |\n|---|---|\n| replicas | {i} |\n| tier | web |\n\n\
             ### An admitted Pod\n\n```yaml title=\"pod-{i}.yaml\"\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web-{i}\nspec:\n  containers:\n  - name: app\n    image: nginx:1.27\n    securityContext:\n      allowPrivilegeEscalation: false\n      capabilities:\n        drop: [ALL]\n      readOnlyRootFilesystem: true\n```\n\n\
             ### What mutation adds\n\n```yaml\nname: worker\nimage: busybox:1.36\n```\n\n\
             ### What the cluster rejects\n\n```yaml expect=deny violates=\"K8sPSPPrivilegedContainer\"\nsecurityContext:\n  privileged: true\n```\n\n\
             Some closing prose for page {i}, long enough to look like documentation rather than a stub.\n",
            first = i % 20,
        );
        std::fs::write(dir_path.join(format!("page-{i}.md")), body).expect("page");
    }
}
