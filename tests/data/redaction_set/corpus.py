# ruff: noqa: E501
"""The labelled set: synthetic records (no real patient), labelled by LABELLING.md.

Blocks: ``("h", heading)``; ``("hs", heading, category, [body lines])`` — a category's
section, one passage; ``("p", [(sentence, label), ...])`` — running text; ``("li", text,
label)`` — a list item; ``("row", [cells], label)`` — a table row; ``("gap",)``. A label is
``None``, a category code, a tuple of codes, or ``"~code"`` for a look-alike of that
category that must stay. ``Doc.label`` / ``Page.label`` make every page / a page a passage.
"""

from __future__ import annotations

import dataclasses
from typing import Any

Label = str | tuple[str, ...] | None

CATEGORIES = (
    "hiv",
    "genetic",
    "mental_health",
    "psychotherapy_notes",
    "substance_use",
    "std",
    "reproductive",
    "sexual_assault",
    "domestic_violence",
)


@dataclasses.dataclass(frozen=True)
class Page:
    blocks: tuple[tuple[Any, ...], ...]
    header: str | None = None
    footer: str | None = None
    label: Label = None


@dataclasses.dataclass(frozen=True)
class Doc:
    name: str
    title: str
    pages: tuple[Page, ...]
    columns: int = 1
    scanned: frozenset[int] = frozenset()
    label: Label = None
    facts: dict[str, Any] | None = None


def P(*blocks: tuple[Any, ...], header: str | None = None, footer: str | None = None,
      label: Label = None) -> Page:  # fmt: skip
    return Page(tuple(blocks), header, footer, label)


N = None
HOSP = "RIVERSIDE MEDICAL CENTER"
PART2_NOTICE = "42 CFR part 2 prohibits unauthorized use or disclosure of these records."

