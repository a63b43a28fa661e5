"""Word lists the generator draws from: prose vocabulary, markers, names, journals, tags.

Lists are ordered from common to rare where the generator draws them with Zipf-like weights.
The synthetic tail of rare words is built from biomedical morphemes with a fixed seed, so the
vocabulary is the same in every run whatever the corpus seed.
"""

from __future__ import annotations

import random

# Content words of ME/CFS papers, roughly from most to least frequent (repeats dropped).
_CORE_TEXT = """
    patients fatigue controls symptoms ME/CFS healthy study levels disease chronic syndrome
    exercise immune cells significantly increased decreased compared function response
    activity severity participants illness cytokine cytokines clinical analysis samples
    blood plasma data associated differences mitochondrial energy metabolism muscle
    post-exertional malaise cognitive physical pain sleep group groups cohort measures
    infection viral inflammation inflammatory markers serum reduced elevated baseline
    women men onset duration questionnaire scores test testing quality life impairment
    natural killer cytotoxicity lymphocytes T-cell B-cell monocytes neutrophils antibodies
    autoantibodies receptor receptors expression gene genes protein proteins pathway
    pathways signalling oxidative stress metabolic metabolites lipid lipids amino acids
    orthostatic intolerance heart rate blood pressure autonomic dysfunction brain imaging
    neuroinflammation microglia cerebral flow hypoperfusion cortex network connectivity
    memory attention processing speed neurocognitive depression anxiety mood psychiatric
    treatment therapy trial placebo randomised intervention outcome outcomes efficacy safety
    adverse effects dose improvement recovery relapse course prognosis diagnosis criteria
    case definition subgroup subgroups phenotype heterogeneity biomarker biomarkers panel
    assay measured measurement concentrations ratio correlation regression model variance
    cardiopulmonary testing oxygen consumption anaerobic threshold workload day two-day
    repeated maximal submaximal capacity deconditioning sedentary bed rest activity monitor
    steps hours daily living disability employment functional status SF-36 Chalder scale
    microbiome gut bacteria dysbiosis intestinal permeability endotoxin translocation
    herpesvirus Epstein-Barr virus reactivation enterovirus persistent latent serology
    hypothalamic pituitary adrenal axis cortisol hormone endocrine thyroid glucose insulin
    redox glutathione antioxidant ATP production respiration glycolysis fatty acid oxidation
    lactate acidosis recovery time small fibre neuropathy skin biopsy nerve density
    vascular endothelial dysfunction platelets coagulation red cell deformability
    microcirculation capillary perfusion hypovolaemia plasma volume tilt table POTS
    standing test sympathetic parasympathetic vagal tone baroreflex breathing hyperventilation
    sensory sensitivity light sound temperature thermoregulation flu-like sore throat lymph
    nodes headache myalgia arthralgia unrefreshing sleep polysomnography actigraphy circadian
    paediatric adolescents children school attendance family caregivers carers burden
    prevalence incidence epidemiology population registry primary care referral clinic
    specialist services management pacing energy envelope graded exercise cognitive
    behavioural therapy rehabilitation self-management education support stigma
"""
CORE_WORDS: tuple[str, ...] = tuple(dict.fromkeys(_CORE_TEXT.split()))

# Stock phrases placed in prose as written (several words, some hyphenated).
PHRASES: tuple[str, ...] = (
    "post-exertional malaise",
    "orthostatic intolerance",
    "heart rate",
    "natural killer",
    "chronic fatigue syndrome",
    "myalgic encephalomyelitis",
    "cognitive behavioural therapy",
    "graded exercise therapy",
    "case control",
    "oxygen consumption",
    "blood flow",
    "small fibre neuropathy",
    "two-day cardiopulmonary exercise test",
    "unrefreshing sleep",
    "quality of life",
)

_PREFIXES = (
    "neuro",
    "cyto",
    "immuno",
    "gluco",
    "lipo",
    "myo",
    "cardio",
    "endo",
    "hemo",
    "lympho",
    "mito",
    "proteo",
    "glyco",
    "osteo",
    "nephro",
    "hepato",
    "dermo",
    "angio",
    "fibro",
    "thermo",
    "chemo",
    "photo",
    "pharmaco",
    "psycho",
    "somato",
    "viro",
    "bacterio",
    "entero",
    "pneumo",
    "adreno",
    "thyro",
    "cortico",
    "sero",
    "hista",
    "purino",
    "kinino",
    "oxido",
    "sulfo",
    "acetyl",
    "methyl",
    "phospho",
    "ubiquino",
    "carnito",
    "lacto",
    "pyruvo",
    "succino",
    "citro",
    "creatino",
)
_MIDDLES = ("", "", "", "tro", "pa", "ge", "li", "ro", "sta", "do", "ki", "ne", "mi", "ta", "vo")
_SUFFIXES = (
    "kinase",
    "genic",
    "pathy",
    "lysis",
    "ase",
    "ine",
    "osis",
    "itis",
    "emia",
    "philic",
    "tropic",
    "static",
    "logy",
    "gram",
    "cyte",
    "plasty",
    "trophy",
    "toxic",
    "metric",
    "some",
    "phage",
    "penia",
    "receptor",
    "sensor",
    "transferase",
    "synthase",
    "oxidase",
    "reductase",
)
RARE_WORD_COUNT = 15_000


