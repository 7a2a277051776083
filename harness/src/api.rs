//! The library entry: [`run_suites`] starts (or reaches) the simulator, builds the driver,
//! runs the selected scenarios, writes the evidence bundle and the reports.

use std::path::PathBuf;
use std::sync::Arc;

use insilab_reports::catalogue::{Catalogue, DsrMapping};
use insilab_reports::model::{RunResults, Status};
use insilab_reports::writers::{Format, ReportInput, write_all};

use crate::HarnessError;
use crate::driver::Driver;
use crate::driver::faulty::{FaultyBug, FaultyDriver};
use crate::driver::reference::ReferenceDriver;
use crate::evidence::{Evidence, Existing};
use crate::runner::{LoopInput, Progress, plan, run_loop};
use crate::sim::SimControl;
use crate::sim_local::{LocalSim, load_or_init_pki};

/// Which driver makes the software under test act.
#[non_exhaustive]
pub enum DriverSpec {
    /// insilab's reference client.
    Reference,
    /// The reference client with one deliberate bug (self-test).
    Faulty(FaultyBug),
    /// A command template per action, configured by a YAML file.
    Command(PathBuf),
    /// The software's HTTP test hook, configured by a YAML file.
    Http(PathBuf),
    /// A person at the keyboard (stdin/stdout); optional YAML configuration.
    Manual(Option<PathBuf>),
    /// A ready driver (tests, embedding).
    Custom(Arc<dyn Driver>),
}

impl DriverSpec {
    /// Parses `reference`, `command`, `http`, `manual` or `faulty:<bug>`; the config file is
    /// required by `command` and `http`.
    pub fn parse(name: &str, config: Option<PathBuf>) -> Result<Self, HarnessError> {
        let need = |config: Option<PathBuf>| {
            config.ok_or_else(|| {
                HarnessError::Driver(format!("driver {name} needs --driver-config FILE"))
            })
        };
        match name {
            "reference" => Ok(DriverSpec::Reference),
            "command" => Ok(DriverSpec::Command(need(config)?)),
            "http" => Ok(DriverSpec::Http(need(config)?)),
            "manual" => Ok(DriverSpec::Manual(config)),
            other => match other.strip_prefix("faulty:") {
                Some(bug) => FaultyBug::parse(bug)
                    .map(DriverSpec::Faulty)
                    .ok_or_else(|| {
                        HarnessError::Driver(format!(
                            "unknown faulty bug {bug:?}; known: {}",
                            FaultyBug::ALL
                                .iter()
                                .map(|b| b.name())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ))
                    }),
                None => Err(HarnessError::Driver(format!(
                    "unknown driver {other:?}: expected reference, command, http or manual"
                ))),
            },
        }
    }
}

/// Where the simulator is.
#[non_exhaustive]
pub enum SimulatorSpec {
    /// Start one inside this process (the PKI directory is generated when missing).
    InProcess,
    /// A running `insilab serve`: its admin URL and bearer token, and the INSi endpoint URL
    /// the reference driver calls.
    Remote {
        /// Admin API base URL (`http://127.0.0.1:8444`).
        admin_url: String,
        /// Admin or tenant bearer token.
        admin_token: String,
        /// INSi endpoint (`https://127.0.0.1:8443/lps`).
        endpoint_url: String,
    },
}