CORPUS: tuple[Doc, ...] = (
    # ------------------------------------------------------------------ problem lists
    Doc(
        "problem_list_codes",
        "Problem list",
        (
            P(
                ("h", "PROBLEM LIST"),
                ("row", ["Code", "Problem", "Onset"], N),
                (
                    "row",
                    ["F11.21", "Opioid dependence, in remission", "2021-03-01"],
                    "substance_use",
                ),
                (
                    "row",
                    ["T74.11XA", "Adult physical abuse, confirmed", "2024-06-12"],
                    "domestic_violence",
                ),
                (
                    "row",
                    ["F43.12", "Posttraumatic stress disorder, chronic", "2022-01-20"],
                    "mental_health",
                ),
                ("row", ["O03.4", "Incomplete spontaneous abortion", "2023-09-02"], "reproductive"),
                ("row", ["Z21", "Asymptomatic HIV infection status", "2019-05-11"], "hiv"),
                ("row", ["I10", "Essential hypertension", "2018-02-14"], N),
                ("row", ["E11.9", "Type 2 diabetes mellitus", "2017-07-30"], N),
                (
                    "row",
                    ["H90.3", "Sensorineural hearing loss; uses hearing aids", "2020-10-10"],
                    "~hiv",
                ),
                (
                    "row",
                    ["T74.21XA", "Adult sexual abuse, confirmed", "2024-02-02"],
                    "sexual_assault",
                ),
                ("row", ["A56.01", "Chlamydial cystitis and urethritis", "2023-04-04"], "std"),
                (
                    "row",
                    ["Z15.01", "Genetic susceptibility to breast cancer", "2022-11-11"],
                    "genetic",
                ),
            ),
        ),
    ),
    Doc(
        "problem_list_bullets",
        "Active problems",
        (
            P(
                ("h", "Active Problems:"),
                ("li", "Major depressive disorder, recurrent, moderate", "mental_health"),
                ("li", "Alcohol use disorder, moderate, in early remission", "substance_use"),
                ("li", "Hyperlipidemia", N),
                ("li", "Chronic hepatitis C; HCV genotype 1a", "~genetic"),
                ("li", "Osteoarthritis of the knee", N),
            ),
        ),
    ),
    # ------------------------------------------------------------------ medications
    Doc(
        "med_list",
        "Medication list",
        (
            P(
                ("h", "Current Medications:"),
                ("row", ["Biktarvy", "1 tab by mouth daily", "ID clinic"], "hiv"),
                ("row", ["dolutegravir", "50 mg daily", "ID clinic"], "hiv"),
                ("row", ["emtricitabine / tenofovir disoproxil", "1 tab daily", "PrEP"], "hiv"),
                (
                    "row",
                    ["buprenorphine-naloxone", "8 mg/2 mg SL daily", "Bridge clinic"],
                    "substance_use",
                ),
                ("row", ["acamprosate", "666 mg three times daily", "PCP"], "substance_use"),
                ("row", ["lithium carbonate", "300 mg twice daily", "Psychiatry"], "mental_health"),
                ("row", ["quetiapine", "100 mg at bedtime", "Psychiatry"], "mental_health"),
                ("row", ["metformin", "500 mg twice daily", "PCP"], N),
                ("row", ["lisinopril", "10 mg daily", "PCP"], N),
                ("row", ["atorvastatin", "40 mg nightly", "PCP"], N),
            ),
        ),
    ),
    Doc(
        "med_list_repro",
        "Medication reconciliation",
        (
            P(
                ("h", "Medications:"),
                ("li", "mifepristone 200 mg by mouth once", "reproductive"),
                ("li", "misoprostol 800 mcg buccal once", "reproductive"),
                ("li", "ibuprofen 600 mg every 6 hours as needed", N),
                ("li", "ondansetron 4 mg as needed for nausea", N),
            ),
        ),
    ),
    # ------------------------------------------------------------------ progress notes
    Doc(
        "progress_note_mixed",
        "Progress note",
        (
            P(
                ("h", "PROGRESS NOTE"),
                ("h", "History of Present Illness:"),
                (
                    "p",
                    [
                        ("Ms. Doe is a 34 year old woman seen for follow-up of hypertension.", N),
                        (
                            "She reports that her husband has hit her twice this month.",
                            "domestic_violence",
                        ),
                        ("She sleeps well and walks daily.", N),
                    ],
                ),
                ("h", "Review of Systems:"),
                (
                    "p",
                    [
                        ("Negative for depression and anxiety.", "~mental_health"),
                        ("No chest pain or dyspnea.", N),
                    ],
                ),
                ("h", "Family History:"),
                (
                    "p",
                    [
                        ("Sister with depression.", "~mental_health"),
                        ("Father with coronary disease.", N),
                    ],
                ),
                ("h", "ECG:"),
                ("p", [("Sinus rhythm with 1 mm ST depression in V4 to V6.", "~mental_health")]),
                ("h", "Plan:"),
                (
                    "p",
                    [
                        ("Continue lisinopril.", N),
                        (
                            "Safety plan reviewed and shelter hotline number given.",
                            "domestic_violence",
                        ),
                        ("Return in three months.", N),
                    ],
                ),
            ),
        ),
    ),
    Doc(
        "progress_note_negative_screens",
        "Primary care visit",
        (
            P(
                ("h", "PRIMARY CARE VISIT"),
                ("h", "Screening:"),
                (
                    "p",
                    [
                        ("Partner violence screen: negative.", "~domestic_violence"),
                        ("PHQ-9 score 1, negative screen for depression.", "~mental_health"),
                        ("She denies alcohol use disorder or drug use.", "~substance_use"),
                        ("She denies any history of sexual assault.", "~sexual_assault"),
                    ],
                ),
                ("h", "Immunizations:"),
                (
                    "p",
                    [
                        ("HPV vaccine series completed today.", "~std"),
                        ("Influenza vaccine given.", N),
                    ],
                ),
                ("h", "Assessment and Plan:"),
                ("p", [("Well visit.", N), ("Counselled on exercise and diet.", N)]),
            ),
        ),
    ),
    Doc(
        "ob_visit",
        "Obstetric intake",
        (
            P(
                ("h", "OBSTETRIC INTAKE"),
                ("h", "History:"),
                (
                    "p",
                    [
                        ("She is G3 P1011 at 9 weeks by dates.", "reproductive"),
                        ("Prior TAB in 2019.", "reproductive"),
                        ("One SAB in 2021.", "reproductive"),
                        ("She takes 1 tab of prenatal vitamins daily.", N),
                    ],
                ),
                ("h", "Assessment:"),
                (
                    "p",
                    [
                        ("Intrauterine pregnancy, desired.", N),
                        ("Routine prenatal labs ordered.", N),
                    ],
                ),
            ),
        ),
    ),
    Doc(
        "ed_note_abortion_words",
        "Emergency department note",
        (
            P(
                ("h", "EMERGENCY DEPARTMENT NOTE"),
                ("h", "History of Present Illness:"),
                (
                    "p",
                    [
                        ("Her daughter Ella drove her after a minor MVA today.", "~reproductive"),
                        ("Patient presents with abdominal cramping.", N),
                        (
                            "She had a termination of pregnancy by uterine aspiration eight days ago.",
                            "reproductive",
                        ),
                        ("She has mild bleeding and no fever.", N),
                    ],
                ),
                ("h", "Imaging:"),
                ("p", [("Pelvic ultrasound shows no retained products.", N)]),
                ("h", "Disposition:"),
                ("p", [("Discharged home with return precautions.", N)]),
            ),
        ),
    ),
    Doc(
        "genetic_in_note",
        "Oncology consult",
        (
            P(
                ("h", "ONCOLOGY CONSULT"),
                ("h", "History:"),
                (
                    "p",
                    [
                        ("She was referred after an abnormal screening mammogram.", N),
                        (
                            "A hereditary cancer panel found a BRCA2 pathogenic variant identified in 2023.",
                            "genetic",
                        ),
                        ("She has two children.", N),
                    ],
                ),
                ("h", "Family History:"),
                (
                    "p",
                    [
                        ("Her mother carries a BRCA2 pathogenic variant.", "genetic"),
                        ("Her brother has hypertension.", N),
                    ],
                ),
                ("h", "Plan:"),
                ("p", [("Discuss risk-reducing surgery.", N)]),
            ),
        ),
    ),
    Doc(
        "hiv_labs_table",
        "Laboratory results",
        (
            P(
                ("h", "LABORATORY RESULTS"),
                ("row", ["Test", "Result", "Reference"], N),
                ("row", ["HIV-1 RNA (viral load)", "<20 copies/mL", "not detected"], "hiv"),
                ("row", ["CD4 count", "612 cells/uL", "500-1500"], "hiv"),
                ("row", ["Hemoglobin A1c", "6.1 %", "4.0-5.6"], N),
                ("row", ["CT/NG NAAT", "Not detected", "Not detected"], "std"),
                ("row", ["RPR", "Nonreactive", "Nonreactive"], "std"),
                ("row", ["Sodium", "139 mmol/L", "135-145"], N),
                ("row", ["HCV genotype", "1a", "-"], "~genetic"),
                ("row", ["Creatinine", "0.8 mg/dL", "0.6-1.1"], N),
            ),
        ),
    ),
    Doc(
        "hiv_section",
        "ID clinic note",
        (
            P(
                ("h", "INFECTIOUS DISEASE FOLLOW-UP"),
                ("h", "History of Present Illness:"),
                ("p", [("Seen for cellulitis of the left leg, improving on cephalexin.", N)]),
                (
                    "hs",
                    "HIV Care:",
                    "hiv",
                    [
                        "Viral load remains undetectable on the current regimen.",
                        "Adherence is excellent; no missed doses.",
                    ],
                ),
                ("h", "Plan:"),
                ("p", [("Finish cephalexin.", N), ("Return in four weeks.", N)]),
            ),
        ),
    ),
    Doc(
        "std_clinic_mixed",
        "Urgent care note",
        (
            P(
                ("h", "URGENT CARE NOTE"),
                ("h", "Chief Complaint:"),
                ("p", [("Dysuria for three days.", N)]),
                ("h", "Assessment:"),
                (
                    "p",
                    [
                        ("Urinalysis consistent with cystitis.", N),
                        ("Tested for chlamydia and gonorrhea given a new partner.", "std"),
                        ("Treated with nitrofurantoin.", N),
                    ],
                ),
            ),
        ),
    ),
    Doc(
        "sud_in_discharge",
        "Discharge summary",
        (
            P(
                ("h", "DISCHARGE SUMMARY"),
                ("h", "Hospital Course:"),
                (
                    "p",
                    [
                        (
                            "Admitted with community acquired pneumonia and treated with ceftriaxone.",
                            N,
                        ),
                        (
                            "She was continued on methadone 90 mg daily from her opioid treatment program.",
                            "substance_use",
                        ),
                        ("Oxygen was weaned on day three.", N),
                    ],
                ),
                (
                    "hs",
                    "Substance Use History:",
                    "substance_use",
                    [
                        "Opioid use disorder since 2015, stable in treatment.",
                        "Last use of heroin in 2019.",
                    ],
                ),
                ("h", "Discharge Diagnoses:"),
                ("li", "Community acquired pneumonia", N),
                ("li", "Opioid use disorder, on maintenance therapy", "substance_use"),
            ),
            P(
                ("h", "Discharge Instructions:"),
                (
                    "p",
                    [
                        ("Take amoxicillin for five more days.", N),
                        ("Follow up with your primary care doctor in one week.", N),
                    ],
                ),
                ("h", "Follow-up:"),
                ("p", [("Pulmonary clinic in six weeks.", N)]),
            ),
        ),
    ),
    Doc(
        "mh_section_two_pages",
        "Admission history",
        (
            P(
                ("h", "ADMISSION HISTORY AND PHYSICAL"),
                ("h", "Chief Complaint:"),
                ("p", [("Fall at home.", N)]),
                ("h", "Past Medical History:"),
                ("li", "Atrial fibrillation", N),
                ("li", "Chronic kidney disease stage 3", N),
                (
                    "hs",
                    "Psychiatric History:",
                    "mental_health",
                    [
                        "Bipolar I disorder diagnosed in 2008.",
                        "Hospitalized in 2016 for mania.",
                        "Followed by outpatient psychiatry monthly.",
                    ],
                ),
            ),
            P(
                ("h", "Physical Exam:"),
                ("p", [("Alert and oriented.", N), ("Bruise over the left hip.", N)]),
                ("h", "Plan:"),
                ("p", [("Hip films.", N), ("Physical therapy evaluation.", N)]),
            ),
        ),
    ),
    Doc(
        "section_across_pages",
        "ID consult",
        (
            P(
                ("h", "INFECTIOUS DISEASE CONSULT"),
                ("h", "Reason for Consult:"),
                ("p", [("Fever after a dental procedure.", N)]),
                ("gap",),
                ("gap",),
                ("gap",),
                ("gap",),
                ("gap",),
                ("gap",),
                ("gap",),
                ("gap",),
                ("gap",),
                ("gap",),
                ("gap",),
                ("gap",),
                ("gap",),
                ("gap",),
                ("gap",),
                ("gap",),
                ("gap",),
                ("gap",),
                ("gap",),
                ("gap",),
                ("gap",),
                ("gap",),
                ("gap",),
                ("gap",),
                ("gap",),
                ("gap",),
                ("gap",),
                ("gap",),
                ("gap",),
                ("gap",),
                ("gap",),
                ("gap",),
                (
                    "hs",
                    "HIV Care:",
                    "hiv",
                    [
                        "Diagnosed in 2012 and followed in our clinic.",
                        "Current regimen well tolerated.",
                    ],
                ),
            ),
            P(
                (
                    "lines",
                    "hiv",
                    ["Last two results were undetectable.", "Next clinic visit in three months."],
                ),
                ("h", "Plan:"),
                ("p", [("Blood cultures before antibiotics.", N)]),
            ),
        ),
    ),
    Doc(
        "psychotherapy_by_security_label",
        "Session record",
        (
            P(("h", "Session"), ("p", [("Fifty minute session.", N)])),
            P(("h", "Session"), ("p", [("Continued work on grief.", N)])),
        ),
        label="psychotherapy_notes",
        facts={"security_labels": ["PSYTHPN"]},
    ),
    # ------------------------------------------------------------------ two columns
    Doc(
        "two_column_summary",
        "Visit summary",
        (
            P(
                ("h", "VISIT SUMMARY"),
                ("h", "Problems:"),
                (
                    "p",
                    [
                        ("Asthma, mild persistent.", N),
                        ("Generalized anxiety disorder treated with sertraline.", "mental_health"),
                        ("Seasonal allergies.", N),
                    ],
                ),
                ("h", "Medications:"),
                ("li", "albuterol inhaler as needed", N),
                ("li", "sertraline 50 mg daily", "mental_health"),
                ("li", "fluticasone nasal spray", N),
                ("h", "Social History:"),
                (
                    "p",
                    [
                        ("Works as a teacher.", N),
                        ("Never smoker.", N),
                        ("Uses contraception with an IUD placed in 2022.", "reproductive"),
                    ],
                ),
                ("h", "Plan:"),
                ("p", [("Continue current inhaler.", N), ("Return in six months.", N)]),
            ),
        ),
        columns=2,
    ),
    Doc(
        "two_column_labs",
        "Results summary",
        (
            P(
                ("h", "RESULTS SUMMARY"),
                ("row", ["Test", "Result", "Flag"], N),
                ("row", ["HIV-1/2 Ag/Ab", "Reactive", "A"], "hiv"),
                ("row", ["TSH", "2.1", ""], N),
                ("row", ["RPR", "Reactive 1:8", "A"], "std"),
                ("row", ["Ferritin", "45", ""], N),
                ("gap",),
                ("h", "Comment:"),
                ("p", [("Results called to the patient.", N)]),
            ),
        ),
        columns=2,
    ),
    # ------------------------------------------------------------------ whole records
    Doc(
        "part2_program_note",
        "Counseling note",
        (
            P(
                ("h", "Counseling Session"),
                (
                    "p",
                    [
                        ("Client attended group and individual counseling today.", N),
                        ("Discussed triggers and coping skills.", N),
                    ],
                ),
                header=f"{HOSP} - OPIOID TREATMENT PROGRAM",
                footer=PART2_NOTICE,
            ),
            P(
                ("h", "Dosing:"),
                ("p", [("Dose unchanged.", N), ("Next visit in one week.", N)]),
                header=f"{HOSP} - OPIOID TREATMENT PROGRAM",
                footer=PART2_NOTICE,
            ),
        ),
        label="substance_use",
    ),
    Doc(
        "part2_notice_only",
        "Transferred record",
        (
            P(
                ("h", "Transfer Summary"),
                ("p", [("Records received from an outside program.", N), ("Client is stable.", N)]),
                footer=PART2_NOTICE,
            ),
        ),
        label="substance_use",
    ),
    Doc(
        "psychotherapy_note",
        "Psychotherapy note",
        (
            P(
                ("h", "Session 14"),
                (
                    "p",
                    [
                        ("Explored the patient's feelings about her father.", N),
                        ("Therapist's hypotheses to revisit next week.", N),
                    ],
                ),
                header="PSYCHOTHERAPY NOTE - KEPT SEPARATE FROM THE MEDICAL RECORD",
            ),
        ),
        label="psychotherapy_notes",
    ),
    Doc(
        "genetic_report",
        "Genetic test report",
        (
            P(
                ("h", "Specimen: peripheral blood"),
                (
                    "p",
                    [
                        ("Multigene hereditary cancer panel, 84 genes.", N),
                        ("Result: one variant reported.", N),
                    ],
                ),
                header="MOLECULAR GENETICS LABORATORY - GENETIC TEST REPORT",
            ),
            P(
                ("h", "Interpretation:"),
                ("p", [("See the attached gene list and methods.", N)]),
                header="MOLECULAR GENETICS LABORATORY - GENETIC TEST REPORT",
            ),
        ),
        label="genetic",
    ),
    Doc(
        "abortion_visit_by_facts",
        "Clinic visit",
        (
            P(
                ("h", "Visit"),
                ("p", [("Patient seen today in clinic.", N), ("Vitals stable.", N)]),
            ),
        ),
        label="reproductive",
        facts={"document_type": "Family planning visit", "department": "Complex Family Planning"},
    ),
    Doc(
        "sa_counseling_note",
        "Counseling note",
        (
            P(
                ("h", "Advocate Note"),
                (
                    "p",
                    [
                        ("Met with the survivor in the emergency department.", N),
                        ("Provided information on options and follow-up.", N),
                    ],
                ),
                header="RAPE CRISIS CENTER - SEXUAL ASSAULT COUNSELING",
            ),
        ),
        label="sexual_assault",
    ),
    Doc(
        "dv_counseling_note",
        "Advocacy note",
        (
            P(
                ("h", "Advocacy Session"),
                (
                    "p",
                    [
                        ("Reviewed housing options and court dates.", N),
                        ("Follow-up call scheduled.", N),
                    ],
                ),
                header="DOMESTIC VIOLENCE PROGRAM - DV ADVOCACY",
            ),
        ),
        label="domestic_violence",
    ),
    Doc(
        "psych_eval_by_security_label",
        "Evaluation",
        (
            P(
                ("h", "Evaluation"),
                ("p", [("Patient interviewed for one hour.", N)]),
            ),
        ),
        label="mental_health",
        facts={"security_labels": ["PSY"]},
    ),
    Doc(
        "genetic_by_loinc",
        "Result",
        (
            P(
                ("h", "Result"),
                ("p", [("Specimen received and processed.", N)]),
            ),
        ),
        label="genetic",
        facts={"type_codes": ["51969-4"]},
    ),
    # ------------------------------------------------------------------ mixed packets
    Doc(
        "mixed_packet",
        "Records packet",
        (
            P(
                ("h", "CLINIC NOTE"),
                ("h", "Assessment:"),
                ("p", [("Knee pain improving with physical therapy.", N), ("No new concerns.", N)]),
            ),
            P(
                ("h", "Counseling Session"),
                ("p", [("Group attended.", N)]),
                header=f"{HOSP} - OPIOID TREATMENT PROGRAM",
                footer=PART2_NOTICE,
                label="substance_use",
            ),
            P(("h", "RADIOLOGY REPORT"), ("h", "Impression:"), ("p", [("No acute fracture.", N)])),
        ),
    ),
    Doc(
        "ed_sexual_assault",
        "ED note",
        (
            P(
                ("h", "EMERGENCY DEPARTMENT NOTE"),
                ("h", "History of Present Illness:"),
                (
                    "p",
                    [
                        (
                            "Patient reports she was sexually assaulted last night by an acquaintance.",
                            "sexual_assault",
                        ),
                        ("She has pain in the left wrist.", N),
                    ],
                ),
                ("h", "Procedures:"),
                (
                    "p",
                    [
                        ("SANE exam completed with evidence kit collected.", "sexual_assault"),
                        ("Wrist splinted.", N),
                    ],
                ),
                ("h", "Disposition:"),
                (
                    "p",
                    [
                        ("Rape crisis counselor met with the patient.", "sexual_assault"),
                        ("Discharged with a friend.", N),
                    ],
                ),
            ),
        ),
    ),
    Doc(
        "social_work_dv",
        "Social work note",
        (
            P(
                ("h", "SOCIAL WORK NOTE"),
                ("h", "Assessment:"),
                (
                    "p",
                    [
                        (
                            "Patient disclosed intimate partner violence over the past year.",
                            "domestic_violence",
                        ),
                        ("A restraining order was discussed.", "domestic_violence"),
                        ("She lives with her two children.", N),
                    ],
                ),
                ("h", "Plan:"),
                (
                    "p",
                    [
                        (
                            "Referral to the hospital domestic violence advocate.",
                            "domestic_violence",
                        ),
                        ("Transportation voucher given.", N),
                    ],
                ),
            ),
        ),
    ),
    Doc(
        "headers_every_page_mixed",
        "Behavioral health record",
        (
            P(
                ("h", "Intake"),
                ("p", [("Patient seen for intake.", N)]),
                header="DEPARTMENT OF PSYCHIATRY - BEHAVIORAL HEALTH",
            ),
            P(
                ("h", "Follow-up"),
                ("p", [("Mood improved.", N)]),
                header="DEPARTMENT OF PSYCHIATRY - BEHAVIORAL HEALTH",
            ),
            P(
                ("h", "Follow-up"),
                ("p", [("Stable.", N)]),
                header="DEPARTMENT OF PSYCHIATRY - BEHAVIORAL HEALTH",
            ),
        ),
        label="mental_health",
    ),
    # ------------------------------------------------------------------ scanned pages
    Doc(
        "scanned_problem_list",
        "Faxed problem list",
        (
            P(
                ("h", "PROBLEM LIST"),
                ("row", ["Code", "Problem", "Onset"], N),
                ("row", ["B20", "HIV disease", "2015-01-01"], "hiv"),
                ("row", ["I10", "Essential hypertension", "2018-02-14"], N),
                (
                    "row",
                    ["F33.1", "Major depressive disorder, recurrent", "2020-08-08"],
                    "mental_health",
                ),
                ("row", ["K21.9", "Gastroesophageal reflux", "2016-03-03"], N),
            ),
        ),
        scanned=frozenset({0}),
    ),
    Doc(
        "scanned_note",
        "Faxed note",
        (
            P(("h", "OUTSIDE NOTE"), ("h", "Assessment:"), ("p", [("Knee sprain, improving.", N)])),
            P(
                ("h", "OUTSIDE NOTE"),
                ("h", "Assessment:"),
                (
                    "p",
                    [
                        ("Ankle pain after a fall.", N),
                        ("She takes naltrexone for alcohol use disorder.", "substance_use"),
                        ("Ice and rest advised.", N),
                    ],
                ),
            ),
        ),
        scanned=frozenset({1}),
    ),
    Doc(
        "scanned_part2",
        "Faxed program note",
        (
            P(
                ("h", "Counseling Session"),
                ("p", [("Client attended counseling.", N)]),
                header=f"{HOSP} - OPIOID TREATMENT PROGRAM",
                footer=PART2_NOTICE,
            ),
        ),
        label="substance_use",
        scanned=frozenset({0}),
    ),
    # ------------------------------------------------------------------ clean records
    Doc(
        "clean_ortho_note",
        "Orthopedic note",
        (
            P(
                ("h", "ORTHOPEDIC CLINIC NOTE"),
                ("h", "Assessment:"),
                (
                    "p",
                    [
                        ("Right rotator cuff tendinopathy.", N),
                        ("She uses hearing aids and wears glasses.", "~hiv"),
                        ("Follows with first aid training at work.", N),
                    ],
                ),
                ("h", "Plan:"),
                ("p", [("Physical therapy twice weekly.", N)]),
            ),
        ),
    ),
    Doc(
        "clean_cardiology",
        "Cardiology note",
        (
            P(
                ("h", "CARDIOLOGY CONSULT"),
                ("h", "ECG:"),
                (
                    "p",
                    [
                        (
                            "Horizontal ST depression in the lateral leads during exercise.",
                            "~mental_health",
                        )
                    ],
                ),
                ("h", "Impression:"),
                ("p", [("Probable ischemia.", N), ("Cardiac catheterization scheduled.", N)]),
            ),
        ),
    ),
    Doc(
        "clean_peds_vaccines",
        "Pediatric visit",
        (
            P(
                ("h", "WELL CHILD VISIT"),
                ("h", "Immunizations:"),
                ("li", "HPV vaccine dose 2 given in the left deltoid", "~std"),
                ("li", "Tdap given", N),
                ("li", "IPV given", N),
                ("h", "Plan:"),
                ("p", [("Return at age 13.", N)]),
            ),
        ),
    ),
)
