"""A small but faithful fake of the Telegram Bot API server for end-to-end tests.

``BotAPIServer`` serves real HTTP on 127.0.0.1 (OS-chosen port) from a background
thread, so the real python-telegram-bot client can talk to it through
``Bot(token, base_url=server.base_url)``.  URLs look like ``/bot<TOKEN>/<method>``.
Parameters are read from the query string and from JSON, urlencoded or multipart
bodies; PTB sends every non-string value JSON-encoded inside a form field
(``chat_id=5``, ``reply_markup={"inline_keyboard": ...}``), so known fields are decoded.

The HTML parser follows tdlib's ``parse_html`` (same error wording and UTF-8 byte
offsets).  One deliberate difference: by default a bare ``&`` that starts no valid
entity is rejected, whereas Telegram keeps it as a literal; pass ``strict_amp=False``
to get Telegram's lenient behaviour.  ``Markdown``/``MarkdownV2`` text is stored unparsed.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import email.parser
import email.policy
import json
import math
import re
import socket
import sys
import threading
import time
from collections import deque
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
PATH_RE = re.compile(r"^/bot([^/]*)/([A-Za-z0-9_]+)/?$")
MAX_TEXT_LENGTH = 4096
JSON_FIELDS = frozenset({
    "reply_markup", "commands", "entities", "caption_entities", "allowed_updates", "scope",
    "link_preview_options", "reply_parameters", "media", "results", "permissions"})
INT_FIELDS = frozenset({"chat_id", "message_id", "offset", "limit", "message_thread_id",
                        "reply_to_message_id", "user_id", "cache_time"})
BOOL_FIELDS = frozenset({"disable_notification", "protect_content", "show_alert",
                         "drop_pending_updates", "allow_sending_without_reply"})
HTML_TAGS = {"b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
             "ins": "underline", "s": "strikethrough", "strike": "strikethrough",
             "del": "strikethrough", "a": "text_link", "code": "code", "pre": "pre",
             "span": "spoiler", "tg-spoiler": "spoiler", "blockquote": "blockquote",
             "tg-emoji": "custom_emoji"}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
ENTITY_RE = re.compile(r"&(?:#x([0-9a-fA-F]+)|#([0-9]+)|([A-Za-z]+));?")
COMMAND_RE = re.compile(r"(?<![\w/<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?", re.ASCII)
BOT_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
CHAT_ACTIONS = frozenset({
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note",
    "upload_video_note"})
MEMBER_STATUSES = frozenset({"creator", "administrator", "member", "left", "kicked"})
ADMIN_RIGHTS = ("can_manage_chat", "can_delete_messages", "can_manage_video_chats",
                "can_restrict_members", "can_promote_members", "can_change_info",
                "can_invite_users", "can_post_stories", "can_edit_stories", "can_delete_stories")
NOT_DELIVERED_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
NOT_MODIFIED = ("Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a content and reply markup of the current message")
CONFLICT = ("Conflict: terminated by other getUpdates request; make sure that only one bot "
            "instance is running")


class BotAPIError(Exception):
    """An error answer: HTTP status, Telegram description and optional ``parameters``."""

    def __init__(self, status: int, description: str, parameters: dict | None = None):
        super().__init__(description)
        self.status, self.description, self.parameters = status, description, parameters

    def payload(self) -> dict:
        body = {"ok": False, "error_code": self.status, "description": self.description}
        return body | ({"parameters": self.parameters} if self.parameters else {})


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's limits and entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _decode_entity(text: str, i: int) -> tuple[str | None, int]:
    """Decode the character reference starting at ``text[i] == '&'`` (';' optional, as tdlib)."""
    m = ENTITY_RE.match(text, i)
    if not m:
        return None, i
    if m[3] is not None:
        char = NAMED_ENTITIES.get(m[3])
        return (char, m.end()) if char else (None, i)
    code = int(m[1], 16) if m[1] is not None else int(m[2])
    if code == 0 or code >= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None, i
    return chr(code), m.end()


def _unescape(value: str) -> str:
    """Decode entities inside a quoted attribute value, keeping anything invalid literally."""
    out, i = [], 0
    while i < len(value):
        char, j = _decode_entity(value, i) if value[i] == "&" else (None, i)
        out.append(char if char is not None else value[i])
        i = j if char is not None else i + 1
    return "".join(out)


def _make_entity(entities: list[dict], tag: str, arg: str, offset: int, length: int,
                 inner: str) -> None:
    """Append the entity for a closed tag (merging <pre><code class=...> into one pre)."""
    entity = {"type": HTML_TAGS[tag], "offset": offset, "length": length}
    if tag == "a":
        url = arg or inner
        if user := re.fullmatch(r"tg://user\?id=(\d+)", url):
            entity = {"type": "text_mention", "offset": offset, "length": length,
                      "user": {"id": int(user[1]), "is_bot": False, "first_name": ""}}
        else:
            entity["url"] = url
    elif tag == "pre" and entities and entities[-1]["type"] == "code" and \
            (entities[-1]["offset"], entities[-1]["length"]) == (offset, length):
        code = entities.pop()
        if "language" in code:
            entity["language"] = code["language"]
    elif tag == "code" and arg:
        entity["language"] = arg
    elif tag == "blockquote" and arg:
        entity["type"] = "expandable_blockquote"
    elif tag == "tg-emoji":
        entity["custom_emoji_id"] = arg
    entities.append(entity)


def parse_html(text: str, *, strict_amp: bool = True) -> tuple[str, list[dict]]:
    """Parse Telegram's HTML subset into (plain text, entities), raising 400 like tdlib."""
    out: list[str] = []
    entities: list[dict] = []
    stack: list[tuple[str, str, int, int]] = []  # tag, argument, utf-16 start, index in out
    pos16, i, n = 0, 0, len(text)

    def fail(what: str, at: int | None = None, tail: str = "") -> BotAPIError:
        where = f" at byte offset {len(text[:at].encode())}" if at is not None else ""
        return BotAPIError(400, f"Bad Request: can't parse entities: {what}{where}{tail}")

    def skip_spaces(j: int) -> int:
        while j < n and text[j].isspace():
            j += 1
        return j

    while i < n:
        char = text[i]
        if char == "&":
            decoded, j = _decode_entity(text, i)
            if decoded is not None:
                out.append(decoded)
                pos16, i = pos16 + utf16_len(decoded), j
                continue
            if strict_amp:  # Telegram itself would keep the '&' literally
                raise fail('Unescaped "&"', i)
        if char != "<":
            out.append(char)
            pos16, i = pos16 + utf16_len(char), i + 1
            continue
        begin, j = i, i + 1
        if text.startswith("</", i):  # end tag
            if not stack:
                raise fail("Unexpected end tag", begin)
            j += 1
            while j < n and not text[j].isspace() and text[j] != ">":
                j += 1
            name, j = text[i + 2:j].lower(), skip_spaces(j)
            if j >= n or text[j] != ">":
                raise fail("Unclosed end tag", begin)
            tag, arg, start16, start_out = stack.pop()
            if name and name != tag:
                raise fail("Unmatched end tag", begin, f', expected "</{tag}>", found "</{name}>"')
            if pos16 > start16:
                _make_entity(entities, tag, arg, start16, pos16 - start16, "".join(out[start_out:]))
            i = j + 1
            continue
        while j < n and not text[j].isspace() and text[j] != ">":
            j += 1
        if j >= n:
            raise fail("Unclosed start tag", begin)
        tag, arg = text[i + 1:j].lower(), ""
        if tag not in HTML_TAGS:
            raise fail(f'Unsupported start tag "{tag}"', begin)
        while True:  # attributes
            j = skip_spaces(j)
            if j >= n:
                raise fail(f'Unclosed start tag "{tag}"', begin)
            if text[j] == ">":
                break
            name_start = j
            while j < n and not text[j].isspace() and text[j] not in "=>":
                j += 1
            attr, j = text[name_start:j].lower(), skip_spaces(j)
            if not attr:
                raise fail(f'Empty attribute name in the tag "{tag}"', begin)
            if j >= n:
                raise fail(f'Unclosed start tag "{tag}"', begin)
            if text[j] != "=":
                if tag == "blockquote" and attr == "expandable":
                    arg = "expandable"
                    continue
                raise fail("Expected equal sign in declaration of an attribute of the tag "
                           f'"{tag}"', begin)
            j = skip_spaces(j + 1)
            if j >= n:
                raise fail(f'Unclosed start tag "{tag}"', begin)
            if text[j] in "'\"":
                close = text.find(text[j], j + 1)
                if close < 0:
                    raise fail(f'Unclosed start tag "{tag}"', begin)
                value, j = _unescape(text[j + 1:close]), close + 1
            else:  # a name token: letters, digits, '.' and '-'
                token_start = j
                while j < n and (text[j].isascii() and text[j].isalnum() or text[j] in ".-"):
                    j += 1
                value = text[token_start:j].lower()
                if j < n and not text[j].isspace() and text[j] != ">":
                    raise fail("Unexpected end of name token", token_start)
            if (tag, attr) in {("a", "href"), ("tg-emoji", "emoji-id")}:
                arg = value
            elif (tag, attr) == ("code", "class") and value.startswith("language-"):
                arg = value[len("language-"):]
            elif (tag, attr) == ("span", "class") and value.startswith("tg-"):
                arg = value[len("tg-"):]
        if tag == "span" and arg != "spoiler":
            raise fail('Tag "span" must have class "tg-spoiler"', begin)
        stack.append((tag, arg, pos16, len(out)))
        i = j + 1
    if stack:
        raise fail(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    return "".join(out), sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def _trim(text: str, entities: list[dict]) -> tuple[str, list[dict]]:
    """Strip surrounding whitespace like Telegram does, clipping entities to the new text."""
    stripped = text.strip()
    shift, size = utf16_len(text[:len(text) - len(text.lstrip())]), utf16_len(stripped)
    kept = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, size)
        if end > start:
            kept.append(entity | {"offset": start, "length": end - start})
    return stripped, sorted(kept, key=lambda e: (e["offset"], -e["length"]))


