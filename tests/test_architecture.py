"""The direction of imports (STYLE.md §8, issue 17): the reading side (`explainer/`) knows nothing
of the practice side (`quizzes/`), and the pure modules import neither app nor Django, only each
other. Read from the source with `ast`, so an import inside a function counts too."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT = {"config", "explainer", "quizzes", "tests", "bench"}
# Plain data in, plain data out: tested without a database, usable from either side.
PURE = {
    "explainer.text",
    "quizzes.analysis",
    "quizzes.charts",
    "quizzes.generation",
    "quizzes.grading",
    "quizzes.interchange.gift",
    "quizzes.interchange.markup",
    "quizzes.interchange.model",
    "quizzes.interchange.moodle_xml",
    "quizzes.mastery",
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imported(source: str, module: str, *, package: bool = False) -> set[str]:
    """The modules `source` (the module `module`) imports, anywhere in it: `from quizzes import
    mastery` imports quizzes.mastery; relative imports are resolved."""
    here = module if package else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = here.split(".")[: len(here.split(".")) - node.level + 1]
                base = ".".join([*parent, *([base] if base else [])])
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add(submodule if base.split(".")[0] in PROJECT and is_module(submodule) else base)
    return found


def imports_of(path: Path) -> set[str]:
    return imported(path.read_text(encoding="utf-8"), module_name(path), package=path.name == "__init__.py")


def reading_side_problems(module: str, imports: set[str]) -> list[str]:
    return [f"{module} imports {name}" for name in sorted(imports) if name.split(".")[0] == "quizzes"]


def pure_problems(module: str, imports: set[str]) -> list[str]:
    def allowed(name: str) -> bool:
        top = name.split(".")[0]
        if top == "django" or top.startswith("django_"):
            return False
        return top not in PROJECT or name in PURE

    return [f"{module} imports {name}" for name in sorted(imports) if not allowed(name)]


def test_the_reading_side_imports_nothing_of_the_practice_side():
    problems = []
    for path in sorted((ROOT / "explainer").rglob("*.py")):
        problems += reading_side_problems(module_name(path), imports_of(path))
    assert problems == []


def test_pure_modules_import_neither_app_nor_django_only_each_other():
    problems = []
    for module in sorted(PURE):
        path = ROOT.joinpath(*module.split(".")).with_suffix(".py")
        assert path.is_file(), f"{module} is listed as pure but does not exist"
        problems += pure_problems(module, imports_of(path))
    assert problems == []


def test_the_checks_see_every_kind_of_import():
    """The arrows that ran the wrong way before issue 17, written each way an import can be."""
    late = imported("def action():\n    from quizzes.admin import page\n", "explainer.admin")
    assert reading_side_problems("explainer.admin", late) == ["explainer.admin imports quizzes.admin"]
    for source in ("import quizzes.services", "from quizzes import services", "from quizzes.services import x"):
        assert reading_side_problems("explainer.views", imported(source, "explainer.views"))
    for source in ("from django.db import models", "import django_htmx", "from explainer.models import Fact"):
        assert pure_problems("quizzes.grading", imported(source, "quizzes.grading"))
    relative = imported("from .models import Quiz\nfrom . import mastery\n", "quizzes.charts")
    assert relative == {"quizzes.models", "quizzes.mastery"}
    assert pure_problems("quizzes.charts", relative) == ["quizzes.charts imports quizzes.models"]
    fine = "import re\nfrom explainer.text import plain\nfrom quizzes import mastery\n"
    assert pure_problems("quizzes.generation", imported(fine, "quizzes.generation")) == []


def test_test_modules_import_helpers_never_each_other():
    """Shared test helpers live in tests/*_helpers.py, conftest.py and servers.py: a test module
    that imports another collects that module's tests a second time and ties the two together."""
    problems = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        tests_imported = [name for name in imports_of(path) if name.rpartition(".")[2].startswith("test_")]
        problems += [f"{module_name(path)} imports {name}" for name in sorted(tests_imported)]
    assert problems == []
    assert imported("from tests.test_accounts import log_in", "tests.test_review") == {"tests.test_accounts"}


def test_static_holds_only_what_browsers_load():
    """Everything under static/ is collected and served to anyone: tools (the map's build script
    and its source data, tools/map/) live outside it."""
    served = {path.suffix for path in (ROOT / "static").rglob("*") if path.is_file()}
    assert served <= {".css", ".js", ".svg", ".png", ".ico", ".woff2", ".txt", ".webmanifest"}, served
    assert (ROOT / "tools" / "map" / "build_map.py").is_file()


# Modules of the product over about 500 lines, each one thing (issue 17). Another module growing
# past it is a sign that it has begun to do two things: split it, or say here what one thing it is.
LONG_BUT_ONE_THING = {
    "quizzes/generation.py": "the question generator: facts in, drafts out",
    "quizzes/interchange/gift.py": "the GIFT format, read and written",
    "quizzes/interchange/moodle_xml.py": "the Moodle XML format, read and written",
    "quizzes/views/live.py": "the live session's pages: join, play, host",
}
LONG = 520


def long_modules() -> dict[str, int]:
    lengths = {
        path.relative_to(ROOT).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for app in ("config", "explainer", "quizzes")
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
    }
    return {name: length for name, length in lengths.items() if length > LONG}


def test_no_module_is_long_unless_it_is_one_thing():
    long = long_modules()
    assert set(long) <= set(LONG_BUT_ONE_THING), {name: long[name] for name in set(long) - set(LONG_BUT_ONE_THING)}
    assert set(LONG_BUT_ONE_THING) <= set(long), "modules listed above are no longer long: take them off"
