"""What admins may change and the refusal that says so."""

from __future__ import annotations

# What each admin command changes, and what anyone may do instead: the refusal says both.
ADMIN_SUBJECTS = {
    "schedule": ("weekly posts", "try `/lp week` to see this week's principle"),
    "digest": ("the monthly digest", "try `/lp insights` to see the figures yourself"),
    "leaderboards": ("where leaderboards are shown", "try `/lp stats` for your own kudos"),
}


def admins_only(subject: str) -> str:
    what, instead = ADMIN_SUBJECTS[subject]
    return f"Only workspace admins and the people listed in LPBOT_ADMINS can change {what}. Ask one of them, or {instead}."