def bot_command_entities(text: str) -> list[dict]:
    """``bot_command`` entities as Telegram marks them (``/cmd`` and ``/cmd@botname``)."""
    return [{"type": "bot_command", "offset": utf16_len(text[:m.start()]),
             "length": utf16_len(m[0])} for m in COMMAND_RE.finditer(text)]


def _coerce(name: str, value):
    """Turn PTB's form-field strings back into JSON values for the fields we know."""
    if not isinstance(value, str):
        return value
    if name in JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            raise BotAPIError(400, f"Bad Request: can't parse {name} JSON object") from None
    if name in INT_FIELDS and re.fullmatch(r"-?\d+", value):
        return int(value)
    if name == "timeout":
        return float(value)
    if name in BOOL_FIELDS:
        return value.lower() in ("true", "1")
    return value


def parse_params(query: str, content_type: str, body: bytes) -> dict:
    """Request parameters from the query string plus a JSON, urlencoded or multipart body."""
    params: dict = dict(parse_qsl(query, keep_blank_values=True))
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/json" and body.strip():
        try:
            params.update(json.loads(body))
        except ValueError:
            raise BotAPIError(400, "Bad Request: can't parse JSON request body") from None
    elif kind == "application/x-www-form-urlencoded":
        params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    elif kind == "multipart/form-data":
        head = f"Content-Type: {content_type}\r\n\r\n".encode()
        form = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
        for part in form.iter_parts():
            name = part.get_param("name", header="content-disposition")
            data, filename = part.get_payload(decode=True), part.get_filename()
            params[name] = {"filename": filename, "content": data} if filename else data.decode()
    return {name: _coerce(name, value) for name, value in params.items()}


