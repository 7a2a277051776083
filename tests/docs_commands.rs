//! Runs every command of the user documentation, so that the docs cannot rot.
//!
//! Convention (stated in `docs/README.md`): every fenced block whose info string is `sh` is
//! executed, line by line, in a fresh temporary directory per page, with the `insilab` binary
//! under test first on `PATH`. A line may end with `# exit N` to state the exit code the reader
//! should expect (default 0). A line ending with `&` starts a background process (e.g.
//! `insilab serve &`); the runner waits until it listens and stops it at the end of the page.
//! `cargo …` lines are the README's set-up commands: `.ci/run` and the demo end-to-end test run
//! them, so they are skipped here. Lines whose program is not installed (`keytool`, `curl`, …)
//! are skipped loudly.
//!
//! A fenced block whose info string is `output`, right after an `sh` block, is an excerpt of
//! what the last command of that block prints (stdout then stderr): each of its non-empty lines
//! must appear, in order, in that output. Values that change between runs are masked on both
//! sides (times and durations, ids, ports, absolute paths, seeds), and `…` in an excerpt line
//! stands for any text. Every relative link of a page must name a file that exists, and its
//! `#anchor` a heading of that page (GitHub anchors).
//!
//! The page's directory holds a copy of `examples/` and `scenarios/`, as a checkout does. Pages that do not generate a PKI themselves (`insilab pki init`) start with a copy of the
//! shared test PKI in `certs/generated/`, as a reader who followed the quick start has.

use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a background process may take to start listening.
const BACKGROUND_START_TIMEOUT: Duration = Duration::from_secs(60);
/// Default simulator endpoint when a background command names no `--listen`.
const DEFAULT_LISTEN: &str = "127.0.0.1:8443";

struct Background(Vec<Child>);

impl Drop for Background {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// One command taken from a page.
#[derive(Debug)]
struct DocCommand {
    page: String,
    line: usize,
    text: String,
    expected_exit: i32,
    background: bool,
    /// The `output` block documented right after this command's block (last command only).
    excerpt: Option<Vec<String>>,
}

fn commands_of(page: &str, markdown: &str) -> Vec<DocCommand> {
    let mut commands: Vec<DocCommand> = Vec::new();
    let mut in_block = false;
    let mut in_output: Option<Vec<String>> = None;
    // Whether the last block closed was an `sh` block, with only blank lines since.
    let mut after_sh = false;
    let mut pending: Option<(usize, String)> = None;
    for (number, raw) in markdown.lines().enumerate() {
        let trimmed = raw.trim();
        if let Some(info) = trimmed.strip_prefix("```") {
            if let Some(lines) = in_output.take() {
                if let Some(last) = commands.last_mut() {
                    last.excerpt = Some(lines);
                }
                after_sh = false;
                continue;
            }
            if in_block {
                in_block = false;
                after_sh = true;
            } else if info.trim() == "output" && after_sh {
                in_output = Some(Vec::new());
            } else {
                in_block = info.trim() == "sh";
                after_sh = false;
            }
            continue;
        }
        if let Some(lines) = in_output.as_mut() {
            if !trimmed.is_empty() {
                lines.push(raw.trim_end().to_owned());
            }
            continue;
        }
        if !in_block {
            if !trimmed.is_empty() {
                after_sh = false;
            }
            continue;
        }
        let (start, mut text) = match pending.take() {
            Some((start, previous)) => (start, format!("{previous} {trimmed}")),
            None => (number + 1, trimmed.to_string()),
        };
        if let Some(stripped) = text.strip_suffix('\\') {
            pending = Some((start, stripped.trim_end().to_string()));
            continue;
        }
        let mut expected_exit = 0;
        if let Some(position) = find_comment(&text) {
            let comment = text[position + 1..].trim().to_string();
            if let Some(code) = comment.strip_prefix("exit ") {
                expected_exit = code
                    .split_whitespace()
                    .next()
                    .and_then(|c| c.parse().ok())
                    .unwrap_or(0);
            }
            text.truncate(position);
        }
        let mut text = text.trim().to_string();
        if text.is_empty() {
            continue;
        }
        let background = text.ends_with('&');
        if background {
            text.pop();
            text = text.trim().to_string();
        }
        commands.push(DocCommand {
            page: page.to_string(),
            line: start,
            text,
            expected_exit,
            background,
            excerpt: None,
        });
    }
    commands
}

/// Position of a shell comment (`#` after a space, outside quotes).
fn find_comment(text: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut previous = ' ';
    for (index, c) in text.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '#' && previous.is_whitespace() => return Some(index),
            None => {}
        }
        previous = c;
    }
    None
}

