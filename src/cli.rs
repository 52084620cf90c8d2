//! Command-line arguments (clap derive): one struct per command.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Docs for Kubernetes platforms behind OPA Gatekeeper: every YAML example is admitted as the cluster would.
#[derive(Debug, Parser)]
#[command(name = "guardrail", version, about, long_about = None, after_help = EXIT_CODES)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
    /// Colour: auto (a terminal gets it, unless NO_COLOR; CLICOLOR_FORCE forces it), always or never.
    #[arg(long, value_enum, global = true, default_value = "auto")]
    pub(crate) color: crate::color::Choice,
}

const EXIT_CODES: &str = "Exit codes: 0 success, 1 a rejected object or failed test, 2 bad input (unreadable file, invalid YAML or policy).\nColour follows each stream: --color, else CLICOLOR_FORCE forces it, NO_COLOR turns it off, else a terminal gets it.";

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Admit manifests as the cluster would: Gatekeeper mutation, then the constraints.
    #[command(after_help = EXIT_CODES)]
    Admit(AdmitArgs),
    /// Print what workloads expand to (ExpansionTemplates) or their controllers create, after mutation, like
    /// `gator expand`.
    #[command(after_help = EXIT_CODES)]
    Expand(ExpandArgs),
    /// List a policy set as guardrail sees it: templates, constraints, mutators, ExpansionTemplates, Config,
    /// cluster state, and what the sources held that was skipped.
    #[command(after_help = EXIT_CODES)]
    Policies(PoliciesArgs),
    /// Run gator Suite files (test.gatekeeper.sh/v1alpha1 Suite) against their templates and constraints.
    #[command(after_help = EXIT_CODES)]
    Verify(VerifyArgs),
    /// Build the docs site: check every YAML example through the policies, then write the site.
    #[command(after_help = BUILD_EXIT_CODES)]
    Build(BuildArgs),
    /// Everything `build` does but writing the site: for CI and editors.
    #[command(after_help = BUILD_EXIT_CODES)]
    Check(CheckArgs),
    /// Live preview for writers: build in memory, serve, rebuild on save and reload open tabs.
    Serve(ServeArgs),
    /// Start a docs site: guardrail.toml, two pages with checked examples, a policy with its suite and a
    /// mutator, a favicon, a .gitignore.
    Init(InitArgs),
}

#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// The folder to create the site in (made if missing).
    #[arg(default_value = ".")]
    pub(crate) dir: PathBuf,
    /// Write into a folder that is not empty, replacing the starter's files there.
    #[arg(long)]
    pub(crate) force: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// The site's root folder (where guardrail.toml is).
    #[arg(long, default_value = ".")]
    pub(crate) root: PathBuf,
    /// Address to listen on; loopback unless you say otherwise.
    #[arg(long, default_value = "127.0.0.1")]
    pub(crate) bind: String,
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 3000)]
    pub(crate) port: u16,
    /// Open the site in a browser (xdg-open).
    #[arg(long)]
    pub(crate) open: bool,
    /// A policy source (folder or file) instead of `[paths] policies`; repeat for several.
    #[arg(long = "policies", value_name = "PATH")]
    pub(crate) policies: Vec<PathBuf>,
}

