//! Delivery of INS-referenced data to the software under test over the channel it really uses
//! (issue 12, receiving suite).
//!
//! The driver configuration (`command`, `http`) declares the software's channels:
//!
//! ```yaml
//! channels:
//!   mllp: "127.0.0.1:2575"              # HL7 v2 over MLLP
//!   fhir: "http://127.0.0.1:8080/fhir"  # FHIR REST base URL
//!   drop_folder: "/srv/sut/inbox"       # CDA documents and scanned pages
//! ```
//!
//! API for the step code:
//!
//! - [`deliver`]`(driver, ctx, carrier, payload, message_id, production) -> ActionOutcome`:
//!   sends `payload` on the channel declared for `carrier` ([`Channels::transport_for`]) and
//!   reads the peer's acknowledgment (MLLP ACK, FHIR status and `OperationOutcome`, file
//!   written), then sends the `deliver` action with that transport so the software reports
//!   what it stored. Without a declared channel the payload goes `inline` in the action.
//! - [`deliver_with_receipt`]: the same, also returning the channel's [`Receipt`] (for the
//!   evidence).
//! - [`send`]: only the wire part.
//!
//! HL7 goes as ER7 text, FHIR as JSON (a `Patient` to `{base}/Patient`, a `Bundle` to
//! `{base}/`), a CDA as an XML file and a Datamatrix page as a PNG file (the payload is its
//! base64) in the drop folder, written under a hidden name and renamed when complete.

use std::net::SocketAddr;
use std::path::PathBuf;

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::HarnessError;
use crate::actions::{ActionOutcome, Carrier, IdentityAction, Transport};
use crate::driver::{ActionContext, Driver};

/// Longest `message_id` used as a drop-folder file name (longer ids are cut).
pub const MAX_FILE_STEM_CHARS: usize = 64;

/// The channels a software under test receives data on (driver configuration key `channels`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Channels {
    /// The software's MLLP listener, `host:port` (HL7 v2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mllp: Option<String>,
    /// The software's FHIR REST base URL (`http://…`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fhir: Option<String>,
    /// The folder the software watches for documents (CDA, scanned pages).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drop_folder: Option<PathBuf>,
}

impl Channels {
    /// Whether no channel is declared.
    pub fn is_empty(&self) -> bool {
        self.mllp.is_none() && self.fhir.is_none() && self.drop_folder.is_none()
    }

    /// The transport `carrier` takes to this software: HL7 over MLLP, FHIR over REST, CDA and
    /// Datamatrix pages through the drop folder, `inline` when that channel is not declared.
    pub fn transport_for(&self, carrier: Carrier) -> Transport {
        match carrier {
            Carrier::Hl7v2 => self
                .mllp
                .as_ref()
                .map(|a| Transport::Mllp { address: a.clone() }),
            Carrier::Fhir => self.fhir.as_ref().map(|u| Transport::Fhir {
                base_url: u.clone(),
            }),
            Carrier::Cda | Carrier::Datamatrix => {
                self.drop_folder.as_ref().map(|p| Transport::DropFolder {
                    path: p.display().to_string(),
                })
            }
        }
        .unwrap_or(Transport::Inline)
    }
}

/// What the channel answered when insilab sent the payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// Whether the peer accepted it (ACK `AA`, HTTP 2xx, file written).
    pub accepted: bool,
    /// One line for the evidence: `ACK AE (…)`, `HTTP 422: …`, the file written.
    pub detail: String,
}

/// A delivery: how it travelled, what the channel answered, what the software reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The transport used.
    pub transport: Transport,
    /// The channel's answer (`None` for `inline`).
    pub receipt: Option<Receipt>,
    /// The software's answer to the `deliver` action.
    pub outcome: ActionOutcome,
}

/// Sends `payload` as `carrier` on `channels`; returns the transport and the channel's
/// receipt (`None` when the payload goes inline). A channel that cannot be reached is a set-up
/// problem ([`HarnessError::Unreachable`]).
pub async fn send(
    channels: &Channels,
    carrier: Carrier,
    payload: &str,
    message_id: &str,
) -> Result<(Transport, Option<Receipt>), HarnessError> {
    let transport = channels.transport_for(carrier);
    let receipt = match &transport {
        Transport::Inline => None,
        Transport::Mllp { address } => Some(send_mllp(address, payload).await?),
        Transport::Fhir { base_url } => Some(send_fhir(base_url, payload).await?),
        Transport::DropFolder { path } => {
            Some(write_drop(&PathBuf::from(path), carrier, payload, message_id).await?)
        }
    };
    Ok((transport, receipt))
}

