//! The `manual` driver, for a person at the keyboard: shows what to do in the software under
//! test, watches the simulator journal for the calls it makes, then turns every outcome check
//! into a yes/no question whose answer (with an optional comment) is recorded as an
//! attestation. The identity-management actions ([`crate::actions`]) are guided prompts: what
//! to do in the software, a yes/no attestation (with an optional `@screenshot`), then the few
//! facts the suites judge (the local id, the status, INS, attributes and traits shown, the
//! alert shown, the verification result), turned into an [`ActionOutcome`]. Plain terminal
//! lines only; tested with scripted input.

use std::io::{BufRead, Write};
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use insilab_reports::model::Attestation;
use serde::Deserialize;
use tokio::sync::mpsc;

use crate::HarnessError;
use crate::actions::{
    ActionOutcome, Attribute, Attributes, IdentityAction, IdentityStatus, IdentityView, Transport,
};
use crate::driver::command::read_config;
use crate::driver::{ActionContext, CardAction, Driver, card_action_setup};
use crate::outcome::{OutcomeKind, StoredIns, StoredTraits, SutOutcome, TraitsInput};
use crate::sim::BoxFuture;

/// Default wait for the software's calls before moving on.
pub const DEFAULT_WAIT_SECS: u64 = 300;
/// Journal quiet time after which the calls are considered complete.
pub const QUIET: Duration = Duration::from_secs(2);
/// Longest operator line kept.
pub const MAX_LINE_CHARS: usize = 2000;

/// YAML configuration of the manual driver.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManualConfig {
    /// How long to wait for the software's calls, in seconds.
    #[serde(default = "default_wait")]
    pub wait_seconds: u64,
    /// Operator name recorded with each attestation.
    #[serde(default)]
    pub operator: Option<String>,
    /// The software's own total timeout for one INSi search, in seconds (late-answer scenario).
    #[serde(default)]
    pub software_timeout_seconds: Option<u64>,
    /// The software's own authorisation numbers (`LPS/IDAM`), accepted by the in-process
    /// simulator.
    #[serde(default)]
    pub allow_idam: Vec<String>,
}

fn default_wait() -> u64 {
    DEFAULT_WAIT_SECS
}

impl Default for ManualConfig {
    fn default() -> Self {
        ManualConfig {
            wait_seconds: DEFAULT_WAIT_SECS,
            operator: None,
            software_timeout_seconds: None,
            allow_idam: Vec::new(),
        }
    }
}

/// The manual driver.
pub struct ManualDriver {
    config: ManualConfig,
    pki: Option<std::sync::Arc<insilab_certs::Pki>>,
    lines: tokio::sync::Mutex<mpsc::Receiver<String>>,
    out: Mutex<Box<dyn Write + Send>>,
}

impl ManualDriver {
    /// Reads the operator on stdin and talks on stderr (stdout stays for the summary).
    pub fn stdio(config: Option<&Path>) -> Result<Self, HarnessError> {
        let config = match config {
            Some(p) => read_config(p)?,
            None => ManualConfig::default(),
        };
        Ok(Self::new(
            config,
            std::io::BufReader::new(std::io::stdin()),
            Box::new(std::io::stderr()),
        ))
    }

    /// A driver reading operator lines from `input` and writing prompts to `out`.
    pub fn new(
        config: ManualConfig,
        input: impl BufRead + Send + 'static,
        out: Box<dyn Write + Send>,
    ) -> Self {
        let (tx, rx) = mpsc::channel(16);
        // A plain thread: reading a terminal blocks, and must not hold a runtime worker.
        std::thread::spawn(move || {
            for line in input.lines() {
                let Ok(line) = line else { break };
                let line: String = line.chars().take(MAX_LINE_CHARS).collect();
                if tx.blocking_send(line).is_err() {
                    break;
                }
            }
        });
        ManualDriver {
            config,
            pki: None,
            lines: tokio::sync::Mutex::new(rx),
            out: Mutex::new(out),
        }
    }

    /// The test PKI whose virtual cards the card-mode prompt names (without one, card-mode
    /// scenarios are skipped).
    #[must_use]
    pub fn with_pki(mut self, pki: Option<std::sync::Arc<insilab_certs::Pki>>) -> Self {
        self.pki = pki;
        self
    }

