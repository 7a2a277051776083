@cnda
Feature: CNDA 2.08 — clés des matricules (matricule keys)
  A Corsica key computed the Corsica way; an answer whose keys are wrong must not be stored.

  @CNDA-2.08-cas1 @EXI-REC-07 @EXI-REC-08 @INSI-RSP-01 @INSI-HDR-01 @INSI-TLS-01
  Scenario: 2.08 cas 1 — Corsica key, the active INS repeated in the history
    Given the simulator answers the next search for "CORSE" with the CNDA file "TEST_2.08_cas1"
    When the software searches by traits:
      | nom de naissance  | CORSE      |
      | prénoms           | ANTHONY    |
      | sexe              | M          |
      | date de naissance | 1980-03-02 |
    Then every call is conform to the INSi contract
    And the simulator received 1 call
    And the answers were "00"
    And the software stored the INS "180032B020401" key "23" with OID "1.2.250.1.213.1.4.8"
    And the software stored the traits exactly as returned
    And the software stored the history exactly as returned

  @CNDA-2.08-cas2 @INSI-RSP-01 @INSI-HDR-01 @INSI-TLS-01
  Scenario: 2.08 cas 2 — both keys wrong: the answer is refused, nothing stored
    Given the simulator answers the next search for "HERMANN" with the CNDA file "TEST_2.08_cas2"
    When the software searches by traits:
      | nom de naissance  | HERMANN    |
      | prénoms           | GATIEN     |
      | sexe              | M          |
      | date de naissance | 1981-03-24 |
    Then every call is conform to the INSi contract
    And the simulator received 1 call
    And the answers were "00"
    And the software refused the answer
    And the software stored no INS
