"""Test data for the accounts tests."""
from __future__ import annotations

from marketplace.accounts import services as accounts

PROFILE = {"name": "长白山天池实验室", "org_type": "institute", "region": "210000",
           "description": "寒区生态与新材料研究", "website": "https://tianchi.example.cn"}


def user(email: str):
    """The user with this e-mail, in the current session."""
    return accounts.find_user_by_email(email)
