//! The CNDA acceptance file from an evidence directory, for `insilab report --format acceptance`
//! and `insilab run --acceptance`: gathers the cover facts (the `ContexteLPS` of the calls, the
//! client certificate, the publisher's acceptance configuration), writes the HTML and the zip
//! of the traces, and prints the HTML to PDF when headless Chromium is installed.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use insilab_core::insi::{Limits, parse_request};
use insilab_reports::evidence::load_facts;
use insilab_reports::model::RunResults;
use insilab_reports::writers::acceptance::{
    ACCEPTANCE_PDF_FILE, AcceptanceConfig, AcceptanceInput, CoverFact, CoverFacts, write_acceptance,
};
use insilab_reports::writers::pdf::{find_chromium, print_to_pdf};
use insilab_reports::{Catalogue, ScenarioFacts};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject as _;

/// Environment variable that turns a missing Chromium into an error (CI sets it).
pub const REQUIRE_TOOLS_ENV: &str = "INSILAB_REQUIRE_TOOLS";

const FROM_LPS: &str = "ContexteLPS of the calls";
const FROM_CONFIG: &str = "acceptance configuration";

/// Where the cover facts come from besides the evidence.
#[derive(Debug, Clone, Default)]
pub struct CoverSources {
    /// The publisher's acceptance configuration (`--acceptance-config`).
    pub config: Option<PathBuf>,
    /// The PKI directory: with the reference driver, its `insi-auto` identity is the client
    /// certificate that was presented.
    pub pki: Option<PathBuf>,
    /// Screenshots taken after the run (`<scenario slug>/*.png`).
    pub screenshots: Option<PathBuf>,
}

/// Writes `acceptance.html`, `acceptance-traces.zip` and, when Chromium is found,
/// `acceptance.pdf` into `out`; returns the paths written. Prints what is missing on stderr.
pub fn write(
    evidence_dir: &Path,
    out: &Path,
    results: &RunResults,
    catalogue: &Catalogue,
    problems: &[String],
    sources: &CoverSources,
) -> anyhow::Result<Vec<PathBuf>> {
    let config = match &sources.config {
        Some(path) => AcceptanceConfig::load(path).with_context(|| {
            format!(
                "failed to read the acceptance configuration {}",
                path.display()
            )
        })?,
        None => AcceptanceConfig::default(),
    };
    let cover = cover_facts(evidence_dir, results, &config, sources.pki.as_deref())?;
    let input = AcceptanceInput {
        results,
        catalogue,
        cover: &cover,
        evidence_dir,
        evidence_problems: problems,
        screenshots_dir: sources.screenshots.as_deref(),
    };
    let files = write_acceptance(out, &input)
        .with_context(|| format!("failed to write the acceptance file into {}", out.display()))?;
    let mut paths = vec![files.html.clone(), files.zip.clone()];
    match find_chromium() {
        Some(chromium) => {
            let pdf = out.join(ACCEPTANCE_PDF_FILE);
            print_to_pdf(&chromium, &files.html, &pdf)?;
            paths.push(pdf);
        }
        None if std::env::var_os(REQUIRE_TOOLS_ENV).is_some_and(|v| v == "1") => {
            anyhow::bail!(
                "chromium not found and {REQUIRE_TOOLS_ENV}=1: install it (apt-get install chromium) \
                 or set INSILAB_CHROMIUM to print the acceptance file to PDF"
            );
        }
        None => {
            eprintln!("acceptance: no PDF (chromium not found; install it or set INSILAB_CHROMIUM)")
        }
    }
    if files.complete {
        eprintln!("acceptance: complete draft");
    } else {
        eprintln!(
            "acceptance: INCOMPLETE draft, {} item(s) missing before submission:",
            files.missing.len()
        );
        for line in &files.missing {
            eprintln!("  - {line}");
        }
    }
    Ok(paths)
}

