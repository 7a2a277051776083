//! `insilab pki`: generate, show and export the test PKI (thin wiring over `insilab-certs`).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context as _;
use insilab_certs::{
    DEFAULT_DIR, DEFAULT_ORGANISATION, DEFAULT_P12_PASSWORD, DEFAULT_STRUCTURE_ID, Pki, PkiOptions,
};

/// Arguments of `insilab pki`.
#[derive(Debug, clap::Args)]
pub struct PkiArgs {
    #[command(subcommand)]
    command: PkiCommand,
}

#[derive(Debug, clap::Subcommand)]
enum PkiCommand {
    /// Generate the test PKI (root, intermediates, server, INSI-AUTO/INSI-MANU, CPx-like
    /// certificate, negative catalogue, CRLs, PKCS#12 bundles, index.yaml).
    Init(InitArgs),
    /// Print the catalogue of a generated PKI.
    Show(ShowArgs),
    /// Print or write what a client needs to trust the test root.
    ExportTrust(ExportTrustArgs),
}

#[derive(Debug, clap::Args)]
struct InitArgs {
    /// Directory to write (created; replaced only with --force).
    #[arg(long, default_value = DEFAULT_DIR)]
    out: PathBuf,
    /// Seed of keys, serials and salts; same seed and --now give identical files.
    /// Default: a random seed (printed, and recorded in index.yaml).
    #[arg(long)]
    seed: Option<u64>,
    /// Reference time (RFC 3339) of every validity period. Default: now.
    #[arg(long)]
    now: Option<String>,
    /// Structure identifier put in the client certificates' OU.
    #[arg(long, default_value = DEFAULT_STRUCTURE_ID)]
    structure_id: String,
    /// Organisation name put in the client certificates' O.
    #[arg(long, default_value = DEFAULT_ORGANISATION)]
    organisation: String,
    /// Extra DNS name or IP address of the server certificate (repeatable).
    #[arg(long = "san", value_name = "NAME")]
    sans: Vec<String>,
    /// Replace an existing PKI in --out.
    #[arg(long)]
    force: bool,
    /// Password of every PKCS#12 bundle.
    #[arg(long, default_value = DEFAULT_P12_PASSWORD, env = "INSILAB_P12_PASSWORD")]
    p12_password: String,
}

#[derive(Debug, clap::Args)]
struct ShowArgs {
    /// PKI directory.
    #[arg(default_value = DEFAULT_DIR)]
    dir: PathBuf,
    /// Print the whole index as JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum TrustFormat {
    /// Print the root and intermediate certificates (PEM).
    Pem,
    /// Write a PKCS#12 trust store (Java, keytool) and print its path.
    P12,
    /// Print the keytool, Node, .NET and curl commands that trust the root and present a client certificate.
    JksInstructions,
}

#[derive(Debug, clap::Args)]
struct ExportTrustArgs {
    /// PKI directory.
    #[arg(long = "pki", default_value = DEFAULT_DIR)]
    dir: PathBuf,
    /// What to export.
    #[arg(long, value_enum)]
    format: TrustFormat,
    /// Where --format p12 writes the trust store (default: `<pki>/ca/truststore.p12`).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Password of the --format p12 trust store.
    #[arg(long, default_value = DEFAULT_P12_PASSWORD)]
    password: String,
}

/// Appends a formatted line to a `String` (writing to a `String` cannot fail).
macro_rules! outln {
    ($out:expr, $($arg:tt)*) => {{
        use std::fmt::Write as _;
        let _ = writeln!($out, $($arg)*);
    }};
}

/// Writes the output at once; a reader that went away (`| head`) is not an error.
fn emit(text: &str) -> anyhow::Result<ExitCode> {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(error) => Err(error).context("failed to write to standard output"),
    }
}

/// Runs `insilab pki`.
pub fn run(args: PkiArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        PkiCommand::Init(args) => init(args),
        PkiCommand::Show(args) => show(args),
        PkiCommand::ExportTrust(args) => export_trust(args),
    }
}

