"""What a question asks, read before any search and with no model call: the kind of answer it
wants (a figure, a date, a name, a document's gist, a comparison), the documents it names by
what people call them ("이해민 의원 칼럼", "네이트 뉴스 기사", "와룡도사 글") and whether it leans
on the previous turn ("그 사람", "거기서")."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

# The words for a document; the one to three words before them name it.
DOC_NOUN = re.compile(r"(?<=\s)(칼럼|기사|글|강연|연설|기조연설|게시판|게시글|게시물|보도|인터뷰|뉴스|"
                      r"사설|기고|시론|성명서|성명|논평|입장문|좌담회|좌담|대담|토론회|기자수첩|"
                      r"커버스토리|보고서|리포트|단독)"
                      r"(?=[은는이가을를과와랑에의도만]|이랑|에서|하고|\s|$|[?？.,])")
# A word that ends a phrase of its own ("딥시크를 씽크포비엘 칼럼"): not part of a name.
PARTICLE_END = re.compile(r"(을|를|은|는|이|가|에서|에게|으로|로|과|와|랑|이랑|하고|도|의|에|대해|관해|관한|위해|실린|"
                          r"올라온|다룬|나온|쓴)$")
SUMMARY_CUES = re.compile(r"(요약|요지|핵심이 뭐|핵심은 뭐|핵심만|하고 싶은 말|무슨 내용|어떤 내용|뭘 주장|"
                          r"무엇을 주장|뭐라고 주장|주장하는 거|말하려는 것|정리(해|좀|하면)|정리\s*[?？.!]?\s*$|"
                          r"종합(해|하면)|무슨 얘기)")
COMPARE_CUES = re.compile(r"(비교|각각|같은 시각|같은 생각|같은 입장|다르|달라|다른(지|가|거| 거| 점)|"
                          r"차이|둘 다|두 (칼럼|기사|글|자료)|공통|어떻게 다른|부딪|엇갈|맞서|vs)")
# Asks how someone sees or judges something ("어떻게 평가해요?", "얼마나 중요하게 보는지"): the
# sentences that argue answer it better than those that report.
VIEW_CUES = re.compile(r"(평가|어떻게 (보|봐)|보는지|보나요|봐요|시각|관점|입장|생각|주장|"
                       r"중요하게|의견|논쟁|논란|찬반|공방|엇갈)")
QUOTED = re.compile(r"['‘\"“]([^'’\"”]{2,80})['’\"”]")
# A quoted title that quotes something itself ("‘딥시크를 ‘가성비’라고 …’ 기사"): from the first
# opening mark to the last closing one.
OUTER_QUOTED = re.compile(r"['‘\"“](.{4,120})['’\"”]")
# Words that point back at the previous turn.
ANAPHORA = re.compile(r"(^|\s)(그|거기|그걸|그것|그게|그거|그때|그쪽|걔|그런|그곳|그분|그 사람|필자|"
                      r"그럼|두 번째|첫 번째|이 사람|저 사람)(\s|[은는이가을를의도에서로]|$)")

# What kind of filler the answer needs, and how to find one in a sentence.
COUNTERS = "명|개|배|위|년|장|곳|차례|번|건|대|달러|원|조|억|만|%|퍼센트|시간|일|월"
# Korean's own numbers before a counter ("일곱 곳", "세 차례", "스무 명"): a count as much as "7곳".
NATIVE = r"(?<![가-힣])(?:한|두|세|네|다섯|여섯|일곱|여덟|아홉|열|열한|열두|스무|서른|마흔|쉰)"
QUANTITY = re.compile(rf"((\d[\d,.]*|수십|수백|수천|수만|수억|수조)\s*(천|만|억|조)?\s*({COUNTERS})?|"
                      rf"{NATIVE}\s({COUNTERS}|가지|개사)|절반|두 배|세 배)")
# "예산은 얼마", "이용료는 얼마": an amount of money, so a figure without a currency ("21대 국회",
# "GPU 8천 장") does not answer it.
MONEY_CUES = re.compile(r"(예산|돈|금액|비용|가격|이용료|요금|투자금|투자액|매출|기업가치|자금|연봉|"
                        r"보조금|지원금|"
                        # what a thing costs: "…비" of a project, an investment, running it
                        r"(?:사업|투자|운영|공사|인건|구축|개발|설치|유지보수|건설)비)")
AMOUNT = re.compile(r"(\d[\d,.]*|수십|수백|수천|수만|수억|수조)\s*(천|백|만|억|조)*\s*"
                    r"(원|달러|위안|엔|유로|파운드)|\d[\d,.]*\s*(천|백|만)*\s*(억|조)"
                    r"(?!\s*(명|개|장|곳|건|대|개국|가구))")  # "1조를 투입": 억, 조 are money
# Who did or said something: the answer names them, and the evidence names them beside it.
WHO = re.compile(r"(누구|누가|어느 (회사|기업|매체|당|기관|단체)|어디(예요|에요|야|인가|일까|죠)"
                 # "… 정해야 한다고 한 사람?": a question that ends on the person asked for
                 r"|사람(은|이|이야|이에요|인가요)?\s*\?*\s*$)")
# "…교수는 누구예요?", "누가 …했어요?": someone the question does not name yet.
PERSON = re.compile(r"누구|누가")
# "위원장은 누구예요?": the role the answer must hold; documents that never say it cannot.
ROLE = re.compile(r"([가-힣]{2,})(?:은|는|이|가)\s*누구")
# "…말한 사람은 누구예요?": asks for a person, not for the holder of a role.
ANYONE = frozenset({"사람", "인물", "주인공", "당사자", "인사", "장본인", "사람들", "분들",
                    "저자", "필자", "화자"})
# "언제" is also answered by a time from now ("약 10년 후에는", "3년 안에").
DATE = re.compile(r"(\d{4}\s*년|\d{1,2}\s*월|\d{1,2}\s*일|지난\s?(주|달|해)|올해|작년|지난해|어제|"
                  r"내년|오늘|이번 주|\d{4}[-.]\d{1,2}|"
                  r"\d+\s*(년|개월|달|주)\s*(후|뒤|안에|안으로|내에|이내|만에))")
# Asks why ("왜 …?", "…본 이유로 뭘 들었어요?"), and the words a sentence gives a reason with.
REASON_ASKED = re.compile(r"(왜|이유(로|는|가 뭐|를)|까닭|원인은|근거(로|는))")
REASON_GIVEN = re.compile(r"(때문|이유|까닭|탓|덕분|원인|근거|점을|므로|로 인해)")
# The word right before "몇 개", "얼마": what is counted ("GPU를 몇 개" → GPU, "예산은 총 얼마"
# → 예산), without its particle.
COUNTED = re.compile(r"(?:^|\s)([가-힣A-Za-z][가-힣A-Za-z0-9]*?)(은|는|이|가|을|를|의|도|에는|에서|에)?"
                     r"\s+((총|모두|대략|약|전부|정확히|구체적으로|지금까지)\s+)*$")
# Asks how much or how many without "몇"/"얼마": a quantity's noun — a count ("법원 수"), a
# rate or share ("도입률", "사용율", "비율"), a sum ("피해액", "금액", "규모"), a figure ("수치").
# ("할 수 있다" is a bound noun, "수도권" a word of its own: neither asks a count.)
QUANTITY_ASKED = re.compile(r"[가-힣](?:률|율|액)(?![가-힣])|비율|수치|숫자|금액|액수|규모|건수|"
                            r"퍼센트|%|[가-힣]\s수(?:(?=\s(?!있|없))|가|는|를|도(?=\s|$)|$)")
SLOTS = (
    ("date", re.compile(r"(언제|며칠|몇\s?월|몇\s?년도|날짜|시점)")),
    ("figure", re.compile(rf"(얼마(?!나\s(?!되|돼|된|될))|몇\s?({COUNTERS}|명이|개나|년 만)|규모|금액|액수|몇\s?배|몇\s?위)")),
    ("name", re.compile(r"(이름|명칭|명단)")),
)


@dataclass(frozen=True)
class Question:
    text: str
    slot: str | None = None  # "figure", "date", "name" (a proper name) or None
    counter: str | None = None  # "몇 명" → "명": the unit the figure must carry; "money"
    who: bool = False  # asks who did or said something
    gist: bool = False  # asks what a document says as a whole
    compare: bool = False  # asks how documents differ or agree
    views: bool = False  # asks how someone sees or judges something
    reason: bool = False  # asks why
    leans_back: bool = False  # "그 사람은 …?": reads the previous turn
    mentions: tuple[str, ...] = field(default_factory=tuple)  # "이해민 의원", "네이트 뉴스"
    # Each document described, as (the words naming it, the kind of piece): "한빛일보 사설이랑
    # 새날경제 사설" → ("한빛일보", "사설"), ("새날경제", "사설"); the words may be "".
    described: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    quoted: tuple[str, ...] = field(default_factory=tuple)  # '…' spans: a title, or words cited
    role: str | None = None  # "위원장은 누구예요?" → "위원장"
    counted: str | None = None  # "GPU를 몇 개" → "gpu": what the figure asked for counts
    amount: bool = False  # asks how much or how many ("몇", "얼마", "도입률", "법원 수")

    def filled(self, sentence: str, names: set[str] | frozenset[str] = frozenset()) -> bool:
        """Whether `sentence` holds the kind of thing the question asks for (always, for a
        question that asks no particular kind); `names`: the proper names it holds."""
        if self.slot == "name":
            return any(n not in self.text.lower() for n in names)
        if self.slot == "date":
            return bool(DATE.search(sentence))
        if self.slot == "figure":
            if self.counter == "money":
                return bool(AMOUNT.search(sentence))
            found = [m.group(0) for m in QUANTITY.finditer(sentence)]
            if self.counter:
                return any(f.rstrip().endswith(self.counter) for f in found)
            return bool(found)
        return True

    def names_someone(self, names: set[str], before: str = "") -> bool:
        """For "누구 …?": whether an answer naming `names` names someone that neither this
        question nor the one asked just before (`before`) names — "그 사람이 예로 든 교수는
        누구예요?" is not answered by the one "그 사람" is."""
        if not PERSON.search(self.text):
            return True
        asked = (self.text + " " + before).lower()
        return any(n.lower() not in asked for n in names)


