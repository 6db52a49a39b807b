"""``feedtool completion SHELL``: a completion script for bash, zsh or fish.

Generated from the argparse parser itself (every command, every option, the
choices of ``--format`` and friends, file and folder arguments), so it cannot
drift from the command line: a new option is completed as soon as it exists.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

from feedtool.errors import ExitCode

SHELLS = ("bash", "zsh", "fish")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "completion",
        help="print a shell completion script (bash, zsh, fish)",
        description="Print a completion script for SHELL, generated from feedtool's own parser. "
        "bash: source <(feedtool completion bash), or save it as "
        "~/.local/share/bash-completion/completions/feedtool; zsh: save it as _feedtool in a folder "
        "of $fpath (or source it after compinit); fish: save it as "
        "~/.config/fish/completions/feedtool.fish.",
    )
    parser.add_argument("shell", choices=SHELLS, metavar="SHELL", help="bash, zsh or fish")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> ExitCode:
    from feedtool.cli import make_parser  # the whole command line, every command registered

    sys.stdout.write(GENERATORS[args.shell](describe(make_parser(lazy=False))))
    return ExitCode.OK


# --- what the parser says -------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    flags: tuple[str, ...]  # "-q", "--quiet"
    help: str
    takes_value: bool
    choices: tuple[str, ...] = ()
    kind: str = ""  # "file", "dir" or "" for a value that is neither


@dataclass(frozen=True)
class Positional:
    name: str
    help: str
    choices: tuple[str, ...] = ()
    kind: str = "file"


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    options: tuple[Option, ...]
    positionals: tuple[Positional, ...] = ()


@dataclass(frozen=True)
class CommandLine:
    prog: str
    options: tuple[Option, ...]
    commands: tuple[Command, ...] = field(default_factory=tuple)


def _help(action: argparse.Action) -> str:
    text = action.help if isinstance(action.help, str) and action.help != argparse.SUPPRESS else ""
    text = text.replace("%(default)s", str(action.default)).replace("%%", "%")
    return " ".join(text.split())


def _kind(action: argparse.Action) -> str:
    metavar = action.metavar if isinstance(action.metavar, str) else ""
    if metavar == "DIR":
        return "dir"
    if metavar in ("FILE", "FEED", "OLD", "NEW", "SOURCE") or action.type is Path:
        return "file"
    return ""


def _options(parser: argparse.ArgumentParser) -> tuple[Option, ...]:
    out = []
    for action in parser._actions:
        if not action.option_strings or action.help == argparse.SUPPRESS:
            continue
        takes_value = action.nargs != 0
        choices = tuple(str(c) for c in action.choices) if action.choices else ()
        out.append(Option(tuple(action.option_strings), _help(action), takes_value, choices, _kind(action)))
    return tuple(out)


def describe(parser: argparse.ArgumentParser) -> CommandLine:
    """Every command and option of ``parser`` (the ``feedtool`` parser), in order."""
    commands = []
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        helps = {a.dest: _help(a) for a in action._choices_actions}
        for name, sub in action.choices.items():
            positionals = tuple(
                Positional(
                    a.dest,
                    _help(a),
                    tuple(str(c) for c in a.choices) if a.choices else (),
                    "" if a.choices else (_kind(a) or "file"),
                )
                for a in sub._actions
                if not a.option_strings
            )
            commands.append(Command(name, helps.get(name, ""), _options(sub), positionals))
    return CommandLine(parser.prog, _options(parser), tuple(commands))


# --- bash -----------------------------------------------------------------------------------------


def _words(items: tuple[str, ...] | list[str]) -> str:
    return " ".join(items)


def _bash_values(options: tuple[Option, ...], prefix: str) -> list[str]:
    """``case`` arms completing an option's value."""
    arms = []
    for option in options:
        if not option.takes_value:
            continue
        if option.choices:
            reply = f'COMPREPLY=($(compgen -W "{_words(option.choices)}" -- "$cur"))'
        elif option.kind == "dir":
            reply = 'COMPREPLY=($(compgen -d -- "$cur"))'
        elif option.kind == "file":
            reply = 'COMPREPLY=($(compgen -f -- "$cur"))'
        else:
            reply = "COMPREPLY=()"
        patterns = "|".join(f"{prefix}:{flag}" for flag in option.flags)
        arms.append(f"        {patterns}) {reply}; return 0 ;;")
    return arms


def bash(line: CommandLine) -> str:
    names = [c.name for c in line.commands]
    value_arms = _bash_values(line.options, "")
    command_arms = []
    for command in line.commands:
        value_arms += _bash_values(command.options, command.name)
        flags = [flag for option in command.options for flag in option.flags]
        choices = [c for p in command.positionals for c in p.choices]
        words = _words(flags)
        if choices:
            body = (
                f'if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "{words}" -- "$cur")); '
                f'else COMPREPLY=($(compgen -W "{_words(choices)}" -- "$cur")); fi'
            )
        elif command.positionals:
            body = f'if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "{words}" -- "$cur")); fi'
        else:
            body = f'COMPREPLY=($(compgen -W "{words}" -- "$cur"))'
        command_arms.append(f"        {command.name}) {body} ;;")
    global_flags = [flag for option in line.options for flag in option.flags]
    return "\n".join(
        [
            f"# bash completion for {line.prog}: generated by `{line.prog} completion bash`",
            f"# use: source <({line.prog} completion bash)",
            f"_{line.prog}() {{",
            '    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" cmd="" i',
            "    COMPREPLY=()",
            "    for ((i = 1; i < COMP_CWORD; i++)); do",
            '        case "${COMP_WORDS[i]}" in',
            f'            {"|".join(names)}) cmd="${{COMP_WORDS[i]}}"; break ;;',
            "        esac",
            "    done",
            '    case "$cmd:$prev" in',
            *value_arms,
            "    esac",
            '    case "$cmd" in',
            f'        "") COMPREPLY=($(compgen -W "{_words(global_flags + names)}" -- "$cur")) ;;',
            *command_arms,
            "    esac",
            "    return 0",
            "}",
            f"complete -o default -F _{line.prog} {line.prog}",
            "",
        ]
    )


