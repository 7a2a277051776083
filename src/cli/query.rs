//! `insilab query`: one INSi search or verification with the reference client, shown attempt by
//! attempt (or as the stable JSON document of `docs/client.md`), optionally writing the raw XML.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use insilab_client::{
    AttemptResult, CardQuery, ClientConfig, InsiClient, NumberedAttempt, SearchOutcome,
    TlsIdentity, TraitsQuery, Verdict, VerifyQuery,
};

/// Identifier of the `--json` document layout (bumped on any incompatible change).
pub const JSON_SCHEMA: &str = "insilab-query/1";

/// Arguments of `insilab query`.
#[derive(Debug, clap::Args)]
pub struct QueryArgs {
    // Boxed: the connection options make the arguments large, and `Command` holds one variant
    // per subcommand.
    #[command(subcommand)]
    operation: Box<QueryOperation>,
}

#[derive(Debug, clap::Subcommand)]
enum QueryOperation {
    /// Search an INS by identity traits (rechercherInsAvecTraitsIdentite), one first name per
    /// call as the CNDA expects.
    Traits(TraitsArgs),
    /// Check that an INS and a set of traits belong together (verifierInsAvecTraitsIdentite,
    /// reconstructed contract).
    Verify(VerifyArgs),
    /// Search an INS with the Vitale card data (rechercherInsAvecCarteVitale).
    Card(CardArgs),
}

#[derive(Debug, clap::Args)]
struct TraitArgs {
    /// Birth name (NomNaissance), in the INSi profile (upper case, no accents).
    #[arg(long)]
    nom: String,
    /// Birth first names, space-separated, in order (e.g. "OLA CATARINA BELLA").
    #[arg(long)]
    prenoms: String,
    /// Sex: M or F.
    #[arg(long)]
    sexe: String,
    /// Birth date, YYYY-MM-DD.
    #[arg(long)]
    naissance: String,
    /// Birthplace INSEE COG code (e.g. 63220, 2B020, 99xxx); used to resolve a 02 answer.
    #[arg(long)]
    lieu: Option<String>,
}

#[derive(Debug, clap::Args)]
struct TraitsArgs {
    #[command(flatten)]
    traits: TraitArgs,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Debug, clap::Args)]
struct VerifyArgs {
    /// The INS to check: 15 characters (13-character matricule and 2-digit key).
    #[arg(long)]
    ins: String,
    /// The INS OID (1.2.250.1.213.1.4.8 NIR, .9 NIA).
    #[arg(long, default_value = "1.2.250.1.213.1.4.8")]
    oid: String,
    #[command(flatten)]
    traits: TraitArgs,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Debug, clap::Args)]
struct CardArgs {
    /// Insured person's number read on the card (13 or 15 characters).
    #[arg(long)]
    nir: String,
    /// Beneficiary's own NIR when the card carries one (13 or 15 characters).
    #[arg(long)]
    nir_beneficiaire: Option<String>,
    /// Beneficiary's birth name.
    #[arg(long)]
    nom: String,
    /// Beneficiary's birth date, YYYY-MM-DD.
    #[arg(long)]
    naissance: String,
    /// Beneficiary's rank of birth.
    #[arg(long, default_value = "1")]
    rang: String,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Debug, clap::Args)]
struct CommonArgs {
    /// INSi endpoint.
    #[arg(long, env = "INSILAB_URL", default_value = insilab_client::DEFAULT_URL)]
    url: String,
    /// Test PKI directory written by `insilab pki init` (used unless --cert or --p12 is given).
    #[arg(long, env = "INSILAB_PKI", default_value = insilab_certs::DEFAULT_DIR)]
    pki: PathBuf,
    /// Client identity of the test PKI: INSI-AUTO, INSI-MANU (or any identity name of its
    /// index.yaml, e.g. a negative certificate).
    #[arg(long, default_value = "INSI-AUTO")]
    role: String,
    /// Client certificate chain (PEM, leaf first); needs --key.
    #[arg(long, requires = "key", conflicts_with = "p12")]
    cert: Option<PathBuf>,
    /// Private key of --cert (PEM).
    #[arg(long, requires = "cert")]
    key: Option<PathBuf>,
    /// PKCS#12 bundle holding the client certificate and key; see --password.
    #[arg(long)]
    p12: Option<PathBuf>,
    /// Password of --p12.
    #[arg(long, env = "INSILAB_P12_PASSWORD", default_value = insilab_certs::DEFAULT_P12_PASSWORD)]
    password: String,
    /// Root certificate to trust for the server (PEM); default: the test PKI root.
    #[arg(long)]
    ca: Option<PathBuf>,
    /// Software authorisation number sent as ContexteLPS/LPS/IDAM.
    #[arg(long, env = "INSILAB_IDAM", default_value = insilab_client::DEFAULT_IDAM)]
    idam: String,
    /// Software name sent in ContexteLPS (as `urn:lps:<name>:<version>`).
    #[arg(long, default_value = insilab_client::DEFAULT_SOFTWARE_NAME)]
    software_name: String,
    /// Software version sent in ContexteLPS.
    #[arg(long, default_value = env!("CARGO_PKG_VERSION"))]
    software_version: String,
    /// Installation UUID sent as ContexteLPS/LPS/Instance (default: a new one).
    #[arg(long)]
    instance: Option<insilab_client::uuid::Uuid>,
    /// Emetteur of ContexteBAM and ContexteLPS (e.g. the structure id).
    #[arg(long)]
    emetteur: Option<String>,
    /// Connect timeout (TCP + TLS handshake), in seconds.
    #[arg(long, default_value_t = 5)]
    connect_timeout: u64,
    /// Total timeout of each attempt, in seconds.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
    /// Print the stable JSON document (docs/client.md) instead of the human summary.
    #[arg(long)]
    json: bool,
    /// Write each attempt's raw XML as NNN-request.xml / NNN-response.xml in this directory.
    #[arg(long)]
    trace: Option<PathBuf>,
    /// Card mode: sign every call's assertion with the virtual card of this test professional
    /// (`899900063480`, `00B6087510`, `899700870589`); TLS without client certificate. Point
    /// --url at the simulator's card listener (`insilab serve --card-listen`).
    #[arg(long, value_name = "PROFESSIONAL_ID", conflicts_with_all = ["cert", "p12"])]
    card: Option<String>,
    /// With --card: sign an assertion of this negative case instead (docs/card-mode.md).
    #[arg(long, requires = "card", default_value = insilab_certs::card_cases::VALID_CASE)]
    card_case: String,
}

