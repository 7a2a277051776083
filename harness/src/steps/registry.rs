//! The step registry: definitions (pattern, example, documentation, handler), matching a step's
//! text to its definition, and the generated `docs/steps.md`.

use regex::Regex;

use super::{StepError, World};
use crate::HarnessError;
use crate::sim::BoxFuture;

/// Arguments a step receives: regex captures and the data table.
pub struct StepArgs {
    /// Capture groups 1.. of the step pattern.
    pub captures: Vec<String>,
    /// Data table rows.
    pub table: Option<Vec<Vec<String>>>,
}

pub(super) type Handler =
    for<'a> fn(&'a mut World, &'a StepArgs) -> BoxFuture<'a, Result<(), StepError>>;

/// One step definition.
pub struct StepDef {
    /// `Given`, `When` or `Then` (documentation only: any keyword may use any step).
    pub kind: &'static str,
    /// Anchored regular expression.
    pub pattern: &'static str,
    /// A readable example for `docs/steps.md`.
    pub example: &'static str,
    /// What the step does or checks, with the rule it names on failure.
    pub doc: &'static str,
    pub(super) handler: Handler,
}

/// Compiled step library.
pub struct Registry {
    steps: Vec<(Regex, &'static StepDef)>,
}

impl Registry {
    /// Finds the step matching `text`, with its captures.
    pub fn find(&self, text: &str) -> Option<(&'static StepDef, Vec<String>)> {
        self.steps.iter().find_map(|(re, def)| {
            re.captures(text).map(|c| {
                let caps = c
                    .iter()
                    .skip(1)
                    .map(|m| m.map(|m| m.as_str().to_owned()).unwrap_or_default())
                    .collect();
                (*def, caps)
            })
        })
    }

    /// Every definition, in documentation order.
    pub fn definitions(&self) -> impl Iterator<Item = &'static StepDef> + '_ {
        self.steps.iter().map(|(_, d)| *d)
    }

    /// Runs a step.
    pub async fn run(
        &self,
        def: &'static StepDef,
        world: &mut World,
        args: &StepArgs,
    ) -> Result<(), StepError> {
        (def.handler)(world, args).await
    }
}

/// Builds the registry (patterns are constants: a bad one is caught by the tests).
pub fn registry() -> Result<Registry, HarnessError> {
    let mut steps = Vec::new();
    for def in super::given::STEPS
        .iter()
        .chain(super::when::STEPS)
        .chain(super::then::STEPS)
        .chain(super::identity::STEPS)
    {
        let re = Regex::new(&format!("^{}$", def.pattern))
            .map_err(|e| HarnessError::Driver(format!("bad step pattern {}: {e}", def.pattern)))?;
        steps.push((re, def));
    }
    Ok(Registry { steps })
}

/// Renders `docs/steps.md` from the registry.
pub fn render_docs(registry: &Registry) -> String {
    let mut out = String::from(
        "# Step library\n\n\
         <!-- generated from harness/src/steps/ by `insilab-harness`; a test fails when this \
         file drifts. Regenerate with `UPDATE_STEPS_DOC=1 cargo test -p insilab-harness steps_doc`. -->\n\n\
         Every step the suites under `scenarios/` may use. Keywords are free (`Given`, `When`, \
         `Then`, `And`, `But`); the section says where a step reads naturally. A check evaluates \
         rules of the catalogue (`docs/ins-rules-implemented.md`); a failure names every rule that \
         fired, as data in the results and in its message (`[INSI-ALG-01] …`).\n\n\
         Outcome checks (\"the software stored …\") read the outcome the driver reports; with the \
         `manual` driver they become yes/no questions to the operator.\n\n",
    );
    for kind in ["Given", "When", "Then"] {
        out.push_str(&format!("## {kind}\n\n"));
        for def in registry.definitions().filter(|d| d.kind == kind) {
            out.push_str(&format!(
                "### `{}`\n\nPattern: `{}`\n\n{}\n\n",
                def.example, def.pattern, def.doc
            ));
        }
    }
    out
}
