"""docs/interfaces.md is the contract others drive the program by: every command and every option
the parser has is written there, so a new one cannot land undocumented."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli import build_parser

DOC = (Path(__file__).parents[2] / "docs" / "interfaces.md").read_text(encoding="utf-8")


def _commands(
    parser: argparse.ArgumentParser, prefix: str = ""
) -> dict[str, argparse.ArgumentParser]:
    """Every (sub)command's parser by its full name (`profile save`, `okta verify`)."""
    found: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                full = f"{prefix}{name}"
                nested = _commands(child, full + " ")
                found.update(nested or {full: child})
    return found


def test_every_command_is_in_the_contract() -> None:
    commands = _commands(build_parser())
    assert {"check", "members", "confirm", "profile save", "okta verify"} <= set(commands)
    for name in commands:
        assert (
            f"`scim-assistant {name}" in DOC or f"`{name}" in DOC or f"/ `{name.split()[-1]}" in DOC
        ), name


def test_every_option_is_in_the_contract() -> None:
    parsers = {"": build_parser(), **_commands(build_parser())}
    for name, parser in parsers.items():
        for action in parser._actions:
            for option in action.option_strings:
                if option.startswith("--") and option != "--help":
                    assert option in DOC, f"{name or 'scim-assistant'} {option}"