/// Runs `insilab query`.
pub fn run(args: QueryArgs) -> anyhow::Result<ExitCode> {
    let runtime = crate::cli::runtime()?;
    let (common, label, outcome) = match *args.operation {
        QueryOperation::Traits(a) => {
            let client = client(&a.common)?;
            let query = TraitsQuery {
                birth_name: a.traits.nom,
                first_names: split_names(&a.traits.prenoms),
                sex: a.traits.sexe,
                birth_date: a.traits.naissance,
                birthplace: a.traits.lieu,
            };
            let outcome = runtime.block_on(client.search_traits(&query));
            (a.common, "traits search", outcome)
        }
        QueryOperation::Verify(a) => {
            let client = client(&a.common)?;
            let query = VerifyQuery {
                ins: a.ins,
                oid: a.oid,
                birth_name: a.traits.nom,
                first_names: split_names(&a.traits.prenoms),
                sex: a.traits.sexe,
                birth_date: a.traits.naissance,
                birthplace: a.traits.lieu,
            };
            let outcome = runtime.block_on(client.verify(&query));
            (a.common, "verification", outcome)
        }
        QueryOperation::Card(a) => {
            let client = client(&a.common)?;
            let query = CardQuery {
                insured_nir: a.nir,
                beneficiary_nir: a.nir_beneficiaire,
                birth_name: a.nom,
                birth_date: a.naissance,
                birth_rank: a.rang,
            };
            let outcome = runtime.block_on(client.search_card(&query));
            (a.common, "vitale card search", outcome)
        }
    };
    if let Some(dir) = &common.trace {
        write_trace(dir, &outcome)?;
    }
    let code = exit_code(&outcome.verdict);
    if common.json {
        let doc = serde_json::json!({
            "schema": JSON_SCHEMA,
            "url": common.url,
            "exit_code": code,
            "verdict": outcome.verdict,
            "attempts": outcome.numbered_attempts().collect::<Vec<_>>(),
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&doc).context("failed to serialise the outcome")?
        );
    } else {
        print!("{}", human(label, &common.url, &outcome));
    }
    Ok(ExitCode::from(code))
}

/// `--prenoms` holds the space-separated birth first-name list.
fn split_names(list: &str) -> Vec<String> {
    list.split_whitespace().map(str::to_owned).collect()
}

