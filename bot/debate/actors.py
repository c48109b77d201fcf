"""Who holds a position: the person or group the text names as saying it, from attribution
patterns ("…라며", "…고 말했다", "○○ 대표는 …고 주장했다", a quotation and the sentence after it,
"그는 …", "이 대표는 …"), else the person an interview quotes throughout, else the author
("필자")."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from bot.korean import Korean
from bot.types import ACTOR_MAX, clip

AUTHOR = "필자"
TITLES = ("국회의원", "의원", "대표이사", "대표", "교수", "장관", "차관", "위원장", "부위원장",
          "위원", "선임연구위원", "연구위원", "책임연구원", "선임연구원", "연구원", "팀장", "국장",
          "사무총장", "사무국장", "총장", "부회장", "회장", "변호사", "소장", "원장", "실장",
          "과장", "청장", "본부장", "센터장", "이사장", "이사", "전무", "상무", "부사장", "사장",
          "대통령", "총리", "의장", "처장", "단장", "부장", "박사", "활동가", "작가", "대변인",
          "CEO", "CTO", "최고경영자", "창업자", "칼럼니스트", "총괄")
GROUPS = ("시민사회", "시민단체", "산업계", "업계", "학계", "재계", "노동계", "야당", "여당",
          "정부", "전문가들", "창작자들", "저작권자들", "출판계", "스타트업계", "빅테크")
_TITLE = "|".join(sorted(map(re.escape, TITLES), key=len, reverse=True))
_AFTER_TITLE = r"(?=[은는이가도의께과와을를랑,)\s]|$)"
# 이름 (소속 한두 낱말) 직함: "이경일 솔트룩스 대표", "정민호 팀장", "나도겸 새봄협의회 정책이사"
# (a title may carry a glued prefix: 정책이사, 공동대표, 연구소장).
NAME_TITLE = re.compile(r"(?<![가-힣])(?P<name>[가-힣]{2,4})\s+(?P<org>(?:[가-힣A-Za-z0-9·&]+\s+)"
                        rf"{{0,2}}?)(?P<title>[가-힣A-Za-z]{{0,8}}?(?:{_TITLE})){_AFTER_TITLE}")
# Kiwi does not reliably tag invented or rare names as proper nouns; a name here is two to
# four syllables starting with a common surname and not a common word.
SURNAMES = frozenset("김이박최정강조윤장임한오서신권황안송류유전홍고문양손배백허남심노하곽성차주"
                     "우구민진지엄채원천방공현함변염여추도소석선설마길연위표명기반왕금옥육인맹제모"
                     "탁국어은편용예경봉사부나라동두란묵빈상시아애야영옹요운음자종좌창초태판팽평"
                     "포풍피필학해형호화환후")
NOT_NAMES = frozenset("""이번 이날 이어 이후 이에 정부 한국 미국 중국 우리 지난 올해 최근 당시 현재
    그동안 전문가 관계자 업계 국내 해외 기업 산업 공공 민간 정책 이런 이러한 전체 주요 신임 전직
    현직 초대 공동 상임 대한 정보 기술 국가 지역 국회 조국 인공지능 반면 한편 또한 특히 다만 그러나
    하지만 이어서 이와 함께 아울러 동시에 필자 필자는 소속 출신 산하 담당""".split())
# 성 직함: "이 대표는", named in full earlier.
SHORT = re.compile(rf"(?<![가-힣])(?P<surname>[가-힣])\s(?P<title>{_TITLE})(?:은|는|이|가|도)\s")
SAID = re.compile(r"(?:라며|라고|이라며|이라고|다며|다고|자며|자고|냐며|면서)\s"
                  r"|(?:말|밝|강조|주장|지적|설명|덧붙|전|진단|제언|당부|역설|비판|우려|촉구|"
                  r"요구|반박|반발|경고|호소)(?:했|한|하였|해)")
GROUP = re.compile(rf"(?<![가-힣])(?P<group>{'|'.join(GROUPS)})(?:은|는|이|가|에서는|측은|도)\s")
# A named body speaking as one: "전국IT노조는 …을 촉구했다", "새봄AI기업협의회는 성명에서".
ORG = re.compile(r"(?<![가-힣A-Za-z0-9])(?P<org>[가-힣A-Za-z0-9·]{1,16}(?:협회|협의회|연합회|연합|"
                 r"노동조합|노조|위원회|학회|재단|연대|시민단체|단체|포럼|조합|연구소|연구원))"
                 r"(?:은|는|이|가|도|측은|측도)\s")
HE = re.compile(r"^(?:그는|그녀는|그러면서|이어|또)\s")
# An interviewer's question line: "— …", "Q. …", "Q: …".
ASKED = re.compile(r"^\s*(?:[—–―-]|Q\s*[.:]|■\s*Q|질문\s*[:.])")
OPENS, CLOSES = "“‘", "”’"


@dataclass(frozen=True)
class Line:
    """A sentence of a document, with the paragraph it stands in."""
    paragraph: int
    text: str


def quoted(lines: list[Line]) -> list[bool]:
    """Whether each sentence is (part of) a quotation: it holds a quotation mark, or one
    opened before it in its paragraph is still open."""
    out, depth, paragraph = [], 0, -1
    for line in lines:
        if line.paragraph != paragraph:
            depth, paragraph = 0, line.paragraph
        marks = sum(line.text.count(c) for c in OPENS) + line.text.count('"')
        out.append(depth > 0 or marks > 0)
        for char in line.text:
            if char in OPENS or (char == '"' and depth == 0):
                depth += 1
            elif char in CLOSES or char == '"':
                depth = max(0, depth - 1)
    return out


class Actors:
    """Finds actors in one document's sentences; remembers who was named in full."""

    def __init__(self, lines: list[Line], korean: Korean):
        self.lines, self.korean = lines, korean
        self.quoted = quoted(lines)
        self._named_cache: dict[int, list[str]] = {}
        self.speaker = self._main_speaker() or self._interviewee()

    def named(self, index: int) -> list[str]:
        """"name org title" spans of a sentence whose name Kiwi reads as a proper name, and
        "이 대표" resolved to the last full name before it with that surname and title."""
        if index in self._named_cache:
            return self._named_cache[index]
        text = self.lines[index].text
        found = []
        at = 0
        while match := NAME_TITLE.search(text, at):  # "반면 나도겸 …": look again after 반면
            name = match["name"]
            if self._name_shaped(name) and not self._modifies_a_name(name, match["org"]):
                found.append(" ".join(x for x in (name, match["org"].strip(), match["title"])
                                      if x))
                at = match.end()
            else:
                at = match.start() + 1
        for match in SHORT.finditer(text):
            if full := self._earlier(index, match["surname"], match["title"]):
                found.append(full)
        self._named_cache[index] = found
        return found

    def _name_shaped(self, word: str) -> bool:
        """Two to four syllables, a common surname first, and no verb or ending in it as Kiwi
        reads it ("강조해야" before "교수" is not a name)."""
        return (2 <= len(word) <= 4 and word[0] in SURNAMES and word not in NOT_NAMES
                and word[-1] not in "은는을를의에도"
                and not any(tag.startswith(("V", "E", "XSV", "XSA"))
                            for _, tag in self.korean.tokens(word)))

    def _modifies_a_name(self, word: str, org: str) -> bool:
        """"토론회를 주최한 하태린 의원": a verb's adnominal form before the name."""
        following = org.split()[:1]
        return bool(following and self._name_shaped(following[0])
                    and self.korean.tokens(word)[-1][1] == "ETM")

    def _earlier(self, index: int, surname: str, title: str) -> str | None:
        for back in range(index - 1, -1, -1):
            for full in reversed(self.named(back)):
                if full.startswith(surname) and full.endswith(title):
                    return full
        return None

    def said_by(self, index: int) -> str | None:
        text = self.lines[index].text
        if not SAID.search(text):
            return None
        if named := self.named(index):
            return named[0]
        if HE.match(text) and (before := self._last_named(index)):  # 그는 "…업계가 …"라고 말했다
            return before
        if org := ORG.search(re.sub(r"\"[^\"]*\"|“[^”]*”", "", text)):
            return org["org"]
        # a group the speaker names inside the quotation ("정부가 …") is not the speaker
        if group := GROUP.search(re.sub(r"\"[^\"]*\"|“[^”]*”", "", text)):
            return group["group"]
        return None

    def _last_named(self, index: int) -> str | None:
        for back in range(index - 1, max(-1, index - 4), -1):
            if named := self.named(back):
                return named[-1]
        return None

    def of(self, index: int) -> str:
        """Who holds what sentence `index` says, in at most ACTOR_MAX characters (an
        organisation's name is as long as the text made it)."""
        return clip(self._holder(index), ACTOR_MAX)

    def _holder(self, index: int) -> str:
        if who := self.said_by(index):
            return who
        if self.quoted[index]:  # “…” 이경일 대표는 이렇게 말했다: where the quotation ends
            end = index
            while end + 1 < len(self.lines) and end < index + 5 and self.quoted[end + 1] \
                    and self.lines[end + 1].paragraph == self.lines[index].paragraph:
                end += 1
            for after in (end, end + 1):  # not the interviewer's next question
                if after < len(self.lines) and not ASKED.match(self.lines[after].text) \
                        and (who := self.said_by(after)):
                    return who
        if (HE.match(self.lines[index].text) or self.quoted[index]) \
                and (before := self._last_named(index)):  # 그는 …: the last one named
            return before
        return self.speaker or AUTHOR

    def _interviewee(self) -> str | None:
        """In an interview (two or more question lines), the first person named with a title
        who is not a reporter: the answers, which name nobody, are theirs."""
        if sum(1 for line in self.lines if ASKED.match(line.text)) < 2:
            return None
        for index in range(len(self.lines)):
            for named in self.named(index):
                if not named.endswith(("기자", "편집위원", "위원")):
                    return named
        return None

    def _main_speaker(self) -> str | None:
        """The person an interview or a talk report quotes throughout: the one whose words
        most quotations are, at least three times and twice as often as anyone else."""
        counts: Counter[str] = Counter()
        for index, line in enumerate(self.lines):
            if SAID.search(line.text) and (named := self.named(index)):
                counts[named[0]] += 1
        ranked = counts.most_common(2) + [("", 0), ("", 0)]
        (best, n), (_, second) = ranked[0], ranked[1]
        return best if n >= 3 and n >= 2 * second else None
