"""Made-up Korean policy articles and reports of any length, for tests and `make bench`:
every sentence different (the cleaner drops repeated lines), a title, date and outlet the
pipeline finds, and optionally one distinctive fact placed where a test wants it."""
from __future__ import annotations

import random
from pathlib import Path

ACTORS = ["과학기술정보통신부", "산업통상자원부", "한국전자통신연구원", "국회 과방위", "벤처기업협회",
          "참여연대", "네이버클라우드", "카카오", "삼성전자", "LG AI연구원", "정보통신정책연구원",
          "한국인공지능협회", "서울대 AI연구원", "중소벤처기업부", "행정안전부", "개인정보보호위원회"]
TOPICS = ["AI 기본법 시행령", "국가 AI 컴퓨팅 센터", "GPU 공동 활용", "공공데이터 개방", "AI 반도체 지원",
          "소버린 AI 모델", "AI 인재 양성", "지역 데이터센터", "학습데이터 저작권", "공공부문 생성형 AI",
          "AI 안전연구소", "고영향 AI 관리", "AI 바우처 사업", "클라우드 보안인증", "AI 윤리 기준"]
CLAIMS = [
    "{actor}는 {topic}에 {n}억 원을 더 투입해야 한다고 밝혔다.",
    "{actor} 관계자는 {topic}의 성과가 {m}개월 안에 나와야 한다고 말했다.",
    "{actor}는 {topic}이 {year}년까지 단계적으로 추진될 것이라고 설명했다.",
    "{actor}는 {topic}을 두고 기업 {m}곳의 의견을 들었다고 전했다.",
    "{actor}에 따르면 {topic} 관련 신청은 지난해보다 {p}% 늘었다.",
    "{actor}는 {topic}에 대한 규제가 지나치면 투자 {n}억 원이 해외로 빠져나갈 수 있다고 경고했다.",
    "{actor}는 {topic}에 참여하는 인력을 {m}명 규모로 늘리겠다고 발표했다.",
    "{actor}는 {topic}의 예산 집행률이 {p}%에 그쳤다고 지적했다.",
]
HEADINGS = ["추진 배경", "현황 진단", "쟁점과 이견", "해외 사례", "재원 조달", "향후 과제", "제언", "맺음말"]
OUTLETS = ["정책일보", "디지털타임스", "AI경제", "테크리뷰", "미래신문", "한빛일보"]


def body(chars: int, seed: int = 0) -> list[str]:
    """Paragraph lines of made-up policy sentences, about `chars` characters in all."""
    rng = random.Random(seed)
    lines, size, i = [], 0, 0
    while size < chars:
        sentences = []
        for _ in range(rng.randint(3, 5)):
            i += 1
            sentences.append(rng.choice(CLAIMS).format(
                actor=rng.choice(ACTORS), topic=rng.choice(TOPICS), n=100 + 37 * i + seed,
                m=3 + (i * 7 + seed) % 90, year=2026 + i % 5, p=(i * 13 + seed) % 97 + 1))
        line = " ".join(sentences)
        lines.append(line)
        size += len(line) + 1
    return lines


def article(title: str, chars: int = 2000, *, seed: int = 0, date: str = "2025-06-02",
            outlet: str | None = None, fact: str | None = None, sections: bool = False) -> str:
    """A scraped-looking article (or, with `sections`, a report with headings); `fact` is the
    last paragraph's last sentence."""
    outlet = outlet or OUTLETS[seed % len(OUTLETS)]
    lines = body(chars, seed)
    if sections:  # headings between the paragraphs after the first (the byline's)
        per = max(1, len(lines) // len(HEADINGS))
        out = lines[:1]
        for n, start in enumerate(range(1, len(lines), per)):
            out.append(f"{n + 1}. {HEADINGS[n % len(HEADINGS)]}")
            out += lines[start:start + per]
        lines = out
    if fact:
        lines[-1] = f"{lines[-1]} {fact}"
    return (f"{title}\n작성일: {date}\n[{outlet} 김민수 기자] {lines[0]}\n" + "\n".join(lines[1:])
            + f"\nCopyright ⓒ {outlet}. 무단 전재 및 재배포 금지.\n")


def backlog(folder: Path, count: int, *, long: int = 5, start: int = 0) -> list[Path]:
    """`count` articles in `folder`: `long` of them 6,000–9,000 characters, the rest 1,500–3,000."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for k in range(start, start + count):
        rng = random.Random(k)
        is_long = k - start < long
        chars = rng.randint(6000, 8500) if is_long else rng.randint(1500, 3000)
        topic = TOPICS[k % len(TOPICS)]
        title = f"{topic} 논쟁, {ACTORS[k % len(ACTORS)]}의 입장 ({k + 1}호)"
        date = f"2025-{1 + k % 12:02d}-{1 + k % 28:02d}"
        path = folder / f"backlog_{k:03d}.txt"
        path.write_text(article(title, chars, seed=k, date=date, sections=is_long),
                        encoding="utf-8")
        paths.append(path)
    return paths