    /// Shows `text`, then watches the simulator journal until the software's calls stop, the
    /// operator presses Enter (or types skip) or the wait ends.
    async fn act_and_watch(
        &self,
        ctx: &ActionContext,
        text: &str,
    ) -> Result<SutOutcome, HarnessError> {
        self.say(text);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(self.config.wait_seconds);
        let mut lines = self.lines.lock().await;
        let mut seen = 0usize;
        let mut quiet_since = tokio::time::Instant::now();
        loop {
            let tick = tokio::time::sleep(Duration::from_millis(250));
            tokio::select! {
                line = lines.recv() => match line {
                    Some(l) if l.trim().eq_ignore_ascii_case("skip") => {
                        return Err(HarnessError::Skipped("the operator skipped the action".into()));
                    }
                    Some(_) => break,
                    None => return Err(HarnessError::Driver("the operator's input ended".into())),
                },
                () = tick => {
                    let now = ctx.sim.exchanges_since(ctx.mark).await?.len();
                    if now != seen {
                        seen = now;
                        quiet_since = tokio::time::Instant::now();
                        self.say(&format!("  {now} call(s) seen at the simulator"));
                    } else if seen > 0 && quiet_since.elapsed() >= QUIET {
                        break;
                    }
                    if tokio::time::Instant::now() >= deadline {
                        self.say("  no more waiting (timeout)");
                        break;
                    }
                }
            }
        }
        // The outcome is attested question by question (see `attests`), not reported.
        let mut out = SutOutcome::bare(OutcomeKind::NotFound);
        out.message = Some("outcome attested by the operator".into());
        out.calls = u32::try_from(seen).ok();
        Ok(out)
    }

