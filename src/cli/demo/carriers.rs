//! The demo's tour of the other carriers: one qualified identity written as an HL7 v2 ADT^A28
//! (sent over MLLP to the simulator's listener, ACK read back), a FR Core FHIR Patient (posted
//! to the FHIR endpoint, OperationOutcome read back), a CDA header and an INS Datamatrix PNG
//! (decoded back), each checked by the rules of the one catalogue. The files and a summary are
//! written to the carriers directory.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use insilab_core::ins::status::IdentityStatus;
use insilab_core::ins::{BirthDate, Cog, Ins, Matricule, Oid, Sex, Traits};
use insilab_core::rules::{Finding, Severity};
use insilab_formats::datamatrix::{build, decode_image, encode_png};
use insilab_formats::hl7::adt::build_adt;
use insilab_formats::hl7::{AdtEvent, Header};
use insilab_formats::identity::{self, Identity};
use insilab_formats::{cda, fhir, hl7, rules};
use insilab_simulator::channels::{ChannelsConfig, fhir as fhir_channel, mllp};
use insilab_simulator::{Simulator, SimulatorConfig, TlsSource};

/// The summary file written beside the carriers.
pub const SUMMARY: &str = "carriers.md";
/// Pixels per module of the demo's Datamatrix.
const MODULE_PX: u32 = 6;

/// The ANS test identity PAT-TROIS DOMINIQUE under the test OID (.10).
fn identity() -> anyhow::Result<Identity> {
    Ok(Identity {
        ins: Some(Ins::new(Matricule::parse("279035121518989")?, Oid::NirTest)),
        traits: Traits {
            birth_name: "PAT-TROIS".into(),
            first_names: vec!["DOMINIQUE".into(), "MARIE-LOUISE".into()],
            sex: Sex::F,
            birth_date: BirthDate::parse("1979-03-28")?,
            birthplace: Some(Cog::parse("63220")?),
        },
        status: Some(IdentityStatus::Qual),
    })
}

fn verdict(findings: &[Finding]) -> String {
    let failing = findings
        .iter()
        .filter(|f| f.severity != Severity::Advice)
        .count();
    let advice: Vec<&str> = findings
        .iter()
        .filter(|f| f.severity == Severity::Advice)
        .map(|f| f.rule_id.as_str())
        .collect();
    let mut s = format!("{failing} failing rule(s)");
    if !advice.is_empty() {
        s.push_str(&format!(", advice {}", advice.join(" ")));
    }
    s
}

