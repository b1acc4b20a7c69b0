"""Helpers of the server tests: a free port, a bearer-token auth for requests, the served demo."""

from __future__ import annotations

import socket
from dataclasses import dataclass

import requests

from sharing.server.context import ServerContext


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Bearer(requests.auth.AuthBase):
    """``Authorization: Bearer <token>``, as a TAXII client is configured."""

    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


@dataclass
class Served:
    ctx: ServerContext
    tokens: dict[str, str]
    base: str

    @property
    def members(self) -> dict[str, str]:
        return dict(self.ctx.extra["members"])

    def token_of(self, tier: str) -> str:
        return self.tokens[self.members[tier]]

    @property
    def discovery(self) -> str:
        return f"{self.base}/taxii2/"

    def collection_url(self, alias: str = "verified") -> str:
        return f"{self.base}/taxii2/alliance/collections/{alias}/"


