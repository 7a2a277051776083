//! The `command` driver: one command template per action, run without a shell; placeholders
//! carry the traits; the command prints a JSON outcome ([`crate::outcome::SutOutcome`]) on
//! stdout. The identity-management actions ([`crate::actions`]) have one key each (`create`,
//! `deliver`, `search`, `verify-identity`, `set-attribute`, `record-identity-document`,
//! `read-identity`, `emit`), get the message as `{action_json}` / `{action_file}` and print an
//! [`crate::actions::ActionOutcome`]. Schema and examples: `docs/driver-protocol.md`.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use serde::Deserialize;
use tokio::io::AsyncReadExt as _;

use crate::HarnessError;
use crate::actions::{ActionOutcome, IdentityAction, Transport, parse_action_outcome};
use crate::delivery::Channels;
use crate::driver::{ActionContext, CardAction, CardSigning, Driver, card_action_setup};
use crate::outcome::{
    CardInput, MAX_DRIVER_ANSWER_BYTES, OutcomeKind, StoredIns, SutOutcome, TraitsInput,
    parse_outcome,
};
use crate::sim::BoxFuture;

/// Largest driver configuration file.
pub const MAX_CONFIG_BYTES: u64 = 64 * 1024;
/// Default time limit of one command.
pub const DEFAULT_COMMAND_TIMEOUT_SECS: u64 = 60;

/// The YAML configuration of the command driver.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandConfig {
    /// Program and arguments for a traits search (empty: the software does not search, as
    /// software that only receives INS-referenced data; the search scenarios are skipped).
    #[serde(default, rename = "search-traits")]
    pub search_traits: Vec<String>,
    /// Program and arguments for a traits search in card mode (CPx assertion signed with a
    /// virtual card, on the card endpoint).
    #[serde(default, rename = "search-traits-card")]
    pub search_traits_card: Option<Vec<String>>,
    /// Program and arguments for a Vitale card search.
    #[serde(default, rename = "search-card")]
    pub search_card: Option<Vec<String>>,
    /// Program and arguments for a verification.
    #[serde(default)]
    pub verify: Option<Vec<String>>,
    /// Program and arguments returning the identity the software stored, called after a
    /// search whose answer is `found` without `stored`.
    #[serde(default, rename = "get-stored-identity")]
    pub get_stored_identity: Option<Vec<String>>,
    /// Program and arguments creating an identity (`create` action).
    #[serde(default)]
    pub create: Option<Vec<String>>,
    /// Program and arguments finishing the receipt of delivered data (`deliver` action).
    #[serde(default)]
    pub deliver: Option<Vec<String>>,
    /// Program and arguments searching the INS of a local identity (`search` action).
    #[serde(default)]
    pub search: Option<Vec<String>>,
    /// Program and arguments verifying the INS of a local identity (`verify-identity`).
    #[serde(default, rename = "verify-identity")]
    pub verify_identity: Option<Vec<String>>,
    /// Program and arguments setting or clearing an attribute (`set-attribute`).
    #[serde(default, rename = "set-attribute")]
    pub set_attribute: Option<Vec<String>>,
    /// Program and arguments recording a checked identity document.
    #[serde(default, rename = "record-identity-document")]
    pub record_identity_document: Option<Vec<String>>,
    /// Program and arguments reporting a local identity (`read-identity`).
    #[serde(default, rename = "read-identity")]
    pub read_identity: Option<Vec<String>>,
    /// Program and arguments emitting (sending, printing) an identity (`emit`).
    #[serde(default)]
    pub emit: Option<Vec<String>>,
    /// The channels the software receives data on (MLLP, FHIR, drop folder).
    #[serde(default)]
    pub channels: Channels,
    /// Extra environment variables (placeholders allowed).
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// The software's own total timeout for one INSi search, in seconds: the late-answer
    /// scenario delays the answer this long plus a margin.
    #[serde(default)]
    pub software_timeout_seconds: Option<u64>,
    /// The software's own authorisation numbers (`LPS/IDAM`), accepted by the in-process
    /// simulator besides the test ones.
    #[serde(default)]
    pub allow_idam: Vec<String>,
    /// Time limit of one command, in seconds.
    #[serde(default = "default_timeout")]
    pub timeout_seconds: u64,
}

fn default_timeout() -> u64 {
    DEFAULT_COMMAND_TIMEOUT_SECS
}

