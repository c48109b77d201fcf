"""Every Korean sentence the bot says on its own (not model output), in one place for review."""

NOT_COVERED = ("보유한 자료에서 이 질문에 대한 내용을 찾을 수 없습니다. "
               "일반 지식으로 추측해 답하지 않겠습니다.\n\n지금 자료가 다루는 주제:\n{topics}")
NO_DOCUMENTS = "아직 수집된 자료가 없습니다. 운영자가 문서를 추가하면 답할 수 있습니다."
EMPTY_QUESTION = "질문을 입력해 주세요. 예: 딥시크 이후 GPU 투자 논쟁을 요약해줘"
EXTRACTIVE = "자료에서 가장 관련 있는 대목은 다음과 같습니다: “{quote}”"
# When the model's answer does not stand up to the checks: the evidence itself, said honestly.
QUOTED_ANSWER = "{name}에 이렇게 나옵니다: “{quote}”"
QUOTED_ANSWER_BY = "{name}에 {speaker}의 말로 이렇게 나옵니다: “{quote}”"
QUOTED_ANSWER_SAID = "{name}에 이렇게 나옵니다: “{quote}” 이어서: “{said}”"
ABSENT = "자료에는 {what} 나와 있지 않습니다."
ABSENT_RELATED = " 관련해 {name}에 나오는 대목은 이렇습니다: “{quote}”"
ABSENT_WHAT = {"figure": "질문하신 수치가", "date": "질문하신 날짜나 시점이", "name": "질문하신 이름이",
               None: "질문하신 내용이"}
ABSENT_TERMS = "‘{terms}’에 대한 내용이"
# A comparison: what each named document says on the topic, quoted.
COMPARE_HEAD = "각 자료가 이 주제에 대해 쓴 대목입니다. 입장이 같은지는 아래 인용으로 확인하세요."
COMPARE_QUOTE = "• {name}: “{quote}”"
COMPARE_STANCE_HEAD = "쟁점 ‘{proposition}’에 대한 각 자료의 입장입니다."
COMPARE_STANCE = "• {name} — {side}({actor}): “{quote}”"
COMPARE_SAME = "모두 {side} 쪽입니다."
COMPARE_SPLIT = "입장이 갈립니다."
GIST_QUOTE = "핵심 대목: “{quote}”"
GIST_HEAD = "{name}의 주요 대목입니다."
GIST_LINE = "• “{quote}”"
GISTS_HEAD = "자료별 요지입니다."
GISTS_LINE = "• {name}: “{quote}”"
GIST_POSITIONS = "쟁점별 입장:"
GIST_POSITION = "• {proposition} — {side}({actor}): “{quote}”"
STANCE_HEAD = "쟁점 ‘{proposition}’에 대해 자료에서 확인된 입장입니다."
STANCE_SIDE = "• {side}: {holders}"
STANCE_NONE = "• {side}: 이 입장을 밝힌 자료는 아직 없습니다."
STANCE_FOOT = "근거 문장은 아래 인용에 있습니다. 모든 입장은 /debate {id} 로 볼 수 있습니다."
# A figure several documents give: each source's sentence, dated (bot/answer/figures.py).
# The briefing's stories, differing figures and point lines (bot/news/).
STORY_OUTLETS = "{count}개 매체: {names}"
POINT_ARGUES = "{who}: “{quote}”"
# A relative time word of a quoted page, and the day it means ("다음 달 4일" → 2026년 12월 4일).
WHEN_MEANS = "※ ‘{said}’{topic} {meaning} (기사 날짜 {written} 기준)"
FIGURES_HEAD = "여러 자료가 이 수치를 전합니다. 자료별 대목입니다(최신순):"
VALUES_HEAD = "물어보신 수치가 각각 어디에 나오는지 정리했습니다:"
VALUE_QUOTE = "• {value} — {name}: “{quote}”"
VALUE_SAME = "• {value} — {name}의 같은 대목"
VALUE_ABSENT = "• {value} — 이 수치를 전하는 자료는 찾지 못했습니다."
SCREEN_STORY_ITEM = "📰 {label} — {outlets}"
SCREEN_STORY_POINT = "  {point}"
COMPARE_GIST = "• {name}(요약): {summary}"
MODEL_FAILED = "답변을 생성하는 중 문제가 생겼습니다. 관련 대목을 대신 보여 드립니다: “{quote}”"
SOURCES_HEADER = "출처"
NO_SUMMARY = "요약이 아직 준비되지 않았습니다."
# Until the background worker has summarised a document, its first sentences stand in.
LEAD_MARK = "(요약 준비 중 · 기사 첫 문장) {lead}"
NO_MATCHING_DOCS = "‘{keyword}’와 관련된 자료를 찾지 못했습니다."