/// Delivers `payload` to the software and asks it what it stored (see the module docs).
pub async fn deliver(
    driver: &dyn Driver,
    ctx: &ActionContext,
    carrier: Carrier,
    payload: &str,
    message_id: &str,
    production: bool,
) -> Result<ActionOutcome, HarnessError> {
    deliver_with_receipt(driver, ctx, carrier, payload, message_id, production)
        .await
        .map(|d| d.outcome)
}

/// [`deliver`], also returning the transport and the channel's receipt.
pub async fn deliver_with_receipt(
    driver: &dyn Driver,
    ctx: &ActionContext,
    carrier: Carrier,
    payload: &str,
    message_id: &str,
    production: bool,
) -> Result<Delivery, HarnessError> {
    let (transport, receipt) = send(&driver.channels(), carrier, payload, message_id).await?;
    let action = IdentityAction::Deliver {
        carrier,
        transport: transport.clone(),
        payload: payload.to_owned(),
        message_id: message_id.to_owned(),
        production,
    };
    let outcome = driver.act(ctx, &action).await?;
    Ok(Delivery {
        transport,
        receipt,
        outcome,
    })
}

async fn send_mllp(address: &str, payload: &str) -> Result<Receipt, HarnessError> {
    use insilab_simulator::channels::mllp;
    let addr: SocketAddr = address.trim().parse().map_err(|e| {
        HarnessError::Unreachable(format!(
            "channels.mllp {address:?} of the driver configuration is not host:port: {e}"
        ))
    })?;
    // HL7 v2 segments end with CR; a payload written with line feeds is normalised.
    let text = payload.replace("\r\n", "\r").replace('\n', "\r");
    match mllp::send(addr, text.as_bytes(), mllp::SendTimeouts::default()).await {
        Ok(delivered) => {
            let code = delivered.summary.code.as_str();
            let mut detail = format!("ACK {code} from {addr}");
            if !delivered.summary.errors.is_empty() {
                detail.push_str(&format!(" ({})", delivered.summary.errors.join("; ")));
            }
            Ok(Receipt {
                accepted: code == "AA" || code == "CA",
                detail,
            })
        }
        Err(e @ mllp::MllpSendError::Connect { .. }) => Err(HarnessError::Unreachable(format!(
            "the software's MLLP listener (channels.mllp) is not answering: {}",
            crate::error::describe_chain(&e)
        ))),
        Err(e) => Err(HarnessError::Driver(format!(
            "MLLP delivery to {addr}: {}",
            crate::error::describe_chain(&e)
        ))),
    }
}

async fn send_fhir(base_url: &str, payload: &str) -> Result<Receipt, HarnessError> {
    use insilab_formats::fhir::{self, Syntax};
    use insilab_simulator::channels::fhir as client;
    let resource = fhir::read_json(payload.as_bytes()).map_err(|e| {
        HarnessError::Driver(format!(
            "the FHIR payload to deliver is not a readable Patient or Bundle: {e}"
        ))
    })?;
    match client::post(base_url, &resource, Syntax::Json).await {
        Ok(posted) => {
            let mut detail = format!("HTTP {} from {base_url}", posted.status);
            if let Some(issues) = posted.issues.as_ref().filter(|i| !i.is_empty()) {
                let texts: Vec<String> = issues
                    .iter()
                    .map(|i| {
                        let rule = i.rule_id.as_deref().unwrap_or(&i.code);
                        let text = i.diagnostics.as_deref().unwrap_or_default();
                        format!("{} {rule} {text}", i.severity)
                    })
                    .collect();
                detail.push_str(&format!(": {}", texts.join("; ")));
            }
            Ok(Receipt {
                accepted: (200..300).contains(&posted.status),
                detail,
            })
        }
        Err(e @ client::FhirClientError::BadUrl(_)) => Err(HarnessError::Unreachable(format!(
            "channels.fhir of the driver configuration: {e}"
        ))),
        Err(e) => Err(HarnessError::Unreachable(format!(
            "the software's FHIR endpoint (channels.fhir) did not answer: {e}"
        ))),
    }
}

/// A file name made of `message_id`'s safe characters.
fn file_stem(message_id: &str) -> String {
    let stem: String = message_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        .take(MAX_FILE_STEM_CHARS)
        .collect();
    if stem.is_empty() {
        uuid::Uuid::new_v4().simple().to_string()
    } else {
        stem
    }
}

