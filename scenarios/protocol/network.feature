@protocol
Feature: Transport — délais et erreurs réseau
  Timeouts, HTTP errors and dropped connections end in a clear technical error, nothing stored,
  no endless retry.

  @INSI-NET-01 @slow
  Scenario: the answer comes after the software's timeout
    Given the simulator delays the next search for "ADRUN" beyond the client timeout
    When the software searches by traits:
      | nom de naissance  | ADRUN      |
      | prénoms           | ZOE        |
      | sexe              | F          |
      | date de naissance | 1975-12-31 |
    Then the software reported a technical error
    And the software stored no INS

  @INSI-NET-01
  Scenario: HTTP 503 from the service
    Given the simulator answers the next search for "ADRUN" with HTTP status 503
    When the software searches by traits:
      | nom de naissance  | ADRUN      |
      | prénoms           | ZOE        |
      | sexe              | F          |
      | date de naissance | 1975-12-31 |
    Then the simulator received 1 call
    And the software reported a technical error
    And the software stored no INS

  @INSI-NET-01
  Scenario: the connection is reset
    Given the simulator resets the connection for the next search for "ADRUN"
    When the software searches by traits:
      | nom de naissance  | ADRUN      |
      | prénoms           | ZOE        |
      | sexe              | F          |
      | date de naissance | 1975-12-31 |
    Then the software reported a technical error
    And the software stored no INS