class _MustAwait:
    """What ``wait_for`` returns inside a running event loop: it has to be awaited."""

    def __init__(self, coro):
        self._coro = coro

    def __await__(self):
        return self._coro.__await__()

    def __bool__(self):
        self._coro.close()
        raise TypeError("BotAPIServer.wait_for() was called inside a running event loop; "
                        "write `await server.wait_for(...)`")


class _Handler(BaseHTTPRequestHandler):
    """Hands every request to ``BotAPIServer.handle`` and writes its JSON answer."""

    protocol_version = "HTTP/1.1"  # keep-alive, like api.telegram.org

    def setup(self):
        super().setup()
        with self.server.api._lock:
            self.server.api._connections.add(self.connection)

    def finish(self):
        with self.server.api._lock:
            self.server.api._connections.discard(self.connection)
        super().finish()

    def do_POST(self):  # noqa: N802 - http.server naming
        api = self.server.api
        with api._cond:
            api._answering += 1
        try:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, payload = api.handle(
                self.command, self.path, self.headers.get("Content-Type", ""), body)
            data = json.dumps(payload, ensure_ascii=False).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:  # the client gave up (e.g. a cancelled long poll)
                self.close_connection = True
        finally:
            with api._cond:
                api._answering -= 1
                api._cond.notify_all()

    do_GET = do_POST

    def log_message(self, format, *args):  # noqa: A002 - silence per-request logging
        pass


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], OSError):  # clients going away are expected
            super().handle_error(request, client_address)