/// Gathers the cover facts: the configuration first, then the `ContexteLPS` of the first
/// request that has one, then the client certificate (configured PEM, else the PKI identity
/// the reference driver presented, else the subject the platform saw).
fn cover_facts(
    evidence_dir: &Path,
    results: &RunResults,
    config: &AcceptanceConfig,
    pki: Option<&Path>,
) -> anyhow::Result<CoverFacts> {
    let configured = |v: &Option<String>| v.as_ref().map(|v| CoverFact::new(v, FROM_CONFIG));
    let lps = results
        .scenarios
        .iter()
        .flat_map(|s| &s.exchanges)
        .filter_map(|e| {
            let xml = e
                .request_xml
                .clone()
                .or_else(|| std::fs::read_to_string(evidence_dir.join(&e.request_file)).ok())?;
            parse_request(xml.as_bytes(), &Limits::default())
                .ok()?
                .headers
                .lps
        })
        .find(|lps| lps.has_lps());
    let from_lps = |f: fn(&insilab_core::insi::ContexteLps) -> &Option<String>| {
        lps.as_ref()
            .and_then(|l| f(l).as_ref())
            .map(|v| CoverFact::new(v, FROM_LPS))
    };
    let mut cover = CoverFacts {
        publisher: configured(&config.publisher),
        software_name: configured(&config.software).or_else(|| from_lps(|l| &l.nom)),
        software_version: configured(&config.version).or_else(|| from_lps(|l| &l.lps_version)),
        idam: configured(&config.idam).or_else(|| from_lps(|l| &l.idam)),
        structure: configured(&config.structure),
        ..CoverFacts::default()
    };
    if let Some(pem_path) = &config.client_certificate {
        let der = CertificateDer::from_pem_file(pem_path).map_err(|e| {
            anyhow::anyhow!(
                "failed to read the client certificate {}: {e}",
                pem_path.display()
            )
        })?;
        let facts = insilab_certs::facts::cert_facts(&der, &pem_path.display().to_string())?;
        let source = format!("{} ({FROM_CONFIG})", pem_path.display());
        set_certificate(&mut cover, &facts, &source);
    } else if results.driver == "reference"
        && let Some(facts) = pki.and_then(reference_certificate)
    {
        set_certificate(
            &mut cover,
            &facts,
            "the PKI identity insi-auto the reference driver presented",
        );
    } else if let Some((cn, ou)) = seen_certificate(evidence_dir, results) {
        let subject = [("CN", cn), ("OU", ou.clone())]
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| format!("{k}={v}")))
            .collect::<Vec<_>>()
            .join(",");
        let source = "as the platform saw it in TLS (validity: give the PEM in the configuration)";
        cover.certificate_subject = Some(CoverFact::new(subject, source));
        if cover.structure.is_none() {
            cover.structure = ou.map(|ou| CoverFact::new(ou, source));
        }
    }
    Ok(cover)
}

fn set_certificate(cover: &mut CoverFacts, facts: &insilab_certs::CertFacts, source: &str) {
    cover.certificate_subject = Some(CoverFact::new(&facts.subject, source));
    cover.certificate_not_before = Some(CoverFact::new(&facts.not_before, source));
    cover.certificate_not_after = Some(CoverFact::new(&facts.not_after, source));
    if cover.structure.is_none() {
        cover.structure = subject_ou(&facts.subject)
            .map(|ou| CoverFact::new(ou, format!("OU of the client certificate ({source})")));
    }
}

/// The certificate facts of the PKI's `insi-auto` identity, when the PKI is readable.
fn reference_certificate(pki: &Path) -> Option<insilab_certs::CertFacts> {
    let pki = insilab_certs::Pki::load(pki).ok()?;
    pki.index()
        .identities
        .iter()
        .find(|i| i.name == "insi-auto")
        .map(|i| i.facts.clone())
}

/// CN and OU of the first call's client certificate, from the scenarios' facts files.
fn seen_certificate(
    evidence_dir: &Path,
    results: &RunResults,
) -> Option<(Option<String>, Option<String>)> {
    results.scenarios.iter().find_map(|s| {
        let facts: ScenarioFacts = load_facts(evidence_dir, &s.id).ok()??;
        facts
            .calls
            .into_iter()
            .find(|c| c.client_cn.is_some() || c.client_ou.is_some())
            .map(|c| (c.client_cn, c.client_ou))
    })
}

/// The `OU=` value of an RFC 4514 subject (`CN=INSI-AUTO,OU=499700…,O=…`).
fn subject_ou(subject: &str) -> Option<String> {
    subject
        .split(',')
        .find_map(|part| part.trim().strip_prefix("OU="))
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ou_is_read_from_the_subject() {
        assert_eq!(
            subject_ou("CN=INSI-AUTO,OU=499700367909006,O=ACME,C=FR").as_deref(),
            Some("499700367909006")
        );
        assert_eq!(subject_ou("CN=x"), None);
    }
}
