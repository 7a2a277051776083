@receiving
Feature: INS reçu d'un autre domaine d'identification (receiving software, guide Règle 52)
  Software that is not an identity repository receives health data referenced with an INS from
  another identification domain. Before trusting that INS it calls the INSi verification, once,
  with the INS, its OID and the traits received; it refuses without a call an INS whose key is
  wrong or whose OID is a test one in production; it stores no INS an HL7 flow sends with
  PID-32 other than VALI; it does not verify again an identity it already holds as QUAL or RECUP.

  @GUIDE-R52 @INSI-VER-01 @RNIV-EXI-SI-08
  Scenario Outline: an INS received by <carrier> is verified once, then the identity is qualified
    When the software receives by <carrier> the INS of "qualif-adrun-zoe"
    Then the software verified the received INS exactly once
    And the software qualified the received identity

    Examples:
      | carrier |
      | HL7 v2  |
      | FHIR    |
      | CDA     |

  @GUIDE-R52 @EXI-REC-02 @INSI-VER-01
  Scenario: an INS read from a scanned Datamatrix page is verified once, then the identity is qualified
    When the software receives by Datamatrix the INS of "qualif-nessi-michelangelo"
    Then the software verified the received INS exactly once
    And the software qualified the received identity

  @GUIDE-R52 @INSI-VER-01 @RNIV-EXI-SI-08
  Scenario: an INS unknown to INSi is not qualified and the user is alerted
    When the software receives by HL7 v2 the INS of "qualif-adrun-zoe" with:
      | matricule | 2751263220999 |
    Then the software verified the received INS exactly once
    And the software did not qualify the received identity and alerted its user

  @GUIDE-R52 @INSI-VER-01 @RNIV-EXI-SI-08
  Scenario: an INS received with traits INSi does not confirm is not qualified and the user is alerted
    When the software receives by FHIR the INS of "qualif-adrun-zoe" with:
      | nom de naissance | ADRUNE |
    Then the software verified the received INS exactly once
    And the software did not qualify the received identity and alerted its user

  @GUIDE-R52 @EXI-REC-07
  Scenario: an INS received with a wrong key is refused without a call
    When the software receives by HL7 v2 the INS of "qualif-adrun-zoe" with:
      | clé | 75 |
    Then the software refused the received INS without calling INSi

  @GUIDE-R52 @EXI-REC-07
  Scenario: an INS received under the test OID in production is refused without a call
    When the software receives by FHIR the INS of "qualif-adrun-zoe" with:
      | OID  | 1.2.250.1.213.1.4.10 |
      | mode | production           |
    Then the software refused the received INS without calling INSi

  @EXI-ID-29 @RNIV-EXI-SI-08
  Scenario: an HL7 INS received with PID-32 PROV is not stored as received
    When the software receives by HL7 v2 the INS of "qualif-adrun-zoe" with:
      | PID-32 | PROV |
    Then the software did not store the received INS

  @GUIDE-R52
  Scenario: an INS already held as qualified is not verified again
    When the software creates the identity of "qualif-adrun-zoe" from the Appli carte Vitale
    And the software receives by CDA the INS of "qualif-adrun-zoe"
    Then the software did not verify the INS again

  @GUIDE-R52
  Scenario: an INS already held as recovered is not verified again
    When the software creates the identity of "qualif-adrun-zoe" by manual entry
    And the software searches the INS of the identity of "qualif-adrun-zoe"
    And the software receives by HL7 v2 the INS of "qualif-adrun-zoe"
    Then the software did not verify the INS again

  @GUIDE-R52 @INSI-VER-01 @RNIV-EXI-SI-08
  Scenario: traits INSi does not confirm leave the received identity unqualified and the user alerted
    Given the simulator answers the next verification for "ADRUN" with the case "traits_mismatch"
    When the software receives by HL7 v2 the INS of "qualif-adrun-zoe"
    Then the software verified the received INS exactly once
    And the software did not qualify the received identity and alerted its user

  @GUIDE-R52 @INSI-VER-01
  Scenario: a fault of the verification leaves the received identity unqualified and the user alerted
    Given the simulator answers the next verification for "ADRUN" with the fault "insi_102"
    When the software receives by FHIR the INS of "qualif-adrun-zoe"
    Then the software verified the received INS exactly once
    And the software did not qualify the received identity and alerted its user