/// Writes and checks the four carriers; returns the lines to print.
pub async fn show(dir: &Path, pki_dir: &Path) -> anyhow::Result<Vec<String>> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let id = identity()?;
    let mut lines = Vec::new();
    let mut md = String::from(
        "# The INS in the other carriers\n\n\
         One qualified identity (ANS test patient PAT-TROIS DOMINIQUE, test OID .10) in each\n\
         carrier, checked by the rules of the one catalogue (`insilab rule ID`).\n\n\
         | Carrier | File | Channel | Result |\n|---|---|---|---|\n",
    );

    // A simulator with the MLLP and FHIR channels on loopback.
    let pki = insilab_certs::Pki::load(pki_dir)
        .with_context(|| format!("loading the PKI in {}", pki_dir.display()))?;
    let mut config = SimulatorConfig::ephemeral(TlsSource::Pki(Arc::new(pki)));
    config.admin_listen = None;
    let loopback = "127.0.0.1:0".parse()?;
    config.channels = ChannelsConfig {
        mllp_listen: Some(loopback),
        fhir_listen: Some(loopback),
        ..ChannelsConfig::default()
    };
    let sim = Simulator::start(config).await?;

    // HL7 v2 over MLLP.
    let header = Header {
        sending_application: "INSILAB-DEMO".into(),
        sending_facility: "INSILAB".into(),
        receiving_application: "SIMULATOR".into(),
        receiving_facility: "INSILAB".into(),
        timestamp: "20261201101500".into(),
        event: AdtEvent::A28,
        control_id: "DEMO0001".into(),
        processing_id: "T".into(),
        version: "2.5".into(),
        country: "FRA".into(),
        charset: "UNICODE UTF-8".into(),
        profile: vec!["2.11".into(), "IHE_FR".into()],
    };
    let pid = identity::to_pid(&id, Some(("000003", "INSILAB", "1.2.250.1.71.4.2.7")));
    let er7 = hl7::write(&build_adt(&header, &pid, Vec::new()));
    std::fs::write(dir.join("adt-a28.hl7"), &er7)?;
    let mllp_addr = sim.mllp_addr().context("the MLLP listener is bound")?;
    let delivered = mllp::send(mllp_addr, er7.as_bytes(), mllp::SendTimeouts::default()).await?;
    std::fs::write(dir.join("adt-a28.ack.hl7"), hl7::write(&delivered.ack))?;
    let findings = rules::hl7::check_message(&hl7::parse(er7.as_bytes())?);
    let line = format!(
        "HL7 v2     ADT^A28 over MLLP {mllp_addr}: ACK {}; {}",
        delivered.summary.code.as_str(),
        verdict(&findings)
    );
    let _ = writeln!(
        md,
        "| HL7 v2 ADT^A28 | adt-a28.hl7 (ACK adt-a28.ack.hl7) | MLLP | ACK {}; {} |",
        delivered.summary.code.as_str(),
        verdict(&findings)
    );
    lines.push(line);

    // FHIR Patient over REST.
    let patient = fhir::Resource::Patient(Box::new(identity::to_patient(&id)));
    std::fs::write(dir.join("patient.json"), fhir::write_json(&patient))?;
    let base = sim.fhir_url().context("the FHIR endpoint is bound")?;
    let posted = fhir_channel::post(&base, &patient, fhir::Syntax::Json).await?;
    std::fs::write(dir.join("patient.outcome.json"), &posted.body)?;
    let findings = rules::fhir::check_resource(&patient);
    lines.push(format!(
        "FHIR       Patient POST {base}/Patient: HTTP {}; {}",
        posted.status,
        verdict(&findings)
    ));
    let _ = writeln!(
        md,
        "| FHIR R4 Patient (FR Core) | patient.json (OperationOutcome patient.outcome.json) | REST | HTTP {}; {} |",
        posted.status,
        verdict(&findings)
    );
    sim.shutdown().await;

    // CDA header.
    let role = identity::to_patient_role(&id, Some(("1.2.250.1.71.4.2.7", "000003")))
        .context("a qualified identity has a CDA patient role")?;
    let header = cda::CdaHeader {
        record_targets: vec![role],
    };
    let xml = cda::write(&header);
    std::fs::write(dir.join("cda-header.xml"), &xml)?;
    let findings = rules::cda::check_header(&cda::read(xml.as_bytes())?);
    lines.push(format!(
        "CDA        recordTarget/patientRole: {}",
        verdict(&findings)
    ));
    let _ = writeln!(
        md,
        "| CDA R2 header | cda-header.xml | file | {} |",
        verdict(&findings)
    );

    // Datamatrix PNG, decoded back.
    let payload = identity::to_payload(&id).context("a qualified identity has a payload")?;
    let text = build(&payload);
    let png = encode_png(&text, MODULE_PX)?;
    std::fs::write(dir.join("datamatrix.png"), &png)?;
    let decoded = decode_image(&png)?;
    let findings = rules::datamatrix::check_payload(&decoded);
    let same = if decoded == text {
        "decoded back identical"
    } else {
        "DECODED DIFFERENTLY"
    };
    lines.push(format!(
        "Datamatrix datamatrix.png ({} bytes), {same}; {}",
        png.len(),
        verdict(&findings)
    ));
    let _ = writeln!(
        md,
        "| INS Datamatrix | datamatrix.png | printed page | {same}; {} |",
        verdict(&findings)
    );
    lines.push(format!("files in {}", dir.display()));
    std::fs::write(dir.join(SUMMARY), md)?;
    Ok(lines)
}
