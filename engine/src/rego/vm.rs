//! A template's `violation` on regorus' bytecode VM (`rvm`), natively: about twice as fast as its interpreter on
//! the templates of `policies/`, for a fifth more time to load them.
//!
//! Not in the browser: the VM adds a quarter of a megabyte to the playground's WebAssembly (past its 1 MB gzipped
//! budget) and compiling the bytecode would delay the first verdict, which is mostly the templates' loading; the
//! interpreter judges there, with the same sources (guards included), and gives the same verdicts.
//!
//! What the VM would otherwise get wrong is handled before it runs: an assignment of an undefined value is
//! guarded ([`super::prepass::guard_assignments`]); a template whose rules may give two values for one input
//! ([`super::prepass::may_conflict`]) and one that calls guardrail's extensions (the VM cannot call them) stay
//! on the interpreter.

use crate::limits::Limits;

#[cfg(not(target_arch = "wasm32"))]
pub(super) use native::Vm;

#[cfg(target_arch = "wasm32")]
pub(super) use browser::Vm;

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::sync::Arc;

    use regorus::rvm::{Program, RegoVM};
    use regorus::utils::limits::ExecutionTimerConfig;

    use super::Limits;

    /// The template's `violation` compiled to bytecode, and a machine to run it on.
    pub(in crate::rego) struct Vm {
        program: Arc<Program>,
        policy: regorus::CompiledPolicy,
        data: regorus::Value,
        timer: Option<ExecutionTimerConfig>,
        machine: RegoVM,
    }

    impl Vm {
        /// `entry` compiled to bytecode, or `None` when the VM cannot run it.
        pub(in crate::rego) fn compile(engine: &mut regorus::Engine, entry: &str, limits: &Limits) -> Option<Vm> {
            let policy = engine.compile_with_entrypoint(&entry.into()).ok()?;
            let program = regorus::languages::rego::compiler::Compiler::compile_from_policy(&policy, &[entry]).ok()?;
            let timer = crate::rego::timer(limits);
            let data = regorus::Value::new_object();
            let machine = machine(&program, &policy, &data, timer);
            Some(Vm { program, policy, data, timer, machine })
        }

        /// Replaces `data` (the inventory).
        pub(in crate::rego) fn set_data(&mut self, data: &regorus::Value) -> Result<(), String> {
            self.machine.set_data(data.clone()).map_err(|e| e.to_string())?;
            self.data = data.clone();
            Ok(())
        }

        /// Evaluates `entry` for `input`.
        pub(in crate::rego) fn eval(&mut self, input: regorus::Value, entry: &str) -> Result<regorus::Value, String> {
            self.machine.set_input(input);
            self.machine.execute_entry_point_by_name(entry).map_err(|e| e.to_string())
        }
    }

    fn machine(
        program: &Arc<Program>,
        policy: &regorus::CompiledPolicy,
        data: &regorus::Value,
        timer: Option<ExecutionTimerConfig>,
    ) -> RegoVM {
        let mut machine = RegoVM::new_with_policy(policy.clone());
        machine.load_program(program.clone());
        machine.set_strict_builtin_errors(false);
        // The wall-clock limit bounds an evaluation; the VM's own instruction budget (25,000 by default) would
        // stop a template iterating over a large inventory.
        machine.set_max_instructions(usize::MAX);
        machine.set_execution_timer_config(timer);
        // The data was accepted when it was set; the program has no rule under `data.inventory` to conflict.
        let _ = machine.set_data(data.clone());
        machine
    }

    impl Clone for Vm {
        fn clone(&self) -> Vm {
            Vm {
                program: self.program.clone(),
                policy: self.policy.clone(),
                data: self.data.clone(),
                timer: self.timer,
                machine: machine(&self.program, &self.policy, &self.data, self.timer),
            }
        }
    }
}

#[cfg(target_arch = "wasm32")]
mod browser {
    use super::Limits;

    /// No VM in the browser: never made.
    #[derive(Clone)]
    pub(in crate::rego) enum Vm {}

    impl Vm {
        pub(in crate::rego) fn compile(_: &mut regorus::Engine, _: &str, _: &Limits) -> Option<Vm> {
            None
        }

        pub(in crate::rego) fn set_data(&mut self, _: &regorus::Value) -> Result<(), String> {
            match *self {}
        }

        pub(in crate::rego) fn eval(&mut self, _: regorus::Value, _: &str) -> Result<regorus::Value, String> {
            match *self {}
        }
    }
}