def _rare_words() -> tuple[str, ...]:
    """Return the synthetic long tail: pseudo-technical words, each used by few studies."""
    rng = random.Random("atlas-bench-vocabulary")
    seen = set(CORE_WORDS)
    out: list[str] = []
    while len(out) < RARE_WORD_COUNT:
        word = rng.choice(_PREFIXES) + rng.choice(_MIDDLES) + rng.choice(_SUFFIXES)
        if word not in seen:
            seen.add(word)
            out.append(word)
    return tuple(out)


RARE_WORDS = _rare_words()

# Markers the synonym table does not know, most common first ("_" stands for a space). The
# generator interleaves the table's markers at fixed ranks, so some table markers are rare.
_EXTRA_MARKERS_TEXT = """
    cortisol lactate ferritin IgG vitamin_D CD4 CD8 CD19 CD57 HLA-DR ACTH pyruvate ATP
    glutathione homocysteine IL-16 IL-3 IL-9 IL-12 IL-21 IL-22 IL-27 IL-31 IL-33 IL-35 IL-37
    CXCL9 CXCL11 CXCL13 CCL17 CCL19 CCL20 CCL22 CCL27 MIF LIF OSM VEGF-A PDGF-BB FGF-2 FGF21
    GDF15 BDNF NGF NfL GFAP S100B sTNFR1 sTNFR2 sIL-2R sCD14 sCD163 LBP transferrin
    vitamin_B12 folate DHEA-S aldosterone renin vasopressin copeptin melatonin serotonin
    tryptophan kynurenine quinolinic_acid NAD+ CoQ10 carnitine acetylcarnitine 8-OHdG
    malondialdehyde isoprostanes nitric_oxide peroxynitrite troponin NT-proBNP HbA1c insulin
    IGF-1 TSH free_T3 free_T4 reverse_T3 testosterone estradiol progesterone prolactin
    oxytocin adiponectin ghrelin orexin-A EBNA-1 HHV-6 IgG1 IgG3 IgA IgM C4a C3a ANA
    CD3 CD14 CD20 CD25 CD27 CD28 CD38 CD69 CD161 CD45RA CD45RO CD11b CD163 PD-1 CTLA-4
    FOXP3 TLR2 TLR4 TLR7 TLR9 TRPM2 TRPM7 TRPA1 ADRB2 CHRM1 CHRM2 CHRM5 PDK1 PDK2 PDK4
    AMPK SIRT1 PGC-1α ATP5B sphingomyelin ceramide phosphatidylcholine citrate succinate
    alanine glutamine glutamate GABA N-acetylaspartate choline creatine myo-inositol
    miR-21 miR-126 miR-17-5p miR-99b miR-330-3p miR-127-3p miR-142-5p miR-143 miR-146a
    miR-150 miR-181a miR-223 miR-448 miR-93 miR-34a miR-155 miR-200c miR-122 miR-29a
    HLA-DQB1 HLA-C HLA-DRB1 MBL ficolin-2 C1q CH50 D-dimer fibrinogen vWF P-selectin
    E-selectin ICAM-1 VCAM-1 MMP-9 TIMP-1 elastase MPO calprotectin zonulin LPS sCD40
    IgE histamine tryptase PGE2 LTB4 TXB2 8-isoprostane SOD catalase GPx CoA TCA_flux
    CD56bright CD56dim NKp30 NKp44 KIR2DL1 TIGIT TIM-3 LAG-3 CD39 CD73 CD26 CD62L CCR7
    CXCR3 CXCR4 CCR5 CCR6 ST2 sRAGE HMGB1 HSP70 HSP90 YKL-40 suPAR pentraxin-3 SAA
    haptoglobin hepcidin EPO reticulocytes B2M neopterin IDO1 KMO QPRT ACE2 AT1R ETAR
    α1-AdR α2-AdR β1-AdR GPR35 VIP PACAP substance_P CGRP NPY orexin-B
"""
EXTRA_MARKERS: tuple[str, ...] = tuple(n.replace("_", " ") for n in _EXTRA_MARKERS_TEXT.split())

