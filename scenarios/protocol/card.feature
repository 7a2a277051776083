@protocol
Feature: Recherche avec la carte Vitale (search with the Vitale card)
  The software reads the Vitale card and searches the INS with it: `RECVITALE` in the body, the
  card's coverage block in `ContexteBAM/COUVERTURE`. No public sample answer exists: the
  simulator answers from its dataset, matching the beneficiary's NIR, birth name and birth date.

  @INSI-HDR-01 @INSI-TLS-01 @EXI-REC-07
  Scenario: the beneficiary's own NIR on the card finds the INS
    When the software searches with the Vitale card:
      | NIR de l'assuré     | 109076322083489 |
      | NIR du bénéficiaire | 109076322083489 |
      | nom de naissance    | ECETINSI        |
      | date de naissance   | 2009-07-14      |
      | rang de naissance   | 1               |
    Then every call is conform to the INSi contract
    And the simulator received 1 call
    And the answers were "00"
    And the software stored the INS "1090763220834" key "89" with OID "1.2.250.1.213.1.4.8"
    And the software stored the traits exactly as returned

  @INSI-HDR-01 @INSI-RSP-01
  Scenario: a card of nobody known stores nothing
    When the software searches with the Vitale card:
      | NIR de l'assuré     | 185057800608491 |
      | NIR du bénéficiaire | 185057800608491 |
      | nom de naissance    | INCONNU         |
      | date de naissance   | 1985-05-01      |
      | rang de naissance   | 1               |
    Then every call is conform to the INSi contract
    And the simulator received 1 call
    And the answers were "01"
    And the software reported no identity found
    And the software stored no INS

  @INSI-HDR-01 @EXI-REC-07
  Scenario Outline: twins on one card: the birth rank designates the twin (rank <rang>)
    Twins on their parent's card share the insured person's number, the birth name and the birth
    date: `RangNaissance` alone tells them apart, and the card holder's number (`MatriculeOD`)
    tells a beneficiary from the holder.
    When the software searches with the Vitale card:
      | NIR de l'assuré   | 169013417201595  |
      | nom de naissance  | INSFAMILLEQUATRE |
      | date de naissance | 1999-01-15       |
      | rang de naissance | <rang>           |
    Then every call is conform to the INSi contract
    And the simulator received 1 call
    And the answers were "00"
    And the software stored the INS "<ins>" key "<key>" with OID "1.2.250.1.213.1.4.8"

    Examples:
      | rang | ins           | key |
      | 1    | 1990134172021 | 74  |
      | 2    | 1990134172023 | 72  |
