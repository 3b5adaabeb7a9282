"""The clinical scenarios of the synthetic hospital: what brings a patient in, where they stay, the codes
their encounter reports and the documents it produces.

Codes are a small hand-checked sample, not a code set: ICD-10-CM diagnosis codes and ICD-10-PCS procedure
codes from the CMS FY2025 code files (``icd10cm-codes-2025.txt`` and ``icd10pcs_codes_2025.txt``,
https://www.cms.gov/medicare/coding-billing/icd-10-codes), each a valid billable code of that year, with
its official description (a test checks every ICD-10-CM code and description against the
simple-icd-10-cm package the coding app uses). This list only has to look like a real hospital's case
mix (HCUP *Statistical Brief* top reasons for hospital stays: births, septicemia, heart failure,
pneumonia, osteoarthritis, mood disorders).
"""

from __future__ import annotations

from dataclasses import dataclass

DX: dict[str, str] = {
    "A41.9": "Sepsis, unspecified organism",
    "J18.9": "Pneumonia, unspecified organism",
    "I50.9": "Heart failure, unspecified",
    "I21.4": "Non-ST elevation (NSTEMI) myocardial infarction",
    "I48.91": "Unspecified atrial fibrillation",
    "J44.1": "Chronic obstructive pulmonary disease with (acute) exacerbation",
    "N39.0": "Urinary tract infection, site not specified",
    "E11.9": "Type 2 diabetes mellitus without complications",
    "I10": "Essential (primary) hypertension",
    "E78.5": "Hyperlipidemia, unspecified",
    "E86.0": "Dehydration",
    "K35.80": "Unspecified acute appendicitis",
    "K80.20": "Calculus of gallbladder without cholecystitis without obstruction",
    "M17.11": "Unilateral primary osteoarthritis, right knee",
    "S72.001A": "Fracture of unspecified part of neck of right femur, initial encounter for closed fracture",
    "R07.9": "Chest pain, unspecified",
    "R10.9": "Unspecified abdominal pain",
    "S93.401A": "Sprain of unspecified ligament of right ankle, initial encounter",
    "J06.9": "Acute upper respiratory infection, unspecified",
    "S06.0X0A": "Concussion without loss of consciousness, initial encounter",
    "O80": "Encounter for full-term uncomplicated delivery",
    "O34.211": "Maternal care for low transverse scar from previous cesarean delivery",
    "Z37.0": "Single live birth",
    "Z38.00": "Single liveborn infant, delivered vaginally",
    "Z38.01": "Single liveborn infant, delivered by cesarean",
    "P59.9": "Neonatal jaundice, unspecified",
    "J21.9": "Acute bronchiolitis, unspecified",
    "J45.909": "Unspecified asthma, uncomplicated",
    "A08.4": "Viral intestinal infection, unspecified",
    "F32.9": "Major depressive disorder, single episode, unspecified",
    "F31.9": "Bipolar disorder, unspecified",
    "F20.9": "Schizophrenia, unspecified",
    "K21.9": "Gastro-esophageal reflux disease without esophagitis",
    "Z12.11": "Encounter for screening for malignant neoplasm of colon",
    "D12.5": "Benign neoplasm of sigmoid colon",
    "Z00.00": "Encounter for general adult medical examination without abnormal findings",
    "Z23": "Encounter for immunization",
}