/// Options of one run.
pub struct RunOptions {
    /// `cnda`, `protocol`, `all` or a path.
    pub suite: String,
    /// Driver.
    pub driver: DriverSpec,
    /// Simulator.
    pub simulator: SimulatorSpec,
    /// Gherkin tag expression selecting scenarios.
    pub tags: Option<String>,
    /// Evidence and report directory.
    pub out: PathBuf,
    /// PKI directory (generated when missing, in-process simulator only).
    pub pki: PathBuf,
    /// Progress display.
    pub progress: Progress,
    /// Report formats to write into `out` (empty: none).
    pub formats: Vec<Format>,
    /// The publisher's Ségur DSR mapping (DSR item → requirement ids): the reports also group
    /// the results by DSR item. Read before anything runs, so a bad file is a setup error.
    pub dsr_mapping: Option<PathBuf>,
    /// Delay injected by "beyond the client timeout" steps: above the software's own total
    /// timeout, at most [`crate::steps::MAX_TIMEOUT_DELAY`]. `None`: the driver
    /// configuration's `software_timeout_seconds` plus a margin, else the default.
    pub timeout_delay: Option<std::time::Duration>,
    /// The software's own authorisation numbers (`LPS/IDAM`) the in-process simulator accepts
    /// besides the test ones (added to the driver configuration's `allow_idam`).
    pub allow_idam: Vec<String>,
    /// What to do when `out` is not empty: refuse (default) or replace it whole.
    pub existing: Existing,
    /// Stop cleanly on Ctrl-C and SIGTERM (the command line): the results so far are written,
    /// marked incomplete, reported and sealed.
    pub stop_on_signals: bool,
    /// The software family judged: only the scenarios whose requirements bind it run
    /// ([`crate::suite::PlannedScenario::applies_to`]); default `all`.
    pub family: insilab_reports::catalogue::Family,
}

impl RunOptions {
    /// Defaults: the given suite, reference driver, in-process simulator, default PKI
    /// directory, no progress, every report format.
    pub fn new(suite: &str, out: PathBuf) -> Self {
        RunOptions {
            suite: suite.to_owned(),
            driver: DriverSpec::Reference,
            simulator: SimulatorSpec::InProcess,
            tags: None,
            out,
            pki: PathBuf::from(insilab_certs::DEFAULT_DIR),
            progress: Progress::Quiet,
            formats: Format::ALL.to_vec(),
            dsr_mapping: None,
            timeout_delay: None,
            allow_idam: Vec::new(),
            existing: Existing::Refuse,
            stop_on_signals: false,
            family: insilab_reports::catalogue::Family::All,
        }
    }
}

/// What a run produced.
#[derive(Debug)]
pub struct RunSummary {
    /// The results (also in `out/results.json`).
    pub results: RunResults,
    /// The evidence directory.
    pub out: PathBuf,
    /// Report files written.
    pub reports: Vec<PathBuf>,
}

impl RunSummary {
    /// Scenarios that passed.
    pub fn passed(&self) -> usize {
        self.count(Status::Passed)
    }

    /// Scenarios that failed.
    pub fn failed(&self) -> usize {
        self.count(Status::Failed)
    }

    /// Scenarios skipped.
    pub fn skipped(&self) -> usize {
        self.count(Status::Skipped)
    }

    fn count(&self, status: Status) -> usize {
        self.results
            .scenarios
            .iter()
            .filter(|s| s.status == status)
            .count()
    }

    /// The last line of every summary: `N passed, N failed`.
    pub fn last_line(&self) -> String {
        format!("{} passed, {} failed", self.passed(), self.failed())
    }
}

/// Runs the selected suites. Setup problems are errors; scenario failures are results.
/// Where insilab's receiving side keeps what the software emitted, under the evidence
/// directory.
pub const EMISSION_SUBDIR: &str = "emission";