BRIEF_HEADER = "🗞 AI 정책 브리핑 — {date}"
BRIEF_NEW = "새 자료 {count}건"
BRIEF_NOTHING_NEW = "지난 브리핑 이후 새 자료는 없습니다. 현재 논쟁의 흐름은 다음과 같습니다."
BRIEF_ITEM = "• {title} ({meta}) — {gist}"
BRIEF_EMPTY = "아직 브리핑할 자료가 없습니다."
BRIEF_FOOTER = "자세한 내용은 질문하거나 /summary 로 확인하세요."
BRIEF_LEFT_OUT = "그 밖의 새 자료 {count}건은 팔로우한 주제(/following) 밖이라 뺐습니다."
# One screen: the top items, the rest behind buttons (bot/delivery/screen.py).
SCREEN_DEBATE_ITEM = "🧭 {proposition}"
SCREEN_DISPUTED_ITEM = "⚖️ 여전히 엇갈리는 쟁점: {proposition}"
SCREEN_POSITION = "  {side} — {source}: “{quote}”"
SCREEN_POSITIONS_MORE = "  …새 입장 {count}개 더 (아래 쟁점 버튼)"
SCREEN_MORE = "➕ 나머지 {count}건은 아래 ‘더 보기’ 버튼으로 펼쳐 볼 수 있습니다."
SCREEN_MORE_HEAD = "➕ 더 보기 ({page}/{pages})"
SCREEN_MORE_BUTTON = "더 보기"
SCREEN_TOP_BUTTON = "◀ 처음"
SCREEN_EXPIRED = "하루가 지난 버튼이라 열 수 없습니다. /brief 로 최신 브리핑을 받아 보세요."
SCREEN_GONE = "이 메시지는 더 이상 펼칠 수 없습니다. /brief 로 최신 브리핑을 받아 보세요."

# --- the debate map ---------------------------------------------------------------------------
DEBATE_HEADER = "🧭 AI 정책 쟁점 지도 — 입장이 확인된 쟁점 {count}개 (엇갈림 {disputed}개)"
DEBATE_DISPUTED = "엇갈림"
DEBATE_MORE = "  …{side} {count}개 더 (/debate {id})"
DEBATE_EMPTY = ("아직 입장이 정리된 자료가 없습니다. 자료가 들어오면 백그라운드에서 "
                "쟁점별 찬성·반대 입장을 찾아 둡니다.")
DEBATE_FOOTER = ("쟁점 하나를 자세히 보려면 /debate 쟁점ID 또는 /debate 키워드 "
                 "(예: /debate regional_dc, /debate 데이터센터)")
DEBATE_NO_MATCH = "‘{keyword}’에 해당하는 쟁점이 없습니다. 쟁점 목록: {ids}"
DEBATE_NO_POSITIONS = "‘{text}’에 대해서는 아직 입장을 밝힌 자료가 없습니다."
DEBATE_MORE_MATCHES = "‘{keyword}’에 해당하는 쟁점이 {count}개 더 있습니다: {ids}"
DEBATE_PICTURE_CAPTION = "쟁점 지도: 쟁점별 찬성·조건부·반대 출처"

PUSH_ONE = "📄 새 자료가 들어왔습니다"
PUSH_MANY = "📄 새 자료 {count}건이 들어왔습니다"
PUSH_ITEM = "■ {title} ({meta})\n{summary}"
PUSH_HINT = ("이 자료에 대해 궁금한 점을 물어보세요. 개인 대화에서는 질문을 그대로 보내고, "
             "그룹에서는 /ask 질문 형식으로 보내면 됩니다.")
QUARANTINE_LINE = "⚠️ 격리된 파일: {name} — {reason}"
TIME_SHOW = "이 대화방의 브리핑 시각은 매일 {time} ({tz})입니다. 바꾸려면: /time 07:30"
TIME_SHOW_DEFAULT = "이 대화방의 브리핑 시각은 기본값인 매일 {time} ({tz})입니다. 바꾸려면: /time 07:30"
TIME_SET = "브리핑 시각을 매일 {time} ({tz})로 바꿨습니다."
TIME_RESET = "브리핑 시각을 기본값인 매일 {time} ({tz})로 되돌렸습니다."
TIME_INVALID = "시각은 24시간제 HH:MM 형식으로 적어 주세요. 예: /time 07:30 (기본값으로 되돌리기: /time 기본)"
TIME_NOT_SUBSCRIBED = ("이 대화방은 브리핑을 구독하지 않았습니다. 먼저 /subscribe 로 구독해 주세요. "
                       "기본 브리핑 시각은 매일 {time} ({tz})입니다.")
TIME_RESET_WORDS = ("기본", "기본값", "default", "reset")
FOLLOW_USAGE = ("팔로우할 쟁점 ID나 키워드를 적어 주세요. 예: /follow {example} 또는 /follow 데이터센터\n"
                "쟁점 ID는 /debate 에서 볼 수 있습니다.")
