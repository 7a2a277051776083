@protocol
Feature: Answers — dialectes et réponses malformées
  The software reads every response dialect the service has used (order-independent, prefixes
  varying, TIQ/Prenom present or absent) and refuses answers it cannot read.

  @INSI-RSP-02 @EXI-REC-07 @EXI-REC-08
  Scenario Outline: every response dialect is read (<dialect>)
    Given the simulator answers in the "<dialect>" dialect
    When the software searches by traits:
      | nom de naissance  | ECETINSI     |
      | prénoms           | PIERRE-ALAIN |
      | sexe              | M            |
      | date de naissance | 2009-07-14   |
    Then the simulator received 1 call
    And the answers were "00"
    And the software stored the INS "1090763220834" key "89" with OID "1.2.250.1.213.1.4.8"
    And the software stored the traits exactly as returned
    And the software stored the history exactly as returned

    Examples:
      | dialect |
      | live    |
      | 2022    |
      | cnda    |

  @INSI-RSP-03
  Scenario Outline: an unreadable answer is refused (<damage>)
    Given the simulator answers the next search for "ADRUN" with a <damage> body
    When the software searches by traits:
      | nom de naissance  | ADRUN      |
      | prénoms           | ZOE        |
      | sexe              | F          |
      | date de naissance | 1975-12-31 |
    Then the simulator received 1 call
    And the software reported an unusable answer
    And the software stored no INS

    Examples:
      | damage    |
      | truncated |
      | malformed |

  @INSI-RSP-01 @INSI-FLT-01
  Scenario: CR 01 from the CNDA file REP_CR01 is a plain "not found"
    Given the simulator answers the next search for "ADRUN" with the CNDA file "REP_CR01"
    When the software searches by traits:
      | nom de naissance  | ADRUN      |
      | prénoms           | ZOE        |
      | sexe              | F          |
      | date de naissance | 1975-12-31 |
    Then the simulator received 1 call
    And the answers were "01"
    And the software reported no identity found
    And the software stored no INS