def read(text: str) -> Question:
    text = text.strip()
    slot = counter = counted = None
    for name, pattern in SLOTS:
        if match := pattern.search(text):
            slot = name
            if name == "figure" and (unit := re.match(r"몇\s?(\S)", match.group(0))):
                counter = unit.group(1) if unit.group(1) in COUNTERS.split("|") else None
            if name == "figure" and (word := COUNTED.search(text[:match.start()])):
                counted = word.group(1).lower()
            break
    if slot == "figure" and counter is None and MONEY_CUES.search(text):
        counter = "money"
    return Question(text=text, slot=slot, counter=counter,
                    amount=slot == "figure" or bool(QUANTITY_ASKED.search(text)),
                    who=bool(WHO.search(text)),
                    gist=bool(SUMMARY_CUES.search(text)),
                    compare=bool(COMPARE_CUES.search(text)),
                    views=bool(VIEW_CUES.search(text)),
                    reason=bool(REASON_ASKED.search(text)) and not WHO.search(text),
                    leans_back=bool(ANAPHORA.search(text)),
                    role=(m.group(1) if (m := ROLE.search(text)) and m.group(1) not in ANYONE
                          else None),
                    counted=counted,
                    mentions=tuple(mentions(text)),
                    described=tuple(descriptions(text)),
                    quoted=quotations(text))


