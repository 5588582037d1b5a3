"""Cues that move a message's level up or down, in both languages.

Lowering cues: the harm is clearly past and over, the risky words are an
idiom or exaggeration, the message is a general question about what we do
with what people tell us, or the setting is harmless (a haircut, cooking, a
game). Raising cues: the young person speaks of themselves, now, tonight, a
plan or a method. They are read on folded text (lower case, no accents, no
apostrophes: ``bot.safeguarding.normalise.fold``).

A lowering cue never makes an explicit statement harmless: the triage rules
(``triage.py``) turn an explicit hit into a concern, never into nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.safeguarding.normalise import fold


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


# Past harm that is over: a time long past and a resolution, or a resolution
# strong on its own. A past tense alone is not enough ("it's been happening
# for years" is current).
PAST = _any(
    r"\b(?:used to|when i was (?:little|small|young|younger|a kid|a child|\d+|in year \d+|in primary)|in year \d+|in primary|at my old (?:school|placement|foster|home)|years ago|ages ago|months ago|last year|a while ago|in the past|back then|as a kid|(?:\d+|two|three|four|five|six) (?:years|yrs) ago)\b",
    r"\b(?:pan o?n i|pan oeddwn i|pan on i|ym mlwyddyn \d+|blwyddyn \d+|yn yr ysgol gynradd|arfer|flynyddoedd yn ol|blynyddoedd yn ol|mlynedd yn ol|misoedd yn ol|llynedd|blwyddyn dwetha|blwyddyn diwethaf|flwyddyn dwetha|flwyddyn diwethaf|yn fy hen (?:ysgol|leoliad|gartref)|pan adawes i|pan adewais i)\b",
)
RESOLUTION = _any(
    r"\b(?:but|now)\b.*\b(?:im|i am|i m|its|it s|ive|i have|were|we are|things are|life is)\b.*\b(?:fine|ok|okay|safe|safer|settled|better|good|happy|well|great|calm|sorted|over)\b",
    r"\b(?:fine|ok|okay|safe|settled|better|good|happy|well|recovered|calm) now\b|\bdoing (?:well|ok|okay|fine|good|great)\b",
    r"\b(?:loads|lots|much|way|so much|a lot) better\b|\bmuch better place\b|\bin a (?:better|good) place\b",
    r"\b(?:recovered|in recovery|clean for|sober for|clean since|sober since|got (?:loads of |lots of |a lot of )?help|had (?:loads of |lots of )?help|got support|had support|had therapy|got therapy)\b",
    r"\b(?:went to court|in prison|got arrested|was arrested|got sorted|was sorted|dealt with it|police (?:dealt|sorted)|not allowed (?:near|anywhere near)|moved (?:schools|school|away|out|placement)|left him|left her|left them)\b",
    r"\b(?:havent|have not|not) (?:done it|self harmed|harmed myself|cut|had a drink|used|felt like that) (?:for|since|in)\b|\bdont (?:do (?:that|it)|feel like that|think like that) any ?more\b",
    r"\bthats all (?:in the past|behind me|over)\b|\bin the past now\b|\bbehind me now\b",
    # Welsh
    r"\b(?:dwi|rwy|rwyf|dw i|w i|fi|yn|dan ni|ryn ni|ma petha|mae pethau|ma pethe)\s*n?\s*(?:saff|ddiogel|diogel|iawn|well|hapus|ok|gret|grêt|setlo|fodlon|lot gwell)\s*(?:rwan|nawr|erbyn hyn|bellach|dyddia ma|dyddiau hyn)?\b.*$",
    r"\b(?:wedi|di) (?:gwella|setlo|symud|stopio|cael help|cael therapi|cael cymorth)\b|\b(?:sobor|sobr|lan|glan) ers\b|\blot (?:gwell|well)\b|\blle (?:llawer |lot )?gwell\b",
    r"\b(?:aeth o i r llys|aeth hi i r llys|aeth e i r llys|yn y carchar|dan glo|gael ei arestio|cael ei arestio|nath yr heddlu ddelio|ges i (?:lwyth o |lot o )?help|ges i therapi|ges i symud)\b",
)
# Over on its own: recovered, or the person who did it dealt with.
STRONG_RESOLUTION = _any(
    r"\b(?:clean for|sober for|recovered|in recovery|clean since|sober since)\b",
    r"\b(?:went to court|in prison|got arrested|was arrested|police dealt with|got moved|moved schools|had therapy|got help and)\b",
    r"\b(?:havent|have not) (?:done it|self harmed|harmed myself|cut|had a drink|drunk|used|taken anything) (?:for|since|in)\b",
    r"\b(?:sobor|sobr|lan|glan) ers\b|\bwedi gwella\b|\bdi gwella\b|\bdwi heb\b.*\bers\b|\bheb (?:neud|wneud|gwneud) (?:o|e|hynny) ers\b",
    r"\b(?:aeth (?:o|e|hi) i r llys|yn y carchar|gael ei arestio|cael ei arestio|gafodd ei arestio|nath yr heddlu ddelio|ges i symud|di symud (?:ysgol|i ysgol|ardal|lleoliad|i ffwrdd)|di cael therapi|wedi cael therapi)\b",
    r"\bteimlo\s*n?\s*(?:gryf|lot gwell|llawer gwell|saff rwan|saff nawr)\b",
)

# Idioms and exaggeration about death and violence.
IDIOM = _any(
    # ...for a small thing ("if I'm late", "for wearing her hoodie"), never "if I tell".
    r"\b(?:will|gonna|going to|gona|is gonna|is going to|would|wud|will actually|is actually gonna)\s+(?:literally\s+)?(?:kill|murder|slaughter|end|stab|batter|strangle|slap|destroy)\s+(?:me|us|him|her)\b\s*(?:(?:if|when|cos|cause|because)(?!\s+(?:i|we)\s+(?:tell|told|say|said|speak|grass|snitch|report|call|ring|phone|open|go to|talk))|for|about|lol|😂|haha|x\b|$)",
    r"\bif i (?:hear|see|have to|get)\b.*\bone more time\b|\bone more (?:time|word)\b.*\b(?:jump|kill|die|scream)\b",
    r"\b(?:phone|battery|laptop|tablet|ipad|charger|plant|plants|goldfish)\b.{0,20}\b(?:died|dead|is dead|s dead|dying|killed)\b",
    r"\b(?:killing|murdering) me\b\s*(?:lol|haha|😂|🤣|$|,|\.|!)",
    r"\b(?:homework|exams?|revision|school|maths|science|this (?:game|level|song|film|show|lesson|week|heat|queue)|my (?:feet|legs|back|head))\b.*\b(?:killing|kill|murder|murdering) me\b",
    r"\b(?:bored|scared|frozen|freezing|embarrassed|laughed|laughing|worried|sick) to death\b",
    r"\bdead (?:tired|bored|funny|good|nice|jealous|excited|busy|easy|hard|late|proud|serious)\b",
    r"\b(?:dying|died|dyin|ded|dead)\s+(?:laughing|of laughter|of embarrassment|to (?:see|go|know|meet|try|get|hear|tell))\b",
    r"\b(?:im|i m|i am|literally)\s+(?:dead|dying|ded|deceased)\s*(?:😂|🤣|💀|lol|lmao|haha|$)",
    r"\b(?:could|would|cud|wud) (?:murder|kill (?:for))\s+(?:a|an|some)\b",
    r"\bkill(?:ed|ing)? it\b|\bslay(?:ed|ing)?\b|\bsmashed it\b",
    r"\b(?:over my dead body|drop dead gorgeous|to die for)\b",
    # Welsh idioms: bydd mam yn lladd fi os..., marw isio, wedi blino n lan/marw
    r"\b(?:mynd i|yn mynd i|bydd\w*|neith|wneith|geith|eith)\b.*\b(?:ladd|lladd|llad|nladd)\s+(?:fi|fin|i|ni|ti)\b.*\b(?:(?:os|achos|pan)(?!\s+(?:dwi|dw i|wi|fi|i|na i|nai)\s*n?\s*(?:deud|dweud|ddeud|ddweud|gweud|son|agor|ffonio|mynd at|siarad|cario clecs))|am|lol|😂|haha)\b",
    r"\b(?:marw|farw|marw isio|marw eisiau|marw moyn)\s+(?:isio|eisiau|moyn|isho|ishe|o chwerthin|chwerthin)\b",
    r"\b(?:mwrdro|fwrdro|mwrdwr|lladd|ladd)\s+(?:fi|i|ni)\s+am\b|\bdiwedd arna i\b|\b(?:llawr|ddaear)\s+(?:fy|yn|n)?\s*llyncu\b",
    r"\b(?:ffon|ffôn|batri|gliniadur|tabled|charger|planhigyn)\b.{0,20}\b(?:di marw|wedi marw|marw|farw)\b",
    r"\b(?:chwerthin|laughing)\b.*\b(?:marw|farw)\b|\b(?:marw|farw)\b.*\bchwerthin\b",
    r"\bwedi blino\s*n?\s*(?:lan|marw|farw|racs)\b|\bdiflas(?:u)?\s*(?:n|yn)?\s*(?:farw|marw)\b",
    r"\b(?:lladd|ladd)\s+fi\b.*\b(?:gwaith cartref|arholiad|ysgol|homework|exams?)\b|\b(?:gwaith cartref|arholiad\w*|homework)\b.*\b(?:lladd|ladd)\b",
)

# General questions about what we do with what people tell us.
POLICY_QUESTION = _any(
    r"\b(?:what|wat|wot|wht)\s+(?:happens|would happen|will happen|happend|do you do|do u do|would you do|would u do)\b.*\b(?:if|when)\b.*\b(?:tell|told|say|said|someone|somebody|i |a child|a young person|message|text)\b",
    r"\b(?:do|would|will|wud|wil|d)\s*(?:you|u|ya|yall)\s+(?:have to |hav to |need to |)?(?:tell|report|call|inform|phone|ring|contact|share|pass)\b.*\b(?:police|social worker|sw|anyone|someone|my carer|carers|my foster|parents|school|mum|dad)\b",
    r"\b(?:who|who else)\s+(?:sees|can see|reads|can read|gets to see|will see)\b",
    r"\b(?:is|are)\s+(?:this|it|my messages|messages|what i say|the chat)\s+(?:confidential|private|secret|anonymous)\b",
    r"\b(?:how long|where|how)\s+(?:do|d)\s*(?:you|u)\s+(?:keep|store|save|delete)\b",
    r"\bwhat counts as\b|\bwhat is (?:a )?safeguarding\b|\bwhats (?:a )?safeguarding\b",
    r"\b(?:would|will|do|does|can|could)\s+(?:the\s+)?police\b|\bpolice (?:come|get involved|be told|find out)\b.*\b(?:if|because|cos|something)\b",
    r"\b(?:will|would|does|do)\s+(?:my\s+)?(?:sw|social worker|carer|carers|foster (?:mum|dad|carer)s?|school|parents)\s+(?:find out|know|be told|get told|see)\b",
    r"\bif (?:someone|somebody|a child|a kid|a young person|i|you)\b.*\b(?:what (?:would|do|will|happens)|would (?:you|u) (?:have to|tell|call|ring|report))\b",
    r"\b(?:is|are)\s+(?:my|the|an|your|our)\s+(?:iv|ivs|visitor|visitors|independent visitor)\s+(?:allowed|meant|supposed|able)\b",
    r"\b(?:can|could|will|would|does|do|should|may)\s+(?:my|the|an|your|our)\s+(?:iv|ivs|visitor|visitors|independent visitor)\b.*\?",
    r"\b(?:is it|its) (?:ok|okay|alright|allowed|normal) (?:for|if) (?:my|an|the) (?:iv|visitor)\b",
    # Welsh: beth sy n digwydd os..., ydych chi n deud wrth yr heddlu, pwy sy n gweld
    r"\b(?:beth|be|beth sy|be sy|be fysa|beth fyddai|beth fydde|be ddigwyddith)\b.*\b(?:digwydd|ddigwydd|neud|gwneud|wneud)\b.*\bos\b",
    r"\b(?:ydych chi|wyt ti|da chi|dach chi|ych chi|chi|ti)\s*n?\s*(?:gorfod\s+)?(?:deud|dweud|ddeud|ddweud|gweud|sôn|son|rhannu)\b.*\b(?:heddlu|gweithiwr cymdeithasol|gweithwraig gymdeithasol|rhywun|neb|gofalwr|gofalwyr|ysgol|mam|dad)\b",
    r"\bpwy (?:sy|sydd)\s*n?\s*(?:gweld|darllen|cael gweld)\b",
    r"\b(?:cyfrinachol|preifat)\s*\?|\b(?:ydy|yw|ydi)\s+(?:hyn|hwn|fy negeseuon|negeseuon)\s+(?:yn\s+)?(?:gyfrinachol|breifat|preifat|cyfrinachol)\b",
    r"\b(?:am faint|pa mor hir|lle|ble)\b.*\b(?:cadw|storio|dileu)\b",
    r"\bos\b.*\b(?:be|beth)\b.*\b(?:neud|gwneud|wneud|digwydd|ddigwydd)\b|\bos\b.*\b(?:oes rhaid|fydd rhaid|fysa rhaid|fyddai rhaid)\b",
    r"\b(?:fysa|fyddai|fydd|neith|wneith|ydi|ydy|yw)\s*r?\s*heddlu\b|\bheddlu\b.*\b(?:os|oherwydd|achos)\b.*\b(?:deud|dweud|ddeud|ddweud|sgwennu|rhoi)\b",
    r"\b(?:ydi|ydy|yw|oes|ga|geith|gall|all|neith|fydd|fysa)\s*(?:r|fy|yr|y|n|fy n)?\s*(?:ymwelydd|ya|iv)\b.*\b(?:cael|gallu|hawl|iawn)\b",
    r"\b(?:fydd|fysa|neith|ydi|ydy)\s*(?:fy|y|r)?\s*(?:ngweithiwr|gweithiwr|gweithwraig|ngofalwr|gofalwr|ysgol)\b.*\b(?:gwybod|ffeindio|cael gwybod|gweld)\b",
)

# "I'm not in danger": the risk words are denied.
DENIAL = _any(
    r"\b(?:im|i am|i m|am)\s+not\s+(?:in danger|unsafe|being hurt|suicidal|going to (?:hurt|kill) myself)\b",
    r"\b(?:dwi|dw i|rwy|rydw i|fi)\s*(?:ddim|ddim yn|dim)\s*(?:mewn perygl|mewn trwbl|yn anniogel|am frifo fy hun)\b",
)

# Harmless settings for risky words.
HARMLESS_SETTING = _any(
    r"\b(?:hair|fringe|haircut|hair cut|nails|toenails|fingernails|onions?|veg|vegetables|cake|pizza|grass|hedge|paper|ribbon|wood)\b",
    r"\b(?:first aid|cpr|vaccin\w*|jab|injection|booster|blood test|dentist|doctors appointment|gp appointment|check ?up|physio|x ?ray)\b",
    r"\b(?:football|rugby|netball|hockey|training|match|pe lesson|gym|trampolin\w*|skate\w*|bike|fell off|tripped|slipped)\b",
    r"\b(?:film|movie|book|novel|series|episode|tv show|netflix|game|fortnite|minecraft|roblox|gta|cod|call of duty|character|level)\b",
    r"\b(?:project|essay|assignment|homework|lesson|presentation|assembly|pshe|leaflet|poster|awareness|campaign|documentary|revision)\b",
    r"\b(?:cooking|baking|food tech|chopping|kitchen knife|bread knife|butter knife)\b",
    r"\b(?:hamster|rabbit|bunny|guinea pig|goldfish|horse|pony|sheep|lamb|budgie)\b",
    r"\b(?:boxing|sparring|karate|judo|martial arts|kickboxing|wrestling|paintball|laser tag|dodgeball)\b",
    r"\b(?:talk|assembly|workshop|lesson|session) (?:on|about)\b|\bon (?:tablets|meds|medication|pills|an inhaler|antibiotics) for\b|\basthma\b|\bprescribed\b",
    # Welsh
    r"\b(?:gwallt|ewinedd|nionyn|nionod|winwns|cacen|glaswellt)\b",
    r"\b(?:cymorth cyntaf|brechiad|brechlyn|pigiad|deintydd|doctor|meddyg|apwyntiad)\b",
    r"\b(?:pel droed|peldroed|rygbi|pêl rwyd|pel rwyd|hoci|ymarfer|gem|gêm|syrthio|syrthiais|llithro|baglu)\b",
    r"\b(?:ffilm|llyfr|nofel|cyfres|rhaglen|gwers|traethawd|prosiect|cyflwyniad|gwasanaeth ysgol|gwaith cartref|adolygu)\b",
    r"\b(?:coginio|pobi|torri llysiau)\b",
    r"\b(?:bochdew|cwningen|ceffyl|merlen|defaid|dafad|oen)\b",
    r"\b(?:bocsio|sparrio|karate|jiwdo|reslo)\b|\b(?:sgwrs|gwers|gweithdy|gwasanaeth) am\b|\bar (?:dabledi|feddyginiaeth|tabledi) (?:i|at|ar gyfer)\b|\basthma\b",
)

# Raising cues: now, tonight, a plan or a method, in the first person.
NOW = _any(
    r"\b(?:tonight|tonite|2nite|2night|right now|rn|now|at the moment|atm|today|this weekend|tomorrow|2moro|after school|when they leave|when hes asleep|when shes asleep)\b",
    r"\b(?:heno|rwan|rŵan|nawr|yr eiliad ma|heddiw|fory|yfory|ar ol ysgol|ar ôl ysgol|penwythnos ma)\b",
)
PLAN = _any(
    r"\b(?:plan|planned|planning|written (?:a|the|my) note|wrote (?:a|the|my) note|saved up|been saving|got (?:the|some|my) (?:pills|tablets|rope|blade|razor|knife)|have (?:the|some) (?:pills|tablets|rope|blade|razor))\b",
    r"\b(?:how many|how much)\b.*\b(?:pills|tablets|paracetamol|ibuprofen|painkillers|sleeping pills|would it take|to die|kill|overdose|od)\b",
    r"\b(?:cynllun|nodyn|tabledi|pils|rhaff|llafn)\b.*\b(?:gen i|gyda fi|gennai|sgen i|gen i)\b|\bfaint o (?:dabledi|tabledi|bils|pils|paracetamol)\b",
)
FIRST_PERSON = _any(
    r"\b(?:i|im|ive|ill|me|my|myself|mine)\b", r"\b(?:fi|i|fy|dwi|rwy|rwyf|fy hun|fyn hun|yn hun|mi)\b"
)


@dataclass(frozen=True)
class Cues:
    resolved: bool
    idiom: bool
    policy_question: bool
    harmless_setting: bool
    denial: bool
    now: bool
    plan: bool
    first_person: bool

    @property
    def lowering(self) -> list[str]:
        names = ("resolved", "idiom", "policy_question", "harmless_setting", "denial")
        return [name for name in names if getattr(self, name)]

    @property
    def raising(self) -> list[str]:
        names = ("now", "plan")
        return [name for name in names if getattr(self, name)] if self.first_person else []


def read_cues(text: str) -> Cues:
    folded = fold(text)
    return Cues(
        resolved=bool(PAST.search(folded) and RESOLUTION.search(folded))
        or bool(STRONG_RESOLUTION.search(folded)),
        idiom=bool(IDIOM.search(folded)),
        policy_question=bool(POLICY_QUESTION.search(folded)),
        harmless_setting=bool(HARMLESS_SETTING.search(folded)),
        denial=bool(DENIAL.search(folded)),
        now=bool(NOW.search(folded)),
        plan=bool(PLAN.search(folded)),
        first_person=bool(FIRST_PERSON.search(folded)),
    )
