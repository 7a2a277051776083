@business
Feature: Statuts et attributs de l'identité (ANS business scenarios S-01 to S-18)
  An identity repository gives every identity one of four statuses (PROV, RECUP, VALI, QUAL) by
  how its traits were collected and checked, keeps the attributes by their combination rule, and
  stops calling INSi for a doubtful or fictitious identity (ins-rules.md §2, §3, §5.2).

  @RNIV-EXI-SI-07
  Scenario: S-01 an identity typed by a user is provisional, without INS
    When the software creates the identity of "qualif-adrun-zoe" by manual entry
    Then the identity of "qualif-adrun-zoe" has the status "PROV"
    And the identity of "qualif-adrun-zoe" holds no INS

  @RNIV-EXI-SI-07 @EXI-ID-19 @RNIV-EXI-SI-10
  Scenario: S-02 an identity checked against a high-trust document is validated, the document recorded
    When the software creates the identity of "qualif-adrun-zoe" with the identity document "passport"
    Then the identity of "qualif-adrun-zoe" has the status "VALI"
    And the identity of "qualif-adrun-zoe" records the identity document "passport"
    And the identity of "qualif-adrun-zoe" holds no INS

  @RNIV-EXI-SI-07
  Scenario: S-02 a document that is not of high trust leaves the identity provisional
    When the software creates the identity of "qualif-adrun-zoe" with the identity document "driving_licence"
    Then the identity of "qualif-adrun-zoe" has the status "PROV"

  @RNIV-EXI-SI-07 @EXI-REC-07 @EXI-ID-08 @EXI-DIF-02
  Scenario: S-03 and S-15 an INSi retrieval with matching traits gives a recovered identity, used names left empty, no Datamatrix
    When the software creates the identity of "qualif-adrun-zoe" by manual entry
    And the software searches the INS of the identity of "qualif-adrun-zoe"
    Then the identity of "qualif-adrun-zoe" has the status "RECUP"
    And the identity of "qualif-adrun-zoe" holds the INS "2751263220749" key "74" with OID "1.2.250.1.213.1.4.8"
    And the identity of "qualif-adrun-zoe" has no used name and no used first name
    When the software emits the identity of "qualif-adrun-zoe" by Datamatrix
    Then what the software emitted carries the INS only if the identity is qualified

  @RNIV-EXI-SI-07 @EXI-ID-29 @EXI-DIF-02
  Scenario: S-04 and S-16 a recovered identity checked against a document is qualified and printed with its Datamatrix
    When the software creates the identity of "qualif-adrun-zoe" by manual entry
    And the software searches the INS of the identity of "qualif-adrun-zoe"
    And the user records the identity document "national_id_card" for the identity of "qualif-adrun-zoe"
    Then the identity of "qualif-adrun-zoe" has the status "QUAL"
    When the software emits the identity of "qualif-adrun-zoe" by Datamatrix
    Then what the software emitted passes the format rules
    And what the software emitted carries the INS only if the identity is qualified

  @RNIV-EXI-SI-07
  Scenario: S-05 INSi finds nobody: the status does not change and nothing is stored
    When the software creates the identity of "qualif-adrun-zoe" by manual entry with:
      | nom de naissance | ADRINCONNU |
    And the software searches the INS of the identity of "qualif-adrun-zoe"
    Then the identity of "qualif-adrun-zoe" has the status "PROV"
    And the identity of "qualif-adrun-zoe" holds no INS

  @RNIV-EXI-SI-07
  Scenario: S-06 INSi finds several persons: no automatic choice
    When the software creates the identity of "cnda-2.06-a" by manual entry with:
      | lieu de naissance |  |
    And the software searches the INS of the identity of "cnda-2.06-a"
    Then the identity of "cnda-2.06-a" has the status "PROV"
    And the identity of "cnda-2.06-a" holds no INS

  @RNIV-EXI-SI-07 @EXI-REC-07
  Scenario: S-07 traits returned by INSi that differ from the local ones are not stored silently
    When the software creates the identity of "qualif-adrun-zoe" by manual entry with:
      | lieu de naissance | 75056 |
    And the software searches the INS of the identity of "qualif-adrun-zoe"
    Then the software kept the local traits of "qualif-adrun-zoe" and alerted its user

  @EXI-ID-26 @RNIV-EXI-SI-09
  Scenario: S-08 a doubtful qualified identity becomes provisional, loses its INS and is not sent to INSi
    When the software creates the identity of "qualif-adrun-zoe" from the Appli carte Vitale
    And the user sets the attribute "doubtful" of the identity of "qualif-adrun-zoe"
    Then the identity of "qualif-adrun-zoe" has the status "PROV"
    And the identity of "qualif-adrun-zoe" holds no INS
    When the software searches the INS of the identity of "qualif-adrun-zoe"
    Then the software refused to call INSi for the identity

  @EXI-ID-26 @RNIV-EXI-SI-09
  Scenario: S-08 a fictitious identity is not sent to INSi
    When the software creates the identity of "qualif-adrun-zoe" by manual entry
    And the user sets the attribute "fictitious" of the identity of "qualif-adrun-zoe"
    And the software searches the INS of the identity of "qualif-adrun-zoe"
    Then the software refused to call INSi for the identity

  @EXI-ID-24
  Scenario: S-09 doubtful and homonym combine, fictitious combines with nothing
    When the software creates the identity of "qualif-adrun-zoe" by manual entry
    And the user sets the attribute "doubtful" of the identity of "qualif-adrun-zoe"
    And the user sets the attribute "homonym" of the identity of "qualif-adrun-zoe"
    Then the identity of "qualif-adrun-zoe" has the attributes "doubtful, homonym"
    When the user sets the attribute "fictitious" of the identity of "qualif-adrun-zoe"
    Then the software refused to combine the attributes
    And the identity of "qualif-adrun-zoe" has the attributes "doubtful, homonym"

  @EXI-REC-08
  Scenario: S-10 a NIA replaced by a NIR: the NIR is active, the NIA kept in the history
    Given the simulator answers the next search for "ECETINSI" with the insilab answer file "INSILAB_HISTO_NIA"
    When the software creates the identity of "cnda-2.04" by manual entry
    And the software searches the INS of the identity of "cnda-2.04"
    Then the identity of "cnda-2.04" holds the INS "1090763220834" key "89" with OID "1.2.250.1.213.1.4.8"
    And the identity of "cnda-2.04" keeps the INS "1090763220888" key "35" with OID "1.2.250.1.213.1.4.9" in its history

  @EXI-ID-11 @EXI-ID-12
  Scenario Outline: S-13 an incomplete birth date <entered> is completed to <stored> and flagged
    When the software creates the identity of "qualif-adrun-zoe" by manual entry with:
      | date de naissance | <entered> |
    Then the identity of "qualif-adrun-zoe" has the birth date "<stored>" flagged as completed

    Examples:
      | entered    | stored     |
      | 1975-12-00 | 1975-12-01 |
      | 1975-00-31 | 1975-01-31 |
      | 1975-00-00 | 1975-12-31 |

  @EXI-ID-10
  Scenario: S-14 a first first name inconsistent with the list raises an alert
    When the software creates the identity of "qualif-nessi-michelangelo" by manual entry with:
      | premier prénom | ANTHONY |
    Then the software alerted its user about the first name

  @RNIV-EXI-SI-07
  Scenario: S-17 the Appli carte Vitale gives a qualified identity without INSi call
    When the software creates the identity of "qualif-adrun-zoe" from the Appli carte Vitale
    Then the identity of "qualif-adrun-zoe" is qualified from the Appli carte Vitale without INSi call

  @RNIV-EXI-SI-07 @EXI-REC-07
  Scenario: S-18 a person born in Corsica is recovered with the Corsica key
    When the software creates the identity of "qualif-adrtrois-dominique" by manual entry
    And the software searches the INS of the identity of "qualif-adrtrois-dominique"
    Then the identity of "qualif-adrtrois-dominique" has the status "RECUP"
    And the identity of "qualif-adrtrois-dominique" holds the INS "297022A020778" key "78" with OID "1.2.250.1.213.1.4.8"

  @RNIV-EXI-SI-07
  Scenario: S-18 a person born abroad is recorded with a 99 birthplace code
    When the software creates the identity of "qualif-adrun-zoe" by manual entry with:
      | nom de naissance  | ADRETRANGER |
      | lieu de naissance | 99352       |
    Then the identity of "qualif-adrun-zoe" has the status "PROV"