/// The last lines of an output, enough to see why a command failed.
fn tail(text: &str) -> String {
    const LINES: usize = 15;
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(LINES)..].join("\n")
}

fn program_available(program: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {program}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

fn listen_address(command: &str) -> SocketAddr {
    let mut words = command.split_whitespace();
    while let Some(word) = words.next() {
        if word == "--listen" {
            if let Some(value) = words.next().and_then(|v| v.parse().ok()) {
                return value;
            }
        } else if let Some(value) = word.strip_prefix("--listen=")
            && let Ok(address) = value.parse()
        {
            return address;
        }
    }
    DEFAULT_LISTEN
        .parse()
        .expect("the default listen address is valid")
}

fn wait_listening(address: SocketAddr, child: &mut Child, what: &str, log: &Path) {
    let start = Instant::now();
    while start.elapsed() < BACKGROUND_START_TIMEOUT {
        if TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            let output = std::fs::read_to_string(log).unwrap_or_default();
            panic!(
                "{what}: background process exited early with {status}\n--- output\n{}",
                tail(&output)
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{what}: nothing listens on {address} after {BACKGROUND_START_TIMEOUT:?}");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create the PKI copy");
    for entry in std::fs::read_dir(from).expect("read the shared PKI") {
        let entry = entry.expect("read a PKI entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy a PKI file");
        }
    }
}

fn run_page(
    page: &Path,
    binary_dir: &Path,
    shared_pki: &Path,
    checkout: &Path,
    failures: &mut Vec<String>,
) -> usize {
    let markdown = std::fs::read_to_string(page).expect("read the page");
    let name = page
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let commands = commands_of(&name, &markdown);
    if commands.is_empty() {
        return 0;
    }
    let workdir = tempfile::tempdir().expect("temp dir");
    if !markdown.contains("insilab pki init") {
        copy_dir(shared_pki, &workdir.path().join("certs/generated"));
    }
    // The pages refer to the shipped examples and scenarios as a reader in a checkout sees them.
    for dir in ["examples", "scenarios"] {
        copy_dir(&checkout.join(dir), &workdir.path().join(dir));
    }
    let path = format!(
        "{}:{}",
        binary_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut background = Background(Vec::new());
    let mut ran = 0;
    for command in commands {
        let what = format!("{}:{}: `{}`", command.page, command.line, command.text);
        let program = command.text.split_whitespace().next().unwrap_or_default();
        if program == "cargo" {
            eprintln!("docs: {what}: run by .ci/run and the demo test, not here");
            continue;
        }
        if !program_available(program) && program != "insilab" {
            insilab_testkit::skip(&what, &format!("`{program}` is not installed"));
            continue;
        }
        let mut shell = Command::new("bash");
        shell
            .arg("-c")
            .arg(format!("set -o pipefail; {}", command.text))
            .current_dir(workdir.path())
            .env("PATH", &path)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        if command.background {
            let log = workdir
                .path()
                .join(format!("background-{}.log", command.line));
            let file = std::fs::File::create(&log).expect("background log");
            let file2 = file.try_clone().expect("clone log handle");
            let mut child = shell
                .stdout(Stdio::from(file))
                .stderr(Stdio::from(file2))
                .spawn()
                .unwrap_or_else(|e| panic!("{what}: failed to start: {e}"));
            wait_listening(listen_address(&command.text), &mut child, &what, &log);
            background.0.push(child);
            ran += 1;
            continue;
        }
        let output = shell
            .output()
            .unwrap_or_else(|e| panic!("{what}: failed to start: {e}"));
        let code = output.status.code().unwrap_or(-1);
        if let Some(excerpt) = &command.excerpt {
            let printed = format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            if let Err(missing) = excerpt_matches(excerpt, &printed) {
                failures.push(format!(
                    "{what}: the documented output line {missing:?} is not printed\n--- output\n{}",
                    tail(&printed)
                ));
            }
        }
        if code != command.expected_exit {
            failures.push(format!(
                "{what}: exit code {code}, the docs say {}\n--- stdout\n{}\n--- stderr\n{}",
                command.expected_exit,
                tail(&String::from_utf8_lossy(&output.stdout)),
                tail(&String::from_utf8_lossy(&output.stderr))
            ));
        }
        ran += 1;
    }
    ran
}

/// Masks what changes between runs: timestamps, ids, durations, ports, absolute paths, long
/// numbers (seeds).
fn mask(text: &str) -> String {
    static PATTERNS: std::sync::OnceLock<Vec<(regex::Regex, &'static str)>> =
        std::sync::OnceLock::new();
    let patterns = PATTERNS.get_or_init(|| {
        [
            (r"\d{4}-\d{2}-\d{2}T[0-9:.]+(Z|[+-]\d{2}:\d{2})", "<time>"),
            (
                r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                "<id>",
            ),
            (r"\b[0-9a-f]{16,}\b", "<hex>"),
            (r"\b\d+(\.\d+)? ?(ms|s)\b", "<duration>"),
            (r"(127\.0\.0\.1|localhost|\[::1\]):\d+", "<host>:<port>"),
            (r"(/[\w.@+-]+)+/?", "<path>"),
            (r"\b\d{6,}\b", "<number>"),
        ]
        .into_iter()
        .map(|(p, r)| (regex::Regex::new(p).expect("mask pattern"), r))
        .collect()
    });
    let mut text = text.to_owned();
    for (pattern, replacement) in patterns {
        text = pattern.replace_all(&text, *replacement).into_owned();
    }
    text
}

/// Whether every excerpt line appears, in order, in `printed` (after masking; `…` matches any
/// text). Returns the first line that does not.
fn excerpt_matches(excerpt: &[String], printed: &str) -> Result<(), String> {
    let lines: Vec<String> = printed.lines().map(mask).collect();
    let mut from = 0;
    for wanted in excerpt {
        let parts: Vec<String> = mask(wanted.trim())
            .split('…')
            .map(|p| p.trim().to_owned())
            .collect();
        let found = lines[from..].iter().position(|line| {
            let mut at = 0;
            parts
                .iter()
                .all(|part| match line[at..].find(part.as_str()) {
                    Some(i) => {
                        at += i + part.len();
                        true
                    }
                    None => false,
                })
        });
        match found {
            Some(i) => from += i + 1,
            None => return Err(wanted.clone()),
        }
    }
    Ok(())
}

/// The anchors of a page's headings as GitHub makes them: lower case, punctuation but `-` and
/// `_` dropped, spaces turned into `-`; a repeated heading gets `-1`, `-2`…
fn anchors(markdown: &str) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    let mut in_code = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        let Some(title) = line.strip_prefix('#').filter(|_| !in_code) else {
            continue;
        };
        let title = title.trim_start_matches('#').trim();
        let slug: String = title
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
            .map(|c| if c == ' ' { '-' } else { c })
            .collect();
        let n = seen
            .iter()
            .filter(|s| {
                s.as_str() == slug
                    || s.strip_prefix(&format!("{slug}-"))
                        .is_some_and(|r| r.parse::<u32>().is_ok())
            })
            .count();
        seen.push(if n == 0 { slug } else { format!("{slug}-{n}") });
    }
    seen
}

/// Relative links of a page (`[text](target)`) whose file does not exist, or whose `#anchor`
/// names no heading of that page.
fn dead_links(page: &Path, markdown: &str) -> Vec<String> {
    let link = regex::Regex::new(r"\]\(([^)\s]+)\)").expect("link pattern");
    let dir = page.parent().unwrap_or(Path::new("."));
    let mut in_code = false;
    let mut dead = Vec::new();
    for (number, line) in markdown.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        for target in link.captures_iter(line).map(|c| c[1].to_owned()) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let (file, anchor) = target.split_once('#').unwrap_or((target.as_str(), ""));
            let path = if file.is_empty() {
                page.to_owned()
            } else {
                dir.join(file)
            };
            if !file.is_empty() && !path.exists() {
                dead.push(format!("{}:{}: {target}", page.display(), number + 1));
            } else if !anchor.is_empty()
                && path.extension().is_some_and(|e| e == "md")
                && !anchors(&std::fs::read_to_string(&path).unwrap_or_default())
                    .iter()
                    .any(|a| a == anchor)
            {
                dead.push(format!(
                    "{}:{}: {target} (no heading with that anchor)",
                    page.display(),
                    number + 1
                ));
            }
        }
    }
    dead
}