const BUILD_EXIT_CODES: &str = "Exit codes: 0 the site is good, 1 a check failed (every diagnostic is printed), 2 the site cannot be read or written.\nColour follows the terminal; NO_COLOR turns it off.";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// rustc-style diagnostics.
    Text,
    /// One JSON object per diagnostic, one per line.
    Json,
    /// GitHub Actions workflow commands (`::error file=...,line=...::`): annotations on the pull request.
    Github,
    /// One SARIF 2.1.0 log (code scanning), with a rule per kind of problem.
    Sarif,
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// The site's root folder (where guardrail.toml is).
    #[arg(long, default_value = ".")]
    pub(crate) root: PathBuf,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value = "text")]
    pub(crate) format: Format,
    /// Print problems only: no summary line, no progress.
    #[arg(long, short)]
    pub(crate) quiet: bool,
    /// Also list every YAML block that is not a Kubernetes example, and why.
    #[arg(long, short)]
    pub(crate) verbose: bool,
    /// A policy source (folder or file) instead of `[paths] policies`; repeat for several.
    #[arg(long = "policies", value_name = "PATH")]
    pub(crate) policies: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct BuildArgs {
    #[command(flatten)]
    pub(crate) check: CheckArgs,
    /// Where to write the site (default: <root>/public). Replaced whole, only when the build succeeds.
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Output {
    /// Verdict, a coloured diff of what mutation changed, and the violations.
    Text,
    /// The admitted objects, as YAML documents.
    Yaml,
    /// One JSON document with every result.
    Json,
    /// A SARIF 2.1.0 log: one result per violation (deny as error, warn as warning, dryrun as note).
    Sarif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum VerifyFormat {
    /// Failures (and with -v every case), then the tally.
    Text,
    /// One JSON document: every case with its status, and the tally.
    Json,
    /// JUnit XML: a testsuite per suite file, a testcase per case.
    Junit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum OperationArg {
    #[value(name = "CREATE", alias = "create")]
    Create,
    #[value(name = "UPDATE", alias = "update")]
    Update,
}

#[derive(Debug, Args)]
pub(crate) struct AdmitArgs {
    /// Policy source: a folder (templates, constraints, mutators; `samples/` folders, suites and kustomize files
    /// are skipped) or a file (a `kubectl get -o yaml` dump, a rendered Helm chart); repeat for several.
    #[arg(long, value_name = "PATH", default_value = "policies")]
    pub(crate) policies: Vec<PathBuf>,
    /// Namespace that objects without one are created in; '' for a request with no namespace.
    #[arg(long, default_value = "default")]
    pub(crate) namespace: String,
    /// The request's operation.
    #[arg(long, value_enum, default_value = "CREATE")]
    pub(crate) operation: OperationArg,
    /// Output format.
    #[arg(long, short, value_enum, default_value = "text")]
    pub(crate) output: Output,
    /// The Kubernetes version whose API decodes the objects first (strictly, as `kubectl apply` asks).
    #[arg(long, default_value = guardrail_engine::schema::NEWEST, value_parser = guardrail_engine::schema::VERSIONS.to_vec())]
    pub(crate) kubernetes_version: String,
    #[command(flatten)]
    pub(crate) api_server: ApiServerArgs,
    /// Manifests to admit (several YAML documents each); `-` reads standard input.
    #[arg(required = true)]
    pub(crate) files: Vec<PathBuf>,
}

/// The API server in front of Gatekeeper, as a cluster runs it.
#[derive(Debug, Args)]
pub(crate) struct ApiServerArgs {
    /// Judge with Gatekeeper alone, as gator does: no defaulting, built-in plugins or Pod Security.
    #[arg(long)]
    pub(crate) gatekeeper_only: bool,
    /// The API server's admission plugins the cluster runs, comma-separated (default: all guardrail models:
    /// LimitRanger, ServiceAccount, Priority, DefaultTolerationSeconds, DefaultIngressClass, PodSecurity).
    #[arg(long, value_delimiter = ',', value_name = "PLUGIN,...")]
    pub(crate) plugins: Option<Vec<String>>,
    /// Pod Security's enforce level where a namespace has no label (an AdmissionConfiguration's default):
    /// `privileged` (the default), `baseline` or `restricted`, optionally `:v1.30`.
    #[arg(long, value_name = "LEVEL[:VERSION]")]
    pub(crate) pod_security: Option<String>,
    /// The cluster's Gatekeeper does not generate ValidatingAdmissionPolicies from CEL templates (it runs with
    /// `--default-create-vap-for-templates=false`; true is its default since 3.20). A template's own
    /// `generateVAP` still decides for it.
    #[arg(long)]
    pub(crate) no_generated_vap: bool,
}

impl ApiServerArgs {
    /// The API server these flags describe for Kubernetes `version`.
    pub(crate) fn api_server(&self, version: &str) -> anyhow::Result<Option<guardrail_engine::admission::ApiServer>> {
        let mut settings =
            guardrail_engine::admission::Settings { api_server: !self.gatekeeper_only, ..Default::default() };
        if let Some(p) = &self.plugins {
            settings.plugins = p.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
        }
        if let Some(level) = &self.pod_security {
            let (level, version) = level.split_once(':').unwrap_or((level.as_str(), "latest"));
            settings.pod_security.enforce = level.to_string();
            settings.pod_security.enforce_version = version.to_string();
        }
        if self.no_generated_vap {
            settings.gatekeeper.vap_for_templates = false;
        }
        settings.api_server(version).map_err(|e| anyhow::anyhow!("{e}"))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ExpandOutput {
    /// YAML documents, each after a comment saying where it comes from.
    Yaml,
    /// One JSON document: `{"objects": [{"parent", "origin", "object"}]}`.
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct ExpandArgs {
    /// Policy source (ExpansionTemplates and mutators are used), folder or file; repeat for several. Policy
    /// objects among the input files are added to it.
    #[arg(long, value_name = "PATH", default_value = "policies")]
    pub(crate) policies: Vec<PathBuf>,
    /// Namespace that objects without one are created in; '' for a request with no namespace.
    #[arg(long, default_value = "default")]
    pub(crate) namespace: String,
    /// Output format.
    #[arg(long, short, value_enum, default_value = "yaml")]
    pub(crate) output: ExpandOutput,
    /// The Kubernetes version whose defaults and plugins apply.
    #[arg(long, default_value = guardrail_engine::schema::NEWEST, value_parser = guardrail_engine::schema::VERSIONS.to_vec())]
    pub(crate) kubernetes_version: String,
    #[command(flatten)]
    pub(crate) api_server: ApiServerArgs,
    /// Manifests to expand (several YAML documents each); `-` reads standard input.
    #[arg(required = true)]
    pub(crate) files: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ListOutput {
    /// A section per kind of object.
    Text,
    /// One JSON document, for scripts.
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct PoliciesArgs {
    /// Policy source (folder or file); repeat for several.
    #[arg(long, value_name = "PATH", default_value = "policies")]
    pub(crate) policies: Vec<PathBuf>,
    /// Output format.
    #[arg(long, short, value_enum, default_value = "text")]
    pub(crate) output: ListOutput,
}

#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// Only run tests or cases whose name matches this regex; `TEST//CASE` requires both.
    #[arg(long)]
    pub(crate) run: Option<String>,
    /// Print every case, not only failures.
    #[arg(long, short)]
    pub(crate) verbose: bool,
    /// Suite files, or folders searched for them.
    #[arg(required = true)]
    pub(crate) paths: Vec<PathBuf>,
    /// How to report.
    #[arg(long, value_enum, default_value = "text")]
    pub(crate) format: VerifyFormat,
    /// Decode each case's object as the API server would first (strictly, against the Kubernetes schemas); a case
    /// whose object it refuses fails. Off by default, as gator does not validate schemas.
    #[arg(long)]
    pub(crate) schema: bool,
    /// The Kubernetes version whose schemas `--schema` decodes with.
    #[arg(long, default_value = guardrail_engine::schema::NEWEST, value_parser = guardrail_engine::schema::VERSIONS.to_vec(), requires = "schema")]
    pub(crate) kubernetes_version: String,
    /// Judge every template's Rego on regorus' interpreter, as the playground in the browser does, instead of its
    /// bytecode VM (the default here): the two must give the same verdicts.
    #[arg(long)]
    pub(crate) rego_interpreter: bool,
}
