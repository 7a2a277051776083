//! Shared fixtures: a fixed results model covering every status, an inline exchange with
//! characters that must be escaped, a failure naming a rule, and operator attestations.

#![allow(
    dead_code,
    reason = "each test binary uses a different subset of the fixtures"
)]

use insilab_reports::model::*;
use insilab_reports::{Catalogue, DsrMapping};

pub const DSR_YAML: &str = "\
items:
  - id: DSR-INS-12
    title: Retrieve the INS with the first-name loop
    requirements: [CNDA-2.07-cas1, CNDA-2.07-cas2, INSI-ALG-01]
  - id: DSR-INS-15
    title: Refuse faults and bad keys
    requirements: [INSI-FLT-01, CNDA-2.08-cas2]
  - id: DSR-INS-20
    title: Identity statuses
    requirements: [RNIV-EXI-SI-07]
  - id: DSR-INS-99
    requirements: [EXI-DIF-02]
";

pub fn catalogue() -> Catalogue {
    Catalogue::embedded()
}

pub fn dsr() -> DsrMapping {
    DsrMapping::from_yaml_str(DSR_YAML, &catalogue()).expect("fixture mapping is valid")
}

fn step(keyword: &str, text: &str, status: Status, message: Option<&str>) -> StepResult {
    StepResult {
        keyword: keyword.into(),
        text: text.into(),
        status,
        message: message.map(Into::into),
    }
}

fn scenario(id: &str, suite: &str, feature: &str, name: &str, status: Status) -> ScenarioResult {
    ScenarioResult {
        id: id.into(),
        suite: suite.into(),
        feature: feature.into(),
        feature_file: format!("{suite}/{}.feature", id.rsplit('/').next().unwrap_or(id)),
        name: name.into(),
        case_id: None,
        requirements: vec![],
        tags: vec![suite.into()],
        status,
        duration_ms: 120,
        steps: vec![],
        exchanges: vec![],
        attestations: vec![],
        failure: None,
        skip_reason: None,
        rules: vec![],
    }
}

/// A rule the scenario evaluated, linked to `requirements`.
pub fn check(rule: &str, requirements: &[&str], fired: bool) -> RuleCheck {
    RuleCheck {
        rule: rule.into(),
        requirements: requirements.iter().map(|r| (*r).to_owned()).collect(),
        fired,
    }
}