#[test]
fn no_documentation_link_names_a_missing_file() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut pages: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .expect("docs directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    pages.push(root.join("README.md"));
    pages.push(root.join("examples/README.md"));
    let dead: Vec<String> = pages
        .iter()
        .flat_map(|p| dead_links(p, &std::fs::read_to_string(p).unwrap_or_default()))
        .collect();
    assert!(dead.is_empty(), "dead links:\n{}", dead.join("\n"));
}

#[test]
fn output_excerpts_allow_changing_values_and_catch_wrong_text() {
    let printed = "insilab serve: INSi simulator ready in 41 ms\n  endpoint https://127.0.0.1:40123/lps\nEvidence: /tmp/x/evidence\n12 passed, 0 failed\n";
    let ok = [
        "insilab serve: INSi simulator ready in 40 ms",
        "endpoint https://127.0.0.1:28443/lps",
        "12 passed, 0 failed",
    ]
    .map(str::to_owned);
    assert_eq!(excerpt_matches(&ok, printed), Ok(()));
    let ellipsis = [
        "insilab serve: … ready in 3 ms".to_owned(),
        "Evidence: …".to_owned(),
    ];
    assert_eq!(excerpt_matches(&ellipsis, printed), Ok(()));
    let wrong = ["11 passed, 0 failed".to_owned()];
    assert!(excerpt_matches(&wrong, printed).is_err());
    let out_of_order = ["12 passed, 0 failed".to_owned(), "Evidence: …".to_owned()];
    assert!(excerpt_matches(&out_of_order, printed).is_err());
    let markdown =
        "```sh\ninsilab ins check 1\ninsilab lint x # exit 1\n```\n\n```output\nfault …\n```\n";
    let commands = commands_of("p.md", markdown);
    assert_eq!(commands[0].excerpt, None);
    assert_eq!(commands[1].excerpt, Some(vec!["fault …".to_owned()]));
}

