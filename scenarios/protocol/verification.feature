@protocol
Feature: Vérification de l'INS (verification, reconstructed contract)
  Software that receives an INS from another identification domain verifies it against the
  traits. The verification contract is reconstructed (insi-protocol.md §2): every case the
  simulator answers (verified, unknown INS, traits mismatch, replaced INS, fault), by its
  dataset and by override.

  @INSI-VER-01
  Scenario: the active INS matches the traits
    When the software verifies the INS "1090763220834" key "89" with OID "1.2.250.1.213.1.4.8" for the traits:
      | nom de naissance  | ECETINSI                     |
      | prénoms           | PIERRE-ALAIN MURIEL FLORIANT |
      | sexe              | M                            |
      | date de naissance | 2009-07-14                   |
      | lieu de naissance | 63220                        |
    Then every call is conform to the INSi contract
    And the simulator received 1 call
    And the answers were "00"
    And the software reported the INS verified

  @INSI-VER-01
  Scenario: a historical INS is not verified
    When the software verifies the INS "2090763220834" key "39" with OID "1.2.250.1.213.1.4.8" for the traits:
      | nom de naissance  | ECETINSI                     |
      | prénoms           | PIERRE-ALAIN MURIEL FLORIANT |
      | sexe              | M                            |
      | date de naissance | 2009-07-14                   |
      | lieu de naissance | 63220                        |
    Then the simulator received 1 call
    And the answers were "01"
    And the software reported the INS not verified
    And the software stored no INS

  @INSI-VER-01
  Scenario: an INS with traits that do not match is not verified
    When the software verifies the INS "1090763220834" key "89" with OID "1.2.250.1.213.1.4.8" for the traits:
      | nom de naissance  | ECETINSI                     |
      | prénoms           | PAUL                         |
      | sexe              | M                            |
      | date de naissance | 2009-07-14                   |
      | lieu de naissance | 63220                        |
    Then every call is conform to the INSi contract
    And the simulator received 1 call
    And the answers were "01"
    And the software reported the INS not verified
    And the software stored no INS

  @INSI-VER-01
  Scenario: an INS no one holds is not verified
    When the software verifies the INS "1090763220842" key "81" with OID "1.2.250.1.213.1.4.8" for the traits:
      | nom de naissance  | ECETINSI                     |
      | prénoms           | PIERRE-ALAIN MURIEL FLORIANT |
      | sexe              | M                            |
      | date de naissance | 2009-07-14                   |
      | lieu de naissance | 63220                        |
    Then every call is conform to the INSi contract
    And the simulator received 1 call
    And the answers were "01"
    And the software reported the INS not verified
    And the software stored no INS

  @INSI-VER-01
  Scenario: the service answering "traits mismatch" for a matching INS is believed
    Given the simulator answers the next verification for "ECETINSI" with the case "traits_mismatch"
    When the software verifies the INS "1090763220834" key "89" with OID "1.2.250.1.213.1.4.8" for the traits:
      | nom de naissance  | ECETINSI                     |
      | prénoms           | PIERRE-ALAIN MURIEL FLORIANT |
      | sexe              | M                            |
      | date de naissance | 2009-07-14                   |
      | lieu de naissance | 63220                        |
    Then the simulator received 1 call
    And the answers were "01"
    And the software reported the INS not verified

  @INSI-VER-01
  Scenario: a fault answering the verification is shown, nothing verified
    Given the simulator answers the next verification for "ECETINSI" with the fault "insi_102"
    When the software verifies the INS "1090763220834" key "89" with OID "1.2.250.1.213.1.4.8" for the traits:
      | nom de naissance  | ECETINSI                     |
      | prénoms           | PIERRE-ALAIN MURIEL FLORIANT |
      | sexe              | M                            |
      | date de naissance | 2009-07-14                   |
      | lieu de naissance | 63220                        |
    Then the simulator received 1 call
    And the software showed the error "insi_102"
    And the software stored no INS
