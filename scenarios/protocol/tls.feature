@protocol
Feature: Mutual TLS — certificats d'organisation
  The software authenticates with its organisation certificate (CN INSI-AUTO or INSI-MANU, OU the
  structure id) and refuses to talk to a server whose certificate it cannot trust.

  @INSI-TLS-01 @INSI-HDR-01
  Scenario: calls use an organisation certificate
    When the software searches by traits:
      | nom de naissance  | ADRUN      |
      | prénoms           | ZOE        |
      | sexe              | F          |
      | date de naissance | 1975-12-31 |
    Then every call is conform to the INSi contract
    And the simulator received 1 call
    And every call used an organisation certificate
    And the software stored the INS "2751263220749" key "74" with OID "1.2.250.1.213.1.4.8"

  @INSI-TLS-02 @reference-only
  Scenario Outline: the software refuses a server certificate it cannot trust (<server>)
    Given the simulator presents the server certificate "<server>"
    When the software searches by traits:
      | nom de naissance  | ADRUN      |
      | prénoms           | ZOE        |
      | sexe              | F          |
      | date de naissance | 1975-12-31 |
    Then no call reached the simulator
    And the software reported a technical error
    And the software stored no INS

    Examples:
      | server           |
      | server-expired   |
      | server-untrusted |
