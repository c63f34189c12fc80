"""Modal forms: one-line prompts (block reason, agent) and the issue form (new / edit).

Validation uses the store's own rules, shows the problem next to the field and keeps what the user
typed; nothing is written until the values are valid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static, TextArea

from ..widgets.inputs import OrderedInput, OwnBindingsFirst

from store import IssueType, Priority, ValidationError
from store.issues import validate_agent, validate_description, validate_title

from ..text import visible


class OrderedTextArea(OwnBindingsFirst, TextArea):
    """A TextArea whose editing keys cannot be overtaken by the letters typed after them (see widgets/inputs)."""


def no_blink(screen) -> None:
    """Honour the app's cursor_blink setting (snapshot tests turn blinking off)."""
    if not getattr(screen.app, "cursor_blink", True):
        for widget in screen.query("Input, TextArea"):
            widget.cursor_blink = False


class PromptScreen(ModalScreen[str | None]):
    """Ask for one line of text. Enter saves (if `validate` accepts it), Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]

    def __init__(self, title: str, *, value: str = "", placeholder: str = "",
                 validate: Callable[[str], str] | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.placeholder = placeholder
        self.validate = validate

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Content(self.title_text), id="dialog-question")
            # DB text goes into the Input with its controls made visible (Input passes ESC to the terminal).
            yield OrderedInput(value=visible(self.value), placeholder=self.placeholder, id="prompt-input")
            yield Static("", id="prompt-error", classes="field-error")
            yield Static(Content("enter saves · escape cancels"), classes="hint")

    def on_mount(self) -> None:
        no_blink(self)
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value
        if self.value and value == visible(self.value):
            value = self.value  # untouched: keep the stored text as it is
        if self.validate is not None:
            try:
                value = self.validate(value)
            except ValidationError as exc:
                self.query_one("#prompt-error", Static).update(Content(exc.message))
                return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass
class IssueFormResult:
    title: str
    description: str
    priority: Priority
    issue_type: IssueType
    agent: str


class IssueForm(ModalScreen[IssueFormResult | None]):
    """New issue (`n`) or edit (`e`). Title is focused; ctrl+s or Enter in the title saves."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="form.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
    ]

    def __init__(self, heading: str, *, title: str = "", description: str = "",
                 priority: Priority = Priority.MEDIUM, issue_type: IssueType = IssueType.TASK,
                 agent: str = "codex", edit_only_text: bool = False) -> None:
        super().__init__()
        self.heading = heading
        self.initial = IssueFormResult(title, description, priority, issue_type, agent)
        self.edit_only_text = edit_only_text

    def compose(self) -> ComposeResult:
        init = self.initial
        with Vertical(id="form"):
            yield Static(Content(self.heading), id="form-heading")
            yield Label("Title")
            yield OrderedInput(value=_shown_title(init.title), placeholder="what needs doing (max 200 characters)", id="form-title")
            yield Static("", id="error-title", classes="field-error")
            yield Label("Description (Markdown)")
            yield OrderedTextArea(visible(init.description, multiline=True), id="form-description", soft_wrap=True, show_line_numbers=False)
            yield Static("", id="error-description", classes="field-error")
            with Horizontal(id="form-row"):
                with Vertical():
                    yield Label("Priority")
                    yield Select([(p.value, p) for p in Priority], value=init.priority, allow_blank=False,
                                 id="form-priority", disabled=self.edit_only_text)
                with Vertical():
                    yield Label("Type")
                    yield Select([(t.value, t) for t in IssueType], value=init.issue_type, allow_blank=False,
                                 id="form-type", disabled=self.edit_only_text)
                with Vertical():
                    yield Label("Agent")
                    yield OrderedInput(value=visible(init.agent), id="form-agent", disabled=self.edit_only_text)
                    yield Static("", id="error-agent", classes="field-error")
            yield Static(Content("ctrl+s or enter in the title saves · escape cancels"), classes="hint")

    def on_mount(self) -> None:
        no_blink(self)
        self.query_one("#form-title", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def _errors(self) -> tuple[IssueFormResult | None, dict[str, str]]:
        errors: dict[str, str] = {}
        title = self.query_one("#form-title", Input).value
        description = self.query_one("#form-description", TextArea).text
        agent = self.query_one("#form-agent", Input).value
        # The fields show DB text with its controls made visible; a field left as shown keeps the stored text.
        init = self.initial
        title = init.title if title == _shown_title(init.title) else title
        description = init.description if description == visible(init.description, multiline=True) else description
        agent = init.agent if agent == visible(init.agent) else agent
        checks = (("title", validate_title, title), ("description", validate_description, description),
                  ("agent", validate_agent, agent))
        clean = {}
        for name, check, value in checks:
            if self.edit_only_text and value == getattr(init, name):
                clean[name] = value  # stored text left as it is: kept, not re-validated or stripped
                continue
            try:
                clean[name] = check(value)
            except ValidationError as exc:
                errors[name] = exc.message
        if errors:
            return None, errors
        return IssueFormResult(clean["title"], clean["description"] or "",
                               self.query_one("#form-priority", Select).value,
                               self.query_one("#form-type", Select).value, clean["agent"]), {}

    def action_save(self) -> None:
        result, errors = self._errors()
        for name in ("title", "description", "agent"):
            message = errors.get(name, "")
            self.query_one(f"#error-{name}", Static).update(Content(f"{name} {message}" if message else ""))
        if result is not None:
            self.dismiss(result)

    def action_cancel(self) -> None:
        self.dismiss(None)


TITLE_FIELD_LIMIT = 2_000  # a title the crate let in may be 10 MB; the field shows (and a save keeps) it cut


def _shown_title(title: str) -> str:
    return visible(title, limit=TITLE_FIELD_LIMIT)
