@cnda
Feature: CNDA 2.03 — traits de recherche hors du commun (unusual traits)
  Birth names with apostrophes and spaces, hyphenated first names, Corsica, and characters outside
  the INSi lexical profile, which the software must refuse without calling the service.

  @CNDA-2.03-cas1 @EXI-ID-14 @EXI-REC-07 @INSI-HDR-01 @INSI-TLS-01 @INSI-LEX-01 @INSI-RSP-01
  Scenario: 2.03 cas 1 — apostrophes and spaces in the nom de naissance, hyphenated prénom
    When the software searches by traits:
      | nom de naissance  | D'ARTAGNAN DE L'HERAULT |
      | prénoms           | PIERRE-ALAIN            |
      | sexe              | M                       |
      | date de naissance | 2001-06-17              |
      | lieu de naissance | 63220                   |
    Then every call is conform to the INSi contract
    And the simulator received 1 call
    And the first names sent were "PIERRE-ALAIN"
    And the answers were "00"
    And the software stored the INS "1010663220754" key "60" with OID "1.2.250.1.213.1.4.8"
    And the software stored the traits exactly as returned
    And the software stored the history exactly as returned

  @CNDA-2.03-cas2 @EXI-ID-15 @EXI-REC-07 @INSI-HDR-01 @INSI-TLS-01 @INSI-RSP-01
  Scenario: 2.03 cas 2 — Corsica matricule and COG
    When the software searches by traits:
      | nom de naissance  | ADRTROIS   |
      | prénoms           | TOUSSAINT  |
      | sexe              | M          |
      | date de naissance | 1960-01-01 |
      | lieu de naissance | 2B020      |
    Then every call is conform to the INSi contract
    And the simulator received 1 call
    And the answers were "00"
    And the software stored the INS "160012B020777" key "13" with OID "1.2.250.1.213.1.4.8"
    And the software stored the traits exactly as returned

  @CNDA-2.03-cas3 @EXI-ID-14 @INSI-LEX-01
  Scenario: 2.03 cas 3 — typographic apostrophe and ligatures are refused without a call
    When the software searches by traits:
      | nom de naissance  | D’ÆION     |
      | prénoms           | CŒUR       |
      | sexe              | M          |
      | date de naissance | 1987-01-01 |
      | lieu de naissance | 2B020      |
    Then no call reached the simulator
    And the software refused the input
    And the software stored no INS
