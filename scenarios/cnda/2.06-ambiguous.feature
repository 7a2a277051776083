@cnda
Feature: CNDA 2.06 — plusieurs identités trouvées (several identities)
  On a 02 answer the software stores nothing; with the birthplace it retries and resolves it.
  The CNDA expects the sequence: a first call without the birthplace (02), then the same call
  with it (00). A software that sends the birthplace on its first call fails cas 2.

  @CNDA-2.06-cas1 @EXI-ID-14 @INSI-ALG-02 @INSI-HDR-01 @INSI-TLS-01
  Scenario: 2.06 cas 1 — 02 without the birthplace
    When the software searches by traits:
      | nom de naissance  | DE VINCI   |
      | prénoms           | LEONARDO   |
      | sexe              | M          |
      | date de naissance | 2014-02-01 |
    Then every call is conform to the INSi contract
    And the simulator received 1 call
    And the answers were "02"
    And the software reported several identities
    And the software stored no INS

  @CNDA-2.06-cas2 @EXI-ID-15 @EXI-REC-07 @INSI-ALG-02 @INSI-HDR-01 @INSI-TLS-01 @INSI-RSP-01
  Scenario: 2.06 cas 2 — 02 resolved with the lieu de naissance
    When the software searches by traits:
      | nom de naissance  | DE VINCI   |
      | prénoms           | LEONARDO   |
      | sexe              | M          |
      | date de naissance | 2014-02-01 |
      | lieu de naissance | 63220      |
    Then every call is conform to the INSi contract
    And the first call carried no birthplace
    And the simulator received 2 calls
    And the answers were "02", "00"
    And the last call carried the birthplace "63220"
    And the software stored the INS returned by the simulator
    And the software stored the traits exactly as returned