FOLLOW_PROPOSITION = "팔로우했습니다. 이제 브리핑과 알림에 이 쟁점의 자료만 나옵니다: {text} ({id})"
FOLLOW_KEYWORD = "팔로우했습니다. 이제 브리핑과 알림에 ‘{keyword}’ 관련 자료만 나옵니다."
FOLLOW_ALREADY = "이미 팔로우하고 있습니다: {topic}"
FOLLOW_TOO_MANY = "주제는 {most}개까지 팔로우할 수 있습니다. /unfollow 주제 로 먼저 하나를 지워 주세요."
FOLLOW_BAD_KEYWORD = "키워드는 {least}~{most}자로 적어 주세요. 예: /follow 데이터센터"
FOLLOW_NOT_SUBSCRIBED = "이 대화방은 아직 구독 전입니다. /subscribe 로 브리핑과 알림을 받으세요."
UNFOLLOW_ONE = "‘{topic}’ 팔로우를 끊었습니다."
UNFOLLOW_ALL = "팔로우를 모두 끊었습니다({count}개). 이제 모든 새 자료를 받습니다."
UNFOLLOW_NONE = "팔로우하는 주제가 아닙니다: {topic}. /following 으로 목록을 보세요."
FOLLOWING_NONE = ("팔로우하는 주제가 없어 모든 새 자료를 받습니다. "
                  "/follow 쟁점ID 또는 /follow 키워드 로 고를 수 있습니다.")
FOLLOWING_HEAD = "팔로우하는 주제 {count}개 — 브리핑과 알림에 이 주제의 자료만 나옵니다:"
FOLLOWING_PROPOSITION = "• 쟁점 {id}: {text}"
FOLLOWING_RETIRED = "• 쟁점 {id} (지금은 쟁점 목록에 없음)"
FOLLOWING_KEYWORD = "• 키워드: {keyword}"

# --- Telegram -------------------------------------------------------------------------------
TG_START = ("안녕하세요. 한국 AI 정책 논쟁을 다룬 자료를 바탕으로 질문에 답하고 요약해 드리는 "
            "봇입니다. 답에는 출처와 원문 인용을 함께 붙입니다.\n\n"
            "이 대화창에 질문을 그대로 적어 보세요. 예: 딥시크 이후 GPU 투자 논쟁을 요약해줘\n"
            "명령어 안내는 /help 를 보세요.")
# /help: the head, each command's line (bot/tg/table.py, in the table's order), the group note.
TG_HELP_HEAD = ("사용법\n"
                "• 개인 대화: 질문을 그대로 적으면 자료에 근거해 답합니다. 이어지는 질문도 이해합니다.")
TG_HELP_GROUPS = ("그룹에서 쓰는 법: 봇은 그룹의 일반 대화를 읽지 않습니다(개인정보 보호 모드). "
                  "명령어(/ask 질문, /summary 등)로 부르거나, 봇의 메시지에 답장하면 "
                  "이어지는 질문으로 받아 답합니다.")
TG_HELP_LINES = {
    "ask": "/ask 질문 — 질문에 답합니다 (그룹에서는 이렇게 물어보세요)",
    "summary": "/summary — 최신 자료 요약, /summary 키워드 — 관련 자료 요약, /summary 5 — 최신 5건 요약",
    "brief": "/brief — 오늘의 브리핑",
    "search": "/search 키워드 — 자료에서 관련 대목 찾기",
    "debate": "/debate — 쟁점 지도: 누가 어떤 입장인지, 어디서 엇갈리는지 (/debate 키워드로 한 쟁점 자세히)",
    "sources": "/sources — 보유한 자료 목록",
    "subscribe": "/subscribe — 아침 브리핑과 새 자료 알림 받기",
    "unsubscribe": "/unsubscribe — 알림 그만 받기",
    "time": "/time 07:30 — 이 대화방의 아침 브리핑 시각 바꾸기, /time — 지금 시각 보기",
    "follow": "/follow 쟁점ID 또는 키워드 — 브리핑과 알림에 그 주제의 자료만 받기",
    "unfollow": "/unfollow 주제 — 팔로우 끊기 (주제 없이 쓰면 전부)",
    "following": "/following — 팔로우하는 주제 목록",
}
TG_PLACEHOLDER = "자료를 찾는 중입니다…"
TG_QUEUED = "앞선 질문 {ahead}건을 처리한 뒤 답하겠습니다."
TG_BUSY = "지금은 질문이 많아 바로 답하기 어렵습니다. 잠시 뒤 다시 물어봐 주세요."
TG_CHAT_BUSY = "앞서 보낸 질문들에 답하는 중입니다. 답을 받은 뒤 새 질문을 보내 주세요."
TG_TOO_MANY_COMMANDS = "명령이 한꺼번에 많이 와서 일부는 건너뛰었습니다. 잠시 뒤 다시 보내 주세요."
TG_NOT_ALLOWED = ("죄송합니다. 이 대화방에서는 이 봇을 사용할 수 없습니다. "
                  "사용하려면 봇 운영자에게 문의해 주세요.")
