"""Item families of HCPCS supplies and equipment, found from the descriptor's words within the code letters
where the family lives: what the item is for, who uses it, how, who supplies it, and a question to ask.

Each family's pattern is narrow (a named item, in its code range), and its sentences say only what holds for
every item the pattern matches. The first matching family wins, so parts and accessories come before the
item they belong to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Family:
    id: str
    letters: str  # first letters of the codes the family may hold, or one range "L0000-L4999"
    pattern: re.Pattern[str]
    uses: str
    who: str = ""
    how: str = ""
    supplier: str = ""
    question: str = ""


def _f(id: str, letters: str, rx: str, uses: str, who: str = "", how: str = "", supplier: str = "",
       question: str = "") -> Family:  # fmt: skip
    return Family(id, letters, re.compile(rx, re.I), uses, who, how, supplier, question)


_DME = "A medical equipment supplier delivers it, sets it up and shows you how to use it."

FAMILIES: tuple[Family, ...] = (
    _f(
        "equipment-repair",
        "K",
        r"repair or nonroutine service|\brepair\b",
        "It pays for repair or service work on medical equipment you already have.",
        "People whose medical equipment needs repair.",
        "A technician does the work; parts are billed with their own codes.",
        "The equipment supplier's technician.",
        "Will my plan pay for the repair, or should the item be replaced?",
    ),
    _f(
        "wheelchair-part",
        "E0950-E2399",
        r"wheelchair accessory|narrowing device|^(?:detachable|elevating|front caster|rear|armrest|legrest|footrest|"
        r"swingaway)|caster assembly|drive wheel",
        "It is a part or accessory for a wheelchair, billed on its own line, apart from the wheelchair.",
        "People who use a wheelchair and need this part added, changed or replaced.",
        "The supplier fits the part to your wheelchair.",
        _DME,
        "Does my plan cover this part for the wheelchair I have now?",
    ),
    _f(
        "wheelchair-part-k",
        "K0001-K0108",
        r"wheelchair accessory|narrowing device|^(?:detachable|elevating|front caster|rear|armrest|legrest|footrest|"
        r"swingaway)|caster assembly|drive wheel",
        "It is a part or accessory for a wheelchair, billed on its own line, apart from the wheelchair.",
        "People who use a wheelchair and need this part added, changed or replaced.",
        "The supplier fits the part to your wheelchair.",
        _DME,
        "Does my plan cover this part for the wheelchair I have now?",
    ),
    _f(
        "power-wheelchair",
        "EK",
        r"\bpower wheelchair\b|\bpower mobility\b|\bmotorized\b",
        "A power wheelchair or other power mobility device has a motor and is steered with a joystick or another "
        "control.",
        "People who cannot get around their home safely by walking or with a manual wheelchair.",
        "A face-to-face exam and a written order come first; then the supplier checks your home and fits the chair.",
        _DME,
        "Which power wheelchair group fits my needs, and who repairs it?",
    ),
    _f(
        "wheelchair",
        "EK",
        r"\bwheelchair\b|\brollabout chair\b",
        "A wheelchair lets you move around when walking is unsafe or not possible.",
        "People who cannot walk safely for the distances of daily life at home.",
        "The supplier adjusts the seat, arms and leg supports to your body.",
        _DME,
        "Should I rent or buy this chair, and who repairs it?",
    ),
    _f(
        "hospital-bed",
        "E",
        r"\bhospital bed\b",
        "A hospital bed raises the head, the feet or the whole bed so you can rest, breathe or get in and out "
        "more safely at home.",
        "People whose condition needs positions or height changes an ordinary bed cannot give.",
        "The supplier sets it up in your home and shows you how to change its positions.",
        _DME,
        "Do I need side rails or a special mattress with this bed?",
    ),
    _f(
        "support-surface",
        "AE",
        r"pressure (?:pad|reducing)|air flotation|low air loss|alternating pressure|\bmattress\b|"
        r"gel (?:pad|overlay)|\boverlay\b",
        "It spreads or changes pressure on the skin to help prevent or heal pressure sores (bed sores).",
        "People who spend much of the day in bed and have or are at risk of pressure sores.",
        "It goes on or replaces the mattress; the skin is still checked every day.",
        _DME,
        "How often should my skin be checked while I use it?",
    ),
    _f(
        "sleep-apnea",
        "AEK",
        r"\bcpap\b|positive airway pressure|sleep apnea|\bbi-?level\b",
        "It treats sleep apnea: breathing that stops and starts during sleep.",
        "People with sleep apnea found by a sleep study.",
        "It is used every night during sleep; masks, tubing and filters are replaced on a schedule.",
        _DME,
        "How often can I get new masks, tubing and filters?",
    ),
    _f(
        "oxygen",
        "AEK",
        r"^(?!.*\btopical\b).*\boxygen\b",
        "It is part of oxygen treatment: equipment or supplies that deliver oxygen.",
        "People whose oxygen level is low, as shown by a blood or finger test.",
        "Use it as prescribed, and keep oxygen away from flames and smoking.",
        "An oxygen supplier delivers it and refills or services it.",
        "Who refills the oxygen, and what do I do if it runs out?",
    ),
    _f(
        "nebulizer",
        "AEK",
        r"\bnebuli[sz]er\b",
        "It goes with a nebulizer: a machine that turns liquid medicine into a mist you breathe in.",
        "People who take breathing medicines, for example for asthma or COPD, through a nebulizer.",
        "Clean the nebulizer parts after each use as the instructions say.",
        _DME,
        "How often should the nebulizer parts be cleaned or replaced?",
    ),
    _f(
        "diabetic-shoe",
        "AL",
        r"for diabetics only|diabetic (?:shoe|insert)|\bdepth shoe\b",
        "Special shoes and inserts protect the feet of people with diabetes from sores.",
        "People with diabetes whose feet are at risk, for example from poor feeling or poor blood flow.",
        "The inserts are fitted to your feet; check your feet every day for sores.",
        "A podiatrist, orthotist or other qualified supplier fits them.",
        "How many pairs of inserts does my plan cover each year?",
    ),
    _f(
        "diabetes",
        "AEK",
        r"\bglucose\b|\blancet|\bcgm\b|\binsulin\b|\bdiabet",
        "It is used to check or manage blood sugar (glucose) in diabetes.",
        "People with diabetes who check or control their blood sugar at home.",
        "Your care team shows you how and how often to use it.",
        "A pharmacy or a medical supply company supplies it with your provider's order.",
        "How often should I check my blood sugar, and how many supplies does my plan cover?",
    ),
    _f(
        "ostomy",
        "A",
        r"ostomy|\bstoma\b|colostomy|ileostomy|urostomy|skin barrier|\bpouch\b",
        "It is an ostomy supply: it collects stool or urine from a stoma (an opening made in the belly) or "
        "protects the skin around it.",
        "People who have a colostomy, ileostomy or urostomy.",
        "A wound and ostomy nurse shows you how to fit and change it and care for the skin.",
        "A medical supply company sends it to your home with your provider's order.",
        "How often should I change it, and what should I do if the skin gets sore?",
    ),
    _f(
        "bowel-irrigation",
        "A",
        r"transanal irrigation|rectal catheter",
        "It is used to flush the lower bowel with water through the rectum, to empty the bowel on a schedule.",
        "People whose bowel does not empty on its own, for example after a spinal cord injury.",
        "A nurse or provider teaches you how to use the irrigation system at home.",
        "A medical supply company sends it with your provider's order.",
        "How often should I use the irrigation system?",
    ),
    _f(
        "urinary-catheter",
        "A",
        r"\b(?:indwelling|intermittent|foley|urinary|external urethral|male external)\b.*catheter|"
        r"catheter.*\b(?:foley|urinary|bladder)\b",
        "A urinary catheter is a thin, flexible tube that drains urine from the bladder.",
        "People who cannot empty the bladder on their own or cannot control it.",
        "Keep it clean as taught, and wash your hands before you touch it.",
        "A medical supply company sends it with your provider's order.",
        "What signs of a bladder infection should make me call you?",
    ),
    _f(
        "burn-garment",
        "A",
        r"burn garment",
        "A compression burn garment presses on healing burn scars to keep them flatter and softer.",
        "People healing from serious burns.",
        "It is worn most of the day, often for months, as the burn team says.",
        "The burn team or a specialty supplier measures and fits it.",
        "How many hours a day should I wear it, and for how long?",
    ),
    _f(
        "pneumatic-compression",
        "E",
        r"pneumatic compress|compression device",
        "A pump fills a sleeve or garment with air in cycles to squeeze the limb, to move fluid or help blood "
        "flow.",
        "People with swelling (such as lymphedema) or poor blood flow in a limb, as the order states.",
        "The sleeve goes on the limb and the pump runs for the time your provider sets.",
        _DME,
        "How many times a day should I use the pump, and for how long?",
    ),
    _f(
        "compression",
        "AS",
        r"gradient compression|gradient pressure|compression (?:garment|wrap|bandage|stocking|sleeve)",
        "It squeezes the limb gently, more at the far end, to reduce swelling and help blood flow back.",
        "People with swelling of a limb, such as lymphedema, or with vein problems.",
        "Wear it for the hours your provider says; it must fit well to work.",
        "A trained fitter or supplier measures the limb so the item fits.",
        "How many hours a day should I wear it, and when should it be replaced?",
    ),
    _f(
        "dressing",
        "A",
        r"\bdressing\b|\bgauze\b|wound (?:filler|pouch|cover)",
        "A wound dressing covers and protects a wound while it heals.",
        "People with a wound, such as a surgical wound or an ulcer, that needs covering.",
        "The dressing is changed as often as your provider or nurse says.",
        "A home health nurse, your provider or a supply company gives it.",
        "How often should the dressing be changed, and what signs of infection should I watch for?",
    ),
    _f(
        "incontinence",
        "AT",
        r"incontinence|\bbrief\b|\bdiaper\b|\bunderpad\b",
        "It is an incontinence product: it absorbs urine or stool leaks and protects the skin and clothing.",
        "People who leak urine or stool.",
        "Change it when it is wet or soiled and keep the skin clean and dry.",
        "A medical supply company or pharmacy supplies it.",
        "Are incontinence products covered by my plan, and how many a month?",
    ),
    _f(
        "breast-pump",
        "AE",
        r"breast ?pump",
        "It is for a breast pump, used to express breast milk.",
        "People who breastfeed or express milk for their baby.",
        "Clean the pump parts that touch milk after each use.",
        "A medical supply company or your health plan's supplier provides it.",
        "Does my plan cover a breast pump and its replacement parts?",
    ),
    _f(
        "cast-supplies",
        "Q",
        r"^cast supplies|\bsplint\b.*\b(?:fiberglass|plaster)\b",
        "These are the materials for a cast or splint that holds a broken bone or injured limb still while it "
        "heals.",
        "People with a broken bone or a bad sprain that must be kept still.",
        "The provider shapes the material around the limb; it hardens as it dries.",
        "The provider's office or clinic that puts the cast on.",
        "How do I keep the cast dry, and when will it come off?",
    ),
    _f(
        "feeding-tube",
        "B",
        r"gastrostomy|jejunostomy|nasogastric|feeding|enteral",
        "It is for tube feeding: liquid nutrition given through a tube into the stomach or small intestine.",
        "People who cannot eat or swallow enough food by mouth.",
        "A nurse or dietitian teaches you how to use and care for the tube and the feeding supplies.",
        "A home nutrition supplier delivers it with your provider's order.",
        "How do I care for the tube, and what should I do if it comes out or blocks?",
    ),
    _f(
        "parenteral",
        "B",
        r"parenteral",
        "It is for parenteral nutrition: nutrition given straight into a vein.",
        "People whose gut cannot take in enough nutrition.",
        "A home infusion nurse teaches you how to give it through your IV line.",
        "A home infusion pharmacy prepares and delivers it.",
        "How do I keep my IV line clean, and which signs of infection should I watch for?",
    ),
    _f(
        "vad",
        "LQ",
        r"ventricular assist",
        "It is for a ventricular assist device (VAD): a pump that helps a weak heart move blood.",
        "People with severe heart failure who have a VAD.",
        "The VAD team trains you to care for the device and its parts.",
        "The hospital VAD program supplies it.",
        "What do I do if the device alarms?",
    ),
    _f(
        "stretch-device",
        "E",
        r"stretch|extension and(?:/or)? flexion device|range of motion",
        "It slowly stretches a stiff joint to improve how far it can move.",
        "People with a stiff joint, for example after surgery or an injury.",
        "You wear it for set times each day, as your provider or therapist says.",
        _DME,
        "How long each day should I wear it, and for how many weeks?",
    ),
    _f(
        "nerve-stimulator",
        "E",
        r"nerve stimulator|\btens\b|neuromuscular stimulator",
        "It sends mild electrical pulses to nerves through the skin.",
        "People whose provider orders electrical stimulation for their condition.",
        "Pads go on the skin and the device runs for the time your provider sets.",
        _DME,
        "How often should I use it, and when should the pads be replaced?",
    ),
    _f(
        "toilet-aid",
        "E",
        r"bed ?pan|commode|\burinal\b|raised toilet|toilet seat",
        "It helps you use the toilet safely when getting to the bathroom is hard.",
        "People who cannot get to or use a regular toilet safely.",
        "Keep it clean after each use.",
        _DME,
        "Which toilet aid is safest for me at home?",
    ),
    _f(
        "helmet",
        "A",
        r"\bhelmet\b",
        "A protective helmet guards the head from injury, for example during falls or seizures.",
        "People at high risk of head injury from falls or seizures.",
        "It is worn whenever the risk is present, as your provider says.",
        "A medical supply company fits it.",
        "When should I wear the helmet?",
    ),
    _f(
        "footwear",
        "L3000-L3649",
        r"orthopedic (?:footwear|shoe)|\bshoe\b|\bsole\b|\bheel\b|\binsert\b|\barch support\b",
        "It is orthopedic footwear or a shoe change that supports or corrects the foot.",
        "People whose foot problem needs a special shoe, insert or shoe change.",
        "It is fitted to your foot and your shoes.",
        "An orthotist, pedorthist or podiatrist fits it.",
        "How long does it last, and how often can it be replaced?",
    ),
    _f(
        "orthosis-addition",
        "L",
        r"^addition|^additions|^add(?:ition)? to|^replace|\baddition of\b",
        "It is an addition or replacement part for a brace (orthosis) or artificial limb (prosthesis), billed "
        "on its own line with the main item.",
        "People who have a brace or artificial limb that needs this feature or part.",
        "The orthotist or prosthetist adds or changes the part and checks the fit.",
        "An orthotist or prosthetist.",
        "Why do I need this addition, and does my plan cover it?",
    ),
    _f(
        "spinal-orthosis",
        "L0000-L1499",
        r"\b(?:tlso|lso|clso|cto|ctlso|sio)\b|cervical|thoracic|lumbar|sacr|spinal|\bcollar\b|corset",
        "It is a spinal brace (orthosis): it supports or limits movement of the neck or back.",
        "People with a back or neck injury, surgery, weakness or a curve of the spine.",
        "It is fitted to your body and worn for the hours your provider says.",
        "An orthotist or other trained supplier fits it.",
        "How many hours a day should I wear the brace, and for how long?",
    ),
    _f(
        "knee-orthosis",
        "L1800-L2999",
        r"knee orthosis|^ko\b|knee ankle foot orthosis|\bkafo\b",
        "It is a knee brace (orthosis): it supports, protects or limits movement of the knee.",
        "People with a knee injury, surgery, weakness or an unstable knee.",
        "It is fitted to your leg and worn as your provider says.",
        "An orthotist or other trained supplier fits it.",
        "When should I wear the knee brace, and for how long?",
    ),
    _f(
        "ankle-foot-orthosis",
        "L1900-L4999",
        r"ankle foot orthosis|\bafo\b|foot drop|ankle orthosis|foot orthosis",
        "It is an ankle-foot brace (orthosis): it holds the foot and ankle in position, for example for foot "
        "drop.",
        "People with weakness, injury or a deformity of the foot or ankle.",
        "It is worn inside a shoe or with it, as fitted.",
        "An orthotist or other trained supplier fits it.",
        "Which shoes can I wear with the brace?",
    ),
    _f(
        "upper-limb-orthosis",
        "L3650-L4999",
        r"shoulder|elbow|wrist|hand|finger|upper extremity|upper limb",
        "It is an arm, hand or shoulder brace (orthosis): it supports, protects or positions the arm or hand.",
        "People with an injury, surgery, weakness or stiffness of the arm or hand.",
        "It is fitted to your arm or hand and worn as your provider says.",
        "An orthotist, hand therapist or other trained supplier fits it.",
        "When should I wear the brace, and can I take it off to wash?",
    ),
    _f(
        "breast-prosthesis",
        "L8000-L8099",
        r"breast prosthesis|mastectomy",
        "It is a breast form (prosthesis) or item worn after breast surgery, such as a mastectomy.",
        "People who had a breast removed or changed by surgery.",
        "A trained fitter helps you choose the size and shape.",
        "A mastectomy fitter or medical supply store.",
        "How often can the breast form be replaced?",
    ),
    _f(
        "implant",
        "L8600-L8699",
        r"\bimplant\b|\bshunt\b|implantable",
        "It is an implant: a device placed in the body during surgery. The surgery has its own code.",
        "People having surgery that places this device.",
        "The surgeon places it during the operation.",
        "The hospital or surgery center where the operation is done.",
        "How long does the implant last, and will I need checks?",
    ),
    _f(
        "lower-limb-prosthesis",
        "L5000-L5999",
        r"^(?!.*rigid dressing)(?:.*)(?:below knee|above knee|knee disarticulation|hip disarticulation|\bpylon\b|\bsach foot\b|"
        r"lower extremity|knee-shin|\bfoot\b|\bankle\b|syme|partial foot)",
        "It is an artificial leg (prosthesis) or a part of one, for someone who has lost all or part of a leg.",
        "People who have lost all or part of a leg.",
        "A prosthetist fits and adjusts it over several visits; physical therapy teaches you to walk with it.",
        "A prosthetist.",
        "How many fittings will I need, and how often can parts be replaced?",
    ),
    _f(
        "upper-limb-prosthesis",
        "L6000-L7499",
        r"above elbow|below elbow|elbow disarticulation|shoulder disarticulation|wrist disarticulation|"
        r"terminal device|\bhook\b|upper extremity|interscapular|\bhand\b",
        "It is an artificial arm or hand (prosthesis) or a part of one, for someone who has lost all or part of "
        "an arm.",
        "People who have lost all or part of an arm or hand.",
        "A prosthetist fits and adjusts it; an occupational therapist trains you to use it.",
        "A prosthetist.",
        "How many fittings will I need, and how often can parts be replaced?",
    ),
    _f(
        "intraocular-lens",
        "V",
        r"intraocular lens",
        "An intraocular lens is an artificial lens placed inside the eye, usually during cataract surgery.",
        "People having cataract surgery or another lens operation.",
        "The eye surgeon places it during the operation.",
        "The surgeon's office, surgery center or hospital.",
        "Which type of lens is right for my eyes?",
    ),
    _f(
        "contact-lens",
        "V",
        r"contact lens",
        "A contact lens sits on the eye to correct vision or protect the eye.",
        "People whose eye care provider prescribes contact lenses.",
        "Clean and replace the lenses as your eye care provider says.",
        "An eye care provider or optician fits it.",
        "How often should I replace the lenses?",
    ),
    _f(
        "eyeglass-lens",
        "V",
        r"\blens\b|spherocylinder|\bsphere\b|bifocal|trifocal",
        "It is an eyeglass lens, or a feature of one, made to your prescription to correct vision.",
        "People who need glasses to see clearly.",
        "An optician grinds or orders the lens and fits it in the frame.",
        "An optician or eye care provider.",
        "Does my plan cover glasses, and how often?",
    ),
    _f(
        "frames",
        "V",
        r"\bframes?\b",
        "It is for eyeglass frames.",
        "People who need glasses.",
        "An optician fits the frames to your face.",
        "An optician or eye care provider.",
        "Does my plan cover frames, and up to what price?",
    ),
    _f(
        "hearing-aid",
        "V",
        r"hearing aid|\bcic\b|\bite\b|\bbte\b",
        "A hearing aid makes sounds louder so you can hear better.",
        "People with hearing loss found by a hearing test.",
        "An audiologist or hearing aid dispenser fits and programs it to your hearing.",
        "An audiologist or hearing aid dispenser.",
        "How long is the trial period, and what does the warranty cover?",
    ),
    _f(
        "assistive-listening",
        "V",
        r"assistive listening|\bfm\b|loop induction",
        "An assistive listening device sends sound from a microphone straight to your ears or hearing aids, to "
        "hear better in noise or at a distance.",
        "People with hearing loss who have trouble hearing in noisy places or at a distance.",
        "An audiologist shows you how to pair and use it.",
        "An audiologist or hearing aid dispenser.",
        "Will it work with my hearing aids?",
    ),
    _f(
        "opps-device",
        "C",
        r".",
        "Hospitals list this device or supply on an outpatient claim together with the procedure it is used in.",
        "People having the hospital outpatient procedure that uses it.",
        "The care team uses it during the procedure; you do not use it at home.",
        "The hospital supplies it as part of the procedure.",
        "Which device was used in my procedure?",
    ),
)


def family_of(code: str, title: str) -> Family | None:
    """The item family of a supply code, or None when no family fits it exactly."""
    for fam in FAMILIES:
        if _in_scope(code, fam.letters) and fam.pattern.search(title):
            return fam
    return None


def _in_scope(code: str, letters: str) -> bool:
    if "-" in letters:
        lo, hi = letters.split("-")
        return lo <= code <= hi
    return code[:1] in letters
