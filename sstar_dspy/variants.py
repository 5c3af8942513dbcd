"""Prompt variants as data: saved program states with a layout check.

A variant is a JSON file (``signatures/<name>.json``) holding what optimizers change in an
:class:`~sstar_dspy.program.SStar` program: per predictor, its instructions, field descriptions and
demos. It is DSPy's own ``program.save()`` state (so ``program.load(path)`` also works) plus an
``sstar_dspy`` block with a format version, the package version, and the **field names of every
predictor's signature**. DSPy restores fields by position, so loading a variant into a program
whose signatures changed would silently misalign prompts; :func:`load_variant` compares the saved
layout with the program's and refuses a mismatch with one :class:`~sstar_dspy.errors.VariantError`
line. Variants never contain an LM, an endpoint or a key: LMs are injected at run time.

The block also records the program's **prompt form** (``prompt_form``: ``chat``, ``code`` or
``code-reasoning``, see :mod:`sstar_dspy.adapters.forms`): a variant's instructions and demos were written
for one form, so loading restores it (:func:`load_variant` builds the program in that form,
:func:`apply_variant` switches an existing program to it); files saved before forms existed load as ``chat``.
Asking for a different form explicitly is refused with one line.

``"paper"`` is the code's defaults (the paper's prompts plus the format demos of :mod:`sstar_dspy.format_demos`);
from the code by :func:`save_variant` and kept in sync by a test.

Example (a fresh process; the one-liner to reuse an optimized program):
    >>> import sstar_dspy
    >>> program = sstar_dspy.load_variant("paper", n=4, rounds=1)  # doctest: +SKIP
    >>> program(problem=problem).program  # doctest: +SKIP
"""

from __future__ import annotations

import json
import logging
import os
import re
from pathlib import Path
from typing import Any

import dspy
from pydantic import BaseModel, Field

from sstar_dspy.adapters.forms import DEFAULT_FORM, LEGACY_FORM, PromptForm, parse_form
from sstar_dspy.errors import SStarError, VariantError
from sstar_dspy.program import SStar

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
PAPER = "paper"
_BLOCK = "sstar_dspy"
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_REPO_SIGNATURES = Path(__file__).resolve().parent.parent / "signatures"


class PredictorLayout(BaseModel):
    """The signature layout of one predictor: what DSPy's positional restore depends on."""

    inputs: list[str]
    outputs: list[str]


class VariantInfo(BaseModel):
    """The ``sstar_dspy`` block of a variant file.

    Attributes:
        format_version: Version of this file format (refused when newer than the reader's).
        package_version: sstar_dspy version that wrote the file.
        name: Variant name.
        description: Free text (what it is, how it was made).
        layout: Per-predictor signature layout, by predictor path.
        provenance: How it was produced (optimizer, settings, train/val ids, scores, command).
        prompt_form: The prompt form of ``generate``/``debug`` the prompts were written for (absent in
            files saved before forms existed: ``chat``).
    """

    format_version: int
    package_version: str
    name: str
    description: str = ""
    layout: dict[str, PredictorLayout]
    provenance: dict[str, Any] = Field(default_factory=dict)
    prompt_form: str = LEGACY_FORM.value


def signature_layout(program: dspy.Module) -> dict[str, PredictorLayout]:
    """Field names of every predictor's signature, in order, keyed by predictor path.

    Example:
        >>> import dspy
        >>> class QA(dspy.Module):
        ...     def __init__(self):
        ...         self.answer = dspy.Predict("question -> answer")
        >>> signature_layout(QA())["answer"].inputs
        ['question']
    """
    return {
        name: PredictorLayout(
            inputs=list(predictor.signature.input_fields),
            outputs=list(predictor.signature.output_fields),
        )
        for name, predictor in program.named_predictors()
    }


def default_signatures_dir() -> Path:
    """Where variants are written by default: ``$SSTAR_SIGNATURES_DIR`` or ``./signatures``."""
    env = os.environ.get("SSTAR_SIGNATURES_DIR")
    return Path(env) if env else Path.cwd() / "signatures"


def _search_dirs() -> list[Path]:
    dirs = [default_signatures_dir(), _REPO_SIGNATURES]
    unique: list[Path] = []
    for d in dirs:
        if d.resolve() not in [u.resolve() for u in unique]:
            unique.append(d)
    return unique


