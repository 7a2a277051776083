@protocol @insilab
Feature: insilab's own answers — what the CNDA files cannot tell apart
  insilab's own cases, not the CNDA's (answer files `INSILAB_…`, documented in simulator.md).
  Found by mutation testing of the reference client: each scenario fails for a client that
  passes every CNDA case but checks only the active INS key, drops or defaults the historical
  OIDs, or accepts a 00 answer with an empty field.

  @INSI-RSP-01 @EXI-REC-08
  Scenario: a wrong historical key is refused even when the active key is right
    Given the simulator answers the next search for "ECETINSI" with the insilab answer file "INSILAB_HISTO_BAD_KEY"
    When the software searches by traits:
      | nom de naissance  | ECETINSI     |
      | prénoms           | PIERRE-ALAIN |
      | sexe              | M            |
      | date de naissance | 2009-07-14   |
    Then the simulator received 1 call
    And the answers were "00"
    And the software refused the answer
    And the software stored no INS

  @EXI-REC-08 @INSI-RSP-02
  Scenario: a historical NIA is stored with its own OID
    Given the simulator answers the next search for "ECETINSI" with the insilab answer file "INSILAB_HISTO_NIA"
    When the software searches by traits:
      | nom de naissance  | ECETINSI     |
      | prénoms           | PIERRE-ALAIN |
      | sexe              | M            |
      | date de naissance | 2009-07-14   |
    Then the simulator received 1 call
    And the answers were "00"
    And the software stored the INS "1090763220834" key "89" with OID "1.2.250.1.213.1.4.8"
    And the software stored 1 historical INS
    And the software stored the history exactly as returned

  @INSI-RSP-01
  Scenario: a 00 answer with an empty field is refused
    Given the simulator answers the next search for "ECETINSI" with the insilab answer file "INSILAB_EMPTY_SEXE"
    When the software searches by traits:
      | nom de naissance  | ECETINSI     |
      | prénoms           | PIERRE-ALAIN |
      | sexe              | M            |
      | date de naissance | 2009-07-14   |
    Then the simulator received 1 call
    And the answers were "00"
    And the software refused the answer
    And the software stored no INS

  @INSI-RSP-01
  Scenario: a wrong active key is refused even when the historical key is right
    Given the simulator answers the next search for "ECETINSI" with the insilab answer file "INSILAB_ACTIVE_BAD_KEY"
    When the software searches by traits:
      | nom de naissance  | ECETINSI     |
      | prénoms           | PIERRE-ALAIN |
      | sexe              | M            |
      | date de naissance | 2009-07-14   |
    Then the simulator received 1 call
    And the answers were "00"
    And the software refused the answer
    And the software stored no INS

  @INSI-NET-01
  Scenario: a valid answer under HTTP 500 is not used
    Given the simulator answers the next search for "ECETINSI" with the insilab answer file "INSILAB_RESULT_HTTP_500"
    When the software searches by traits:
      | nom de naissance  | ECETINSI     |
      | prénoms           | PIERRE-ALAIN |
      | sexe              | M            |
      | date de naissance | 2009-07-14   |
    Then the simulator received 1 call
    And the software reported a technical error
    And the software stored no INS