CRITERIA_SPELLINGS: dict[str, tuple[str, ...]] = {
    "CCC": ("CCC", "Canadian Consensus Criteria", "Carruthers 2003", "Canadian"),
    "ICC": ("ICC", "International Consensus Criteria", "Carruthers 2011", "ME-ICC"),
    "IOM": ("IOM", "IOM 2015", "NAM", "SEID", "Institute of Medicine"),
    "NICE-2021": ("NICE-2021", "NICE 2021"),
    "Fukuda": ("Fukuda", "CDC 1994", "CDC-1994", "Fukuda 1994"),
    "Oxford": ("Oxford", "Oxford 1991", "Sharpe 1991"),
    "Holmes": ("Holmes", "CDC 1988", "CDC-1988", "Holmes 1988"),
    "Reeves": ("Reeves", "CDC 2005", "empirical", "Reeves 2005"),
    "NICE-2007": ("NICE-2007", "NICE 2007"),
}
# How often each criteria id is used by a study (relative weights).
CRITERIA_WEIGHTS: dict[str, float] = {
    "Fukuda": 36,
    "CCC": 24,
    "ICC": 14,
    "IOM": 12,
    "Oxford": 5,
    "Holmes": 3,
    "Reeves": 3,
    "NICE-2007": 1.5,
    "NICE-2021": 1.5,
}

DESIGN_WEIGHTS: dict[str, float] = {
    "case-control": 38,
    "cohort": 14,
    "cross-sectional": 14,
    "rct": 8,
    "non-randomised-trial": 4,
    "systematic-review": 4,
    "meta-analysis": 2,
    "review": 9,
    "case-report": 2,
    "qualitative": 3,
    "other": 2,
}

TOPICS: tuple[str, ...] = (
    "immunology",
    "cytokines",
    "exercise physiology",
    "metabolism",
    "neurology",
    "autonomic function",
    "mitochondria",
    "NK cells",
    "infection",
    "epidemiology",
    "neuroimaging",
    "cognition",
    "sleep",
    "treatment",
    "genetics",
    "microbiome",
    "endocrinology",
    "cardiology",
    "autoimmunity",
    "oxidative stress",
    "paediatrics",
    "quality of life",
    "diagnosis",
    "pain",
    "orthostatic intolerance",
    "proteomics",
    "metabolomics",
    "transcriptomics",
    "epigenetics",
    "vascular function",
    "long COVID",
    "patient experience",
    "health services",
    "rehabilitation",
    "psychology",
    "biobank",
    "Epstein–Barr virus",
    "small fibre neuropathy",
    "blood volume",
    "muscle physiology",
)

INTERVENTIONS: tuple[str, ...] = (
    "graded exercise therapy",
    "cognitive behavioural therapy",
    "rituximab",
    "anakinra",
    "rintatolimod",
    "valganciclovir",
    "pacing",
    "low-dose naltrexone",
    "coenzyme Q10",
    "NADH",
    "intravenous immunoglobulin",
    "cyclophosphamide",
    "immunoadsorption",
    "ivabradine",
    "midodrine",
    "fludrocortisone",
    "pyridostigmine",
    "hydrocortisone",
    "methylphenidate",
    "modafinil",
    "aripiprazole",
    "melatonin",
    "magnesium",
    "vitamin B12",
    "D-ribose",
    "probiotics",
    "faecal microbiota transplant",
    "acupuncture",
    "yoga",
    "mindfulness",
    "Lightning Process",
    "saline infusion",
    "compression garments",
    "valacyclovir",
    "famotidine",
    "cetirizine",
    "daratumumab",
    "BC007",
    "oxaloacetate",
    "nicotinamide riboside",
)

SAMPLES: tuple[str, ...] = (
    "plasma",
    "serum",
    "PBMC",
    "whole blood",
    "cerebrospinal fluid",
    "saliva",
    "urine",
    "muscle biopsy",
    "stool",
    "NK cells",
)