pub async fn run_suites(opts: RunOptions) -> Result<RunSummary, HarnessError> {
    let RunOptions {
        suite,
        driver,
        simulator,
        tags,
        out,
        pki,
        mut progress,
        formats,
        timeout_delay,
        allow_idam,
        dsr_mapping,
        existing,
        stop_on_signals,
        family,
    } = opts;
    let catalogue = Catalogue::embedded();
    let dsr = dsr_mapping
        .map(|path| DsrMapping::load(&path, &catalogue))
        .transpose()
        .map_err(|e| HarnessError::Reports(e.to_string()))?;
    let registry = crate::steps::registry()?;
    let scenarios: Vec<_> = plan(&suite, tags.as_deref(), &registry)?
        .into_iter()
        .filter(|s| s.applies_to(family, &catalogue))
        .collect();
    let suites = match suite.as_str() {
        "all" => ["cnda", "protocol", "receiving", "business"]
            .map(str::to_owned)
            .to_vec(),
        other => vec![other.to_owned()],
    };
    // Claimed before anything starts: a refused directory is a setup error that costs nothing.
    let evidence = Evidence::claim(&out, crate::runner::TOOL_VERSION, existing)?;
    let needs_pki = matches!(simulator, SimulatorSpec::InProcess)
        || matches!(driver, DriverSpec::Reference | DriverSpec::Faulty(_));
    let pki_dir = pki.clone();
    let pki = if needs_pki {
        Some(load_or_init_pki(&pki)?)
    } else {
        None
    };
    // The virtual cards the card-mode actions of the command, http and manual drivers name:
    // the PKI already loaded, else an existing one (a remote simulator's, shared by path).
    let card_pki = || {
        pki.clone()
            .or_else(|| insilab_certs::Pki::load(&pki_dir).ok().map(Arc::new))
    };
    let driver: Arc<dyn Driver> = match driver {
        DriverSpec::Reference => {
            let pki = pki
                .clone()
                .ok_or_else(|| HarnessError::Driver("no pki".into()))?;
            Arc::new(ReferenceDriver::new(pki, "insi-auto"))
        }
        DriverSpec::Faulty(bug) => {
            let pki = pki
                .clone()
                .ok_or_else(|| HarnessError::Driver("no pki".into()))?;
            Arc::new(FaultyDriver::new(pki, bug))
        }
        DriverSpec::Command(path) => {
            Arc::new(crate::driver::command::CommandDriver::load(&path)?.with_pki(card_pki()))
        }
        DriverSpec::Http(path) => {
            Arc::new(crate::driver::http::HttpDriver::load(&path)?.with_pki(card_pki()))
        }
        DriverSpec::Manual(path) => Arc::new(
            crate::driver::manual::ManualDriver::stdio(path.as_deref())?.with_pki(card_pki()),
        ),
        DriverSpec::Custom(d) => d,
    };
    let late_answer = crate::steps::LateAnswer::choose(timeout_delay, driver.software_timeout());
    if late_answer.delay > crate::steps::MAX_TIMEOUT_DELAY {
        return Err(HarnessError::Driver(format!(
            "the late-answer delay of {} s ({}) is more than the simulator's limit of {} s",
            late_answer.delay.as_secs(),
            late_answer.source,
            crate::steps::MAX_TIMEOUT_DELAY.as_secs()
        )));
    }
    let mut allow_idam = allow_idam;
    allow_idam.extend(driver.allowed_idam());
    let (sim, local): (Arc<dyn SimControl>, Option<Arc<LocalSim>>) = match simulator {
        SimulatorSpec::InProcess => {
            let pki = pki
                .clone()
                .ok_or_else(|| HarnessError::Simulator("no pki".into()))?;
            let local = Arc::new(LocalSim::start(pki, &allow_idam).await?);
            (local.clone(), Some(local))
        }
        SimulatorSpec::Remote {
            admin_url,
            admin_token,
            endpoint_url,
        } => {
            if !allow_idam.is_empty() {
                return Err(HarnessError::Simulator(format!(
                    "a remote simulator cannot be told which authorisation numbers to accept: start it with `insilab serve --allow-idam {}`",
                    allow_idam.join(" --allow-idam ")
                )));
            }
            (
                Arc::new(
                    crate::sim_remote::RemoteSim::connect(&admin_url, &admin_token, &endpoint_url)
                        .await?,
                ),
                None,
            )
        }
    };
    evidence.write_dataset(sim.dataset_yaml().as_deref())?;
    // What the software emits arrives over the wire and is kept in the evidence.
    let emission = Arc::new(
        crate::emission::EmissionInbox::start(&evidence.dir().join(EMISSION_SUBDIR)).await?,
    );
    let results = run_loop(
        LoopInput {
            scenarios,
            suites,
            sim,
            driver,
            evidence: &evidence,
            progress: &mut progress,
            late_answer,
            stop: stop_on_signals.then(signal_stop),
            family: Some(family.as_str().to_owned()),
            emission: Some(emission.clone()),
        },
        &registry,
    )
    .await;
    if let Ok(inbox) = Arc::try_unwrap(emission) {
        inbox.shutdown().await;
    }
    if let Some(local) = local
        && let Ok(local) = Arc::try_unwrap(local)
    {
        local.shutdown().await;
    }
    let results = results?;
    let reports = if formats.is_empty() {
        Vec::new()
    } else {
        let input = ReportInput {
            results: &results,
            catalogue: &catalogue,
            dsr: dsr.as_ref(),
            evidence_problems: &[],
        };
        write_all(&out, &input, &formats).map_err(|e| HarnessError::Reports(e.to_string()))?
    };
    evidence.seal()?;
    Ok(RunSummary {
        results,
        out,
        reports,
    })
}