fn client(common: &CommonArgs) -> anyhow::Result<InsiClient> {
    let ca = || -> anyhow::Result<PathBuf> {
        if let Some(ca) = &common.ca {
            return Ok(ca.clone());
        }
        let pki = insilab_certs::Pki::load(&common.pki).with_context(|| {
            format!(
                "--ca is not given and the test pki in {} cannot be read to find its root \
                 (run `insilab pki init` or pass --ca)",
                common.pki.display()
            )
        })?;
        let root = pki
            .index()
            .cas
            .iter()
            .find(|c| c.name == "root")
            .context("the test pki index lists no root ca: pass --ca")?;
        Ok(common.pki.join(&root.cert))
    };
    let tls = if let (Some(cert), Some(key)) = (&common.cert, &common.key) {
        TlsIdentity::Pem {
            cert_chain: cert.clone(),
            key: key.clone(),
            ca: ca()?,
        }
    } else if let Some(p12) = &common.p12 {
        TlsIdentity::Pkcs12 {
            path: p12.clone(),
            password: common.password.clone(),
            ca: ca()?,
        }
    } else {
        TlsIdentity::Pki {
            dir: common.pki.clone(),
            identity: common.role.to_ascii_lowercase(),
        }
    };
    let mut config = ClientConfig {
        url: common.url.clone(),
        tls,
        idam: common.idam.clone(),
        software_name: common.software_name.clone(),
        software_version: common.software_version.clone(),
        emetteur: common.emetteur.clone(),
        connect_timeout: Duration::from_secs(common.connect_timeout),
        total_timeout: Duration::from_secs(common.timeout),
        ..ClientConfig::default()
    };
    if let Some(instance) = common.instance {
        config.instance = instance;
    }
    if let Some(card) = &common.card {
        let pki = insilab_certs::Pki::load(&common.pki)
            .with_context(|| format!("card mode needs the test pki in {}", common.pki.display()))?;
        let tls = pki
            .anonymous_client_config()
            .context("failed to build the tls configuration without client certificate")?;
        let signer = insilab_client::CardSigner::new(pki, card)
            .and_then(|s| s.with_case(&common.card_case))
            .context("failed to set up the virtual card")?;
        return Ok(InsiClient::from_rustls(config, tls)
            .context("failed to set up the insi client")?
            .with_card(signer));
    }
    InsiClient::new(config).context("failed to set up the insi client")
}

fn exit_code(verdict: &Verdict) -> u8 {
    match verdict {
        Verdict::Found(_) | Verdict::Verified { .. } => 0,
        Verdict::NotFound
        | Verdict::Ambiguous
        | Verdict::RefusedInput { .. }
        | Verdict::RefusedAnswer { .. } => 1,
        _ => 2,
    }
}

fn write_trace(dir: &Path, outcome: &SearchOutcome) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("failed to create the trace directory {}", dir.display()))?;
    for NumberedAttempt { index, attempt: a } in outcome.numbered_attempts() {
        let request = dir.join(format!("{index:03}-request.xml"));
        std::fs::write(&request, &a.request_xml)
            .with_context(|| format!("failed to write {}", request.display()))?;
        if let Some(body) = &a.response_xml {
            let response = dir.join(format!("{index:03}-response.xml"));
            std::fs::write(&response, body)
                .with_context(|| format!("failed to write {}", response.display()))?;
        }
    }
    Ok(())
}

/// The human summary: one line per attempt, then the verdict.
fn human(label: &str, url: &str, outcome: &SearchOutcome) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(out, "{label} at {url}");
    for NumberedAttempt { index, attempt: a } in outcome.numbered_attempts() {
        let mut sent = if a.first_names_sent.is_empty() {
            "card data".to_owned()
        } else {
            format!("Prenom {:?}", a.first_names_sent.join(" | "))
        };
        if let Some(place) = &a.birthplace_sent {
            let _ = write!(sent, " + LieuNaissance {place}");
        }
        let result = match &a.result {
            AttemptResult::Cr { code, label } => format!("{code} {label}"),
            AttemptResult::Fault { code } => format!("fault {code}"),
            AttemptResult::Transport { message } => format!("no answer: {message}"),
        };
        let _ = writeln!(
            out,
            "  #{index} {} -> {result} ({} ms)",
            sent.trim(),
            a.duration_ms
        );
    }
    match &outcome.verdict {
        Verdict::Found(f) => {
            let _ = writeln!(out, "found: INS {} (OID {})", f.ins, f.oid);
            let t = &f.traits;
            let _ = writeln!(
                out,
                "  traits as returned: {} / {} / {} / {} / {}",
                t.birth_name, t.first_names, t.sex, t.birth_date, t.birthplace
            );
            for h in &f.history {
                let _ = writeln!(
                    out,
                    "  history: {} (OID {})",
                    h.ins,
                    h.oid.as_deref().unwrap_or("-")
                );
            }
        }
        Verdict::Verified { ins, oid } => {
            let _ = writeln!(out, "verified: INS {ins} (OID {oid}) matches the traits");
        }
        Verdict::NotFound => {
            let _ = writeln!(out, "not found (01 for every attempt)");
        }
        Verdict::Ambiguous => {
            let _ = writeln!(
                out,
                "ambiguous: several identities match (02); add the birthplace with --lieu"
            );
        }
        Verdict::RefusedInput { violations } => {
            let _ = writeln!(
                out,
                "refused before calling: the traits break the INSi profile"
            );
            for v in violations {
                let _ = writeln!(out, "  [{}] {}", v.rule_id, v.message);
            }
        }
        Verdict::RefusedAnswer { reason, rule } => {
            let _ = writeln!(out, "answer refused [{rule}]: {reason}");
        }
        Verdict::Fault {
            code,
            subcode,
            reason,
        } => {
            let _ = writeln!(
                out,
                "fault {code} ({subcode}): {reason}\n  not retried automatically"
            );
        }
        Verdict::TechnicalError { kind, message } => {
            let _ = writeln!(
                out,
                "technical error ({kind}): {message}\n  not retried automatically: check the service, then run the query again"
            );
        }
        other => {
            let _ = writeln!(out, "{other:?}");
        }
    }
    out
}