PCS: dict[str, str] = {
    "0DTJ4ZZ": "Resection of Appendix, Percutaneous Endoscopic Approach",
    "0FT44ZZ": "Resection of Gallbladder, Percutaneous Endoscopic Approach",
    "0SRC0J9": "Replacement of Right Knee Joint with Synthetic Substitute, Cemented, Open Approach",
    "0SR9019": "Replacement of Right Hip Joint with Metal Synthetic Substitute, Cemented, Open Approach",
    "02703ZZ": "Dilation of Coronary Artery, One Artery, Percutaneous Approach",
    "5A1935Z": "Respiratory Ventilation, Less than 24 Consecutive Hours",
    "0BH17EZ": "Insertion of Endotracheal Airway into Trachea, Via Natural or Artificial Opening",
    "10E0XZZ": "Delivery of Products of Conception, External Approach",
    "10D00Z1": "Extraction of Products of Conception, Low, Open Approach",
    "0VTTXZZ": "Resection of Prepuce, External Approach",
    "3E0234Z": "Introduction of Serum, Toxoid and Vaccine into Muscle, Percutaneous Approach",
    "GZB0ZZZ": "Electroconvulsive Therapy, Unilateral-Single Seizure",
    "0DJ08ZZ": "Inspection of Upper Intestinal Tract, Via Natural or Artificial Opening Endoscopic",
    "0DBN8ZX": "Excision of Sigmoid Colon, Via Natural or Artificial Opening Endoscopic, Diagnostic",
    "3E033GC": "Introduction of Other Therapeutic Substance into Peripheral Vein, Percutaneous Approach",
}


@dataclass(frozen=True)
class Scenario:
    """One kind of hospital visit. ``units`` is the path of unit kinds (a transfer between each), empty
    for visits without a bed; ``stay_hours`` the range of the whole stay; ``dx`` the principal diagnosis
    choices then the secondary ones; ``documents`` the document types filed for it."""

    key: str
    encounter_class: str
    weight: int
    units: tuple[str, ...]
    stay_hours: tuple[int, int]
    admit_type: str
    admit_sources: tuple[str, ...]
    dx: tuple[str, ...]
    secondary: tuple[str, ...] = ()
    px: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    ages: tuple[int, int] = (18, 95)
    sex: str = ""


HP, PN, DS = "history_and_physical", "progress_note", "discharge_summary"
OP, ED, CONS = "operative_report", "emergency_department_record", "consultation"
ADULT_SECONDARY = ("I10", "E11.9", "E78.5", "K21.9", "I48.91")

