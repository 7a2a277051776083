@protocol
Feature: Mode carte CPx — l'assertion PS signée (card mode)
  With a CPx card, the software signs an "assertion PS" with the card's signature key and puts
  it in wsse:Security, over TLS without a client certificate. The simulator serves the call only
  if the assertion passes every INSI-CPX rule (docs/card-mode.md); otherwise it answers a fault
  naming the rule. The virtual cards of the test PKI stand in for the test CPx cards.

  @INSI-CPX-01 @INSI-HDR-01
  Scenario Outline: a valid assertion signed with the card of <professional> is served
    When the software searches by traits in card mode with the card of "<professional>":
      | nom de naissance  | ADRUN      |
      | prénoms           | ZOE        |
      | sexe              | F          |
      | date de naissance | 1975-12-31 |
    Then the simulator accepted the card assertion
    And the simulator received 1 call
    And the answers were "00"
    And the software stored the INS "2751263220749" key "74" with OID "1.2.250.1.213.1.4.8"

    Examples:
      | professional |
      | 899900063480 |
      | 00B6087510   |
      | 899700870589 |

  @INSI-CPX-01
  Scenario Outline: a wrong assertion (<case>) is refused with <rule>
    When the software searches by traits in card mode with the card of "899900063480" signing a "<case>" assertion:
      | nom de naissance  | ADRUN      |
      | prénoms           | ZOE        |
      | sexe              | F          |
      | date de naissance | 1975-12-31 |
    Then the simulator received 1 call
    And the simulator refused the card assertion with the rule "<rule>"
    And the software showed the error "insilab_requete_invalide"
    And the software stored no INS

    Examples:
      | case                    | rule         |
      | doctype                 | INSI-CPX-002 |
      | sha1-digest             | INSI-CPX-005 |
      | wrong-reference-uri     | INSI-CPX-006 |
      | tampered-text           | INSI-CPX-007 |
      | tampered-signature      | INSI-CPX-007 |
      | signature-wrapping      | INSI-CPX-008 |
      | unknown-ca              | INSI-CPX-010 |
      | expired-certificate     | INSI-CPX-011 |
      | revoked-certificate     | INSI-CPX-012 |
      | stale-issue-instant     | INSI-CPX-013 |
      | future-issue-instant    | INSI-CPX-014 |
      | missing-professional-id | INSI-CPX-015 |