/// A stop channel that carries a reason on the first Ctrl-C or SIGTERM.
fn signal_stop() -> tokio::sync::watch::Receiver<Option<String>> {
    let (tx, rx) = tokio::sync::watch::channel(None);
    tokio::spawn(async move {
        let reason = wait_for_signal().await;
        let _ = tx.send(Some(reason));
        // Keep the sender alive: a closed channel would read as "never stop".
        std::future::pending::<()>().await;
    });
    rx
}

#[cfg(unix)]
async fn wait_for_signal() -> String {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => tokio::select! {
            _ = tokio::signal::ctrl_c() => "interrupted (Ctrl-C)".to_owned(),
            _ = term.recv() => "interrupted (SIGTERM)".to_owned(),
        },
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
            "interrupted (Ctrl-C)".to_owned()
        }
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() -> String {
    let _ = tokio::signal::ctrl_c().await;
    "interrupted (Ctrl-C)".to_owned()
}

/// How many faulty runs the self-test runs at once: each has its own simulator and the reference
/// client's timeout is short, so running every bug at once on a small machine turns load into
/// timeouts that hide what the bug breaks.
pub const SELF_TEST_CONCURRENCY: usize = 4;

/// What the self-test found for one faulty bug.
#[derive(Debug, Clone)]
pub struct SelfTestResult {
    /// The bug.
    pub bug: FaultyBug,
    /// Whether a scenario failed with [`FaultyBug::rule`] among the rules that fired.
    pub caught: bool,
    /// The first such failure: scenario id and message.
    pub evidence: Option<(String, String)>,
    /// Scenarios that failed with this bug.
    pub failed: usize,
}

/// Runs `suite` once per bug of [`FaultyBug::ALL`] ([`SELF_TEST_CONCURRENCY`] at a time, each against its own
/// in-process simulator, evidence under `out/<bug>`, each replaced whole when it exists) and
/// reports whether each bug was caught.
/// A harness that catches every bug can fail; one that does not proves nothing.
pub async fn run_self_test(
    suite: &str,
    pki: PathBuf,
    out: PathBuf,
) -> Result<Vec<SelfTestResult>, HarnessError> {
    let mut runs = tokio::task::JoinSet::new();
    let slots = Arc::new(tokio::sync::Semaphore::new(SELF_TEST_CONCURRENCY));
    for bug in FaultyBug::ALL {
        let mut opts = RunOptions::new(suite, out.join(bug.name()));
        opts.driver = DriverSpec::Faulty(bug);
        opts.pki = pki.clone();
        opts.formats = Vec::new();
        opts.existing = Existing::Replace;
        let slots = slots.clone();
        runs.spawn(async move {
            // A closed semaphore cannot happen (it is never closed); run unthrottled if it did.
            let _slot = slots.acquire_owned().await.ok();
            (bug, run_suites(opts).await)
        });
    }
    let mut results = Vec::new();
    while let Some(joined) = runs.join_next().await {
        let (bug, summary) =
            joined.map_err(|e| HarnessError::Driver(format!("self-test task failed: {e}")))?;
        let summary = summary?;
        let evidence = summary.results.scenarios.iter().find_map(|s| {
            let f = s.failure.as_ref()?;
            (s.status == Status::Failed && f.rules.iter().any(|r| r.rule == bug.rule().as_str()))
                .then(|| (s.id.clone(), f.message.clone()))
        });
        results.push(SelfTestResult {
            bug,
            caught: evidence.is_some(),
            evidence,
            failed: summary.failed(),
        });
    }
    results.sort_by_key(|r| FaultyBug::ALL.iter().position(|b| *b == r.bug));
    Ok(results)
}
