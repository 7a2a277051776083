#!/usr/bin/env python3
"""A software under test written the way a publisher would: a traits search over INSi (SOAP 1.2
over mutual TLS) speaking insilab's command-driver protocol (docs/driver-protocol.md).

    insi_sut.py --endpoint URL --traits-json JSON --cert C --key K --ca ROOTS [--no-verify-server]

Prints one outcome JSON on stdout. `--no-verify-server` makes it a *wrong* software that does not
verify the server certificate: insilab's server-certificate scenarios (INSI-TLS-02) catch it.
Python standard library only.
"""
import argparse, http.client, json, ssl, sys, uuid, datetime, urllib.parse
import xml.etree.ElementTree as ET

RS = "http://www.cnamts.fr/INSiRecSans"
RES = "http://www.cnamts.fr/INSiResultat"
ACTION = "urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite"


def envelope(idam, birth_name, first_names, sex, birth_date, birthplace):
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    place = f"<rs:LieuNaissance>{birthplace}</rs:LieuNaissance>" if birthplace else ""
    return (
        '<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Header>'
        f'<wsa:Action xmlns:wsa="http://www.w3.org/2005/08/addressing">{ACTION}</wsa:Action>'
        f'<wsa:MessageID xmlns:wsa="http://www.w3.org/2005/08/addressing">uuid:{uuid.uuid4()}</wsa:MessageID>'
        '<ctxbam:ContexteBAM xmlns:ctxbam="urn:siram:bam:ctxbam" Version="01_02" Nature="CTXBAM">'
        f"<ctxbam:Id>{uuid.uuid4()}</ctxbam:Id><ctxbam:Temps>{now}</ctxbam:Temps><ctxbam:COUVERTURE/>"
        '</ctxbam:ContexteBAM><ctxlps:ContexteLPS xmlns:ctxlps="urn:siram:lps:ctxlps" Version="01_00" Nature="CTXLPS">'
        f"<ctxlps:Id>{uuid.uuid4()}</ctxlps:Id><ctxlps:Temps>{now}</ctxlps:Temps><ctxlps:LPS>"
        f'<ctxlps:IDAM R="4">{idam}</ctxlps:IDAM><ctxlps:Version>1.0</ctxlps:Version>'
        f"<ctxlps:Instance>{uuid.uuid4()}</ctxlps:Instance><ctxlps:Nom>urn:lps:publisher-sut:1.0</ctxlps:Nom>"
        "</ctxlps:LPS></ctxlps:ContexteLPS></soap:Header><soap:Body>"
        f'<rs:RECSANSVITALE xmlns:rs="{RS}"><rs:NomNaissance>{birth_name}</rs:NomNaissance>'
        f"<rs:Prenom>{first_names}</rs:Prenom><rs:Sexe>{sex}</rs:Sexe>"
        f"<rs:DateNaissance>{birth_date}</rs:DateNaissance>{place}</rs:RECSANSVITALE>"
        "</soap:Body></soap:Envelope>"
    )


def call(args, body):
    url = urllib.parse.urlsplit(args.endpoint)
    ctx = ssl.create_default_context(cafile=args.ca)
    if args.no_verify_server:  # the bug this example exists to show
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    ctx.load_cert_chain(args.cert, args.key)
    conn = http.client.HTTPSConnection(url.hostname, url.port or 443, context=ctx, timeout=args.timeout)
    conn.request("POST", url.path or "/", body.encode(), {
        "Content-Type": f'application/soap+xml; charset=utf-8; action="{ACTION}"'})
    resp = conn.getresponse()
    data = resp.read()
    if resp.status != 200:
        raise RuntimeError(f"HTTP {resp.status}")
    return ET.fromstring(data)


def text(node, path):
    found = node.find(path, {"r": RES})
    return found.text if found is not None and found.text else ""


def main():
    p = argparse.ArgumentParser()
    for name in ("--endpoint", "--traits-json", "--cert", "--key", "--ca"):
        p.add_argument(name, required=True)
    p.add_argument("--idam", default="PDP17NF21DD0")
    p.add_argument("--timeout", type=float, default=2.0)
    p.add_argument("--no-verify-server", action="store_true")
    args = p.parse_args()
    t = json.loads(args.traits_json)
    names = t["first_names"]
    plan = [[n] for n in names] + ([names] if len(names) > 1 else [])
    calls = 0
    outcome = {"outcome": "not_found"}
    try:
        for attempt in plan:
            calls += 1
            root = call(args, envelope(args.idam, t["birth_name"], " ".join(attempt), t["sex"],
                                       t["birth_date"], t.get("birthplace")))
            code = text(root, ".//r:CR/r:CodeCR")
            if code == "01":
                continue
            if code == "02":
                outcome = {"outcome": "ambiguous"}
            elif code == "00":
                ind = root.find(".//r:INDIVIDU", {"r": RES})
                outcome = {"outcome": "found", "stored": {
                    "ins": {"matricule": text(ind, "r:INSACTIF/r:IdIndividu/r:NumIdentifiant"),
                            "key": text(ind, "r:INSACTIF/r:IdIndividu/r:Cle"),
                            "oid": text(ind, "r:INSACTIF/r:OID")},
                    "traits": {"birth_name": text(ind, "r:TIQ/r:NomNaissance"),
                               "first_names_list": text(ind, "r:TIQ/r:ListePrenom"),
                               "sex": text(ind, "r:TIQ/r:Sexe"),
                               "birth_date": text(ind, "r:TIQ/r:DateNaissance"),
                               "birthplace": text(ind, "r:TIQ/r:LieuNaissance") or None}}}
            else:
                outcome = {"outcome": "fault", "error_shown": code or "unknown answer"}
            break
    except (OSError, ssl.SSLError, RuntimeError, ET.ParseError) as e:
        outcome = {"outcome": "technical_error", "error_shown": str(e), "message": str(e)}
    outcome["calls"] = calls if outcome["outcome"] != "technical_error" else None
    if outcome["calls"] is None:
        del outcome["calls"]
    print(json.dumps(outcome))


if __name__ == "__main__":
    sys.exit(main())
