@cnda
Feature: CNDA 2.05 — INS provisoire (NIA)
  A person known by a NIA: the software stores the OID the service returned (`.9`), never the
  NIR OID.

  @CNDA-2.05 @EXI-REC-07 @EXI-ID-15 @RNIV-EXI-SI-07 @INSI-RSP-01 @INSI-HDR-01 @INSI-TLS-01
  Scenario: 2.05 — NIA OID stored as returned
    Given the simulator answers the next search for "PROVISOIRE" with the CNDA file "TEST_2.05"
    When the software searches by traits:
      | nom de naissance  | PROVISOIRE |
      | prénoms           | MATRICULE  |
      | sexe              | M          |
      | date de naissance | 2009-07-01 |
    Then every call is conform to the INSi contract
    And the simulator received 1 call
    And the answers were "00"
    And the software stored the INS "1090763220888" key "35" with OID "1.2.250.1.213.1.4.9"
    And the software stored the traits exactly as returned
    And the software stored the history exactly as returned