fn init(args: InitArgs) -> anyhow::Result<ExitCode> {
    let mut opts = PkiOptions {
        seed: args.seed.unwrap_or_else(insilab_certs::random_seed),
        structure_id: args.structure_id,
        organisation: args.organisation,
        extra_sans: args.sans,
        p12_password: args.p12_password,
        ..PkiOptions::default()
    };
    if let Some(now) = &args.now {
        opts.now = insilab_certs::facts::parse_rfc3339(now)?;
    }
    let mut out = String::new();
    let started = Instant::now();
    let pki = match insilab_certs::init(&args.out, &opts, args.force) {
        Ok(pki) => pki,
        // These name the directory and what to do already.
        Err(
            e @ (insilab_certs::CertsError::AlreadyExists { .. }
            | insilab_certs::CertsError::NotAPki { .. }),
        ) => return Err(e.into()),
        Err(e) => {
            return Err(anyhow::Error::new(e).context(format!(
                "failed to generate the test pki in {}",
                args.out.display()
            )));
        }
    };
    let index = pki.index();
    outln!(
        out,
        "test pki written to {} in {:.1} s (seed {}, now {})",
        pki.dir().display(),
        started.elapsed().as_secs_f64(),
        index.seed,
        index.now
    );
    outln!(
        out,
        "  {} CAs, {} identities, {} CRLs; PKCS#12 password {:?}",
        index.cas.len(),
        index.identities.len(),
        index.crls.len(),
        index.p12_password
    );
    outln!(out, "  catalogue: insilab pki show {}", pki.dir().display());
    outln!(
        out,
        "  trust the root: insilab pki export-trust --pki {} --format jks-instructions",
        pki.dir().display()
    );
    emit(&out)
}

