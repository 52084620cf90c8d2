//! Builds the playground's WebAssembly so that every site build can ship it: `cargo build` of the
//! `guardrail-playground` crate for wasm32-unknown-unknown (its own target folder, so it never waits on this
//! build's lock), then wasm-bindgen's JS glue made in-process with `wasm-bindgen-cli-support` (the version the
//! crate pins). No wasm-pack, no download of binaries, nothing prebuilt in the repository.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

const TARGET: &str = "wasm32-unknown-unknown";

fn main() {
    // This crate lives in `site/` of the workspace; the playground and the engine are its siblings.
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let root = manifest.parent().map_or_else(|| manifest.clone(), Path::to_path_buf);
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    for watched in
        ["engine/src", "engine/Cargo.toml", "playground/src", "playground/Cargo.toml", "Cargo.toml", "Cargo.lock"]
    {
        println!("cargo:rerun-if-changed={}", root.join(watched).display());
    }
    if let Err(e) = build(&root, &out) {
        eprintln!("error: the playground's WebAssembly could not be built: {e}");
        std::process::exit(1);
    }
}

fn build(root: &Path, out: &Path) -> Result<(), String> {
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    ensure_target(&rustc)?;
    let target_dir = env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"));
    let target_dir = if target_dir.is_absolute() { target_dir } else { root.join(target_dir) }.join("playground");
    let mut cmd = Command::new(&cargo);
    cmd.args(["build", "--package", "guardrail-playground", "--target", TARGET, "--profile", "wasm"])
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target_dir);
    // This build's own settings must not leak into the wasm one (clippy's wrapper, coverage or sanitizer flags).
    for var in
        ["RUSTC_WRAPPER", "RUSTC_WORKSPACE_WRAPPER", "RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS", "CARGO_BUILD_TARGET"]
    {
        cmd.env_remove(var);
    }
    let status = cmd.status().map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!("`cargo build -p guardrail-playground --target {TARGET}` failed ({status})"));
    }
    let wasm = target_dir.join(TARGET).join("wasm").join("guardrail_playground.wasm");
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&wasm)
        .web(true)
        .map_err(|e| e.to_string())?
        .typescript(false)
        .generate(out)
        .map_err(|e| format!("wasm-bindgen on {}: {e}", wasm.display()))?;
    Ok(())
}

/// Adds the wasm32 target with rustup when the toolchain lacks it, so that a fresh machine needs no set-up step.
fn ensure_target(rustc: &std::ffi::OsStr) -> Result<(), String> {
    let sysroot =
        Command::new(rustc).args(["--print", "sysroot"]).output().map_err(|e| format!("cannot run rustc: {e}"))?;
    let sysroot = PathBuf::from(String::from_utf8_lossy(&sysroot.stdout).trim());
    if sysroot.join("lib/rustlib").join(TARGET).is_dir() {
        return Ok(());
    }
    println!("cargo:warning=installing the {TARGET} target with rustup (the playground is WebAssembly)");
    let status = Command::new("rustup")
        .args(["target", "add", TARGET])
        .status()
        .map_err(|e| format!("the {TARGET} target is missing and rustup cannot be run ({e}); install the target"))?;
    if status.success() { Ok(()) } else { Err(format!("`rustup target add {TARGET}` failed ({status})")) }
}
