"""docs: every CLI command and option is documented, in --help and in the README."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from factcmp.cli import cli
from factcmp.report.schema import SCHEMA_VERSION

README = Path(__file__).parent.parent / "README.md"
COMMANDS = sorted(cli.commands)

needs_readme = pytest.mark.skipif(not README.exists(), reason="README.md not written yet")


def readme() -> str:
    return README.read_text(encoding="utf-8")


def options(command: click.Command) -> list[click.Option]:
    return [p for p in command.params if isinstance(p, click.Option) and p.name != "help"]


def test_there_are_commands() -> None:
    assert {"compare", "query"} <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_command_has_help(name: str) -> None:
    command = cli.commands[name]
    assert command.help and len(command.help.strip()) > 20
    for option in options(command):
        assert option.help, f"{name} {option.opts} has no help text"
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    assert "Example: factcmp " + name in " ".join(result.stdout.split())


def test_group_options_have_help() -> None:
    for option in options(cli):
        assert option.help, f"{option.opts} has no help text"


@needs_readme
@pytest.mark.parametrize("name", COMMANDS)
def test_command_in_readme(name: str) -> None:
    assert re.search(rf"factcmp {name}\b", readme()), f"README does not show `factcmp {name}`"


@needs_readme
@pytest.mark.parametrize(
    ("name", "flag"),
    [(name, opt.opts[0]) for name in COMMANDS for opt in options(cli.commands[name])],
)
def test_option_in_readme(name: str, flag: str) -> None:
    assert flag in readme(), f"README does not mention {flag} (factcmp {name})"


@needs_readme
def test_readme_documents_the_schema_version() -> None:
    text = readme()
    assert "schema_version" in text
    assert SCHEMA_VERSION in text