    /// Asks a free-text question until the answer passes `parse`; an empty line is `""`,
    /// `skip` skips the scenario.
    async fn ask_text<T>(
        &self,
        question: &str,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Result<T, HarnessError> {
        let mut lines = self.lines.lock().await;
        loop {
            self.say(&format!("? {question}"));
            let Some(line) = lines.recv().await else {
                return Err(HarnessError::Driver("the operator's input ended".into()));
            };
            let line = line.trim();
            if line.eq_ignore_ascii_case("skip") {
                return Err(HarnessError::Skipped(
                    "the operator skipped the action".into(),
                ));
            }
            match parse(line) {
                Ok(value) => return Ok(value),
                Err(problem) => self.say(&format!("  {problem}; answer again")),
            }
        }
    }

    /// Asks what the software shows of identity `local_id`.
    async fn identity_prompts(&self, local_id: &str) -> Result<IdentityView, HarnessError> {
        let status = self
            .ask_text(
                &format!("Status of identity {local_id} as the software shows it (PROV, RECUP, VALI, QUAL)"),
                parse_status,
            )
            .await?;
        let ins = self
            .ask_text(
                "INS stored, as `matricule key OID` (empty: none)",
                parse_ins,
            )
            .await?;
        let attributes = self
            .ask_text(
                "Attributes set (doubtful, fictitious, homonym, separated by spaces; empty: none)",
                parse_attributes,
            )
            .await?;
        let birth_name = self.ask_text("Birth name shown", non_empty).await?;
        let first_names_list = self
            .ask_text("Birth first names shown (the whole list)", non_empty)
            .await?;
        let sex = self.ask_text("Sex shown (M, F, I)", non_empty).await?;
        let birth_date = self
            .ask_text("Birth date shown (YYYY-MM-DD)", non_empty)
            .await?;
        let birthplace = self
            .ask_text("Birthplace code shown (empty: none)", |l| Ok(l.to_owned()))
            .await?;
        Ok(IdentityView {
            local_id: local_id.to_owned(),
            status,
            attributes,
            ins,
            history: Vec::new(),
            traits: StoredTraits {
                birth_name,
                first_name: None,
                first_names_list,
                sex,
                birth_date,
                birthplace: (!birthplace.is_empty()).then_some(birthplace),
            },
            used_first_name: None,
            used_name: None,
            collection: None,
            document: None,
            birth_date_completed: false,
        })
    }

    /// The guided prompt of an identity-management action (see the module docs).
    async fn guided(
        &self,
        ctx: &ActionContext,
        action: &IdentityAction,
    ) -> Result<ActionOutcome, HarnessError> {
        let (instruction, question) = instruction(action);
        let mut text = format!("\n=== {} ===\n{instruction}\n", ctx.scenario_id);
        let calls = if matches!(action, IdentityAction::ReadIdentity { .. }) {
            self.say(text.trim_end());
            None
        } else {
            text.push_str(&format!(
                "(INSi endpoint {})\n{WATCHING}",
                ctx.endpoint_override
                    .clone()
                    .unwrap_or_else(|| ctx.sim.endpoint_url())
            ));
            self.act_and_watch(ctx, &text).await?.calls
        };
        let done = match self.ask(ctx, &question).await? {
            Some(done) => done,
            None => {
                return Err(HarnessError::Skipped(
                    "the operator skipped the action".into(),
                ));
            }
        };
        let mut outcome = ActionOutcome::bare(if done {
            OutcomeKind::Done
        } else {
            OutcomeKind::Refused
        });
        outcome.calls = calls;
        outcome.message = Some("answered by the operator".into());
        if !done {
            let alert = self
                .ask_text("What did the software show (the alert)?", |l| {
                    Ok(l.to_owned())
                })
                .await?;
            if !alert.is_empty() {
                outcome.alerts.push(alert);
            }
            return Ok(outcome);
        }
        match action {
            IdentityAction::Search { .. } => {
                outcome.outcome = self
                    .ask_text(
                        "Result shown (found, not_found, ambiguous, fault, technical_error)",
                        |l| parse_kind(l, SEARCH_RESULTS),
                    )
                    .await?;
            }
            IdentityAction::Verify { .. } => {
                outcome.outcome = self
                    .ask_text(
                        "Result shown (verified, not_verified, fault, technical_error)",
                        |l| parse_kind(l, VERIFY_RESULTS),
                    )
                    .await?;
            }
            IdentityAction::Create { .. } | IdentityAction::Deliver { .. } => {
                let alert = self
                    .ask_text("Alert shown to the user, if any (empty: none)", |l| {
                        Ok(l.to_owned())
                    })
                    .await?;
                if !alert.is_empty() {
                    outcome.alerts.push(alert);
                }
                let local_id = self
                    .ask_text(
                        "Id of the identity in the software (empty: nothing was stored)",
                        |l| Ok(l.to_owned()),
                    )
                    .await?;
                if !local_id.is_empty() {
                    outcome.identity = Some(self.identity_prompts(&local_id).await?);
                }
            }
            IdentityAction::ReadIdentity { local_id } => {
                outcome.identity = Some(self.identity_prompts(local_id).await?);
            }
            IdentityAction::SetAttribute { .. }
            | IdentityAction::RecordIdentityDocument { .. }
            | IdentityAction::Emit { .. } => {}
        }
        Ok(outcome)
    }

    fn say(&self, text: &str) {
        if let Ok(mut out) = self.out.lock() {
            let _ = writeln!(out, "{text}");
            let _ = out.flush();
        }
    }
}

/// The last line of every action prompt.
const WATCHING: &str =
    "Watching the simulator journal. Press Enter when the software is done, or type skip.";

/// The traits of a search, one line each, as the prompts show them.
fn traits_lines(input: &TraitsInput) -> String {
    let mut text = format!(
        "  nom de naissance : {}\n  prénoms          : {}\n  sexe             : {}\n  date de naissance: {}\n",
        input.birth_name,
        input.first_names.join(" "),
        input.sex,
        input.birth_date,
    );
    if let Some(place) = &input.birthplace {
        text.push_str(&format!("  lieu de naissance: {place}\n"));
    }
    text
}

/// The results a search may show.
const SEARCH_RESULTS: &[OutcomeKind] = &[
    OutcomeKind::Found,
    OutcomeKind::NotFound,
    OutcomeKind::Ambiguous,
    OutcomeKind::Fault,
    OutcomeKind::TechnicalError,
];
/// The results a verification may show.
const VERIFY_RESULTS: &[OutcomeKind] = &[
    OutcomeKind::Verified,
    OutcomeKind::NotVerified,
    OutcomeKind::Fault,
    OutcomeKind::TechnicalError,
];

/// One of `allowed`, by its protocol word.
fn parse_kind(line: &str, allowed: &[OutcomeKind]) -> Result<OutcomeKind, String> {
    allowed
        .iter()
        .copied()
        .find(|k| k.as_str() == line.to_lowercase())
        .ok_or_else(|| {
            let words: Vec<&str> = allowed.iter().map(|k| k.as_str()).collect();
            format!("expected one of {}", words.join(", "))
        })
}

/// A status code (`QUAL`), any case.
pub fn parse_status(line: &str) -> Result<IdentityStatus, String> {
    IdentityStatus::from_code(&line.to_uppercase())
        .ok_or_else(|| "expected PROV, RECUP, VALI or QUAL".to_owned())
}

/// `matricule key OID`, or empty for none.
pub fn parse_ins(line: &str) -> Result<Option<StoredIns>, String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    match words.as_slice() {
        [] => Ok(None),
        [matricule, key, oid] => Ok(Some(StoredIns {
            matricule: (*matricule).to_owned(),
            key: (*key).to_owned(),
            oid: (*oid).to_owned(),
            date_deb: None,
            date_fin: None,
        })),
        _ => Err("expected three words: matricule, key, OID (or nothing)".to_owned()),
    }
}

