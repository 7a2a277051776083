@cnda
Feature: CNDA 2.07 — la boucle sur les prénoms (first-name loop)
  One birth first name per call, in order; stop at the first 00; after 01 or 02 go on; when no
  call gave 00 and there were several names, one last call with every name in one Prenom.

  @CNDA-2.07-cas1 @EXI-REC-07 @EXI-ID-10 @INSI-ALG-01 @INSI-HDR-01 @INSI-TLS-01 @INSI-RSP-01
  Scenario: 2.07 cas 1 — TCHITCHI, the loop stops at the first 00
    When the software searches by traits:
      | nom de naissance  | TCHITCHI           |
      | prénoms           | OLA CATARINA BELLA |
      | sexe              | F                  |
      | date de naissance | 1936-06-21         |
    Then every call is conform to the INSi contract
    And the simulator received 2 calls
    And the first names sent were "OLA", "CATARINA"
    And the answers were "01", "00"
    And the software stored the INS "2360663220836" key "56" with OID "1.2.250.1.213.1.4.8"
    And the software stored the traits exactly as returned

  @CNDA-2.07-cas2 @INSI-ALG-01 @INSI-HDR-01 @INSI-TLS-01
  Scenario: 2.07 cas 2 — HOUILLES, the full loop then the all-names call
    When the software searches by traits:
      | nom de naissance  | HOUILLES             |
      | prénoms           | PIERRE PAUL JACQUES  |
      | sexe              | M                    |
      | date de naissance | 1993-01-27           |
    Then every call is conform to the INSi contract
    And the simulator received 4 calls
    And the first names sent were "PIERRE", "PAUL", "JACQUES", "PIERRE PAUL JACQUES"
    And the answers were "01", "01", "01", "01"
    And the software reported no identity found
    And the software stored no INS