impl Default for CommandConfig {
    /// No command at all (the traits search must be set before use), the default timeout.
    fn default() -> Self {
        CommandConfig {
            search_traits: Vec::new(),
            search_traits_card: None,
            search_card: None,
            verify: None,
            get_stored_identity: None,
            create: None,
            deliver: None,
            search: None,
            verify_identity: None,
            set_attribute: None,
            record_identity_document: None,
            read_identity: None,
            emit: None,
            channels: Channels::default(),
            env: BTreeMap::new(),
            software_timeout_seconds: None,
            allow_idam: Vec::new(),
            timeout_seconds: DEFAULT_COMMAND_TIMEOUT_SECS,
        }
    }
}

impl CommandConfig {
    /// The command template of an identity-management action, when configured.
    pub fn action_template(&self, action: &IdentityAction) -> Option<&Vec<String>> {
        match action {
            IdentityAction::Create { .. } => self.create.as_ref(),
            IdentityAction::Deliver { .. } => self.deliver.as_ref(),
            IdentityAction::Search { .. } => self.search.as_ref(),
            IdentityAction::Verify { .. } => self.verify_identity.as_ref(),
            IdentityAction::SetAttribute { .. } => self.set_attribute.as_ref(),
            IdentityAction::RecordIdentityDocument { .. } => self.record_identity_document.as_ref(),
            IdentityAction::ReadIdentity { .. } => self.read_identity.as_ref(),
            IdentityAction::Emit { .. } => self.emit.as_ref(),
        }
    }
}

/// The JSON message of an identity-management action as the `command` and `http` drivers
/// send it: the action's own fields plus `scenario` and `endpoint` (the INSi endpoint the
/// software calls).
pub fn action_message(
    ctx: &ActionContext,
    action: &IdentityAction,
) -> Result<serde_json::Value, HarnessError> {
    let mut value = serde_json::to_value(action).map_err(|e| {
        HarnessError::Driver(format!("cannot encode the {} action: {e}", action.name()))
    })?;
    if let Some(object) = value.as_object_mut() {
        object.insert("scenario".into(), ctx.scenario_id.clone().into());
        object.insert(
            "endpoint".into(),
            ctx.endpoint_override
                .clone()
                .unwrap_or_else(|| ctx.sim.endpoint_url())
                .into(),
        );
    }
    Ok(value)
}

/// The JSON word of a unit enum value (`hl7v2`, `doubtful`).
fn word<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// A transport as one placeholder value: the MLLP address, the FHIR base URL, the folder, or
/// `inline`.
pub fn transport_text(transport: &Transport) -> String {
    match transport {
        Transport::Inline => "inline".to_owned(),
        Transport::Mllp { address } => address.clone(),
        Transport::Fhir { base_url } => base_url.clone(),
        Transport::DropFolder { path } => path.clone(),
    }
}

/// Reads a YAML driver configuration file (bounded).
pub fn read_config<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, HarnessError> {
    let bad = |message: String| HarnessError::DriverConfig {
        path: path.to_owned(),
        message,
    };
    let size = std::fs::metadata(path)
        .map_err(|e| bad(e.to_string()))?
        .len();
    if size > MAX_CONFIG_BYTES {
        return Err(bad(format!(
            "{size} bytes, more than the limit of {MAX_CONFIG_BYTES}"
        )));
    }
    // Bounded read as well: devices and pipes report a length of 0 (`/dev/zero`).
    let mut text = String::new();
    let read = std::fs::File::open(path)
        .and_then(|f| {
            std::io::Read::read_to_string(
                &mut std::io::Read::take(f, MAX_CONFIG_BYTES + 1),
                &mut text,
            )
        })
        .map_err(|e| bad(e.to_string()))?;
    if read as u64 > MAX_CONFIG_BYTES {
        return Err(bad(format!(
            "more than the limit of {MAX_CONFIG_BYTES} bytes"
        )));
    }
    serde_saphyr::from_str(&text).map_err(|e| bad(e.to_string()))
}

/// The command driver.
pub struct CommandDriver {
    config: CommandConfig,
    pki: Option<std::sync::Arc<insilab_certs::Pki>>,
    /// Per-run folder: `state/` for the software (`{state_dir}`), `messages/` for the action
    /// files and payloads insilab writes. Removed when the driver is dropped.
    work: Option<tempfile::TempDir>,
    /// Numbers the message files.
    files: std::sync::atomic::AtomicU64,
}