/// Attribute words (English or French), separated by spaces or commas.
pub fn parse_attributes(line: &str) -> Result<Attributes, String> {
    let mut attributes = Attributes::default();
    for word in line
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
    {
        match word.to_lowercase().as_str() {
            "doubtful" | "douteuse" => attributes.douteuse = true,
            "fictitious" | "fictive" => attributes.fictive = true,
            "homonym" | "homonyme" => attributes.homonyme = true,
            other => return Err(format!("{other:?} is not doubtful, fictitious or homonym")),
        }
    }
    Ok(attributes)
}

fn non_empty(line: &str) -> Result<String, String> {
    if line.is_empty() {
        Err("an answer is needed".to_owned())
    } else {
        Ok(line.to_owned())
    }
}

/// Where a transport points, for people.
fn transport_words(t: &Transport) -> String {
    match t {
        Transport::Inline => "(handed over by insilab)".to_owned(),
        Transport::Mllp { address } => format!("HL7 v2 over MLLP to {address}"),
        Transport::Fhir { base_url } => format!("FHIR REST to {base_url}"),
        Transport::DropFolder { path } => format!("a file in the folder {path}"),
    }
}

fn attribute_words(a: Attribute) -> &'static str {
    match a {
        Attribute::Doubtful => "doubtful (identité douteuse)",
        Attribute::Fictitious => "fictitious (identité fictive)",
        Attribute::Homonym => "homonym (identité homonyme)",
    }
}

/// What the operator is asked to do, and the attestation question.
fn instruction(action: &IdentityAction) -> (String, String) {
    match action {
        IdentityAction::Create {
            traits,
            method,
            document,
            ins,
            ..
        } => {
            let mut text = format!(
                "In the software under test, create this identity (collected: {}):\n{}",
                serde_json::to_value(method)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                traits_lines(traits).trim_end()
            );
            if let Some(d) = document {
                text.push_str(&format!(
                    "\n  document checked : {} ({})",
                    d.kind,
                    if d.high_trust {
                        "high trust"
                    } else {
                        "not high trust"
                    }
                ));
            }
            if let Some(i) = ins {
                text.push_str(&format!("\n  INS read         : {i}"));
            }
            (text, "Did the software create the identity?".into())
        }
        IdentityAction::Deliver {
            carrier,
            transport,
            message_id,
            ..
        } => (
            format!(
                "insilab delivered a {} document ({message_id}) to the software by {}. Let the software process it as it does in production.",
                serde_json::to_value(carrier)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                transport_words(transport)
            ),
            "Did the software store an identity from it?".into(),
        ),
        IdentityAction::Search { local_id } => (
            format!(
                "In the software under test, search the INS of identity {local_id} (INSi traits search)."
            ),
            "Did the software carry out the search?".into(),
        ),
        IdentityAction::Verify { local_id } => (
            format!(
                "In the software under test, verify the INS of identity {local_id} (INSi verification)."
            ),
            "Did the software carry out the verification?".into(),
        ),
        IdentityAction::SetAttribute {
            local_id,
            attribute,
            value,
        } => (
            format!(
                "In the software under test, {} the attribute {} of identity {local_id}.",
                if *value { "SET" } else { "CLEAR" },
                attribute_words(*attribute)
            ),
            "Did the software accept the change?".into(),
        ),
        IdentityAction::RecordIdentityDocument { local_id, document } => (
            format!(
                "In the software under test, record for identity {local_id} that a {} was checked ({}).",
                document.kind,
                if document.high_trust {
                    "high trust"
                } else {
                    "not high trust"
                }
            ),
            "Did the software record the document?".into(),
        ),
        IdentityAction::ReadIdentity { local_id } => (
            format!("In the software under test, open identity {local_id}."),
            "Does the software show the identity?".into(),
        ),
        IdentityAction::Emit {
            local_id,
            carrier,
            destination,
        } => (
            match carrier {
                crate::actions::Carrier::Datamatrix => format!(
                    "In the software under test, PRINT a document with the INS Datamatrix of identity {local_id}, as a PNG page, to {}.",
                    transport_words(destination)
                ),
                other => format!(
                    "In the software under test, SEND identity {local_id} as {} to {}.",
                    serde_json::to_value(other)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    transport_words(destination)
                ),
            },
            "Did the software send or print it?".into(),
        ),
    }
}

