"""One notification, written once and rendered for each service: Slack's Block Kit and a
Microsoft Teams Adaptive Card message (what Teams incoming webhooks and Workflows accept).
Pure functions: no database, no translation (the caller renders the text in the channel's
language)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ADAPTIVE_CARD_VERSION = "1.4"
ADAPTIVE_CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
SLACK_MAX_FIELDS = 10  # Block Kit allows at most ten fields in a section


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Notice:
    """What a message says: a title, a line of text, facts (label, value), linked lines
    (several items at once) and the button that opens the item."""

    title: str
    text: str = ""
    facts: list[tuple[str, str]] = field(default_factory=list)
    lines: list[Link] = field(default_factory=list)
    more: str = ""
    button: Link | None = None
    language: str = "en"


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_link(link: Link) -> str:
    label = _slack_escape(link.label).replace("|", "¦")
    return f"<{link.url}|{label}>"


def slack(notice: Notice) -> dict[str, Any]:
    """Block Kit: ``text`` is the fallback shown in notifications; ``blocks`` the message."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": notice.title[:150]}}
    ]
    section: dict[str, Any] = {"type": "section"}
    if notice.text:
        section["text"] = {"type": "mrkdwn", "text": _slack_escape(notice.text)[:3000]}
    if notice.facts:
        section["fields"] = [
            {"type": "mrkdwn", "text": f"*{_slack_escape(label)}*\n{_slack_escape(value)}"[:2000]}
            for label, value in notice.facts[:SLACK_MAX_FIELDS]
        ]
    if len(section) > 1:
        blocks.append(section)
    if notice.lines:
        text = "\n".join(f"• {_slack_link(line)}" for line in notice.lines)
        if notice.more:
            text += f"\n{_slack_escape(notice.more)}"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}})
    fallback = notice.title
    if notice.button is not None:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": notice.button.label[:75]},
                        "url": notice.button.url,
                        "style": "primary",
                    }
                ],
            }
        )
        fallback += f": {notice.button.url}"
    return {"text": fallback, "blocks": blocks}


def _markdown_link(link: Link) -> str:
    label = link.label.replace("[", "(").replace("]", ")")
    return f"[{label}]({link.url})"


def teams(notice: Notice) -> dict[str, Any]:
    """A message with one Adaptive Card attachment (schema 1.4, what Teams renders)."""
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": notice.title,
            "weight": "Bolder",
            "size": "Medium",
            "wrap": True,
        }
    ]
    if notice.text:
        body.append({"type": "TextBlock", "text": notice.text, "wrap": True})
    if notice.facts:
        body.append(
            {
                "type": "FactSet",
                "facts": [{"title": label, "value": value} for label, value in notice.facts],
            }
        )
    for line in notice.lines:
        body.append(
            {
                "type": "TextBlock",
                "text": f"- {_markdown_link(line)}",
                "wrap": True,
                "spacing": "Small",
            }
        )
    if notice.more:
        body.append({"type": "TextBlock", "text": notice.more, "wrap": True, "isSubtle": True})
    card: dict[str, Any] = {
        "$schema": ADAPTIVE_CARD_SCHEMA,
        "type": "AdaptiveCard",
        "version": ADAPTIVE_CARD_VERSION,
        "lang": notice.language,
        "body": body,
        "msteams": {"width": "Full"},
    }
    if notice.button is not None:
        card["actions"] = [
            {"type": "Action.OpenUrl", "title": notice.button.label, "url": notice.button.url}
        ]
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


def render(service: str, notice: Notice) -> dict[str, Any]:
    return teams(notice) if service == "teams" else slack(notice)
