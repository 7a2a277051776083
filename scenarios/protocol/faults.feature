@protocol
Feature: Faults — erreurs du téléservice
  On a SOAP fault the software shows the error, stores nothing and does not retry on its own.

  @INSI-FLT-01
  Scenario: technical fault insi_102 for a reserved identity
    When the software searches by traits:
      | nom de naissance  | DE VINCI   |
      | prénoms           | RUTH       |
      | sexe              | F          |
      | date de naissance | 1976-07-14 |
    Then the simulator received 1 call
    And the answers were "fault insi_102"
    And the software showed the error "insi_102"
    And the software stored no INS

  @INSI-FLT-01
  Scenario: service unavailable desir_1020
    When the software searches by traits:
      | nom de naissance  | DE VINCI   |
      | prénoms           | DICAPRIO   |
      | sexe              | M          |
      | date de naissance | 2014-02-01 |
    Then the simulator received 1 call
    And the software showed the error "desir_1020"
    And the software stored no INS

  @INSI-FLT-01 @INSI-ALG-01
  Scenario: a fault on the first call of the first-name loop stops the loop
    Given the simulator answers the next search for "TCHITCHI" with the fault "insi_102"
    When the software searches by traits:
      | nom de naissance  | TCHITCHI           |
      | prénoms           | OLA CATARINA BELLA |
      | sexe              | F                  |
      | date de naissance | 1936-06-21         |
    Then the simulator received 1 call
    And the software showed the error "insi_102"
    And the software stored no INS

  @INSI-FLT-01 @INSI-ALG-01
  Scenario: a fault in the middle of the first-name loop, after a 02, stops the loop
    As seen on the qualification platform: the first first name answers 02, the next one a
    technical fault. The software shows the fault and makes no further call.
    Given the simulator answers the next search for "TCHITCHI" with first name "OLA" with CR "02"
    And the simulator answers the next search for "TCHITCHI" with first name "CATARINA" with the fault "insi_102"
    When the software searches by traits:
      | nom de naissance  | TCHITCHI           |
      | prénoms           | OLA CATARINA BELLA |
      | sexe              | F                  |
      | date de naissance | 1936-06-21         |
    Then the simulator received 2 calls
    And the first names sent were "OLA", "CATARINA"
    And the answers were "02", "fault insi_102"
    And the software showed the error "insi_102"
    And the software stored no INS

  @INSI-FLT-01
  Scenario: the older insi_102 fault form is shown too
    Given the simulator answers the next search for "ADRUN" with the older fault "insi_102"
    When the software searches by traits:
      | nom de naissance  | ADRUN      |
      | prénoms           | ZOE        |
      | sexe              | F          |
      | date de naissance | 1975-12-31 |
    Then the simulator received 1 call
    And the answers were "fault insi_102"
    And the software showed the error "insi_102"
    And the software stored no INS

  @INSI-FLT-02
  Scenario Outline: access faults are shown (<code>)
    Given the simulator answers the next search for "ADRUN" with the fault "<code>"
    When the software searches by traits:
      | nom de naissance  | ADRUN      |
      | prénoms           | ZOE        |
      | sexe              | F          |
      | date de naissance | 1975-12-31 |
    Then the simulator received 1 call
    And the software showed the error "<code>"
    And the software stored no INS

    Examples:
      | code      |
      | desir_550 |
      | DESIR_560 |