fn show(args: ShowArgs) -> anyhow::Result<ExitCode> {
    let mut out = String::new();
    let pki = Pki::load(&args.dir)?;
    let index = pki.index();
    if args.json {
        outln!(out, "{}", serde_json::to_string_pretty(index)?);
        return emit(&out);
    }
    outln!(
        out,
        "test pki {} (seed {}, now {}, structure {}, organisation {:?}, PKCS#12 password {:?})",
        pki.dir().display(),
        index.seed,
        index.now,
        index.structure_id,
        index.organisation,
        index.p12_password
    );
    out.push('\n');
    let mut rows = vec![[
        "NAME".to_owned(),
        "ROLE".to_owned(),
        "EXPECTED".to_owned(),
        "NOT AFTER".to_owned(),
        "SUBJECT".to_owned(),
    ]];
    for ca in &index.cas {
        rows.push([
            ca.name.clone(),
            ca.role.as_str().to_owned(),
            "-".to_owned(),
            ca.facts.not_after.clone(),
            ca.facts.subject.clone(),
        ]);
    }
    for identity in &index.identities {
        rows.push([
            identity.name.clone(),
            identity.role.as_str().to_owned(),
            identity.expected.to_string(),
            identity.facts.not_after.clone(),
            identity.facts.subject.clone(),
        ]);
    }
    let widths: Vec<usize> = (0..4)
        .map(|column| {
            rows.iter()
                .map(|row| row[column].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in &rows {
        outln!(
            out,
            "{:<w0$}  {:<w1$}  {:<w2$}  {:<w3$}  {}",
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3]
        );
    }
    out.push('\n');
    for crl in &index.crls {
        outln!(
            out,
            "crl {} ({}): revoked serials [{}]",
            crl.name,
            crl.pem,
            crl.revoked_serials.join(", ")
        );
    }
    out.push('\n');
    outln!(out, "files (under {}):", pki.dir().display());
    let mut files: Vec<(String, String)> = Vec::new();
    for ca in &index.cas {
        files.push((
            ca.cert.clone(),
            format!("{}: CA certificate (PEM): {}", ca.name, ca.description),
        ));
        files.push((
            ca.cert_der.clone(),
            format!("{}: the same CA certificate (DER)", ca.name),
        ));
    }
    for id in &index.identities {
        let who = format!("{} ({})", id.name, id.description);
        files.push((id.cert.clone(), format!("{who}: certificate (PEM)")));
        files.push((
            id.key.clone(),
            format!("{}: private key (PKCS#8 PEM, unencrypted)", id.name),
        ));
        files.push((
            id.chain.clone(),
            format!(
                "{}: certificate + issuing CA, the chain a client presents",
                id.name
            ),
        ));
        if let Some(p12) = &id.p12 {
            files.push((
                p12.clone(),
                format!(
                    "{}: PKCS#12 bundle (key, certificate, chain; password {})",
                    id.name, index.p12_password
                ),
            ));
        }
    }
    for crl in &index.crls {
        files.push((
            crl.pem.clone(),
            format!("revocation list of {} (PEM)", crl.issuer),
        ));
        files.push((
            crl.der.clone(),
            format!("revocation list of {} (DER)", crl.issuer),
        ));
    }
    files.push((
        insilab_certs::INDEX_FILE.to_owned(),
        "this catalogue (YAML)".to_owned(),
    ));
    let width = files
        .iter()
        .map(|(p, _)| p.chars().count())
        .max()
        .unwrap_or(0);
    for (path, purpose) in &files {
        outln!(out, "  {path:<width$}  {purpose}");
    }
    emit(&out)
}

fn export_trust(args: ExportTrustArgs) -> anyhow::Result<ExitCode> {
    let mut out = String::new();
    let pki = Pki::load(&args.dir)?;
    match args.format {
        TrustFormat::Pem => {
            for name in ["root", "organisations", "personnes"] {
                out.push_str(&pki.ca_pem(name)?);
            }
        }
        TrustFormat::P12 => {
            let path = args
                .out
                .unwrap_or_else(|| pki.dir().join("ca").join("truststore.p12"));
            let bytes = pki.truststore_p12(&args.password)?;
            std::fs::write(&path, bytes)
                .with_context(|| format!("failed to write {}", path.display()))?;
            outln!(out, "{}", path.display());
        }
        TrustFormat::JksInstructions => out.push_str(&instructions(&pki)),
    }
    emit(&out)
}

/// The commands of docs/pki.md with this PKI's paths filled in.
fn instructions(pki: &Pki) -> String {
    let dir = std::path::absolute(pki.dir()).unwrap_or_else(|_| pki.dir().to_path_buf());
    let d = dir.display();
    let password = &pki.index().p12_password;
    format!(
        "\
# Test PKI in {d}
# Root to trust: {d}/ca/root.pem (TEST AC RACINE IGC-SANTE ELEMENTAIRE)
# Client identity: {d}/identities/insi-auto/ (cert.pem, key.pem, chain.pem, bundle.p12, password {password})

# Java (keytool, JDK 17): a PKCS#12 trust store with the root, then the JVM options
keytool -importcert -noprompt -alias igc-sante-test-root -file {d}/ca/root.pem \\
  -keystore truststore.p12 -storetype PKCS12 -storepass changeit
java -Djavax.net.ssl.trustStore=truststore.p12 -Djavax.net.ssl.trustStorePassword=changeit \\
     -Djavax.net.ssl.trustStoreType=PKCS12 \\
     -Djavax.net.ssl.keyStore={d}/identities/insi-auto/bundle.p12 \\
     -Djavax.net.ssl.keyStorePassword={password} -Djavax.net.ssl.keyStoreType=PKCS12 ...
#   (or: insilab pki export-trust --pki {d} --format p12 --out truststore.p12)

# Node.js: extra CA for the whole process, and the client certificate in code
NODE_EXTRA_CA_CERTS={d}/ca/root.pem node app.js
#   https.request({{ pfx: fs.readFileSync('{d}/identities/insi-auto/bundle.p12'), passphrase: '{password}', ca: fs.readFileSync('{d}/ca/root.pem') }})

# .NET: load the bundle and trust the root for this handler only
#   var cert = X509CertificateLoader.LoadPkcs12FromFile(\"{d}/identities/insi-auto/bundle.p12\", \"{password}\");
#   handler.ClientCertificates.Add(cert);
#   handler.ServerCertificateCustomValidationCallback = (msg, c, chain, errors) => {{
#     chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
#     chain.ChainPolicy.CustomTrustStore.Add(X509CertificateLoader.LoadCertificateFromFile(\"{d}/ca/root.pem\"));
#     chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
#     return chain.Build(c); }};

# curl
curl --cacert {d}/ca/root.pem \\
     --cert {d}/identities/insi-auto/chain.pem --key {d}/identities/insi-auto/key.pem \\
     https://localhost:8443/lps
curl --cacert {d}/ca/root.pem --cert-type P12 --cert {d}/identities/insi-auto/bundle.p12:{password} \\
     https://localhost:8443/lps
"
    )
}
