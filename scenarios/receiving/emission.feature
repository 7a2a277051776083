@receiving
Feature: Ce que le logiciel émet (emission: HL7, FHIR, CDA, printed Datamatrix)
  What the software sends or prints for an identity passes the format rules, and carries the INS
  (a Datamatrix is an INS) only for a qualified identity (EXI ID 29, RNIV EXI SI 08, EXI DIF 02).

  @EXI-ID-29 @EXI-DIF-02 @RNIV-EXI-SI-08
  Scenario Outline: a qualified identity received by HL7 is sent by <carrier> with its INS
    When the software receives by HL7 v2 the INS of "qualif-adrun-zoe"
    And the software emits the received identity by <carrier>
    Then what the software emitted passes the format rules
    And what the software emitted carries the INS only if the identity is qualified

    Examples:
      | carrier    |
      | HL7 v2     |
      | FHIR       |
      | CDA        |
      | Datamatrix |

  @EXI-ID-29 @RNIV-EXI-SI-08
  Scenario Outline: an identity received without a verified INS is sent by <carrier> without INS
    When the software receives by HL7 v2 the INS of "qualif-adrun-zoe" with:
      | PID-32 | PROV |
    And the software emits the received identity by <carrier>
    Then what the software emitted passes the format rules
    And what the software emitted carries the INS only if the identity is qualified

    Examples:
      | carrier |
      | HL7 v2  |
      | FHIR    |

  @EXI-DIF-02 @RNIV-EXI-SI-08
  Scenario: no INS Datamatrix is printed for a provisional identity
    When the software receives by HL7 v2 the INS of "qualif-adrun-zoe" with:
      | PID-32 | PROV |
    And the software emits the received identity by Datamatrix
    Then what the software emitted carries the INS only if the identity is qualified

  @EXI-DIF-02 @RNIV-EXI-SI-08
  Scenario: no INS Datamatrix is printed for a recovered identity
    When the software creates the identity of "qualif-adrun-zoe" by manual entry
    And the software searches the INS of the identity of "qualif-adrun-zoe"
    And the software emits the identity of "qualif-adrun-zoe" by Datamatrix
    Then what the software emitted carries the INS only if the identity is qualified
