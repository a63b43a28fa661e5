"""How much work each measurement of a run does: the quick settings and the full ones."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    """How much work each measurement does."""

    rounds: int  # timed passes over the query mix (after one untimed warm-up pass)
    cold_samples: int  # fresh interpreters started, each timed to its first answer
    http_connections: int  # concurrent keep-alive connections of the load generator
    http_trivial_requests: int  # requests to /healthz, the ceiling of the stack
    http_mix_requests: int  # requests of each cycling mix (/search, /api/v1/search)
    http_unique_requests: int  # never-repeated queries to each endpoint
    http_max_seconds: float  # the bound on each load run, in seconds
    server_threads: int = 8  # waitress threads of `atlas serve`


QUICK = Settings(
    rounds=3,
    cold_samples=2,
    http_connections=32,
    http_trivial_requests=2000,
    http_mix_requests=800,
    http_unique_requests=200,
    http_max_seconds=12,
)
FULL = Settings(
    rounds=5,
    cold_samples=3,
    http_connections=32,
    http_trivial_requests=5000,
    http_mix_requests=3000,
    http_unique_requests=600,
    http_max_seconds=60,
)