# When a question places what it asks about ("지난주 칼럼", "어제 나온 기사"): days back from
# today to the window's first and last day (weeks start on Monday, months on the 1st).
RELATIVE_DAYS = re.compile(r"(오늘|어제|그저께|이번\s?주|지난\s?주|이번\s?달|지난\s?달)")


def window(text: str, today: date) -> tuple[date, date] | None:
    """The days a question's "지난주", "어제", "지난달" … cover, counted from `today`."""
    if not (match := RELATIVE_DAYS.search(text)):
        return None
    word = re.sub(r"\s", "", match.group(1))
    monday = today - timedelta(days=today.weekday())
    first_of_month = today.replace(day=1)
    last_month_end = first_of_month - timedelta(days=1)
    return {
        "오늘": (today, today),
        "어제": (today - timedelta(days=1),) * 2,
        "그저께": (today - timedelta(days=2),) * 2,
        "이번주": (monday, today),
        "지난주": (monday - timedelta(days=7), monday - timedelta(days=1)),
        "이번달": (first_of_month, today),
        "지난달": (last_month_end.replace(day=1), last_month_end),
    }[word]


def quotations(text: str) -> tuple[str, ...]:
    """The quoted spans of a question, the outermost first when quotes nest."""
    spans = [q.strip() for q in QUOTED.findall(text) if len(q.strip()) >= 4]
    if (outer := OUTER_QUOTED.search(text)) and (whole := outer.group(1).strip()) not in spans:
        spans.insert(0, whole)
    return tuple(spans)


def asking_removed(text: str, question: Question) -> str:
    """The question without the words that ask for a summary or a comparison ("요약해줘",
    "어떻게 달라?"): they say how to answer, and no document holds them."""
    for asks, cues in ((question.gist, SUMMARY_CUES), (question.compare, COMPARE_CUES)):
        if asks:
            text = cues.sub(" ", text)
    return text.strip() or question.text


def mentions(text: str) -> list[str]:
    """The phrases that name a document: up to three words before "칼럼", "기사", "글" …,
    stopping at a word that ends in a particle (it belongs to another phrase)."""
    return list(dict.fromkeys(phrase for phrase, _ in descriptions(text) if phrase))


def descriptions(text: str) -> list[tuple[str, str]]:
    """Each document the question describes: the words before the noun for a piece ("칼럼",
    "사설", "기고" …; up to three, stopping at a word that ends in a particle) and that noun."""
    found = []
    for match in DOC_NOUN.finditer(text):
        words = text[:match.start()].split()
        phrase: list[str] = []
        for word in reversed(words[-3:]):
            word = word.strip("'\"‘’“”")
            if not word or phrase and PARTICLE_END.search(word) or word in ("어느", "그", "이") \
                    or word.endswith(("?", "？", ".", "!", ",")):
                break
            phrase.insert(0, word)
        found.append((" ".join(phrase), match.group(1)))
    return list(dict.fromkeys(found))