#[test]
fn every_documented_command_runs_as_documented() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_insilab"));
    let binary_dir = binary.parent().expect("the binary has a directory");
    let pki = insilab_certs::testing::shared_pki().expect("shared test PKI");
    let mut pages: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .expect("docs directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    pages.sort();
    // `INSILAB_DOCS_PAGES=formats.md,pki.md`: only those pages (while writing docs).
    if let Ok(only) = std::env::var("INSILAB_DOCS_PAGES") {
        let only: Vec<&str> = only.split(',').map(str::trim).collect();
        pages.retain(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| only.contains(&n))
        });
    }
    let mut total = 0;
    let mut failures = Vec::new();
    for page in &pages {
        total += run_page(page, binary_dir, pki.dir(), &root, &mut failures);
    }
    assert!(
        failures.is_empty(),
        "{} documented command(s) do not behave as documented:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert!(total > 0, "no documented command was run");
    eprintln!("docs: {total} documented commands ran");
}

#[test]
fn the_command_extractor_reads_exit_codes_continuations_and_background() {
    let markdown = "text\n```sh\ninsilab ins check 123 # exit 1\ninsilab serve \\\n  --listen 127.0.0.1:9 &\n```\n```json\n{}\n```\n";
    let commands = commands_of("page.md", markdown);
    assert_eq!(commands.len(), 2);
    assert_eq!(commands[0].text, "insilab ins check 123");
    assert_eq!(commands[0].expected_exit, 1);
    assert_eq!(commands[1].text, "insilab serve --listen 127.0.0.1:9");
    assert!(commands[1].background);
    assert_eq!(commands[1].line, 4);
}

#[test]
fn a_link_to_a_missing_heading_is_dead_and_github_anchors_are_followed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let page = dir.path().join("page.md");
    let markdown = "# Title\n\n## Channels per tenant (`FHIR`)\n\n## Channels per tenant (`FHIR`)\n\n[a](#channels-per-tenant-fhir) [b](#channels-per-tenant-fhir-1) [c](#nope) [d](page.md#title) [e](other.md)\n";
    std::fs::write(&page, markdown).expect("write");
    let dead = dead_links(&page, markdown);
    assert_eq!(dead.len(), 2, "{dead:?}");
    assert!(
        dead[0].ends_with("#nope (no heading with that anchor)"),
        "{dead:?}"
    );
    assert!(dead[1].ends_with("other.md"), "{dead:?}");
}