# --- zsh ------------------------------------------------------------------------------------------


def _zsh_quote(text: str) -> str:
    """A description in a single-quoted _arguments spec (``--opt[description]``) or _describe item
    (``name:description``): quotes closed and reopened, brackets made parentheses."""
    return text.replace("'", "'\\''").replace("[", "(").replace("]", ")")


def _zsh_option(option: Option) -> str:
    description = _zsh_quote(option.help)
    if option.takes_value:
        if option.choices:
            action = f"({' '.join(option.choices)})"
        elif option.kind == "dir":
            action = "_files -/"
        elif option.kind == "file":
            action = "_files"
        else:
            action = " "
        value = f":{option.flags[-1].lstrip('-')}:{action}"
    else:
        value = ""
    if len(option.flags) == 1:
        return f"'{option.flags[0]}[{description}]{value}'"
    exclusive = " ".join(option.flags)
    return f"'({exclusive})'{{{','.join(option.flags)}}}'[{description}]{value}'"


def _zsh_positional(index: int, positional: Positional) -> str:
    if positional.choices:
        action = f"({' '.join(positional.choices)})"
    elif positional.kind == "dir":
        action = "_files -/"
    else:
        action = "_files"
    return f"'{index}:{_zsh_quote(positional.name)}:{action}'"


def zsh(line: CommandLine) -> str:
    fn = f"_{line.prog}"
    out = [
        f"#compdef {line.prog}",
        f"# zsh completion for {line.prog}: generated by `{line.prog} completion zsh`",
        f"# use: save as {fn} in a folder of $fpath, or source it after compinit",
        f"{fn}() {{",
        "    local curcontext=$curcontext state line",
        "    typeset -A opt_args",
        "    _arguments -C \\",
        *[f"        {_zsh_option(o)} \\" for o in line.options],
        "        '1: :->command' \\",
        "        '*:: :->args'",
        "    case $state in",
        "        command)",
        "            local -a commands",
        "            commands=(",
        *[f"                '{c.name}:{_zsh_quote(c.help)}'" for c in line.commands],
        "            )",
        "            _describe -t commands command commands",
        "            ;;",
        "        args)",
        "            case $line[1] in",
    ]
    for command in line.commands:
        specs = [_zsh_option(o) for o in command.options]
        specs += [_zsh_positional(i, p) for i, p in enumerate(command.positionals, 1)]
        out.append(f"                {command.name})")
        out.append("                    _arguments \\")
        out += [f"                        {spec} \\" for spec in specs[:-1]]
        out.append(f"                        {specs[-1]}" if specs else "                        ''")
        out.append("                    ;;")
    out += [
        "            esac",
        "            ;;",
        "    esac",
        "}",
        f'if [ "$funcstack[1]" = "{fn}" ]; then',
        f'    {fn} "$@"',
        "else",
        f"    compdef {fn} {line.prog}",
        "fi",
        "",
    ]
    return "\n".join(out)


# --- fish -----------------------------------------------------------------------------------------


def _fish_quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _fish_option(prog: str, condition: str, option: Option) -> str:
    parts = [f"complete -c {prog} -n {_fish_quote(condition)}"]
    for flag in option.flags:
        if flag.startswith("--"):
            parts.append(f"-l {flag[2:]}")
        else:
            parts.append(f"-s {flag[1:]}")
    if option.takes_value:
        if option.choices:
            parts.append(f"-x -a {_fish_quote(' '.join(option.choices))}")
        elif option.kind == "dir":
            parts.append("-x -a '(__fish_complete_directories)'")
        elif option.kind == "file":
            parts.append("-r -F")
        else:
            parts.append("-x")
    if option.help:
        parts.append(f"-d {_fish_quote(option.help)}")
    return " ".join(parts)


def fish(line: CommandLine) -> str:
    prog = line.prog
    out = [
        f"# fish completion for {prog}: generated by `{prog} completion fish`",
        f"# use: save as ~/.config/fish/completions/{prog}.fish",
        f"complete -c {prog} -f",
    ]
    out += [_fish_option(prog, "__fish_use_subcommand", o) for o in line.options]
    for command in line.commands:
        out.append(
            f"complete -c {prog} -n '__fish_use_subcommand' -a {command.name} -d {_fish_quote(command.help)}"
        )
    for command in line.commands:
        condition = f"__fish_seen_subcommand_from {command.name}"
        out += [_fish_option(prog, condition, o) for o in command.options]
        for positional in command.positionals:
            if positional.choices:
                out.append(
                    f"complete -c {prog} -n {_fish_quote(condition)} -x -a "
                    f"{_fish_quote(' '.join(positional.choices))}"
                )
            else:
                out.append(f"complete -c {prog} -n {_fish_quote(condition)} -F")
    out.append("")
    return "\n".join(out)


GENERATORS = {"bash": bash, "zsh": zsh, "fish": fish}
