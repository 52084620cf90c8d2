//! The `guardrail` command line: `admit` manifests, `verify` gator suites, `build` and `check` the docs site,
//! `serve` its live preview.
//!
//! What it may not do: site logic. The binary parses arguments, prints, picks exit codes and runs the preview
//! server; everything about a site (reading it, checking its examples, rendering, writing) is `guardrail-site`,
//! and admission is `guardrail-engine`.

mod cli;
mod cmd;
mod color;
mod report;

use std::process::ExitCode;

// Admission allocates many small values (regorus' evaluation especially); mimalloc makes it about a fifth faster
// than the system allocator here.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;

/// Transparent huge pages off for this process. A build allocates some tens of megabytes in a second and
/// exits; with THP the kernel zeroes (and, when memory is fragmented, first compacts) 2 MiB for every region
/// mimalloc touches. Measured after another tool's build had filled the page cache: the 1,000-page build took a
/// median 0.74 s with THP, 0.58 s without. Only this process is affected; failure changes nothing but speed.
fn without_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes integer arguments only and touches no memory of ours.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// A reader that stops reading (`guardrail admit -o json x.yaml | head`) ends the process quietly, as it ends
/// `cat`: Rust ignores SIGPIPE, so every print would otherwise fail and panic.
fn quiet_on_closed_pipe() {
    #[cfg(target_os = "linux")]
    // SAFETY: restores the default disposition of one signal; no handler of ours is involved.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn main() -> ExitCode {
    without_huge_pages();
    quiet_on_closed_pipe();
    let cli = cli::Cli::parse();
    color::choose(cli.color);
    let result = match cli.command {
        cli::Command::Admit(args) => cmd::admit::run(&args),
        cli::Command::Expand(args) => cmd::expand::run(&args),
        cli::Command::Policies(args) => cmd::policies::run(&args),
        cli::Command::Verify(args) => cmd::verify::run(&args),
        cli::Command::Build(args) => cmd::build::run(&args.check, cmd::build::Mode::Build { out: args.out.as_deref() }),
        cli::Command::Check(args) => cmd::build::run(&args, cmd::build::Mode::Check),
        cli::Command::Init(args) => cmd::init::run(&args),
        cli::Command::Serve(args) => cmd::build::absolute(&args.policies).and_then(|policies| {
            let overrides = guardrail_site::Overrides { policies };
            cmd::serve::run(&args.root, overrides, &args.bind, args.port, args.open).map(|()| ExitCode::SUCCESS)
        }),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{}: {e:#}", color::paint_err(color::Style::Error, "error"));
            ExitCode::from(2)
        }
    }
}
