"""School-area deadline policy: tickets on streets near schools must be resolved within 24 hours.

Implements the `deadline-policy` world of civitas:plugin@0.1.0. The district's config names the
school-area streets (their IDs) and, optionally, the number of hours:

    {"school_streets": ["str_12", "str_13"], "resolve_within_hours": 24}

A ticket tagged `school-area` (for instance by a router) counts as well.
"""

import json

import wit_world
from componentize_py_types import Err
from wit_world.imports import host
from wit_world.imports.types import DeadlineOverride, DispatchedTicket, PluginError

HOUR_MS = 3_600_000


def read_config() -> tuple[set[str], int]:
    try:
        config = json.loads(host.config())
        streets = set(config["school_streets"])
        hours = int(config.get("resolve_within_hours", 24))
    except (ValueError, KeyError, TypeError) as error:
        raise Err(PluginError(code="bad-config", message=f"expected school_streets: {error}"))
    if not 1 <= hours <= 24 * 30:
        raise Err(PluginError(code="bad-config", message=f"resolve_within_hours out of range: {hours}"))
    return streets, hours


class WitWorld(wit_world.WitWorld):
    def deadlines(self, ticket: DispatchedTicket) -> DeadlineOverride:
        streets, hours = read_config()
        if ticket.street not in streets and "school-area" not in ticket.tags:
            return DeadlineOverride(respond_by=None, resolve_by=None)
        # Only ever tighten: a category that is already faster keeps its own deadline.
        resolve_by = min(ticket.resolve_by, ticket.dispatched_at + hours * HOUR_MS)
        respond_by = min(ticket.respond_by, resolve_by)
        host.log(host.Level.INFO, f"school area: resolve within {hours} h")
        return DeadlineOverride(respond_by=respond_by, resolve_by=resolve_by)
