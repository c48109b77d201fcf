"""Every Korean sentence the bot says on its own (not model output), in one place for review."""

NOT_COVERED = ("보유한 자료에서 이 질문에 대한 내용을 찾을 수 없습니다. "
               "일반 지식으로 추측해 답하지 않겠습니다.\n\n지금 자료가 다루는 주제:\n{topics}")
NO_DOCUMENTS = "아직 수집된 자료가 없습니다. 운영자가 문서를 추가하면 답할 수 있습니다."
EMPTY_QUESTION = "질문을 입력해 주세요. 예: 딥시크 이후 GPU 투자 논쟁을 요약해줘"
EXTRACTIVE = "자료에서 가장 관련 있는 대목은 다음과 같습니다: “{quote}”"
MODEL_FAILED = "답변을 생성하는 중 문제가 생겼습니다. 관련 대목을 대신 보여 드립니다: “{quote}”"
SOURCES_HEADER = "출처"
NO_SUMMARY = "요약이 아직 준비되지 않았습니다."
NO_MATCHING_DOCS = "‘{keyword}’와 관련된 자료를 찾지 못했습니다."

BRIEF_HEADER = "🗞 AI 정책 브리핑 — {date}"
BRIEF_NEW = "새 자료 {count}건"
BRIEF_NOTHING_NEW = "지난 브리핑 이후 새 자료는 없습니다. 현재 논쟁의 흐름은 다음과 같습니다."
BRIEF_ISSUE = "■ 쟁점: {label}"
BRIEF_ITEM = "• {title} ({meta}) — {gist}"
BRIEF_EMPTY = "아직 브리핑할 자료가 없습니다."
BRIEF_FOOTER = "자세한 내용은 질문하거나 /summary 로 확인하세요."