/// A run of the cnda and protocol suites: 3 passed, 2 failed, 1 skipped, 1 not run.
pub fn results() -> RunResults {
    let mut cas1 = scenario(
        "cnda/2.07-cas1",
        "cnda",
        "CNDA 2.07 — first-name loop",
        "2.07 cas 1 — TCHITCHI, the loop stops at the first 00",
        Status::Passed,
    );
    cas1.case_id = Some("2.07 cas 1".into());
    cas1.requirements = vec![
        "CNDA-2.07-cas1".into(),
        "EXI-REC-07".into(),
        "INSI-ALG-01".into(),
    ];
    cas1.steps = vec![
        step(
            "When",
            "the software searches by traits",
            Status::Passed,
            None,
        ),
        step(
            "Then",
            "the simulator received 2 calls",
            Status::Passed,
            None,
        ),
        step(
            "And",
            "the software stored the INS \"2360663220836\" key \"56\"",
            Status::Passed,
            None,
        ),
    ];
    cas1.exchanges = vec![
        ExchangeRef {
            index: 1,
            operation: "rechercherInsAvecTraitsIdentite".into(),
            outcome: "CR 01".into(),
            request_file: "exchanges/cnda_2.07-cas1/001-request.xml".into(),
            response_file: Some("exchanges/cnda_2.07-cas1/001-response.xml".into()),
            request_xml: Some(
                "<soap:Envelope><Prenom>OLA</Prenom><Note>a & b <script>x</script></Note></soap:Envelope>"
                    .into(),
            ),
            response_xml: Some("<CR><CodeCR>01</CodeCR></CR>".into()),
        },
        ExchangeRef {
            index: 2,
            operation: "rechercherInsAvecTraitsIdentite".into(),
            outcome: "CR 00".into(),
            request_file: "exchanges/cnda_2.07-cas1/002-request.xml".into(),
            response_file: Some("exchanges/cnda_2.07-cas1/002-response.xml".into()),
            request_xml: None,
            response_xml: None,
        },
    ];

    cas1.rules = vec![
        check(
            "INSI-ALG-01",
            &["INSI-ALG-01", "CNDA-2.07-cas1", "CNDA-2.07-cas2"],
            false,
        ),
        check("INSI-STO-01", &["EXI-REC-07", "INSI-RSP-01"], false),
    ];

    let mut cas2 = scenario(
        "cnda/2.07-cas2",
        "cnda",
        "CNDA 2.07 — first-name loop",
        "2.07 cas 2 — HOUILLES, the full loop then the all-names call",
        Status::Failed,
    );
    cas2.case_id = Some("2.07 cas 2".into());
    cas2.requirements = vec!["CNDA-2.07-cas2".into(), "INSI-ALG-01".into()];
    cas2.steps = vec![
        step(
            "When",
            "the software searches by traits",
            Status::Passed,
            None,
        ),
        step(
            "Then",
            "the first names sent were \"PIERRE\", \"PAUL\", \"JACQUES\", \"PIERRE PAUL JACQUES\"",
            Status::Failed,
            Some("INSI-ALG-01: the all-names call was not made (3 calls, expected 4)"),
        ),
        step(
            "And",
            "every call is conform to the INSi contract",
            Status::Skipped,
            None,
        ),
    ];
    cas2.failure = Some(Failure {
        rule: Some("INSI-ALG-03".into()),
        message: "[INSI-ALG-03] the all-names call was not made (3 calls, expected 4)".into(),
        rules: vec![RuleMessage {
            rule: "INSI-ALG-03".into(),
            message: "the all-names call was not made (3 calls, expected 4)".into(),
        }],
        reported: Some("not_found \"aucune identité trouvée\"".into()),
    });
    cas2.rules = vec![
        check(
            "INSI-ALG-01",
            &["INSI-ALG-01", "CNDA-2.07-cas1", "CNDA-2.07-cas2"],
            false,
        ),
        check("INSI-ALG-03", &["INSI-ALG-01", "CNDA-2.07-cas2"], true),
    ];

    let mut keys = scenario(
        "cnda/2.08-cas2",
        "cnda",
        "CNDA 2.08 — INS keys",
        "2.08 cas 2 — HERMANN, wrong keys are refused",
        Status::Passed,
    );
    keys.case_id = Some("2.08 cas 2".into());
    // Tagged EXI-ID-15 but evaluates none of its rules: not run, whatever the scenario status.
    // Tagged with the attestation requirement EXI-DIF-02 that nobody attested: pending.
    keys.requirements = vec![
        "CNDA-2.08-cas2".into(),
        "INSI-RSP-01".into(),
        "EXI-ID-15".into(),
        "EXI-DIF-02".into(),
    ];
    keys.rules = vec![check(
        "INSI-STO-04",
        &["INSI-RSP-01", "CNDA-2.08-cas2"],
        false,
    )];
    keys.steps = vec![step(
        "Then",
        "the software stored nothing",
        Status::Passed,
        None,
    )];

    let mut status = scenario(
        "cnda/statuses",
        "cnda",
        "Identity statuses <manual>",
        "The software shows the identity as provisional",
        Status::Passed,
    );
    status.requirements = vec!["RNIV-EXI-SI-07".into()];
    status.tags.push("manual".into());
    status.attestations = vec![Attestation {
        scenario_id: "cnda/statuses".into(),
        question: "Does the software show the status \"identité provisoire\"?".into(),
        answer: "yes".into(),
        comment: Some("shown in the banner".into()),
        operator: Some("qa@example.test".into()),
        at: "2026-11-27T10:01:30Z".into(),
        screenshot: None,
    }];

    let mut fault = scenario(
        "protocol/faults-insi_102",
        "protocol",
        "Technical faults",
        "insi_102 is shown and nothing stored",
        Status::Failed,
    );
    fault.requirements = vec!["INSI-FLT-01".into(), "EXI-NOT-IN-CATALOGUE".into()];
    fault.steps = vec![step(
        "Then",
        "the software reported an error",
        Status::Failed,
        Some("the software stored an INS after a fault"),
    )];
    fault.exchanges = vec![ExchangeRef {
        index: 1,
        operation: "rechercherInsAvecTraitsIdentite".into(),
        outcome: "fault insi_102".into(),
        request_file: "exchanges/protocol_faults-insi_102/001-request.xml".into(),
        response_file: None,
        request_xml: Some("<soap:Envelope/>".into()),
        response_xml: None,
    }];
    fault.failure = Some(Failure {
        rule: Some("INSI-FLT-01".into()),
        message: "[INSI-FLT-01] the software stored an INS after a fault | see step 1".into(),
        rules: vec![RuleMessage {
            rule: "INSI-FLT-01".into(),
            message: "the software stored an INS after a fault | see step 1".into(),
        }],
        reported: None,
    });
    fault.rules = vec![check("INSI-FLT-01", &["INSI-FLT-01"], true)];

    let mut tls = scenario(
        "protocol/tls-expired",
        "protocol",
        "TLS",
        "An expired server certificate is refused",
        Status::Skipped,
    );
    tls.requirements = vec!["INSI-TLS-02".into()];
    tls.steps = vec![step(
        "Given",
        "the simulator presents the server certificate \"server-expired\"",
        Status::Skipped,
        Some("this simulator cannot present another server identity"),
    )];
    tls.skip_reason = Some("this simulator cannot present another server identity".into());

    let mut net = scenario(
        "protocol/network-timeout",
        "protocol",
        "Network",
        "A timeout is reported",
        Status::NotRun,
    );
    net.requirements = vec!["INSI-NET-01".into()];

    RunResults {
        schema_version: SCHEMA_VERSION.into(),
        tool_version: "0.1.0".into(),
        run_id: "3f2b9c1e-0000-4000-8000-000000000001".into(),
        started_at: "2026-11-27T10:00:00Z".into(),
        finished_at: Some("2026-11-27T10:02:00Z".into()),
        driver: "reference".into(),
        simulator: "https://127.0.0.1:8443/insi".into(),
        dataset_sha256: Some(
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into(),
        ),
        suites: vec!["cnda".into(), "protocol".into()],
        family: None,
        scenarios: vec![cas1, cas2, keys, status, fault, tls, net],
        planned: None,
        stopped: None,
    }
}

/// Insta settings that hide what changes between builds and runs.
pub fn redacted() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)",
        "[TIME]",
    );
    settings.add_filter(r#"time="[0-9.]+""#, r#"time="[DURATION]""#);
    settings.add_filter(r"\b\d+ ms\b", "[DURATION] ms");
    settings.add_filter(r#""duration_ms": \d+"#, r#""duration_ms": "[DURATION]""#);
    settings.add_filter(r"insilab 0\.1\.0", "insilab [VERSION]");
    settings.add_filter(
        r#""tool_version": "[^"]*""#,
        r#""tool_version": "[VERSION]""#,
    );
    settings.set_prepend_module_to_snapshot(false);
    settings
}