/// Subfolder of the per-run folder the software may keep its state in (`{state_dir}`).
pub const STATE_SUBDIR: &str = "state";
/// Subfolder of the per-run folder holding the action messages and payload files.
pub const MESSAGES_SUBDIR: &str = "messages";

/// The per-run folder of a command driver (`None` when the temporary folder cannot be made:
/// the actions then fail with the reason).
fn work_dir() -> Option<tempfile::TempDir> {
    let dir = tempfile::Builder::new()
        .prefix("insilab-command-")
        .tempdir()
        .ok()?;
    std::fs::create_dir_all(dir.path().join(STATE_SUBDIR)).ok()?;
    std::fs::create_dir_all(dir.path().join(MESSAGES_SUBDIR)).ok()?;
    Some(dir)
}

/// Placeholder values for one action.
pub fn placeholders(
    ctx: &ActionContext,
    input: Option<&TraitsInput>,
    ins: Option<&StoredIns>,
) -> BTreeMap<&'static str, String> {
    let mut map = BTreeMap::new();
    map.insert("scenario", ctx.scenario_id.clone());
    map.insert(
        "endpoint",
        ctx.endpoint_override
            .clone()
            .unwrap_or_else(|| ctx.sim.endpoint_url()),
    );
    if let Some(t) = input {
        map.insert("birth_name", t.birth_name.clone());
        map.insert("first_names", t.first_names.join(" "));
        map.insert(
            "first_name",
            t.first_names.first().cloned().unwrap_or_default(),
        );
        map.insert("sex", t.sex.clone());
        map.insert("birth_date", t.birth_date.clone());
        map.insert("birthplace", t.birthplace.clone().unwrap_or_default());
        map.insert("traits_json", serde_json::to_string(t).unwrap_or_default());
    }
    if let Some(i) = ins {
        map.insert("matricule", i.matricule.clone());
        map.insert("key", i.key.clone());
        map.insert("oid", i.oid.clone());
    }
    map
}

/// Placeholder values for a Vitale card search: `{scenario}`, `{endpoint}`, `{card_json}`,
/// `{insured_nir}`, `{beneficiary_nir}` (empty when absent), `{birth_name}`, `{birth_date}`,
/// `{birth_rank}`.
pub fn card_placeholders(ctx: &ActionContext, card: &CardInput) -> BTreeMap<&'static str, String> {
    let mut map = placeholders(ctx, None, None);
    map.insert("card_json", serde_json::to_string(card).unwrap_or_default());
    map.insert("insured_nir", card.insured_nir.clone());
    map.insert(
        "beneficiary_nir",
        card.beneficiary_nir.clone().unwrap_or_default(),
    );
    map.insert("birth_name", card.birth_name.clone());
    map.insert("birth_date", card.birth_date.clone());
    map.insert("birth_rank", card.birth_rank.to_string());
    map
}

/// Placeholder values for a card-mode traits search: the traits placeholders, `{endpoint}`
/// and `{card_endpoint}` (both the simulator's card endpoint), `{professional_id}`,
/// `{card_identity}`, `{card_p12}`, `{card_p12_password}`, `{card_key}`, `{card_cert}`,
/// `{card_chain}` and `{pki_dir}`.
pub fn card_mode_placeholders(
    ctx: &ActionContext,
    input: &TraitsInput,
    card_endpoint: &str,
    signing: &CardSigning,
) -> BTreeMap<&'static str, String> {
    let mut map = placeholders(ctx, Some(input), None);
    map.insert("endpoint", card_endpoint.to_owned());
    map.insert("card_endpoint", card_endpoint.to_owned());
    map.insert("professional_id", signing.professional_id.clone());
    map.insert("card_identity", signing.identity.clone());
    map.insert("card_p12", signing.p12.clone().unwrap_or_default());
    map.insert("card_p12_password", signing.p12_password.clone());
    map.insert("card_key", signing.key.clone());
    map.insert("card_cert", signing.cert.clone());
    map.insert("card_chain", signing.chain.clone());
    map.insert("pki_dir", signing.pki_dir.clone());
    map
}