/// An operator's answer to a question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorAnswer {
    /// Yes, no, or `None` for skip.
    pub answer: Option<bool>,
    /// Free comment (the words after the answer that are not a screenshot).
    pub comment: Option<String>,
    /// A screenshot file to keep with the answer (a word starting with `@`).
    pub screenshot: Option<std::path::PathBuf>,
}

/// An operator's answer: `y`/`yes`/`o`/`oui` → yes, `n`/`no`/`non` → no, `s`/`skip` → skip;
/// a following word `@FILE` attaches a screenshot (PNG or JPEG); the rest is a comment.
pub fn parse_answer(line: &str) -> Option<OperatorAnswer> {
    let line = line.trim();
    let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let answer = match word.to_lowercase().as_str() {
        "y" | "yes" | "o" | "oui" => Some(true),
        "n" | "no" | "non" => Some(false),
        "s" | "skip" => None,
        _ => return None,
    };
    let rest = rest.trim();
    let (screenshot, comment) = match rest.strip_prefix('@') {
        Some(after) => {
            let (file, comment) = after.split_once(char::is_whitespace).unwrap_or((after, ""));
            (
                (!file.is_empty()).then(|| std::path::PathBuf::from(file)),
                comment.trim(),
            )
        }
        None => (None, rest),
    };
    Some(OperatorAnswer {
        answer,
        comment: (!comment.is_empty()).then(|| comment.to_owned()),
        screenshot,
    })
}

/// Why a screenshot file cannot be kept: missing, too large, or neither PNG nor JPEG.
fn screenshot_problem(path: &std::path::Path) -> Option<String> {
    use std::io::Read;
    let meta = match std::fs::metadata(path) {
        Ok(m) if m.is_file() => m,
        Ok(_) => return Some(format!("{} is not a file", path.display())),
        Err(e) => return Some(format!("cannot read {}: {e}", path.display())),
    };
    if meta.len() > crate::evidence::MAX_SCREENSHOT_BYTES {
        return Some(format!(
            "{} is larger than {} bytes",
            path.display(),
            crate::evidence::MAX_SCREENSHOT_BYTES
        ));
    }
    let mut head = [0u8; 8];
    let read = std::fs::File::open(path).and_then(|mut f| f.read(&mut head));
    match read {
        Ok(n)
            if n >= 3
                && (head.starts_with(b"\x89PNG") || head.starts_with(&[0xFF, 0xD8, 0xFF])) =>
        {
            None
        }
        Ok(_) => Some(format!(
            "{} is neither a PNG nor a JPEG image",
            path.display()
        )),
        Err(e) => Some(format!("cannot read {}: {e}", path.display())),
    }
}

impl Driver for ManualDriver {
    fn name(&self) -> String {
        "manual".to_owned()
    }

    fn software_timeout(&self) -> Option<std::time::Duration> {
        self.config
            .software_timeout_seconds
            .map(std::time::Duration::from_secs)
    }

    fn allowed_idam(&self) -> Vec<String> {
        self.config.allow_idam.clone()
    }

    fn attests(&self) -> bool {
        true
    }

