#!/usr/bin/env bash
# Installs the independent oracles that come from PyPI (not from Debian) into a venv under
# target/oracles/venv, where the tests look for them. Run by .ci/run; run it once on a laptop to
# have the oracle tests run instead of being skipped. Needs python3 with venv and pip, and the
# network (the tests themselves never reach it).
#   python-hl7 (`hl7` package): a second HL7 v2 ER7 reader (formats/tests/hl7_oracle.rs).
#   fhir.resources (R4B models, pydantic): a FHIR structure validator for the JSON we write
#   (formats/tests/fhir_oracle.rs; R4B's Patient, Bundle and OperationOutcome are R4's).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/oracles/venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q --disable-pip-version-check "hl7==0.4.5" "fhir.resources==8.3.0"
"$venv/bin/python" -c "import hl7, fhir.resources.R4B"
echo "oracles installed in $venv"
