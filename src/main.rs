//! The `guardrail` command line: admit manifests, verify gator suites (and, later, build the docs site).

mod cli;
mod cmd;
mod color;
mod policies;
mod serve;
mod site;

use std::process::ExitCode;

// Admission allocates many small values (regorus' evaluation especially); mimalloc makes it about a fifth faster
// than the system allocator here.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let result = match cli.command {
        cli::Command::Admit(args) => cmd::admit::run(&args),
        cli::Command::Verify(args) => cmd::verify::run(&args),
        cli::Command::Build(args) => cmd::build::run(&args.check, Some(args.out.as_deref())),
        cli::Command::Check(args) => cmd::build::run(&args, None),
        cli::Command::Serve(args) => {
            serve::run(&args.root, &args.bind, args.port, args.open).map(|()| ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{}: {e:#}", color::paint(color::Style::Error, "error"));
            ExitCode::from(2)
        }
    }
}
