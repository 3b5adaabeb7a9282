"""Plausible text for the synthetic hospital's documents, by document type.

The section headings follow what each note type must hold: the history and physical (CMS Conditions of
Participation 42 CFR 482.22(c)(5)(i) and 482.24(c)(4)(i): within 24 hours after admission), the operative
report (482.51(b)(6): findings, procedure, specimens, surgeon), the discharge summary (482.24(c)(4)(vii):
outcome of hospitalization, disposition, provisions for follow-up), the emergency department record and
SOAP progress notes (Weed's problem-oriented record). Text is assembled from short phrases chosen by the
seeded random generator, so a seed always gives the same notes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from recordroom.interop.synthdata.clinical import DX, PCS

DOCUMENT_TITLES = {
    "history_and_physical": "History and Physical",
    "progress_note": "Progress Note",
    "discharge_summary": "Discharge Summary",
    "operative_report": "Operative Report",
    "emergency_department_record": "Emergency Department Record",
    "consultation": "Consultation",
}

_COMPLAINTS = {
    "A41.9": "fever, confusion and low blood pressure",
    "J18.9": "cough, fever and shortness of breath for three days",
    "I50.9": "worsening leg swelling and shortness of breath lying flat",
    "I21.4": "substernal chest pressure radiating to the left arm",
    "J44.1": "increased sputum and wheezing despite home inhalers",
    "K35.80": "right lower quadrant pain, nausea and anorexia since yesterday",
    "M17.11": "right knee pain limiting walking despite conservative treatment",
    "S72.001A": "a fall at home with right hip pain and inability to bear weight",
    "O80": "regular contractions at term",
    "O34.211": "a scheduled repeat cesarean delivery at 39 weeks",
    "J21.9": "cough, nasal congestion and poor feeding",
    "J45.909": "wheezing and cough not relieved by albuterol at home",
    "F32.9": "depressed mood, poor sleep and passive thoughts of death",
    "F31.9": "decreased need for sleep, pressured speech and impulsive spending",
    "F20.9": "auditory hallucinations after stopping medication",
    "R07.9": "intermittent chest pain at rest",
    "E86.0": "vomiting, diarrhea and lightheadedness",
    "A08.4": "vomiting and watery diarrhea",
    "S93.401A": "an inversion injury of the right ankle playing sports",
    "J06.9": "sore throat, runny nose and low-grade fever",
    "R10.9": "diffuse abdominal pain since this morning",
    "S06.0X0A": "a head strike in a fall, with headache but no loss of consciousness",
    "Z00.00": "an annual physical examination",
    "Z23": "routine immunizations",
    "Z12.11": "screening colonoscopy",
    "K21.9": "heartburn and regurgitation not controlled by antacids",
    "K80.20": "recurrent right upper quadrant pain after fatty meals",
    "Z38.00": "routine newborn care after vaginal delivery",
    "Z38.01": "routine newborn care after cesarean delivery",
}
_EXAMS = (
    "Alert and oriented. Lungs with scattered crackles at the bases. Heart regular.",
    "Awake, in mild distress. Lungs clear. Abdomen soft with localized tenderness.",
    "Well appearing. Vital signs within normal limits. No focal neurologic deficit.",
    "Tachycardic, febrile to 38.9 C. Mucous membranes dry. Capillary refill 3 seconds.",
    "Pleasant, cooperative. Gait antalgic. Joint line tenderness without effusion.",
)
_COURSES = (
    "improved steadily with treatment and was ambulating independently by discharge",
    "required a short course of intravenous therapy and was transitioned to oral medication",
    "had an uncomplicated course; pain was controlled with oral analgesics",
    "was monitored on telemetry without events; serial troponins were reviewed",
)
_FOLLOW_UP = ("primary care in 1 week", "the surgeon's clinic in 2 weeks", "cardiology in 2 weeks",
              "outpatient behavioral health within 7 days", "the pediatrician in 2 days")  # fmt: skip


@dataclass(frozen=True)
class NoteFacts:
    """What a note says about its patient and encounter (plaintext, in memory only until sealed)."""

    patient_name: str
    age: int
    sex: str
    principal: str
    secondary: tuple[str, ...]
    procedures: tuple[str, ...]
    author: str
    admitted_at: datetime
    discharged_at: datetime | None
    disposition: str


def _age_phrase(facts: NoteFacts) -> str:
    who = {"F": "female", "M": "male"}.get(facts.sex, "patient")
    if facts.age == 0:
        return f"newborn {who}"
    return f"{facts.age}-year-old {who}"


def _problems(facts: NoteFacts) -> str:
    lines = [f"1. {DX[facts.principal]} ({facts.principal})"]
    lines += [f"{n}. {DX[code]} ({code})" for n, code in enumerate(facts.secondary, start=2)]
    return "\n".join(lines)


def note_text(document_type: str, facts: NoteFacts, rng: random.Random) -> str:
    """The body of one document of ``document_type`` for the encounter ``facts`` describes."""
    title = DOCUMENT_TITLES[document_type]
    complaint = _COMPLAINTS.get(facts.principal, "evaluation")
    head = (
        f"{title.upper()}\nPatient: {facts.patient_name}\nDate of service: {facts.admitted_at:%Y-%m-%d %H:%M}\n"
        f"Author: {facts.author}\n\n"
    )
    if document_type == "history_and_physical":
        body = (
            f"CHIEF COMPLAINT: {complaint.capitalize()}.\n\nHISTORY OF PRESENT ILLNESS: {facts.patient_name} is a "
            f"{_age_phrase(facts)} who presents with {complaint}.\n\nPHYSICAL EXAMINATION: {rng.choice(_EXAMS)}\n\n"
            f"ASSESSMENT AND PLAN:\n{_problems(facts)}\nAdmit, monitor and treat as outlined; reassess in the morning."
        )
    elif document_type == "progress_note":
        body = (
            f"S: Patient reports {rng.choice(('feeling better', 'less pain', 'no new complaints', 'poor sleep'))}.\n"
            f"O: {rng.choice(_EXAMS)}\nA:\n{_problems(facts)}\nP: Continue current plan; "
            f"{rng.choice(('advance diet', 'wean oxygen', 'physical therapy to see', 'adjust medications'))}."
        )
    elif document_type == "operative_report":
        procedure = facts.procedures[0] if facts.procedures else ""
        body = (
            f"PREOPERATIVE DIAGNOSIS: {DX[facts.principal]}.\nPOSTOPERATIVE DIAGNOSIS: Same.\n"
            f"PROCEDURE: {PCS.get(procedure, 'Procedure')} ({procedure}).\nSURGEON: {facts.author}\n"
            f"ANESTHESIA: {rng.choice(('General endotracheal', 'Monitored anesthesia care', 'Spinal'))}.\n"
            f"ESTIMATED BLOOD LOSS: {rng.choice((5, 10, 25, 50, 150, 300))} mL.\nSPECIMENS: "
            f"{rng.choice(('Sent to pathology', 'None'))}.\nFINDINGS: As expected for the diagnosis.\n"
            "The patient tolerated the procedure well and left the room in stable condition."
        )
    elif document_type == "emergency_department_record":
        body = (
            f"CHIEF COMPLAINT: {complaint.capitalize()}.\nTRIAGE: ESI level {rng.choice((2, 3, 3, 4, 4, 5))}.\n"
            f"EXAM: {rng.choice(_EXAMS)}\nMEDICAL DECISION MAKING: Presentation consistent with "
            f"{DX[facts.principal].lower()}.\nDIAGNOSIS: {DX[facts.principal]} ({facts.principal}).\n"
            f"DISPOSITION: {'Discharged home with instructions' if facts.disposition == '01' else 'See ADT record'}."
        )
    elif document_type == "consultation":
        body = (
            f"REASON FOR CONSULTATION: {DX[facts.principal]}.\nIMPRESSION: {rng.choice(_COURSES).capitalize()} "
            f"is expected with the current plan.\nRECOMMENDATIONS: Agree with management; will follow."
        )
    else:  # discharge summary
        ended = f"{facts.discharged_at:%Y-%m-%d}" if facts.discharged_at else "in house"
        body = (
            f"ADMISSION DATE: {facts.admitted_at:%Y-%m-%d}\nDISCHARGE DATE: {ended}\n\nDIAGNOSES:\n{_problems(facts)}\n"
            f"\nHOSPITAL COURSE: The patient {rng.choice(_COURSES)}.\nDISPOSITION: UB-04 status {facts.disposition}.\n"
            f"FOLLOW-UP: With {rng.choice(_FOLLOW_UP)}."
        )
    return head + body + "\n"