    fn ask<'a>(
        &'a self,
        ctx: &'a ActionContext,
        question: &'a str,
    ) -> BoxFuture<'a, Result<Option<bool>, HarnessError>> {
        Box::pin(async move {
            let mut lines = self.lines.lock().await;
            loop {
                self.say(&format!(
                    "? {question} [y/n/skip, then an optional @screenshot.png and a comment]"
                ));
                let Some(line) = lines.recv().await else {
                    return Err(HarnessError::Driver("the operator's input ended".into()));
                };
                let Some(reply) = parse_answer(&line) else {
                    self.say("  please answer y, n or skip");
                    continue;
                };
                if let Some(problem) = reply.screenshot.as_deref().and_then(screenshot_problem) {
                    self.say(&format!("  screenshot not kept: {problem}; answer again"));
                    continue;
                }
                let answer = reply.answer;
                ctx.attest(Attestation {
                    scenario_id: ctx.scenario_id.clone(),
                    question: question.to_owned(),
                    answer: match answer {
                        Some(true) => "yes",
                        Some(false) => "no",
                        None => "skip",
                    }
                    .to_owned(),
                    comment: reply.comment,
                    operator: self.config.operator.clone(),
                    at: crate::runner::now(),
                    // The source file; the evidence copies it in and keeps its own path.
                    screenshot: reply.screenshot.map(|p| p.display().to_string()),
                });
                return Ok(answer);
            }
        })
    }

    fn act<'a>(
        &'a self,
        ctx: &'a ActionContext,
        action: &'a IdentityAction,
    ) -> BoxFuture<'a, Result<ActionOutcome, HarnessError>> {
        Box::pin(self.guided(ctx, action))
    }

    fn search_traits<'a>(
        &'a self,
        ctx: &'a ActionContext,
        input: &'a TraitsInput,
    ) -> BoxFuture<'a, Result<SutOutcome, HarnessError>> {
        Box::pin(async move {
            let mut text = match &ctx.endpoint_override {
                Some(url) => format!(
                    "\n=== {} ===\nFor this search only, point the software under test at ANOTHER INSi endpoint: {url}\n(set it back to {} afterwards). Then search the INS of this person:\n",
                    ctx.scenario_id,
                    ctx.sim.endpoint_url(),
                ),
                None => format!(
                    "\n=== {} ===\nIn the software under test, search the INS of this person (INSi endpoint {}):\n",
                    ctx.scenario_id,
                    ctx.sim.endpoint_url(),
                ),
            };
            text.push_str(&traits_lines(input));
            text.push_str(WATCHING);
            self.act_and_watch(ctx, &text).await
        })
    }

    fn search_traits_with_card<'a>(
        &'a self,
        ctx: &'a ActionContext,
        input: &'a TraitsInput,
        card: &'a CardAction,
    ) -> BoxFuture<'a, Result<SutOutcome, HarnessError>> {
        Box::pin(async move {
            let (url, signing) = card_action_setup(&self.name(), self.pki.as_deref(), ctx, card)?;
            let mut text = format!(
                "\n=== {} ===\nIn the software under test, search the INS of this person IN CARD MODE (CPx card, no client certificate), calling the card endpoint {}:\n",
                ctx.scenario_id, url
            );
            text.push_str(&traits_lines(input));
            text.push_str(&format!(
                "Sign the assertion with the virtual CPx card of professional {} ({}):\n  PKCS#12          : {} (password {})\n  key / certificate: {} / {}\n",
                signing.professional_id,
                signing.identity,
                signing.p12.as_deref().unwrap_or("(none)"),
                signing.p12_password,
                signing.key,
                signing.cert,
            ));
            text.push_str(WATCHING);
            self.act_and_watch(ctx, &text).await
        })
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "the answers parsed are known-valid")]
mod tests {
    use super::*;

    #[test]
    fn answers_and_comments_are_read() {
        let y = parse_answer("y").unwrap();
        assert_eq!(
            (y.answer, y.comment, y.screenshot),
            (Some(true), None, None)
        );
        let shot = parse_answer("oui @/tmp/écran.png vu le 00").unwrap();
        assert_eq!(shot.answer, Some(true));
        assert_eq!(
            shot.screenshot,
            Some(std::path::PathBuf::from("/tmp/écran.png"))
        );
        assert_eq!(shot.comment.as_deref(), Some("vu le 00"));
        let n = parse_answer("non  écran rouge").unwrap();
        assert_eq!(
            (n.answer, n.comment.as_deref()),
            (Some(false), Some("écran rouge"))
        );
        let s = parse_answer("skip").unwrap();
        assert_eq!((s.answer, s.comment, s.screenshot), (None, None, None));
        assert_eq!(parse_answer("maybe"), None);
    }
}