TG_QUESTION_TRIMMED = "질문이 길어 앞부분 {limit}자만 사용했습니다."
TG_ASK_IN_KOREAN = "자료가 한국어로 되어 있어 한국어로 물으면 더 잘 찾을 수 있습니다."
TG_TEXT_ONLY = "글로 적은 질문에만 답할 수 있습니다."
TG_SUBSCRIBED = ("구독했습니다. 매일 아침 브리핑과 새 자료 소식을 보내 드립니다. "
                 "그만 받으려면 /unsubscribe")
TG_ALREADY_SUBSCRIBED = "이미 구독 중입니다. 그만 받으려면 /unsubscribe"
TG_UNSUBSCRIBED = "구독을 해지했습니다. 다시 받으려면 /subscribe"
TG_NOT_SUBSCRIBED = "구독 중이 아닙니다. 구독하려면 /subscribe"
TG_ADMIN_ONLY = "관리자만 사용할 수 있는 명령입니다."
TG_GROUP_ADMINS_ONLY = "그룹 관리자만 바꿀 수 있는 설정입니다."
TG_STATS_PRIVATE_ONLY = "봇 현황은 봇과의 개인 대화에서만 볼 수 있습니다."
TG_STATS_HEADER = "봇 현황"
TG_STATS_QUARANTINED = "격리된 파일"
# The medians over the recent model answers of where their first-token time went (ms).
TG_STATS_TIMINGS = ("최근 답변 {count}건의 첫 글자까지 (중앙값, ms): 전체 {first_token_ms}, "
                    "모델 로드 {load_ms}, 프리픽스 불러오기 {prefix_load_ms} / 계산 "
                    "{prefix_eval_ms}, 질문 토큰 {prompt_tokens}개 {prompt_ms}, 첫 디코드 "
                    "{first_decode_ms}")
TG_STATS_BACKLOG = "백그라운드 작업: 요약 {summaries}건, 쟁점 입장 {positions}건, 문서 준비 {prefixes}건 남음 (실패 {failed}건)"
TG_STATS_LABELS = {"documents": "문서", "chunks": "본문 조각", "quarantined": "격리된 파일",
                   "subscribers": "구독 대화방", "outbox_pending": "발송 대기",
                   "outbox_sent": "발송 완료", "outbox_failed": "발송 실패",
                   "outbox_dropped": "발송 중단(차단된 대화방)", "outbox_expired": "기한 지나 생략"}
TG_SUMMARY_COOLDOWN = "방금 요약을 보냈습니다. {seconds}초 뒤에 다시 요청해 주세요."
TG_DEBATE_COOLDOWN = "방금 쟁점 지도를 보냈습니다. {seconds}초 뒤에 다시 요청해 주세요."
TG_SEARCH_USAGE = "검색어를 함께 적어 주세요. 예: /search 딥시크"
TG_ERROR = "죄송합니다. 요청을 처리하는 중 문제가 생겼습니다. 잠시 뒤 다시 시도해 주세요."
# Telegram's command menu (set_my_commands), in the order of bot/tg/table.py.
TG_MENU = {
    "ask": "자료에 근거해 질문에 답하기 (/ask 질문)",
    "summary": "최신 자료 요약 (/summary 키워드 또는 숫자)",
    "brief": "오늘의 AI 정책 브리핑",
    "search": "자료에서 관련 대목 찾기 (/search 키워드)",
    "debate": "쟁점 지도: 누가 찬성하고 누가 반대하나 (/debate 키워드)",
    "sources": "보유한 자료 목록",
    "subscribe": "아침 브리핑과 새 자료 알림 받기",
    "unsubscribe": "알림 그만 받기",
    "time": "아침 브리핑 시각 보기/바꾸기 (/time 07:30)",
    "follow": "이 주제의 자료만 받기 (/follow 쟁점ID 또는 키워드)",
    "unfollow": "팔로우 끊기 (/unfollow 주제, 주제 없이 쓰면 전부)",
    "following": "팔로우하는 주제 목록",
    "help": "사용법",
}

# Operator errors (English first, for the log; the Korean line is a hint for Korean operators).
INVALID_TOKEN = ("TELEGRAM_BOT_TOKEN was rejected by the Telegram Bot API (401 Unauthorized): "
                 "set it to the token @BotFather gave this bot (and check TELEGRAM_API_BASE_URL)."
                 "\n  TELEGRAM_BOT_TOKEN 값이 거부되었습니다. @BotFather에서 받은 토큰을 확인하세요.")