class BotAPIServer:
    """The fake Bot API server plus thread-safe helpers for driving and inspecting it."""

    def __init__(self, *, username: str = "briefbot_test_bot",
                 first_name: str = "BriefBot Test", strict_amp: bool = True,
                 token: str | None = None):
        """``token``: the one token this server accepts (others get 401 Unauthorized, like a
        revoked or mistyped token); None accepts any well-formed token."""
        self.username, self.first_name, self.strict_amp = username, first_name, strict_amp
        self.token = token
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._connections: set[socket.socket] = set()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._closing = False
        self._answering = 0  # requests between being read and their answer being written
        self._calls: list[dict] = []
        self._paths: list[str] = []
        self._failures: list[dict] = []
        self._holds: list[dict] = []  # calls answered only once their event is set
        self._blocked: set[int] = set()
        self._unknown: set[int] = set()
        self._chats: dict[int, dict] = {}
        self._members: dict[tuple[int, int], str] = {}  # (chat_id, user_id) -> status
        self._messages: dict[tuple[int, int], dict] = {}  # (chat_id, message_id) -> record
        self._photos: list[dict] = []  # sendPhoto uploads, in order
        self._rate_limits: dict[int, tuple[int, float]] = {}  # chat -> (messages, seconds)
        self._accepted_at: dict[int, deque[float]] = {}  # chat -> when its messages went
        self._next_message_id: dict[int, int] = {}
        self._updates: list[dict] = []
        self._next_update_id = 1
        self._poll_generation = 0
        self._allowed_updates: set[str] | None = None
        self._commands: dict[tuple[str, str], list[dict]] = {}
        self._methods = {name[3:].lower(): getattr(self, name)
                         for name in dir(self) if name.startswith("_m_")}

    # ----------------------------------------------------------------- lifecycle
    def start(self) -> BotAPIServer:
        """Bind 127.0.0.1 on a free port and serve from a daemon thread."""
        self._httpd = _HTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.api = self
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,),
                                        name="fake-bot-api", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Wake long polls, stop serving and drop open keep-alive connections."""
        if self._httpd is None:
            return
        with self._cond:
            self._closing = True
            self._cond.notify_all()
            # Woken long polls answer before their connections are dropped (a loaded machine
            # can take a while to schedule them); bounded, so a stuck client cannot hold us.
            self._cond.wait_for(lambda: self._answering == 0, timeout=5)
        self._httpd.shutdown()
        self._httpd.server_close()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        self._thread.join(timeout=5)
        self._httpd = None

    def __enter__(self) -> BotAPIServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        """For ``Bot(base_url=...)``: PTB appends the token, then ``/methodName``."""
        return f"http://127.0.0.1:{self.port}/bot"

    # ------------------------------------------------------------- test helpers
    def add_update(self, update: dict) -> dict:
        """Queue a raw update (``update_id`` is assigned when missing) and wake pollers."""
        with self._cond:
            update = copy.deepcopy(update)
            update.setdefault("update_id", self._next_update_id)
            self._next_update_id = max(self._next_update_id, update["update_id"]) + 1
            self._updates.append(update)
            self._cond.notify_all()
            return copy.deepcopy(update)

    def add_update_message(self, chat_id: int, text: str, *, chat_type: str = "private",
                           user_id: int | None = None, username: str | None = None,
                           first_name: str = "테스터", reply_to_message_id: int | None = None,
                           title: str | None = None) -> dict:
        """Queue a user's text message (with bot_command entities) and return the update."""
        with self._lock:
            chat = {"id": chat_id, "type": chat_type}
            if chat_type == "private":
                chat |= {"first_name": first_name} | ({"username": username} if username else {})
            else:
                chat["title"] = title or f"Test {chat_type} {chat_id}"
            self._chats[chat_id] = chat
            user = {"id": user_id if user_id is not None else
                    (chat_id if chat_type == "private" else 1_000_001),
                    "is_bot": False, "first_name": first_name, "language_code": "ko"}
            if username:
                user["username"] = username
            message = self._new_message(chat_id, user, text, bot_command_entities(text))
            if reply_to_message_id is not None:
                original = self._messages.get((chat_id, reply_to_message_id))
                if original is None:
                    raise ValueError(f"no message {reply_to_message_id} in chat {chat_id}")
                message["reply_to_message"] = self._quoted(original)
            self._messages[(chat_id, message["message_id"])] = {
                "message": message, "by_bot": False, "deleted": False}
            return self.add_update({"message": message})

    def add_update_callback_query(self, chat_id: int, message_id: int, data: str, *,
                                  user_id: int | None = None) -> dict:
        """Queue a tap on an inline button of the bot's message `message_id` (the message as
        it is now, after edits), and return the update."""
        with self._lock:
            record = self._messages.get((chat_id, message_id))
            if record is None:
                raise ValueError(f"no message {message_id} in chat {chat_id}")
            user = {"id": user_id if user_id is not None else abs(chat_id), "is_bot": False,
                    "first_name": "테스터", "language_code": "ko"}
            query_id = f"cq{self._next_update_id}"
            query = {"id": query_id, "from": user, "chat_instance": f"ci{chat_id}",
                     "message": self._quoted(record), "data": data}
            return self.add_update({"callback_query": query})

    def sent(self, chat_id: int | None = None) -> list[dict]:
        """The bot's messages that still exist, as they are now (after edits), in send order."""
        with self._lock:
            return [{"chat_id": cid, "message_id": mid, "text": rec["message"]["text"],
                     "parse_mode": rec["parse_mode"], "edits": rec["edits"],
                     "entities": copy.deepcopy(rec["message"].get("entities", [])),
                     "reply_markup": copy.deepcopy(rec["reply_markup"]),
                     "reply_to_message_id": rec["message"].get("reply_to_message", {}).get(
                         "message_id")}
                    for (cid, mid), rec in self._messages.items()
                    if rec["by_bot"] and not rec["deleted"] and chat_id in (None, cid)]

    def calls(self, method: str | None = None) -> list[dict]:
        """Every API call (valid token): method, params, time, HTTP status (None = pending)
        and, once answered, the JSON answer."""
        with self._lock:
            return [dict(call) for call in self._calls
                    if method is None or call["method"].lower() == method.lower()]

    def request_log_text(self) -> str:
        """All request paths received (query strings included), one per line."""
        with self._lock:
            return "\n".join(self._paths)

    def pending_updates(self) -> list[dict]:
        """Updates not yet confirmed by a getUpdates with a higher offset."""
        with self._lock:
            return copy.deepcopy(self._updates)

    def commands(self, scope: dict | None = None, language_code: str = "") -> list[dict]:
        """The commands stored by setMyCommands for that scope and language."""
        with self._lock:
            return copy.deepcopy(self._commands.get(self._scope_key(scope, language_code), []))

    def fail_next(self, method: str, *, status: int, description: str | None = None,
                  retry_after: int | None = None, times: int = 1, chat_id: int | None = None,
                  migrate_to_chat_id: int | None = None) -> None:
        """Answer the next ``times`` calls of ``method`` (optionally for one chat) with an error."""
        if description is None:
            description = (
                f"Too Many Requests: retry after {retry_after}" if status == 429 else
                "Bad Request: group chat was upgraded to a supergroup chat" if migrate_to_chat_id
                else f"{HTTPStatus(status).phrase}")
        parameters = {}
        if retry_after is not None:
            parameters["retry_after"] = retry_after
        if migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = migrate_to_chat_id
        with self._lock:
            self._failures.append({"method": method.lower(), "chat_id": chat_id, "times": times,
                                   "error": BotAPIError(status, description, parameters)})

    def hold_next(self, method: str, *, timeout: float = 30.0) -> threading.Event:
        """Keep the next call of ``method`` waiting for its answer until the returned event is
        set (or ``timeout`` passes): a slow Bot API, for what the bot does meanwhile."""
        release = threading.Event()
        with self._lock:
            self._holds.append({"method": method.lower(), "event": release, "timeout": timeout})
        return release

    def set_member_status(self, chat_id: int, user_id: int, status: str) -> None:
        """What getChatMember answers for this user in this chat (otherwise "member")."""
        if status not in MEMBER_STATUSES:
            raise ValueError(f"unknown chat member status {status!r}")
        with self._lock:
            self._members[(chat_id, user_id)] = status

    def block_chat(self, chat_id: int) -> None:
        """Sends to this chat answer 403 as if the user blocked the bot."""
        with self._lock:
            self._blocked.add(chat_id)

    def limit_rate(self, chat_id: int, messages: int, seconds: float) -> None:
        """Like a group's 20 messages a minute: a send to this chat when `messages` were
        accepted within the last `seconds` answers 429 with retry_after (whole seconds until
        the oldest of them leaves the window)."""
        with self._lock:
            self._rate_limits[chat_id] = (messages, seconds)
            self._accepted_at.setdefault(chat_id, deque())

    def _admit(self, chat_id: int) -> None:
        """Count one message to `chat_id` against its rate limit, or raise its 429."""
        if chat_id not in self._rate_limits:
            return
        messages, seconds = self._rate_limits[chat_id]
        accepted, now = self._accepted_at[chat_id], time.monotonic()
        while accepted and accepted[0] <= now - seconds:
            accepted.popleft()
        if len(accepted) >= messages:
            wait = max(1, math.ceil(accepted[0] + seconds - now))
            raise BotAPIError(429, f"Too Many Requests: retry after {wait}",
                              {"retry_after": wait})
        accepted.append(now)

    def unknown_chat(self, chat_id: int) -> None:
        """Any call naming this chat answers 400 "chat not found"."""
        with self._lock:
            self._unknown.add(chat_id)

    def wait_for(self, predicate, timeout: float = 30.0, interval: float = 0.05):
        """Poll ``predicate()`` until truthy and return its value; AssertionError at the deadline.

        Blocking in plain code; inside a running event loop it must be awaited
        (``await server.wait_for(...)``) so the loop can keep serving the bot.
        """
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            deadline = time.monotonic() + timeout
            while not (value := predicate()):
                if time.monotonic() >= deadline:
                    raise AssertionError(
                        self._timeout_message(predicate, timeout, value)) from None
                time.sleep(interval)
            return value
        return _MustAwait(self._wait_async(predicate, timeout, interval))

    async def _wait_async(self, predicate, timeout: float, interval: float):
        deadline = time.monotonic() + timeout
        while not (value := predicate()):
            if time.monotonic() >= deadline:
                raise AssertionError(self._timeout_message(predicate, timeout, value))
            await asyncio.sleep(interval)
        return value

    def _timeout_message(self, predicate, timeout: float, value) -> str:
        calls = [f"  {c['method']} -> {c['status']} {c['params']}" for c in self.calls()[-10:]]
        sent = [f"  {m['chat_id']}/{m['message_id']}: {m['text'][:80]!r}" for m in self.sent()]
        return (f"condition {getattr(predicate, '__qualname__', predicate)} still {value!r} "
                f"after {timeout}s\nlast requests:\n" + ("\n".join(calls) or "  (none)") +
                "\nbot messages:\n" + ("\n".join(sent) or "  (none)"))

    # ------------------------------------------------------------------ dispatch
    def handle(self, http_method: str, raw_path: str, content_type: str,
               body: bytes) -> tuple[int, dict]:
        """Answer one HTTP request: (status, JSON payload)."""
        url = urlsplit(raw_path)
        with self._lock:
            self._paths.append(raw_path)
        match = PATH_RE.match(url.path)
        if not match:
            return 404, BotAPIError(404, "Not Found").payload()
        token, method = match.groups()
        if not TOKEN_RE.match(token) or (self.token is not None and token != self.token):
            return 401, BotAPIError(401, "Unauthorized").payload()
        call = {"method": method, "params": {}, "time": time.time(), "status": None,
                "http_method": http_method}
        with self._lock:
            self._calls.append(call)
            hold = next((h for h in self._holds if h["method"] == method.lower()), None)
            if hold is not None:
                self._holds.remove(hold)
        if hold is not None:
            hold["event"].wait(hold["timeout"])
        try:
            call["params"] = params = parse_params(url.query, content_type, body)
            self._raise_injected(method, params)
            handler = self._methods.get(method.lower())
            if handler is None:
                raise BotAPIError(404, "Not Found: method not found")
            status, payload = 200, {"ok": True, "result": handler(params, int(token.split(":")[0]))}
        except BotAPIError as error:
            status, payload = error.status, error.payload()
        except Exception as error:  # noqa: BLE001 - a bug in the fake or a bad request: show it
            status, payload = 500, BotAPIError(500, f"Internal Server Error: {error!r}").payload()
        with self._lock:
            call["status"], call["answer"] = status, payload
        return status, payload

    def _raise_injected(self, method: str, params: dict) -> None:
        with self._lock:
            for rule in self._failures:
                if rule["method"] == method.lower() and rule["chat_id"] in (
                        None, params.get("chat_id")):
                    rule["times"] -= 1
                    if rule["times"] <= 0:
                        self._failures.remove(rule)
                    raise rule["error"]

    def _bot_user(self, bot_id: int) -> dict:
        return {"id": bot_id, "is_bot": True, "first_name": self.first_name,
                "username": self.username}

    def _chat(self, params: dict, *, sending: bool = True) -> dict:
        """The target chat of a call, raising the errors Telegram gives for bad chats."""
        chat_id = params.get("chat_id")
        if chat_id in (None, ""):
            raise BotAPIError(400, "Bad Request: chat_id is empty")
        if isinstance(chat_id, str):  # "@username"
            chat_id = next((cid for cid, chat in self._chats.items()
                            if f"@{chat.get('username')}" == chat_id), None)
        if chat_id is None or chat_id in self._unknown:
            raise BotAPIError(400, "Bad Request: chat not found")
        if sending and chat_id in self._blocked:
            raise BotAPIError(403, "Forbidden: bot was blocked by the user")
        if chat_id in self._chats:
            return self._chats[chat_id]
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "테스터"}
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        return {"id": chat_id, "type": kind, "title": f"Test {kind} {chat_id}"}

    def _new_message(self, chat_id: int, sender: dict, text: str, entities: list) -> dict:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        chat = self._chats.get(chat_id) or {"id": chat_id, "type": "private", "first_name": ""}
        message = {"message_id": message_id, "date": int(time.time()), "chat": dict(chat),
                   "from": dict(sender), "text": text}
        return message | ({"entities": entities} if entities else {})

    @staticmethod
    def _quoted(record: dict) -> dict:
        return {k: v for k, v in copy.deepcopy(record["message"]).items()
                if k != "reply_to_message"}

    def _render(self, params: dict, too_long: str) -> tuple[str, list[dict]]:
        """Validate and parse ``text``/``parse_mode``/``entities`` like Telegram."""
        text, mode = params.get("text") or "", (params.get("parse_mode") or "").lower()
        if mode == "html":
            text, entities = parse_html(text, strict_amp=self.strict_amp)
        elif mode in ("", "markdown", "markdownv2"):
            entities = copy.deepcopy(params.get("entities") or []) if not mode else []
        else:
            raise BotAPIError(400, f"Bad Request: unsupported parse_mode {params['parse_mode']}")
        text, entities = _trim(text, entities)
        if not text:
            raise BotAPIError(400, "Bad Request: message text is empty")
        if utf16_len(text) > MAX_TEXT_LENGTH:
            raise BotAPIError(400, too_long)
        return text, entities

    def _record(self, chat_id: int, message_id: int | None, *, edit: bool) -> dict:
        record = self._messages.get((chat_id, message_id))
        if record is None or record["deleted"]:
            raise BotAPIError(400, f"Bad Request: message to {'edit' if edit else 'delete'} "
                                   "not found")
        return record

    @staticmethod
    def _scope_key(scope: dict | None, language_code: str | None) -> tuple[str, str]:
        return json.dumps(scope or {"type": "default"}, sort_keys=True), language_code or ""

    # ------------------------------------------------------------- API methods
    def _m_getMe(self, params: dict, bot_id: int) -> dict:
        return self._bot_user(bot_id) | {
            "can_join_groups": True, "can_read_all_group_messages": False,
            "supports_inline_queries": False, "can_connect_to_business": False,
            "has_main_web_app": False}

    def _m_sendMessage(self, params: dict, bot_id: int) -> dict:
        with self._lock:
            chat = self._chat(params)
            text, entities = self._render(params, "Bad Request: message is too long")
            reply = params.get("reply_parameters") or (
                {"message_id": params["reply_to_message_id"]}
                if "reply_to_message_id" in params else None)
            quoted = None
            if reply:
                target = self._messages.get((reply.get("chat_id", chat["id"]), reply["message_id"]))
                if target and not target["deleted"]:
                    quoted = self._quoted(target)
                elif not reply.get("allow_sending_without_reply"):
                    raise BotAPIError(400, "Bad Request: message to be replied not found")
            self._admit(chat["id"])
            self._chats.setdefault(chat["id"], chat)
            message = self._new_message(chat["id"], self._bot_user(bot_id), text, entities)
            if quoted:
                message["reply_to_message"] = quoted
            markup = params.get("reply_markup")
            if isinstance(markup, dict) and "inline_keyboard" in markup:
                message["reply_markup"] = markup
            if "message_thread_id" in params:
                message["message_thread_id"] = params["message_thread_id"]
            self._messages[(chat["id"], message["message_id"])] = {
                "message": message, "by_bot": True, "deleted": False, "edits": 0,
                "parse_mode": params.get("parse_mode"), "reply_markup": markup}
            return copy.deepcopy(message)

    def _m_sendPhoto(self, params: dict, bot_id: int) -> dict:
        """An uploaded PNG or JPEG (multipart), kept with its caption for `photos()`."""
        with self._lock:
            chat = self._chat(params)
            photo = params.get("photo")
            if not isinstance(photo, dict) or not photo.get("content"):
                raise BotAPIError(400, "Bad Request: there is no photo in the request")
            data = photo["content"]
            if not data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8")):
                raise BotAPIError(400, "Bad Request: IMAGE_PROCESS_FAILED")
            if len(data) > 10 * 1024 * 1024:
                raise BotAPIError(400, "Bad Request: PHOTO_SAVE_FILE_INVALID")
            caption = params.get("caption") or ""
            if utf16_len(caption) > 1024:
                raise BotAPIError(400, "Bad Request: message caption is too long")
            self._admit(chat["id"])
            self._chats.setdefault(chat["id"], chat)
            message = self._new_message(chat["id"], self._bot_user(bot_id), "", [])
            del message["text"]
            message |= {"caption": caption, "photo": [
                {"file_id": f"photo-{chat['id']}-{message['message_id']}",
                 "file_unique_id": f"p{message['message_id']}", "width": 1, "height": 1,
                 "file_size": len(data)}]}
            self._photos.append({"chat_id": chat["id"], "message_id": message["message_id"],
                                 "caption": caption, "data": data})
            return copy.deepcopy(message)

    def photos(self, chat_id: int | None = None) -> list[dict]:
        """Photos the bot sent: chat_id, message_id, caption and the uploaded bytes."""
        with self._lock:
            return [dict(p) for p in self._photos if chat_id in (None, p["chat_id"])]

    def _m_editMessageText(self, params: dict, bot_id: int) -> dict:
        with self._lock:
            if "inline_message_id" in params:
                raise BotAPIError(400, "Bad Request: inline messages are not supported by the fake")
            chat = self._chat(params)
            record = self._record(chat["id"], params.get("message_id"), edit=True)
            if not record["by_bot"]:
                raise BotAPIError(400, "Bad Request: message can't be edited")
            text, entities = self._render(params, "Bad Request: MESSAGE_TOO_LONG")
            message, markup = record["message"], params.get("reply_markup")
            if (text, entities, markup) == (message["text"], message.get("entities", []),
                                            record["reply_markup"]):
                raise BotAPIError(400, NOT_MODIFIED)
            message.update(text=text, edit_date=int(time.time()))
            message.pop("entities", None)
            message.pop("reply_markup", None)
            if entities:
                message["entities"] = entities
            if isinstance(markup, dict) and "inline_keyboard" in markup:
                message["reply_markup"] = markup
            record.update(edits=record["edits"] + 1, parse_mode=params.get("parse_mode"),
                          reply_markup=markup)
            return copy.deepcopy(message)

    def _m_deleteMessage(self, params: dict, bot_id: int) -> bool:
        with self._lock:
            chat = self._chat(params)
            self._record(chat["id"], params.get("message_id"), edit=False)["deleted"] = True
            return True

    def _m_sendChatAction(self, params: dict, bot_id: int) -> bool:
        with self._lock:
            self._chat(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise BotAPIError(400, "Bad Request: wrong parameter action in request")
        return True

    def _m_getChat(self, params: dict, bot_id: int) -> dict:
        with self._lock:
            chat = self._chat(params, sending=False)
        gifts = dict.fromkeys(("unlimited_gifts", "limited_gifts", "unique_gifts",
                               "premium_subscription", "gifts_from_channels"), False)
        return chat | {"accent_color_id": 0, "max_reaction_count": 11,
                       "accepted_gift_types": gifts}

    def _m_getChatMember(self, params: dict, bot_id: int) -> dict:
        """A ChatMember with the fields PTB requires for its status; users the test did not
        describe are plain members."""
        user_id = params.get("user_id")
        if not isinstance(user_id, int):
            raise BotAPIError(400, "Bad Request: invalid user_id specified")
        with self._lock:
            chat = self._chat(params, sending=False)
            status = self._members.get((chat["id"], user_id), "member")
        member = {"status": status,
                  "user": {"id": user_id, "is_bot": user_id == bot_id, "first_name": "테스터"}}
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            member |= {"can_be_edited": False, "is_anonymous": False}
            member |= dict.fromkeys(ADMIN_RIGHTS, False) | {"can_manage_chat": True}
        elif status == "kicked":
            member["until_date"] = 0
        return member

    def _m_getUpdates(self, params: dict, bot_id: int) -> list[dict]:
        """Long polling: confirm by offset, then wait up to ``timeout`` for updates."""
        offset, limit = params.get("offset"), min(max(int(params.get("limit") or 100), 1), 100)
        deadline = time.monotonic() + max(float(params.get("timeout") or 0), 0)
        with self._cond:
            self._poll_generation += 1  # a newer poll terminates an older one, like Telegram
            generation = self._poll_generation
            self._cond.notify_all()
            if "allowed_updates" in params:
                self._allowed_updates = set(params["allowed_updates"] or ()) or None
            if isinstance(offset, int) and offset < 0:
                self._updates = self._updates[offset:]
            elif isinstance(offset, int):
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            self._updates = [u for u in self._updates if self._deliverable(u)]
            while True:
                if generation != self._poll_generation:
                    raise BotAPIError(409, CONFLICT)
                remaining = deadline - time.monotonic()
                if self._updates or self._closing or remaining <= 0:
                    return copy.deepcopy(self._updates[:limit])
                self._cond.wait(remaining)

    def _deliverable(self, update: dict) -> bool:
        kinds = set(update) - {"update_id"}
        if self._allowed_updates:
            return bool(kinds & self._allowed_updates)
        return bool(kinds - NOT_DELIVERED_BY_DEFAULT)

    def _m_setMyCommands(self, params: dict, bot_id: int) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise BotAPIError(400, "Bad Request: commands must be an array of at most 100 items")
        for command in commands:
            if not BOT_COMMAND_RE.match(str(command.get("command", ""))):
                raise BotAPIError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                raise BotAPIError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        with self._lock:
            key = self._scope_key(params.get("scope"), params.get("language_code"))
            self._commands[key] = [{"command": c["command"], "description": c["description"]}
                                   for c in commands]
        return True

    def _m_getMyCommands(self, params: dict, bot_id: int) -> list[dict]:
        return self.commands(params.get("scope"), params.get("language_code") or "")

    def _m_deleteMyCommands(self, params: dict, bot_id: int) -> bool:
        with self._lock:
            self._commands.pop(self._scope_key(params.get("scope"),
                                               params.get("language_code")), None)
        return True

    def _m_deleteWebhook(self, params: dict, bot_id: int) -> bool:
        if params.get("drop_pending_updates"):
            with self._lock:
                self._updates.clear()
        return True

    def _m_getWebhookInfo(self, params: dict, bot_id: int) -> dict:
        with self._lock:
            return {"url": "", "has_custom_certificate": False,
                    "pending_update_count": len(self._updates)}

    def _m_answerCallbackQuery(self, params: dict, bot_id: int) -> bool:
        if not params.get("callback_query_id"):
            raise BotAPIError(400, "Bad Request: query is too old and response timeout expired "
                                   "or query ID is invalid")
        if len(params.get("text") or "") > 200:
            raise BotAPIError(400, "Bad Request: MESSAGE_TOO_LONG")
        return True

    def _m_close(self, params: dict, bot_id: int) -> bool:
        return True

    def _m_logOut(self, params: dict, bot_id: int) -> bool:
        return True
