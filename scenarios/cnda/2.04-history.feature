@cnda
Feature: CNDA 2.04 — historique des INS (INS history)
  The software keeps the matricule history (INSHISTO) exactly as returned, whatever its length
  and whatever the order of the elements in the answer.

  @CNDA-2.04-cas1 @EXI-REC-07 @EXI-REC-08 @INSI-ALG-01 @INSI-HDR-01 @INSI-TLS-01 @INSI-RSP-01
  Scenario: 2.04 cas 1 — one historical INS
    When the software searches by traits:
      | nom de naissance  | ECETINSI     |
      | prénoms           | PIERRE-ALAIN |
      | sexe              | M            |
      | date de naissance | 2009-07-14   |
    Then every call is conform to the INSi contract
    And the simulator received 1 call
    And the answers were "00"
    And the software stored the INS "1090763220834" key "89" with OID "1.2.250.1.213.1.4.8"
    And the software stored the traits exactly as returned
    And the software stored 1 historical INS
    And the software stored the history exactly as returned

  @CNDA-2.04-cas2 @EXI-REC-07 @EXI-REC-08 @INSI-RSP-02 @INSI-HDR-01 @INSI-TLS-01
  Scenario: 2.04 cas 2 — several historical INS, dates written before IdIndividu
    Given the simulator answers the next search for "ECETINSI" with the CNDA file "TEST_2.04_cas2"
    When the software searches by traits:
      | nom de naissance  | ECETINSI     |
      | prénoms           | PIERRE-ALAIN |
      | sexe              | M            |
      | date de naissance | 2009-07-14   |
    Then every call is conform to the INSi contract
    And the simulator received 1 call
    And the answers were "00"
    And the software stored the INS "1090763220834" key "89" with OID "1.2.250.1.213.1.4.8"
    And the software stored the traits exactly as returned
    And the software stored 2 historical INS
    And the software stored the history exactly as returned