GIVEN_NAMES: tuple[str, ...] = (
    "Megan",
    "Hans",
    "Ewald",
    "Hélène",
    "Zoë",
    "José",
    "Łukasz",
    "Søren",
    "Björn",
    "Ana María",
    "François",
    "Jürgen",
    "Małgorzata",
    "Ángel",
    "Inés",
    "Sébastien",
    "Ørjan",
    "Núria",
    "Anne",
    "Jos",
    "Luuk",
    "Leo",
    "Maureen",
    "Jonas",
    "Øystein",
    "Olav",
    "Karl",
    "Ron",
    "Nancy",
    "Sonya",
    "Ekua",
    "Chris",
    "David",
    "Keith",
    "Lucinda",
    "Simon",
    "Vincent",
    "Dorothy",
    "Kiyoshi",
    "Yuki",
    "Mei",
    "Wei",
    "Priya",
    "Arjun",
    "Fatima",
    "Omar",
    "Chloé",
    "Émile",
    "Renée",
    "Dagný",
    "Jón",
    "Kristín",
    "Míša",
    "Jiří",
    "Tomasz",
    "Agnieszka",
    "Dóra",
    "Gábor",
    "Şule",
    "Ayşe",
    "Mehmet",
    "Ioana",
    "Ştefan",
    "Nikolaos",
    "Eleni",
    "Paulo",
    "João",
    "Conceição",
    "Mariana",
    "Carmen",
    "Pilar",
    "Maëlle",
    "Gaëlle",
    "Joaquín",
)

FAMILY_NAMES: tuple[str, ...] = (
    "Roerink",
    "Knoop",
    "Bronkhorst",
    "Mouthaan",
    "Hawinkels",
    "Joosten",
    "van der Meer",
    "Müller",
    "Núñez",
    "Østergaard",
    "Dvořák",
    "García",
    "Lévesque",
    "Sørensen",
    "Çelik",
    "Kowalczyk",
    "Nakamura",
    "Fluge",
    "Mella",
    "Montoya",
    "Klimas",
    "Hornig",
    "Lipkin",
    "Naviaux",
    "Davis",
    "Komaroff",
    "Nacul",
    "Lacerda",
    "Marshall-Gradisnik",
    "Brenu",
    "Staines",
    "Unger",
    "Jason",
    "Rowe",
    "Visser",
    "van Campen",
    "Keller",
    "Stevens",
    "Snell",
    "VanNess",
    "Scheibenbogen",
    "Sotzny",
    "Wirth",
    "Loebel",
    "Bergquist",
    "Tronstad",
    "Blomberg",
    "Gottschalk",
    "Nagy-Szakal",
    "Giloteaux",
    "Hanson",
    "Williams",
    "Light",
    "Cook",
    "Shukla",
    "Newton",
    "Jones",
    "Elson",
    "Fernández-de-las-Peñas",
    "Castro-Marrero",
    "Alegre",
    "Sáez-Francàs",
    "Sepúlveda",
    "Ortega-Hernández",
    "Yamamura",
    "Ono",
    "Kuratsune",
    "Watanabe",
    "Tanaka",
    "Zhang",
    "Wang",
    "Li",
    "Chen",
    "Liu",
    "Kim",
    "Park",
    "Lee",
    "Nguyen",
    "Ó Súilleabháin",
    "O'Brien",
    "D'Souza",
    "Ngô",
    "Schäfer",
    "Größ",
    "Krüger",
    "Böhm",
    "Jäger",
    "Hölzl",
    "Mäkinen",
    "Järvinen",
    "Åkerström",
    "Lindqvist",
    "Ekström",
    "Żak",
)

JOURNALS: tuple[str, ...] = (
    "Journal of Translational Medicine",
    "PLoS One",
    "Frontiers in Immunology",
    "Brain, Behavior, and Immunity",
    "Fatigue: Biomedicine, Health & Behavior",
    "Journal of Internal Medicine",
    "Scientific Reports",
    "PNAS",
    "JCI Insight",
    "Clinical and Experimental Immunology",
    "Journal of Clinical Pathology",
    "BMJ Open",
    "Frontiers in Neurology",
    "Journal of Neurology, Neurosurgery & Psychiatry",
    "Medicina",
    "Work",
    "Journal of Chronic Fatigue Syndrome",
    "Psychological Medicine",
    "The Lancet",
    "Annals of Internal Medicine",
    "Metabolites",
    "Molecular Medicine",
    "Immunology and Cell Biology",
    "Clinical Infectious Diseases",
    "Neurology",
    "European Journal of Applied Physiology",
    "Physical Therapy",
    "Chest",
    "Journal of Neuroinflammation",
    "Brain Sciences",
    "International Journal of Molecular Sciences",
    "Diagnostics",
    "Healthcare",
    "Cell Metabolism",
    "Nature Communications",
    "Revista Española de Salud Pública",
    "Deutsches Ärzteblatt International",
)

PUBLICATION_TYPES: tuple[str, ...] = (
    "Journal Article",
    "Journal Article",
    "Journal Article",
    "Review",
    "Preprint",
    "Methods paper",
    "Letter",
    "Conference abstract",
)