SCENARIOS: tuple[Scenario, ...] = (
    Scenario("pneumonia", "inpatient", 6, ("medical",), (48, 144), "1", ("1", "2"), ("J18.9",),
             ADULT_SECONDARY, ("3E033GC",), (HP, PN, DS)),
    Scenario("heart_failure", "inpatient", 5, ("medical",), (72, 168), "1", ("1",), ("I50.9",),
             ADULT_SECONDARY, (), (HP, PN, DS), (45, 98)),
    Scenario("sepsis", "inpatient", 4, ("icu", "medical"), (96, 240), "1", ("1", "5", "4"), ("A41.9",),
             ("N39.0", "E86.0", *ADULT_SECONDARY), ("5A1935Z", "0BH17EZ", "3E033GC"), (HP, PN, CONS, DS)),
    Scenario("nstemi", "inpatient", 3, ("icu", "medical"), (48, 120), "1", ("1", "4"), ("I21.4",),
             ADULT_SECONDARY, ("02703ZZ",), (HP, PN, OP, DS), (40, 95)),
    Scenario("copd", "inpatient", 3, ("medical",), (48, 120), "2", ("1", "2"), ("J44.1",),
             ADULT_SECONDARY, (), (HP, PN, DS), (45, 95)),
    Scenario("appendicitis", "inpatient", 3, ("surgical",), (24, 72), "1", ("1",), ("K35.80",),
             (), ("0DTJ4ZZ",), (HP, OP, DS), (6, 70)),
    Scenario("knee", "inpatient", 3, ("surgical",), (24, 72), "3", ("2",), ("M17.11",),
             ADULT_SECONDARY, ("0SRC0J9",), (HP, OP, PN, DS), (50, 90)),
    Scenario("hip_fracture", "inpatient", 2, ("surgical",), (72, 168), "1", ("1", "5"), ("S72.001A",),
             ADULT_SECONDARY, ("0SR9019",), (HP, OP, CONS, DS), (65, 99)),
    Scenario("delivery", "inpatient", 6, ("ob",), (30, 60), "3", ("1", "2"), ("O80",),
             ("Z37.0",), ("10E0XZZ",), (HP, PN, DS), (18, 42), "F"),
    Scenario("cesarean", "inpatient", 3, ("ob",), (60, 100), "3", ("2",), ("O34.211",),
             ("Z37.0",), ("10D00Z1",), (HP, OP, DS), (20, 43), "F"),
    Scenario("bronchiolitis", "inpatient", 2, ("pediatric",), (24, 96), "1", ("1",), ("J21.9",),
             ("E86.0",), (), (HP, PN, DS), (0, 2)),
    Scenario("peds_asthma", "inpatient", 2, ("pediatric",), (24, 72), "1", ("1",), ("J45.909",),
             (), (), (HP, PN, DS), (3, 16)),
    Scenario("depression", "inpatient", 2, ("psychiatric",), (96, 336), "2", ("1", "8"), ("F32.9", "F31.9"),
             (), ("GZB0ZZZ",), (HP, PN, DS)),
    Scenario("schizophrenia", "inpatient", 1, ("psychiatric",), (120, 480), "1", ("8", "1"), ("F20.9",),
             (), (), (HP, PN, DS), (18, 70)),
    Scenario("chest_pain_obs", "observation", 5, ("observation",), (8, 40), "1", ("1",), ("R07.9",),
             ("I10", "E78.5"), (), (HP, DS)),
    Scenario("dehydration_obs", "observation", 3, ("observation",), (6, 36), "2", ("1",), ("E86.0", "A08.4"),
             (), ("3E033GC",), (HP, DS), (0, 95)),
    Scenario("ed_sprain", "emergency", 8, (), (1, 5), "2", ("1",), ("S93.401A",), (), (), (ED,), (5, 80)),
    Scenario("ed_uri", "emergency", 8, (), (1, 4), "2", ("1",), ("J06.9",), (), (), (ED,), (0, 90)),
    Scenario("ed_abdominal", "emergency", 6, (), (2, 8), "2", ("1",), ("R10.9",), (), (), (ED,)),
    Scenario("ed_concussion", "emergency", 3, (), (2, 6), "1", ("1",), ("S06.0X0A",), (), (), (ED,), (4, 85)),
    Scenario("clinic_physical", "outpatient", 12, (), (1, 1), "3", ("2",), ("Z00.00",),
             ("I10", "E11.9", "E78.5"), (), (PN,)),
    Scenario("clinic_immunization", "outpatient", 6, (), (1, 1), "3", ("2",), ("Z23",), (), (), (PN,), (0, 90)),
    Scenario("colonoscopy", "day_surgery", 4, (), (3, 8), "3", ("2",), ("Z12.11",),
             ("D12.5",), ("0DBN8ZX",), (HP, OP), (45, 80)),
    Scenario("egd", "day_surgery", 2, (), (3, 8), "3", ("2",), ("K21.9",), (), ("0DJ08ZZ",), (HP, OP)),
    Scenario("lap_chole", "day_surgery", 2, (), (4, 12), "3", ("2",), ("K80.20",), (), ("0FT44ZZ",), (HP, OP)),
)  # fmt: skip

# A newborn's own encounter, opened in the nursery at the mother's delivery (Z38: the birth episode).
NEWBORN = Scenario("newborn", "newborn", 0, ("nursery",), (24, 72), "4", ("9",), ("Z38.00",),
                   ("P59.9",), ("3E0234Z", "0VTTXZZ"), (HP, DS), (0, 0))  # fmt: skip
NEWBORN_CESAREAN_DX = "Z38.01"

# UB-04 FL17 discharge status by how often a hospital's discharges end there (home dominates).
DISPOSITIONS = (("01", 70), ("06", 12), ("03", 7), ("62", 2), ("02", 2), ("07", 2), ("20", 2), ("50", 1),
                ("65", 1), ("70", 1))  # fmt: skip
PAYERS = (("medicare", 35), ("medicaid", 22), ("commercial", 33), ("self_pay", 7), ("other", 3))
