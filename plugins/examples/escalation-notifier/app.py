"""Escalation notifier: when a ticket misses a deadline, tell the district's supervisors.

Implements the `event-listener` world of civitas:plugin@0.1.0. On `ticket.escalated` events it
tags the ticket `overdue`, notifies the supervising department and, if the district wrote one,
leaves an apology on the ticket's timeline. Config:

    {"supervisor_department": "dep_5", "levels": [1, 2],
     "comment": "Sorry for the delay: a supervisor has been told."}

`levels` (1 = response deadline missed, 2 = resolution deadline missed) and `comment` are
optional; by default both levels notify and no comment is left. Other events get no actions.
"""

import json
from typing import List

import wit_world
from componentize_py_types import Err
from wit_world.imports import host
from wit_world.imports.types import (
    Action,
    Action_AddComment,
    Action_AddTag,
    Action_NotifyDepartment,
    DomainEvent,
    PluginError,
)


def bad_config(message: str) -> Err:
    return Err(PluginError(code="bad-config", message=message))


def read_config() -> dict:
    try:
        config = json.loads(host.config())
    except ValueError as error:
        raise bad_config(f"config is not JSON: {error}")
    supervisor = config.get("supervisor_department")
    if not isinstance(supervisor, str) or not supervisor.startswith("dep_"):
        raise bad_config('config needs "supervisor_department": "dep_..."')
    levels = config.get("levels", [1, 2])
    if not isinstance(levels, list) or not all(level in (1, 2) for level in levels):
        raise bad_config('"levels" is a list of 1 (response) and 2 (resolution)')
    comment = config.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise bad_config('"comment" is a string')
    return {"supervisor": supervisor, "levels": levels, "comment": comment}


class WitWorld(wit_world.WitWorld):
    def on_event(self, event: DomainEvent) -> List[Action]:
        if event.kind != "ticket.escalated":
            return []
        config = read_config()
        try:
            details = json.loads(event.payload)
            level = int(details["level"])
            reason = str(details.get("reason", "deadline missed"))
        except (ValueError, KeyError, TypeError) as error:
            raise Err(PluginError(code="bad-event", message=f"unexpected escalation payload: {error}"))
        if level not in config["levels"]:
            return []
        host.log(host.Level.INFO, f"{event.subject}: {reason}; notifying {config['supervisor']}")
        actions: List[Action] = [
            Action_AddTag("overdue"),
            Action_NotifyDepartment((config["supervisor"], f"Ticket {event.subject}: {reason}.")),
        ]
        if config["comment"]:
            actions.append(Action_AddComment(config["comment"]))
        return actions