/// The file extension and content of a payload written to a file (drop folder, the command
/// driver's `{payload_file}`): a Datamatrix page is decoded from base64.
pub fn payload_file_content(
    carrier: Carrier,
    payload: &str,
) -> Result<(&'static str, Vec<u8>), HarnessError> {
    Ok(match carrier {
        Carrier::Hl7v2 => ("hl7", payload.as_bytes().to_vec()),
        Carrier::Fhir => ("json", payload.as_bytes().to_vec()),
        Carrier::Cda => ("xml", payload.as_bytes().to_vec()),
        Carrier::Datamatrix => (
            "png",
            base64::engine::general_purpose::STANDARD
                .decode(payload.trim())
                .map_err(|e| {
                    HarnessError::Driver(format!(
                        "the Datamatrix page to deliver is not base64: {e}"
                    ))
                })?,
        ),
    })
}

async fn write_drop(
    dir: &std::path::Path,
    carrier: Carrier,
    payload: &str,
    message_id: &str,
) -> Result<Receipt, HarnessError> {
    if !dir.is_dir() {
        return Err(HarnessError::Unreachable(format!(
            "channels.drop_folder {} of the driver configuration is not a folder",
            dir.display()
        )));
    }
    let (ext, bytes) = payload_file_content(carrier, payload)?;
    let name = format!("{}.{ext}", file_stem(message_id));
    let hidden = dir.join(format!(".{name}.part"));
    let target = dir.join(&name);
    let io = |e: std::io::Error| {
        HarnessError::Driver(format!(
            "cannot write {} in the drop folder: {e}",
            target.display()
        ))
    };
    tokio::fs::write(&hidden, &bytes).await.map_err(io)?;
    tokio::fs::rename(&hidden, &target).await.map_err(io)?;
    Ok(Receipt {
        accepted: true,
        detail: format!("{} written ({} bytes)", target.display(), bytes.len()),
    })
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "test fixtures are known-valid")]
mod tests {
    use super::*;

    #[test]
    fn each_carrier_takes_its_declared_channel_or_goes_inline() {
        let none = Channels::default();
        assert_eq!(none.transport_for(Carrier::Hl7v2), Transport::Inline);
        let channels: Channels = serde_json::from_str(
            r#"{"mllp":"127.0.0.1:2575","fhir":"http://127.0.0.1:8080/fhir","drop_folder":"/in"}"#,
        )
        .unwrap();
        assert_eq!(
            channels.transport_for(Carrier::Hl7v2),
            Transport::Mllp {
                address: "127.0.0.1:2575".into()
            }
        );
        assert_eq!(
            channels.transport_for(Carrier::Fhir),
            Transport::Fhir {
                base_url: "http://127.0.0.1:8080/fhir".into()
            }
        );
        assert_eq!(
            channels.transport_for(Carrier::Datamatrix),
            Transport::DropFolder { path: "/in".into() }
        );
        assert!(serde_json::from_str::<Channels>(r#"{"smtp":"x"}"#).is_err());
    }

    #[test]
    fn file_stems_keep_only_safe_characters() {
        assert_eq!(file_stem("../../etc/passwd"), "etcpasswd");
        assert_eq!(file_stem("MSG-0001"), "MSG-0001");
        assert_eq!(file_stem("/..").len(), 32);
    }

    #[tokio::test]
    async fn a_cda_lands_in_the_drop_folder_under_its_final_name_only() {
        let dir = tempfile::tempdir().unwrap();
        let channels = Channels {
            drop_folder: Some(dir.path().to_owned()),
            ..Channels::default()
        };
        let (transport, receipt) = send(&channels, Carrier::Cda, "<ClinicalDocument/>", "doc-1")
            .await
            .unwrap();
        assert!(matches!(transport, Transport::DropFolder { .. }));
        assert!(receipt.unwrap().accepted);
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["doc-1.xml"]);
        let bad = send(&channels, Carrier::Datamatrix, "not base64!", "p").await;
        assert!(matches!(bad, Err(HarnessError::Driver(_))));
    }

    #[tokio::test]
    async fn an_undeclared_folder_or_a_closed_port_is_a_set_up_problem() {
        let channels = Channels {
            drop_folder: Some(PathBuf::from("/nonexistent/insilab-inbox")),
            mllp: Some("127.0.0.1:1".into()),
            fhir: None,
        };
        assert!(matches!(
            send(&channels, Carrier::Cda, "<x/>", "a").await,
            Err(HarnessError::Unreachable(_))
        ));
        assert!(matches!(
            send(&channels, Carrier::Hl7v2, "MSH|^~\\&|", "a").await,
            Err(HarnessError::Unreachable(_))
        ));
    }
}
