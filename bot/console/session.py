"""The local console: the real app in HTTP mode, Slack played by the local stand-in.

Type `/lp ...` as a demo user and read the bot's replies as plain text. Lines can also be
piped on stdin, one per line, which makes the console scriptable.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import IO, Any

from bot.app import build_services, create_app
from bot.console.rendering import fill_in_hint as _fill_in_hint
from bot.console.rendering import render_call
from bot.console.stand_in import ConsoleSlack, NoSuchControl, SlackSender
from bot.insights import digest
from bot.ops.server import HttpServer
from bot.settings import Settings
from bot.slack.terms import CHANNEL_MENTION, GROUP_MENTION, USER_MENTION
from bot.weekly import poster, schedule_time
from principles import match_principle
from storage import weekly as weekly_store

PROMPT_HELP = """\
Type /lp commands as you would in Slack, for example /lp help, /lp 7, /lp search customers.
Console commands:
  :as NAME         act as another demo user (alice, bob, carol, dave); groups: @eng-team, @everyone
  :in CHANNEL      talk in another channel (general, random, leads)
  any other text   say it in the channel, as the demo user (e.g. @bob :clap: #ownership thanks for the fix)
  :react N EMOJI   react to message N with EMOJI (e.g. :react 1 clap); :unreact N EMOJI takes it off
  :edit N TEXT     change your message N (an inline kudos changes with it); :delete N deletes it
  :click N [why]   press button N of the last reply (on a kudos prompt, with an optional why)
  :pick PRINCIPLE  choose from the "Other…" menu of the last reply
  :submit @who | principle | why [| #channel]
                   fill in and send the kudos modal that is open (@eng-team for a group; a part
                   left empty keeps what the modal shows; the channel is needed where it says so)
  :home            open your App Home tab
  :kudos           the "Give kudos" shortcut (opens the modal)
  :step kudos @who | principle | why [| #channel]
                   run the Workflow Builder step "Give kudos for a principle", as yourself
  :advance 7d      move the console's clock on (d, h or m) and post what falls due
  :now             the console's clock
  :users           list the demo users and channels
  :help            this text
  :quit            leave (or Ctrl-D)"""

# How long the console waits for the bot's listeners to finish answering one line.
_REPLIES_TIMEOUT = 10.0
_VISIBLE = {
    "response_url",
    "chat.postMessage",
    "chat.postEphemeral",
    "reactions.add",
    "views.publish",
    "views.open",
    "files.completeUploadExternal",
    "functions.completeSuccess",
    "functions.completeError",
}


class Console:
    def __init__(self, settings: Settings, out: IO[str]):
        self.out = out
        self.slack = ConsoleSlack().start()
        secret = secrets.token_hex(16)
        # One process: the console waits for every listener to finish before it shows what Slack was sent.
        self.settings = replace(
            settings, bot_token="xoxb-local-console", app_token=None, signing_secret=secret, api_url=self.slack.api_url, event_process=False
        )
        # The clock is kept with the data: weeks the last run posted stay posted, so :advance resumes from
        # where that run left the clock instead of from today (which would post nothing for weeks).
        self.clock_file = settings.db_path.with_name(settings.db_path.stem + ".clock")
        self.offset = _saved_offset(self.clock_file) if settings.db_path.exists() else timedelta(0)
        self.services = build_services(self.settings, clock=self.now)
        self.services.store.mark_as_console()  # the real modes refuse this file: it holds the demo
        self.app = create_app(self.settings, self.services)
        self.server = HttpServer(self.app, self.services, host="127.0.0.1", port=0).start()
        self.sender = SlackSender(self.server.events_url, secret, self.slack)
        self.names = {u.id: u.name for u in self.slack.users.values()} | self.slack.channels
        self.user = "U0ALICE"
        self.channel = "C0GENERAL"
        self.buttons: list[dict] = []
        self.last_blocks: list[dict] = []  # the last reply with buttons, to press them as Slack sends it
        self.said: list[tuple[str, dict]] = []  # (channel, message) typed in the console, for :react
        self.modal: dict | None = None  # the modal the app opened last, until it is submitted

    def now(self) -> datetime:
        """Real time plus however far :advance has moved it."""
        return datetime.now(timezone.utc) + self.offset

    def clock_line(self) -> str:
        ahead = f", {_days(self.offset)} ahead of real time (kept in {self.clock_file.name})" if self.offset >= timedelta(minutes=1) else ""
        return f"Console clock: {self.now():%a %d %b %Y %H:%M} UTC{ahead}"

    @property
    def prompt(self) -> str:
        return f"{self.names[self.user]} in #{self.names[self.channel]}> "

    def close(self) -> None:
        self.server.close()
        self.slack.stop()
        self.services.store.close()

    def handle(self, line: str) -> bool:
        """Run one line; False means the person asked to leave. Weekly posts due by then appear after it."""
        carry_on = self._handle(line.strip())
        self._post_due()
        return carry_on

    def _post_due(self) -> None:
        seen = len(self.slack.calls)
        poster.run_due(self.services, self.app.client, self.now())
        digest.run_due(self.services, self.app.client, self.now())
        for call in self.slack.calls[seen:]:
            if call.method in ("chat.postMessage", "files.completeUploadExternal"):
                self.buttons = []
                self._print(self._render(call))

    def _handle(self, line: str) -> bool:
        if not line:
            return True
        # ":clap: #ownership thanks" is a message that starts with an emoji, not a console command.
        if line.startswith(":") and not re.match(r":[\w+-]+:(\s|$)", line):
            return self._console_command(line)
        if not line.startswith("/"):
            self._say(line)
            return True
        command, _, text = line.partition(" ")
        if command != "/lp":
            # Slack itself answers a command no installed app has; it never reaches the bot.
            self._print(f"(Slack: {command} is not a command here. LP Bot's is /lp: try /lp help)")
            return True
        seen = len(self.slack.calls)
        sent = self.sender.command(self.encode_like_slack(text), user=self.user, channel=self.channel, command=command)
        self._show_outcome(sent, seen)
        return True

    def encode_like_slack(self, text: str) -> str:
        """What Slack sends for a command with should_escape: entities escaped, @name and #name as IDs."""
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        users = {u.name: f"<@{u.id}|{u.name}>" for u in self.slack.users.values()}
        users |= {handle: f"<!subteam^{gid}|@{handle}>" for gid, (handle, _) in self.slack.groups.items()}
        channels = {name: cid for cid, name in self.slack.channels.items()}
        text = re.sub(r"(?<![\w&])@([\w-]+)", lambda m: users.get(m.group(1), m.group(0)), text)
        return re.sub(
            r"(?<![\w&])#([\w-]+)", lambda m: f"<#{channels[m.group(1)]}|{m.group(1)}>" if m.group(1) in channels else m.group(0), text
        )

    def _console_command(self, line: str) -> bool:
        verb, _, arg = line[1:].partition(" ")
        arg = arg.strip().lstrip("#@")
        if verb in ("quit", "exit", "q"):
            return False
        if verb == "help":
            self._print(PROMPT_HELP)
        elif verb == "users":
            people = ", ".join(f"{u.name} ({u.id})" for u in self.slack.users.values() if not u.is_bot)
            rooms = ", ".join(f"#{name} ({cid})" for cid, name in self.slack.channels.items())
            self._print(f"Users: {people}\nChannels: {rooms}")
        elif verb == "as":
            found = next((u.id for u in self.slack.users.values() if arg.lower() in (u.name, u.id.lower())), None)
            if found:
                self.user = found
                self._print(f"You are now {self.names[found]}.")
            else:
                self._print(f"No demo user called {arg!r}; :users lists them.")
        elif verb == "in":
            found = next((cid for cid, name in self.slack.channels.items() if arg.lower() in (name, cid.lower())), None)
            if found:
                self.channel = found
                self._print(f"You are now in #{self.names[found]}.")
            else:
                self._print(f"No demo channel called {arg!r}; :users lists them.")
        elif verb == "click":
            self._click(arg)
        elif verb == "pick":
            self._press(arg, None)
        elif verb in ("edit", "delete"):
            self._change(arg, deleted=verb == "delete")
        elif verb in ("react", "unreact"):
            self._react(arg, removed=verb == "unreact")
        elif verb == "home":
            seen = len(self.slack.calls)
            self._show_outcome(self.sender.event({"type": "app_home_opened", "user": self.user, "tab": "home"}), seen)
        elif verb == "kudos":
            seen = len(self.slack.calls)
            self._show_outcome(self.sender.shortcut("give_kudos", user=self.user), seen)
        elif verb == "submit":
            self._submit(line[1:].partition(" ")[2])
        elif verb == "step":
            self._step(line[1:].partition(" ")[2])
        elif verb == "advance":
            step = re.fullmatch(r"(\d+)\s*([dhm])", arg)
            if not step:
                self._print("Say how far, for example :advance 7d, :advance 3h or :advance 30m.")
            else:
                unit = {"d": "days", "h": "hours", "m": "minutes"}[step.group(2)]
                self._advance(timedelta(**{unit: int(step.group(1))}))
                self._print(self.clock_line())
        elif verb == "now":
            self._print(self.clock_line())
        else:
            self._print(f"Unknown console command :{verb}; :help lists them.")
        return True

    def _advance(self, by: timedelta) -> None:
        """Move the clock on, stopping at each scheduled post on the way so none is skipped."""
        target = self.now() + by
        while True:
            moments = [
                schedule_time.next_run(schedule, self.now())
                for schedule in weekly_store.list_schedules(self.services.store.db, active_only=True)
            ] + digest.next_due_times(self.services, self.now())
            upcoming = min((m for m in moments if m <= target), default=None)
            if upcoming is None:
                break
            self.offset += upcoming - self.now()
            self._post_due()
        self.offset += target - self.now()
        _save_offset(self.clock_file, self.offset)

    def _submit(self, text: str) -> None:
        """Fill in the open modal as a person would: a part left empty keeps what the modal already shows
        (people from the card, the principle, the channel); @group names go in the group field."""
        if self.modal is None:
            self._print("No modal is open. Press a button that opens one, such as Recognize someone for this.")
            return
        parts = [part.strip() for part in text.split("|")]
        if len(parts) < 3:
            self._print(f"Fill it in as {_fill_in_hint(self.modal)} (leave a part empty to keep what the modal shows)")
            return
        who = self.encode_like_slack(parts[0])
        answers: dict[str, Any] = {"reason": parts[2]}
        if parts[0]:
            answers["recipients"] = USER_MENTION.findall(who)
            answers["groups"] = [(group_id, f"@{handle}") for group_id, handle in GROUP_MENTION.findall(who)]
        if parts[1]:
            found = match_principle(self.services.catalog, parts[1]).principle
            answers["principle"] = found.slug if found else None
        if len(parts) > 3 and parts[3]:
            channel = CHANNEL_MENTION.findall(self.encode_like_slack(parts[3]))
            answers["channel"] = channel[0][0] if channel else None
        seen = len(self.slack.calls)
        sent = self.sender.submit(self.modal, user=self.user, **answers)
        if sent.status == 200 and not sent.body.strip():
            self.modal = None  # an empty answer closes the modal, as in Slack
        self._show_outcome(sent, seen)

    def _step(self, text: str) -> None:
        """Run the Workflow Builder step as a workflow would, with you as its giver."""
        name, _, rest = text.partition(" ")
        parts = [part.strip() for part in rest.split("|")]
        if name != "kudos" or len(parts) < 3:
            self._print("Run the step as :step kudos @who [@who …] | principle | why [| #channel]")
            return
        channel = CHANNEL_MENTION.findall(self.encode_like_slack(parts[3])) if len(parts) > 3 else []
        inputs = {
            "giver": self.user,
            "recipients": USER_MENTION.findall(self.encode_like_slack(parts[0])),
            "principle": parts[1],
            "why": parts[2],
            "channel": channel[0][0] if channel else self.channel,
        }
        seen = len(self.slack.calls)
        self._show_outcome(self.sender.step("give_kudos", inputs, execution_id=f"Fx{secrets.token_hex(5).upper()}"), seen)

    def _say(self, text: str) -> None:
        seen = len(self.slack.calls)
        message, sent = self.sender.say(self.encode_like_slack(text), user=self.user, channel=self.channel)
        self.said.append((self.channel, message))
        emoji = self.services.settings.kudos_emoji
        self._print(
            f"(message {len(self.said)}: react to it with :react {len(self.said)} {emoji}, change it with :edit {len(self.said)} …)"
        )
        self._show_outcome(sent, seen, quiet=True)

    def _change(self, arg: str, deleted: bool) -> None:
        """Edit or delete one of your messages, as Slack sends it (message_changed, message_deleted)."""
        number, _, text = arg.partition(" ")
        if not number.isdigit() or not 1 <= int(number) <= len(self.said) or (not deleted and not text.strip()):
            usage = ":delete N" if deleted else ":edit N new text"
            self._print(f"Say which message, e.g. {usage} (messages so far: {len(self.said)}).")
            return
        channel, message = self.said[int(number) - 1]
        if message.get("user") != self.user:
            self._print("Only its author can change a message; :as the person who wrote it first.")
            return
        seen = len(self.slack.calls)
        if deleted:
            sent = self.sender.delete(message, channel=channel)
        else:
            sent = self.sender.edit(message, self.encode_like_slack(text.strip()), channel=channel)
            self.said[int(number) - 1] = (channel, {**message, "text": self.encode_like_slack(text.strip())})
        self._show_outcome(sent, seen)

    def _react(self, arg: str, removed: bool) -> None:
        number, _, emoji = arg.partition(" ")
        if not number.isdigit() or not 1 <= int(number) <= len(self.said) or not emoji.strip(": "):
            self._print(f"Say which message and emoji, e.g. :react 1 clap (messages so far: {len(self.said)}).")
            return
        channel, message = self.said[int(number) - 1]
        seen = len(self.slack.calls)
        sent = self.sender.react(emoji.strip(": "), message, user=self.user, channel=channel, removed=removed)
        self._show_outcome(sent, seen, quiet=True)

    def _click(self, arg: str) -> None:
        number, _, why = arg.partition(" ")
        if not number:
            self._print("Say which button, e.g. :click 1." if self.buttons else "The last reply has no buttons.")
            return
        if not number.isdigit() or not 1 <= int(number) <= len(self.buttons):
            self._print(f"There is no button {number!r} on the last reply." if self.buttons else "The last reply has no buttons.")
            return
        button = self.buttons[int(number) - 1]
        if any(b.get("type") == "input" for b in self.last_blocks):
            self._press(button.get("value", ""), why.strip() or None)
            return
        seen = len(self.slack.calls)
        sent = self.sender.click(button["action_id"], button.get("value", ""), user=self.user, channel=self.channel)
        self._show_outcome(sent, seen)

    def _press(self, value: str, why: str | None) -> None:
        """Press a button or choose an option on the last reply, as Slack sends it (with what was typed in its inputs)."""
        found = match_principle(self.services.catalog, value).principle if value else None
        slug = found.slug if found else value
        seen = len(self.slack.calls)
        try:
            sent = self.sender.press(self.last_blocks, slug, typed={"why": why} if why else None, user=self.user, channel=self.channel)
        except NoSuchControl:
            self._print("The last reply has no such choice.")
            return
        self._show_outcome(sent, seen)

    def _show_outcome(self, sent, seen: int, quiet: bool = False) -> None:
        if sent.status != 200:
            self._print(f"(Slack would show an error: the app answered HTTP {sent.status})")
            return
        if sent.body and sent.body.strip() not in ("", "{}"):
            # A reply in the HTTP response itself, as a modal's validation errors are.
            errors = sent.json().get("errors") if sent.body.startswith("{") else None
            if errors:
                lines = "\n".join(f"  {field}: {message}" for field, message in errors.items())
                self._print(f"── The modal stays open and shows ──\n{lines}")
                return
            if not (sent.body.startswith("{") and ("text" in sent.json() or "blocks" in sent.json())):
                self._print(f"── LP Bot answered directly ──\n{sent.body}")
            # A message in the acknowledgement (a lookup's answer) is shown below like any other reply.

        new = self._wait_for_replies(seen)
        if not new:
            if not quiet:  # a message or a reaction that is not a kudos gets no answer, as in Slack
                self._print("(no reply)")
            return
        self.buttons = []
        for call in new:
            if call.method == "views.open":
                self.modal = call.params.get("view")
            before = len(self.buttons)
            self._print(self._render(call))
            if len(self.buttons) > before or any(b.get("type") == "actions" for b in call.params.get("blocks") or []):
                self.last_blocks = call.params.get("blocks") or []

    def _render(self, call) -> str:
        if call.method != "files.completeUploadExternal":
            return render_call(call, self.names, self.buttons)
        # A terminal shows no pictures: the console keeps each one as a file beside the database.
        shared = call.response.get("files", []) if call.response and call.response.get("ok") else []
        lines = []
        folder = self.settings.db_path.parent / "console-pictures"
        folder.mkdir(parents=True, exist_ok=True)
        channel = call.params.get("channel_id", "")
        where = f"DM to {self.names.get(channel[1:], channel)}" if channel.startswith("D") else "#" + self.names.get(channel, channel)
        for item in shared:
            stored = self.slack.files.get(item["id"], {})
            path = folder / f"{item['id']}-{stored.get('filename', 'picture.png')}"
            path.write_bytes(stored.get("data", b""))
            lines += [f"── LP Bot shared a picture in {where}: {item['title']} ──", f"saved to {path}", f"({stored.get('alt_txt') or ''})"]
        return "\n".join(lines) or "── LP Bot could not share a picture ──"

    def _wait_for_replies(self, seen: int) -> list:
        def visible(calls):
            return [c for c in calls[seen:] if c.method in _VISIBLE]

        # The ack came back with the request; the listener may still be posting and DMing.
        # Every listener finishing is the moment the conversation is complete.
        self.services.listener_pool.wait_idle(_REPLIES_TIMEOUT)
        return visible(self.slack.calls)

    def _print(self, text: str) -> None:
        print(text, file=self.out, flush=True)


def run_console(settings: Settings, stdin: IO[str], out: IO[str]) -> int:
    console = Console(settings, out)
    interactive = stdin.isatty()
    history = settings.db_path.with_name("console_history")
    if interactive:
        _line_editing(history)
    try:
        if interactive:
            console._print(f"LP Bot local console, database {console.settings.db_path}.\n{PROMPT_HELP}\n")
            console._print(console.clock_line() + "\n")
        while True:
            if interactive:
                try:
                    line = input(console.prompt)
                except EOFError:
                    console._print("")
                    break
                except KeyboardInterrupt:
                    console._print("")
                    break
            else:
                line = stdin.readline()
                if not line:
                    break
                console._print(console.prompt + line.rstrip("\n"))
            if not console.handle(line):
                break
    finally:
        console.close()
        if interactive:
            _save_history(history)
    return 0


def _days(offset: timedelta) -> str:
    minutes = round(offset.total_seconds() / 60)
    days, hours, minutes = minutes // 1440, minutes % 1440 // 60, minutes % 60
    if days:
        return f"{days} day{'s' if days != 1 else ''}" + (f" {hours} h" if hours else "")
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def _saved_offset(clock_file: Path) -> timedelta:
    """How far the last run had moved the clock past real time (none when the file is missing or unreadable)."""
    try:
        return timedelta(seconds=float(clock_file.read_text().strip()))
    except (OSError, ValueError):
        return timedelta(0)


def _save_offset(clock_file: Path, offset: timedelta) -> None:
    try:
        clock_file.write_text(f"{offset.total_seconds():.0f}\n")
    except OSError:
        pass  # a read-only folder costs only the clock's memory across runs


def _line_editing(history: Path) -> None:
    """Arrow keys, editing and history (kept in `history`) at the prompt, where readline exists."""
    try:
        import readline
    except ImportError:  # Windows without pyreadline: plain input still works
        return
    try:
        readline.read_history_file(history)
    except OSError:
        pass  # no history yet
    readline.set_history_length(1000)


def _save_history(history: Path) -> None:
    try:
        import readline

        readline.write_history_file(history)
    except (ImportError, OSError):
        pass
