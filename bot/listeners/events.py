"""Events Slack sends without anyone typing a command."""

from __future__ import annotations

from slack_bolt import App

from bot import blocks
from bot.services import Services


def register(app: App, services: Services) -> None:
    @app.event("app_home_opened")
    def publish_home(event, client):
        if event.get("tab") == "home":
            client.views_publish(user_id=blocks.checked_user_id(event["user"]), view=blocks.home_view(services.catalog))
