// The catalog of target nerves shipped with the console (issue 10): the cutaneous nerves commonly
// treated by cryoneurolysis, each with the skin it supplies and whether it carries motor fibres.
// The one serious harm reported for this therapy is a motor nerve frozen by mistake, so `motor` is
// conservative: true when the nerve carries motor fibres anywhere along its course (the note says
// where), and a sensory nerve's note names the motor nerves that run beside it where that matters.
// Body sites: no SNOMED CT code is given for any nerve (we are not confident of the concept ids
// without a terminology server to check them against), so the FHIR export sends text only.
//
// Pure data, in the controller layer so the settings schema can check a nerve id against it
// (src/records/nerves.ts re-exports it and holds the functions on targets).

export interface Nerve {
  /** Stable, kebab-case: stored in records, typed in `--target NERVE:SIDE`; never renamed. */
  readonly id: string;
  readonly name: string;
  /** The skin it supplies. */
  readonly territory: string;
  /** True when the nerve carries motor fibres anywhere along its course. */
  readonly motor: boolean;
  /** Where its motor fibres go, or for a sensory nerve the motor structures close to it. */
  readonly motorNote: string;
  /** The body site for FHIR: text, and a SNOMED CT body-structure code only when certain (none yet). */
  readonly bodySiteText: string;
  readonly snomedBodyStructure: string | null;
}

export const NERVES: readonly Nerve[] = [
  {
    id: 'infrapatellar-saphenous',
    name: 'Infrapatellar branch of the saphenous nerve',
    territory: 'skin of the anteromedial knee below the patella and of the proximal anteromedial leg',
    motor: false,
    motorNote: 'sensory only: the saphenous nerve is the sensory end branch of the femoral nerve',
    bodySiteText: 'infrapatellar branch of saphenous nerve',
    snomedBodyStructure: null,
  },
  {
    id: 'saphenous',
    name: 'Saphenous nerve',
    territory: 'skin of the medial knee, the medial leg and the medial ankle and foot as far as the first metatarsal head',
    motor: false,
    motorNote: 'sensory only; in the adductor canal the nerve to vastus medialis (motor) runs beside it: treat below the canal',
    bodySiteText: 'saphenous nerve',
    snomedBodyStructure: null,
  },
  {
    id: 'anterior-femoral-cutaneous',
    name: 'Anterior femoral cutaneous nerves (intermediate and medial cutaneous nerves of the thigh)',
    territory: 'skin of the anterior and medial thigh down to the knee',
    motor: false,
    motorNote: "sensory branches of the femoral nerve; in the proximal thigh the femoral nerve's motor branches (quadriceps, sartorius) run beside them: treat distal to where they pierce the fascia lata",
    bodySiteText: 'anterior femoral cutaneous nerve',
    snomedBodyStructure: null,
  },
  {
    id: 'lateral-femoral-cutaneous',
    name: 'Lateral femoral cutaneous nerve',
    territory: 'skin of the anterolateral and lateral thigh',
    motor: false,
    motorNote: 'sensory only',
    bodySiteText: 'lateral femoral cutaneous nerve',
    snomedBodyStructure: null,
  },
  {
    id: 'superficial-peroneal',
    name: 'Superficial peroneal (fibular) nerve',
    territory: 'skin of the distal anterolateral leg and most of the dorsum of the foot and toes (not the first web space)',
    motor: true,
    motorNote: 'supplies peroneus (fibularis) longus and brevis in the lateral compartment of the leg; sensory only after it pierces the deep fascia in the distal third of the leg',
    bodySiteText: 'superficial peroneal nerve',
    snomedBodyStructure: null,
  },
  {
    id: 'sural',
    name: 'Sural nerve',
    territory: 'skin of the posterolateral distal leg, the lateral ankle and heel and the lateral border of the foot to the little toe',
    motor: false,
    motorNote: 'sensory only',
    bodySiteText: 'sural nerve',
    snomedBodyStructure: null,
  },
  {
    id: 'intercostal',
    name: 'Intercostal nerve',
    territory: 'a band of skin of the chest (and, for the lower nerves, abdominal) wall along its rib space, through its lateral and anterior cutaneous branches',
    motor: true,
    motorNote: 'carries motor fibres to the intercostal muscles (and, T7 to T11, to the muscles of the anterior abdominal wall); its lateral and anterior cutaneous branches are sensory',
    bodySiteText: 'intercostal nerve',
    snomedBodyStructure: null,
  },
  {
    id: 'intercostobrachial',
    name: 'Intercostobrachial nerve',
    territory: 'skin of the axilla and of the medial and posterior upper arm',
    motor: false,
    motorNote: 'sensory only (the lateral cutaneous branch of the second intercostal nerve)',
    bodySiteText: 'intercostobrachial nerve',
    snomedBodyStructure: null,
  },
  {
    id: 'ilioinguinal',
    name: 'Ilioinguinal nerve',
    territory: 'skin of the upper medial thigh and of the root of the penis and anterior scrotum, or the mons pubis and labium majus',
    motor: true,
    motorNote: 'supplies the lowest fibres of the internal oblique and transversus abdominis muscles',
    bodySiteText: 'ilioinguinal nerve',
    snomedBodyStructure: null,
  },
  {
    id: 'iliohypogastric',
    name: 'Iliohypogastric nerve',
    territory: 'skin above the pubis (hypogastric region) and of the upper lateral buttock',
    motor: true,
    motorNote: 'supplies the internal oblique and transversus abdominis muscles',
    bodySiteText: 'iliohypogastric nerve',
    snomedBodyStructure: null,
  },
  {
    id: 'genitofemoral',
    name: 'Genitofemoral nerve',
    territory: 'genital branch: skin of the anterior scrotum or labium majus; femoral branch: skin over the femoral triangle',
    motor: true,
    motorNote: 'its genital branch supplies the cremaster muscle',
    bodySiteText: 'genitofemoral nerve',
    snomedBodyStructure: null,
  },
  {
    id: 'superficial-radial',
    name: 'Superficial branch of the radial nerve',
    territory: 'skin of the radial dorsum of the hand and of the dorsum of the thumb, index, middle and radial half of the ring finger proximal to the nail beds',
    motor: false,
    motorNote: 'sensory only; the radial nerve\'s deep (posterior interosseous) branch, which is motor, leaves it at the elbow',
    bodySiteText: 'superficial branch of radial nerve',
    snomedBodyStructure: null,
  },
  {
    id: 'greater-occipital',
    name: 'Greater occipital nerve',
    territory: 'skin of the back of the scalp up to the vertex',
    motor: true,
    motorNote: 'may give motor twigs to semispinalis capitis where it pierces that muscle (variable); sensory beyond',
    bodySiteText: 'greater occipital nerve',
    snomedBodyStructure: null,
  },
  {
    id: 'lesser-occipital',
    name: 'Lesser occipital nerve',
    territory: 'skin of the scalp behind the ear and of the upper back of the auricle',
    motor: false,
    motorNote: 'sensory only',
    bodySiteText: 'lesser occipital nerve',
    snomedBodyStructure: null,
  },
];

const NERVE_IDS: ReadonlySet<string> = new Set(NERVES.map((nerve) => nerve.id));

/** The catalog has a nerve of this id (an own entry: never a name from Object's prototype). */
export function isCatalogNerve(id: string): boolean {
  return NERVE_IDS.has(id);
}