def _looks_like_path(ref: str | Path) -> bool:
    text = str(ref)
    return isinstance(ref, Path) or text.endswith(".json") or "/" in text or os.sep in text


def resolve_variant_path(ref: str | Path) -> Path:
    """Find a variant file from a path or a name (searched in ``$SSTAR_SIGNATURES_DIR``, ``./signatures``, the repo).

    Raises:
        VariantError: When no such file exists.
    """
    if _looks_like_path(ref):
        path = Path(ref)
        if not path.is_file():
            raise VariantError(f"variant file {path} does not exist; pass a .json saved by `sstar optimize`")
        return path
    for directory in _search_dirs():
        candidate = directory / f"{ref}.json"
        if candidate.is_file():
            return candidate
    looked = ", ".join(str(d) for d in _search_dirs())
    raise VariantError(
        f"variant '{ref}' not found (looked in {looked}); pass a path or set SSTAR_SIGNATURES_DIR "
        f"(known: {', '.join(list_variants()) or 'paper'})"
    )


def list_variants() -> list[str]:
    """Names of the variants found in the search directories (``paper`` always exists)."""
    names = {PAPER}
    for directory in _search_dirs():
        if directory.is_dir():
            names.update(p.stem for p in directory.glob("*.json"))
    return sorted(names)