/// Replaces `{name}` placeholders; unknown names are left as written.
pub fn expand(template: &str, values: &BTreeMap<&'static str, String>) -> String {
    let mut out = template.to_owned();
    for (k, v) in values {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

/// The process group of a driver command under way (its id is the command's pid): killed when
/// the command is abandoned before it finished (the run interrupted, its timeout), so that the
/// program and whatever it spawned stop with it. Disarmed (`None`) once the command finished.
struct GroupGuard(Option<u32>);

impl Drop for GroupGuard {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Some(pid) = self
            .0
            .and_then(|p| i32::try_from(p).ok())
            .and_then(rustix::process::Pid::from_raw)
        {
            // ESRCH (the group is already gone) is fine.
            let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
        }
    }
}

impl CommandDriver {
    /// Loads the YAML configuration.
    pub fn load(path: &Path) -> Result<Self, HarnessError> {
        let config: CommandConfig = read_config(path)?;
        let optional = [
            &config.search_traits_card,
            &config.search_card,
            &config.verify,
            &config.create,
            &config.deliver,
            &config.search,
            &config.verify_identity,
            &config.set_attribute,
            &config.record_identity_document,
            &config.read_identity,
            &config.emit,
        ];
        let declared = !config.search_traits.is_empty()
            || optional
                .iter()
                .any(|c| c.as_ref().is_some_and(|v| !v.is_empty()));
        if !declared {
            return Err(HarnessError::DriverConfig {
                path: path.to_owned(),
                message: "no action has a command: give at least search-traits (software that searches) or the identity actions (create, deliver, …), each with its program".into(),
            });
        }
        Ok(Self::new(config))
    }

    /// A driver from an in-memory configuration.
    pub fn new(config: CommandConfig) -> Self {
        CommandDriver {
            config,
            pki: None,
            work: work_dir(),
            files: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// The folder the software may keep state in for this run (`{state_dir}`).
    pub fn state_dir(&self) -> Option<std::path::PathBuf> {
        self.work.as_ref().map(|w| w.path().join(STATE_SUBDIR))
    }

    /// Writes `bytes` as a new message file named `NNNN-{name}`; returns its path.
    fn message_file(&self, name: &str, bytes: &[u8]) -> Result<String, HarnessError> {
        let Some(work) = &self.work else {
            return Err(HarnessError::Driver(
                "the command driver could not make its temporary folder".into(),
            ));
        };
        let n = self
            .files
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = work
            .path()
            .join(MESSAGES_SUBDIR)
            .join(format!("{n:04}-{name}"));
        std::fs::write(&path, bytes)
            .map_err(|e| HarnessError::Driver(format!("cannot write {}: {e}", path.display())))?;
        Ok(path.display().to_string())
    }

    /// The placeholder values of an identity-management action: `{scenario}`, `{endpoint}`,
    /// `{action}`, `{action_json}`, `{action_file}`, `{state_dir}`, `{local_id}`, and per
    /// action `{carrier}`, `{message_id}`, `{payload_file}` (deliver), `{destination}` (emit),
    /// `{attribute}`, `{value}` (set-attribute); the traits placeholders for `create`.
    pub fn action_placeholders(
        &self,
        ctx: &ActionContext,
        action: &IdentityAction,
    ) -> Result<BTreeMap<&'static str, String>, HarnessError> {
        let traits = match action {
            IdentityAction::Create { traits, .. } => Some(traits),
            _ => None,
        };
        let mut map = placeholders(ctx, traits, None);
        let message = action_message(ctx, action)?;
        let json = message.to_string();
        map.insert("action", action.name().to_owned());
        map.insert(
            "action_file",
            self.message_file(&format!("{}.json", action.name()), json.as_bytes())?,
        );
        map.insert("action_json", json);
        map.insert(
            "state_dir",
            self.state_dir()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
        );
        let local_id = match action {
            IdentityAction::Search { local_id }
            | IdentityAction::Verify { local_id }
            | IdentityAction::SetAttribute { local_id, .. }
            | IdentityAction::RecordIdentityDocument { local_id, .. }
            | IdentityAction::ReadIdentity { local_id }
            | IdentityAction::Emit { local_id, .. } => local_id.clone(),
            IdentityAction::Create { .. } | IdentityAction::Deliver { .. } => String::new(),
        };
        map.insert("local_id", local_id);
        match action {
            IdentityAction::Deliver {
                carrier,
                payload,
                message_id,
                ..
            } => {
                map.insert("carrier", word(carrier));
                map.insert("message_id", message_id.clone());
                let (ext, bytes) = crate::delivery::payload_file_content(*carrier, payload)?;
                map.insert(
                    "payload_file",
                    self.message_file(&format!("payload.{ext}"), &bytes)?,
                );
            }
            IdentityAction::Emit {
                carrier,
                destination,
                ..
            } => {
                map.insert("carrier", word(carrier));
                map.insert("destination", transport_text(destination));
            }
            IdentityAction::SetAttribute {
                attribute, value, ..
            } => {
                map.insert("attribute", word(attribute));
                map.insert("value", value.to_string());
            }
            _ => {}
        }
        Ok(map)
    }

    /// The test PKI whose virtual cards the card-mode action names (without one, card-mode
    /// scenarios are skipped).
    #[must_use]
    pub fn with_pki(mut self, pki: Option<std::sync::Arc<insilab_certs::Pki>>) -> Self {
        self.pki = pki;
        self
    }

    async fn run(
        &self,
        action: &str,
        template: &[String],
        values: &BTreeMap<&'static str, String>,
    ) -> Result<SutOutcome, HarnessError> {
        let buf = self.run_raw(action, template, values).await?;
        parse_outcome(&buf, &format!("the {action} command"))
    }

    /// Runs one command; returns its stdout (bounded).
    async fn run_raw(
        &self,
        action: &str,
        template: &[String],
        values: &BTreeMap<&'static str, String>,
    ) -> Result<Vec<u8>, HarnessError> {
        let Some((program, args)) = template.split_first() else {
            return Err(HarnessError::Driver(format!(
                "no command configured for {action}"
            )));
        };
        let mut cmd = tokio::process::Command::new(expand(program, values));
        cmd.args(args.iter().map(|a| expand(a, values)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        // Its own process group, so that an abandoned command (run interrupted, timeout) is
        // killed with everything it spawned ([`GroupGuard`]).
        #[cfg(unix)]
        cmd.process_group(0);
        for (k, v) in &self.config.env {
            cmd.env(k, expand(v, values));
        }
        let mut child = cmd.spawn().map_err(|e| {
            let program = expand(program, values);
            match e.kind() {
                std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied => {
                    HarnessError::Unreachable(format!(
                        "cannot run the {action} command {program:?} of the driver configuration: {}",
                        crate::error::describe_chain(&e)
                    ))
                }
                _ => HarnessError::Driver(format!(
                    "cannot run {program} for {action}: {}",
                    crate::error::describe_chain(&e)
                )),
            }
        })?;
        let mut group = GroupGuard(child.id());
        let mut stdout = child
            .stdout
            .take()
            .ok_or_else(|| HarnessError::Driver("no stdout".into()))?;
        let limit = u64::try_from(MAX_DRIVER_ANSWER_BYTES + 1).unwrap_or(u64::MAX);
        let work = async {
            let mut buf = Vec::new();
            (&mut stdout).take(limit).read_to_end(&mut buf).await?;
            let status = child.wait().await?;
            Ok::<_, std::io::Error>((buf, status))
        };
        let timeout = Duration::from_secs(self.config.timeout_seconds);
        let (buf, status) = tokio::time::timeout(timeout, work)
            .await
            .map_err(|_| {
                HarnessError::Driver(format!(
                    "{action} command {program} did not finish within {} s",
                    self.config.timeout_seconds
                ))
            })?
            .map_err(|e| HarnessError::Driver(format!("{action} command {program}: {e}")))?;
        // Finished: what it left running in the background is its own business.
        group.0 = None;
        if !status.success() {
            return Err(HarnessError::Driver(format!(
                "{action} command {program} exited with {status}"
            )));
        }
        Ok(buf)
    }
}

impl Driver for CommandDriver {
    fn name(&self) -> String {
        "command".to_owned()
    }

    fn software_timeout(&self) -> Option<std::time::Duration> {
        self.config
            .software_timeout_seconds
            .map(std::time::Duration::from_secs)
    }

    fn allowed_idam(&self) -> Vec<String> {
        self.config.allow_idam.clone()
    }

    fn channels(&self) -> Channels {
        self.config.channels.clone()
    }

    fn act<'a>(
        &'a self,
        ctx: &'a ActionContext,
        action: &'a IdentityAction,
    ) -> BoxFuture<'a, Result<ActionOutcome, HarnessError>> {
        Box::pin(async move {
            let name = action.name();
            let Some(template) = self.config.action_template(action) else {
                return Err(HarnessError::Skipped(format!(
                    "the command driver has no {name} command configured (key `{name}` of the driver configuration)"
                )));
            };
            let values = self.action_placeholders(ctx, action)?;
            let buf = self.run_raw(name, template, &values).await?;
            parse_action_outcome(&buf, &format!("the {name} command"))
        })
    }

    fn search_traits<'a>(
        &'a self,
        ctx: &'a ActionContext,
        input: &'a TraitsInput,
    ) -> BoxFuture<'a, Result<SutOutcome, HarnessError>> {
        Box::pin(async move {
            if self.config.search_traits.is_empty() {
                return Err(HarnessError::Skipped(
                    "the driver configuration has no search-traits command".to_owned(),
                ));
            }
            let values = placeholders(ctx, Some(input), None);
            let mut out = self
                .run("search-traits", &self.config.search_traits, &values)
                .await?;
            if out.outcome == OutcomeKind::Found
                && out.stored.is_none()
                && let Some(get) = &self.config.get_stored_identity
            {
                let stored = self.run("get-stored-identity", get, &values).await?;
                out.stored = stored.stored;
            }
            Ok(out)
        })
    }

    fn search_traits_with_card<'a>(
        &'a self,
        ctx: &'a ActionContext,
        input: &'a TraitsInput,
        card: &'a CardAction,
    ) -> BoxFuture<'a, Result<SutOutcome, HarnessError>> {
        Box::pin(async move {
            let Some(template) = &self.config.search_traits_card else {
                return Err(HarnessError::Skipped(
                    "the command driver has no search-traits-card command configured".into(),
                ));
            };
            let (url, signing) = card_action_setup(&self.name(), self.pki.as_deref(), ctx, card)?;
            let values = card_mode_placeholders(ctx, input, &url, &signing);
            self.run("search-traits-card", template, &values).await
        })
    }

    fn search_card<'a>(
        &'a self,
        ctx: &'a ActionContext,
        input: &'a CardInput,
    ) -> BoxFuture<'a, Result<SutOutcome, HarnessError>> {
        Box::pin(async move {
            let Some(template) = &self.config.search_card else {
                return Err(HarnessError::Skipped(
                    "the command driver has no search-card command configured".into(),
                ));
            };
            let values = card_placeholders(ctx, input);
            self.run("search-card", template, &values).await
        })
    }

    fn verify<'a>(
        &'a self,
        ctx: &'a ActionContext,
        ins: &'a StoredIns,
        input: &'a TraitsInput,
    ) -> BoxFuture<'a, Result<SutOutcome, HarnessError>> {
        Box::pin(async move {
            let Some(template) = &self.config.verify else {
                return Err(HarnessError::Skipped(
                    "the command driver has no verify command configured".into(),
                ));
            };
            let values = placeholders(ctx, Some(input), Some(ins));
            self.run("verify", template, &values).await
        })
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "test fixtures are known-valid")]
mod tests {
    use super::*;

    #[test]
    fn config_size_limit_holds_at_the_boundary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sut.yaml");
        let mut text = String::from("search-traits: [\"sut\", \"{birth_name}\"]\n");
        let limit = usize::try_from(MAX_CONFIG_BYTES).unwrap();
        while text.len() < limit - 1 {
            text.push_str("# padding\n");
        }
        text.truncate(limit - 1);
        text.push('\n');
        std::fs::write(&path, &text).unwrap();
        let config: CommandConfig = read_config(&path).unwrap();
        assert_eq!(config.search_traits, ["sut", "{birth_name}"]);
        assert_eq!(config.timeout_seconds, DEFAULT_COMMAND_TIMEOUT_SECS);
        text.push('\n');
        std::fs::write(&path, &text).unwrap();
        assert!(read_config::<CommandConfig>(&path).is_err());
    }

    #[test]
    fn placeholders_expand_and_unknown_ones_stay() {
        let mut values = BTreeMap::new();
        values.insert("birth_name", "D'ARTAGNAN".to_owned());
        assert_eq!(
            expand("--nom={birth_name} {nope}", &values),
            "--nom=D'ARTAGNAN {nope}"
        );
    }
}
