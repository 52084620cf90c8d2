//! guardrail-site: the docs-site generator. It reads a site's folders (`guardrail.toml`, content, theme, static
//! files, policies), checks every YAML example of the Markdown through the engine, renders the pages with the
//! theme, generates the policy reference, ships the playground, and writes the site atomically.
//!
//! What it may not do: print to a terminal or read the command line. Every problem is a value ([`Failure`],
//! [`Diagnostic`], [`PolicyError`]) that the caller renders; the `guardrail` binary owns the terminal, exit
//! codes and the preview server. Admission itself is the engine's (`guardrail-engine`, no I/O); this crate does
//! the file system around it.
//!
//! The public API is small: [`build`] and [`write`] for a one-off build, [`Session`] for a build that is rebuilt
//! on changes, [`policies`] for reading a policies folder, [`walk`] for walking a folder tree, and the
//! configuration and diagnostics types those use.

mod assets;
pub mod config;
mod content;
pub mod diagnostics;
pub mod examples;
mod highlight;
pub mod html;
mod markdown;
mod output;
mod page;
mod par;
mod playground;
pub mod playground_link;
pub mod policies;
mod reference;
mod session;
mod theme;
pub mod walk;
mod yaml_highlight;

pub use config::Config;
pub use diagnostics::Diagnostic;
pub use policies::PolicyError;
pub use session::{Failure, Rebuilt, Session, Site, build, default_out_dir, watched, write};