def variant_state(
    program: dspy.Module, *, name: str, description: str = "", provenance: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The JSON-able state of a variant: DSPy's state with every LM removed, plus the ``sstar_dspy`` block."""
    from dspy.utils.saving import get_dependency_versions

    from sstar_dspy import __version__

    state = program.dump_state()
    for predictor_state in state.values():
        predictor_state["lm"] = None  # never an LM, endpoint or key in an artifact
    state["metadata"] = {"dependency_versions": get_dependency_versions()}
    info = VariantInfo(
        format_version=FORMAT_VERSION,
        package_version=__version__,
        name=name,
        description=description,
        layout=signature_layout(program),
        provenance=provenance or {},
        prompt_form=parse_form(getattr(program, "prompt_form", None) or LEGACY_FORM).value,
    )
    state[_BLOCK] = info.model_dump(mode="json")
    return state


def save_variant(
    program: dspy.Module,
    target: str | Path,
    *,
    description: str = "",
    provenance: dict[str, Any] | None = None,
) -> Path:
    """Save ``program``'s prompts and demos as a variant; returns the file written.

    Args:
        program: The (compiled) program.
        target: A variant name (written to ``default_signatures_dir()/<name>.json``) or a ``.json`` path.
        description: Free text stored in the file.
        provenance: How the variant was made (optimizer, settings, scores, command).

    Example:
        >>> import dspy, tempfile, pathlib
        >>> class QA(dspy.Module):
        ...     def __init__(self):
        ...         self.answer = dspy.Predict("question -> answer")
        >>> out = save_variant(QA(), pathlib.Path(tempfile.mkdtemp()) / "qa.json")
        >>> load_variant(out, program=QA()).answer.demos
        []
    """
    if _looks_like_path(target):
        path = Path(target)
        name = path.stem
    else:
        name = str(target)
        if not _NAME_RE.match(name):
            raise VariantError(f"bad variant name '{name}': use letters, digits, '_', '-', '.' (or pass a .json path)")
        path = default_signatures_dir() / f"{name}.json"
    state = variant_state(program, name=name, description=description, provenance=provenance)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(json.dumps(state, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        raise VariantError(f"cannot write variant {path}: {exc.strerror or exc}; choose a writable path") from exc
    logger.info("saved variant %s to %s", name, path)
    return path


def read_variant(path: str | Path) -> tuple[dict[str, Any], VariantInfo]:
    """Read a variant file and its ``sstar_dspy`` block, refusing files this version cannot interpret."""
    path = Path(path)
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise VariantError(f"cannot read variant {path}: {exc.strerror or exc}") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise VariantError(f"{path}: not a JSON variant file ({exc}); re-save it with save_variant()") from exc
    if not isinstance(state, dict) or not isinstance(state.get(_BLOCK), dict):
        raise VariantError(
            f"{path}: no '{_BLOCK}' block (not saved by sstar_dspy, so its layout cannot be checked); "
            "load it into SStar and re-save it with sstar_dspy.save_variant()"
        )
    try:
        info = VariantInfo.model_validate(state[_BLOCK])
    except ValueError as exc:
        first = str(exc).splitlines()[0]
        raise VariantError(f"{path}: malformed '{_BLOCK}' block ({first}); re-save the variant") from exc
    try:
        parse_form(info.prompt_form)
    except SStarError as exc:
        raise VariantError(f"{path}: {exc}; this sstar_dspy cannot run that prompt form") from None
    if info.format_version > FORMAT_VERSION:
        raise VariantError(
            f"{path}: variant format {info.format_version} is newer than this sstar_dspy reads "
            f"({FORMAT_VERSION}); upgrade sstar-dspy (saved by {info.package_version})"
        )
    return state, info


def _fmt(layout: PredictorLayout) -> str:
    return f"({', '.join(layout.inputs)}) -> ({', '.join(layout.outputs)})"


def check_layout(info: VariantInfo, program: dspy.Module, *, source: str = "variant") -> None:
    """Refuse a variant whose saved signature layout differs from ``program``'s (one clear line).

    Raises:
        VariantError: Naming the first differing predictor, the saved and the current fields.
    """
    current = signature_layout(program)
    fix = f"re-optimize or re-save it with sstar_dspy {_package_version()} (saved by {info.package_version})"
    missing = sorted(set(current) - set(info.layout))
    extra = sorted(set(info.layout) - set(current))
    if missing or extra:
        raise VariantError(
            f"{source}: predictors differ from the program's (saved but unknown: {extra or 'none'}; "
            f"missing: {missing or 'none'}); {fix}"
        )
    for name, now in current.items():
        saved = info.layout[name]
        if (saved.inputs, saved.outputs) != (now.inputs, now.outputs):
            raise VariantError(
                f"{source}: predictor '{name}' was saved with fields {_fmt(saved)} but the program now has "
                f"{_fmt(now)}; loading would misalign its prompts; {fix}"
            )


def _package_version() -> str:
    from sstar_dspy import __version__

    return __version__


def _restore_form(program: dspy.Module, info: VariantInfo, path: Path, prompt_form: Any) -> None:
    """Put ``program`` in the variant's prompt form (refusing a different explicitly requested one)."""
    saved = parse_form(info.prompt_form)
    if prompt_form is not None and parse_form(prompt_form) is not saved:
        raise VariantError(
            f"{path}: saved for prompt form '{saved.value}', but prompt form '{parse_form(prompt_form).value}' was "
            f"requested; its prompts were written for '{saved.value}': drop the prompt form or pass '{saved.value}'"
        )
    current = getattr(program, "prompt_form", None)
    if current is not None and current is not saved and hasattr(program, "set_prompt_form"):
        logger.info("variant %s: prompt form %s (the program had %s)", info.name, saved.value, current.value)
        program.set_prompt_form(saved)


def apply_variant(
    program: dspy.Module, variant: str | Path, *, prompt_form: PromptForm | str | None = None
) -> dspy.Module:
    """Load a variant's prompts and demos into ``program`` in place (layout-checked); returns ``program``.

    ``"paper"`` leaves the program's code defaults (in its own prompt form) untouched. Any other variant also
    restores the prompt form it was saved with (``program.set_prompt_form``).

    Args:
        program: The program (an :class:`~sstar_dspy.program.SStar` or any module with the same predictors).
        variant: ``"paper"``, a variant name or a ``.json`` path.
        prompt_form: The form the caller asked for, if any: a variant saved in another form is refused.

    Raises:
        VariantError: Unknown or unreadable variant, another prompt form than requested, a different layout.
    """
    if str(variant) == PAPER:
        return program
    path = resolve_variant_path(variant)
    state, info = read_variant(path)
    _restore_form(program, info, path, prompt_form)
    check_layout(info, program, source=str(path))
    predictor_states = {name: dict(state[name]) for name in info.layout}
    for predictor_state in predictor_states.values():
        predictor_state["lm"] = None  # a hand-edited LM (endpoint, key) is never honoured
    role_lms = {name: predictor.lm for name, predictor in program.named_predictors()}
    try:
        program.load_state(predictor_states)
    except (KeyError, TypeError, ValueError) as exc:
        raise VariantError(f"{path}: predictor state does not load ({type(exc).__name__}: {exc}); re-save it") from exc
    for name, predictor in program.named_predictors():
        predictor.lm = role_lms.get(name)  # the program's own LMs stay; the file brings prompts and demos only
    logger.info("loaded variant %s from %s", info.name, path)
    return program


def load_variant(variant: str | Path = PAPER, *, program: dspy.Module | None = None, **sstar_kwargs: Any) -> Any:
    """Build an :class:`~sstar_dspy.program.SStar` (or use ``program``) and load a variant into it.

    Args:
        variant: ``"paper"`` (the code's defaults), a variant name in ``signatures/`` or a ``.json`` path.
        program: An existing program to load into; by default ``SStar(**sstar_kwargs)``.
        **sstar_kwargs: Passed to ``SStar`` (e.g. ``n``, ``rounds``, ``lms``); they are run settings,
            not part of the variant. ``prompt_form`` defaults to the variant's (``paper``: the default form,
            or the form given, with that form's default prompts); a different one than the variant's is refused.

    Returns:
        The program with the variant's instructions and demos.

    Raises:
        VariantError: Unknown variant, unreadable file, newer format, another prompt form, or a different
            signature layout.

    Example:
        >>> program = load_variant("signatures/bootstrap-dev.json", n=4, rounds=1)  # doctest: +SKIP
    """
    prompt_form = sstar_kwargs.get("prompt_form")
    if program is None:
        if str(variant) != PAPER and prompt_form is None:  # build it in the variant's form straight away
            sstar_kwargs["prompt_form"] = read_variant(resolve_variant_path(variant))[1].prompt_form
        program = SStar(**sstar_kwargs)
    elif sstar_kwargs:
        raise TypeError("pass either program= or SStar keyword arguments, not both")
    return apply_variant(program, variant, prompt_form=prompt_form)


_CODE_FORMS_TEXT = (
    "LiveCodeBench's plain prompt through sstar_dspy.adapters.CodeAdapter (system = the instruction: LiveCodeBench's "
    "system message for generate, the code forms' debug prompt of sstar_dspy.adapters.forms), the format demos as "
    "earlier turns, and the paper's prompts for the other predictors"
)
_DESCRIPTIONS = {
    PromptForm.CHAT: "The S* paper's prompts (Li et al. 2025, Appendix A.2) as written in sstar_dspy.signatures, "
    "plus the two hand-written I/O-format demos of sstar_dspy.format_demos on generate/debug (the DSPy "
    "counterpart of the paper harness's LiveCodeBench format text): the code's defaults, generated from the "
    "code by sstar_dspy.variants.write_paper_variant().",
    PromptForm.CODE: f"Prompt form 'code': {_CODE_FORMS_TEXT}; the code's defaults in that form, generated by "
    "sstar_dspy.variants.write_paper_variant().",
    PromptForm.CODE_REASONING: f"Prompt form 'code-reasoning': {_CODE_FORMS_TEXT}; generate reasons briefly before "
    "the code. The code's defaults in that form, generated by sstar_dspy.variants.write_paper_variant().",
}


def write_paper_variant(path: str | Path | None = None) -> Path:
    """(Re)generate ``signatures/paper.json`` from the code's default prompts; returns the file written.

    Without ``path`` it also writes ``signatures/form-<form>.json``: the code's defaults in each prompt form
    (``--variant form-code`` etc. select a form anywhere a variant is accepted, ``sstar compare`` included), and
    ``form-code-plain.json`` (the code form without format demos: exactly LiveCodeBench's prompt).
    Run after changing a signature: ``python -c "from sstar_dspy.variants import write_paper_variant as w; w()"``.
    """

    provenance = {"source": "code defaults"}
    target = Path(path) if path is not None else _REPO_SIGNATURES / f"{PAPER}.json"
    paper = save_variant(SStar(), target, description=_DESCRIPTIONS[DEFAULT_FORM], provenance=provenance)
    if path is None:
        for form in PromptForm:
            out = _REPO_SIGNATURES / f"form-{form.value}.json"
            save_variant(SStar(prompt_form=form), out, description=_DESCRIPTIONS[form], provenance=provenance)
        plain = "Prompt form 'code' without the format demos: generate sends exactly LiveCodeBench's prompt."
        out = _REPO_SIGNATURES / "form-code-plain.json"
        save_variant(SStar(prompt_form="code", format_demos=False), out, description=plain, provenance=provenance)
    return paper
