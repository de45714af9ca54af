"""GitHub's filter patterns and on.push / on.pull_request decisions, row by row from its
"Filter pattern cheat sheet" (workflow syntax reference), and the rules around them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.core.prepush import filters
from tui.core.prepush.filters import PullRequestFacts, PushFacts, decide_pull_request, decide_push
from tui.core.prepush.patterns import BadPattern, compile_pattern, compile_patterns, selected
from tui.core.prepush.triggers import decide, read_on

# (patterns, ref or path, selected?) — the cheat sheet's examples, and the names next to them
# that its descriptions rule out.
CHEAT_SHEET = [
    # Patterns to match branches and tags
    (["feature/*"], "feature/my-branch", True),
    (["feature/*"], "feature/your-branch", True),
    (["feature/*"], "feature/beta-a/my-branch", False),  # * does not match /
    (["feature/**"], "feature/beta-a/my-branch", True),
    (["feature/**"], "feature/your-branch", True),
    (["feature/**"], "feature/mona/the/octocat", True),
    (["main", "releases/mona-the-octocat"], "main", True),
    (["main", "releases/mona-the-octocat"], "releases/mona-the-octocat", True),
    (["main", "releases/mona-the-octocat"], "mainline", False),
    (["*"], "main", True),
    (["*"], "releases", True),
    (["*"], "releases/v1", False),
    (["**"], "all/the/branches", True),
    (["**"], "every/tag", True),
    (["*feature"], "mona-feature", True),
    (["*feature"], "feature", True),
    (["*feature"], "ver-10-feature", True),
    (["*feature"], "feature-x", False),
    (["v2*"], "v2", True),
    (["v2*"], "v2.0", True),
    (["v2*"], "v2.9", True),
    (["v2*"], "v3.0", False),
    (["v[12].[0-9]+.[0-9]+"], "v1.10.1", True),
    (["v[12].[0-9]+.[0-9]+"], "v2.0.0", True),
    (["v[12].[0-9]+.[0-9]+"], "v3.0.0", False),
    (["v[12].[0-9]+.[0-9]+"], "v1..1", False),  # + is one or more
    # Patterns to match file paths
    (["*"], "README.md", True),
    (["*"], "server.rb", True),
    (["*"], "docs/README.md", False),
    (["*.jsx?"], "page.js", True),  # ? is zero or one of the preceding character
    (["*.jsx?"], "page.jsx", True),
    (["*.jsx?"], "page.jsxx", False),
    (["**"], "all/the/files.md", True),
    (["*.js"], "app.js", True),
    (["*.js"], "index.js", True),
    (["*.js"], "js/index.js", False),
    (["**.js"], "index.js", True),
    (["**.js"], "js/index.js", True),
    (["**.js"], "src/js/app.js", True),
    (["docs/*"], "docs/README.md", True),
    (["docs/*"], "docs/file.txt", True),
    (["docs/*"], "docs/mona/octocat.txt", False),
    (["docs/**"], "docs/README.md", True),
    (["docs/**"], "docs/mona/octocat.txt", True),
    (["docs/**"], "src/docs/x.md", False),  # from the repository's root
    (["docs/**/*.md"], "docs/README.md", True),
    (["docs/**/*.md"], "docs/mona/hello-world.md", True),
    (["docs/**/*.md"], "docs/a/markdown/file.md", True),
    (["docs/**/*.md"], "docs/a/file.txt", False),
    (["**/docs/**"], "docs/hello.md", True),
    (["**/docs/**"], "dir/docs/my-file.txt", True),
    (["**/docs/**"], "space/docs/plan/space.doc", True),
    (["**/README.md"], "README.md", True),
    (["**/README.md"], "js/README.md", True),
    (["**/README.md"], "js/README.mdx", False),
    (["**/*src/**"], "a/src/app.js", True),
    (["**/*src/**"], "my-src/code/js/app.js", True),
    (["**/*-post.md"], "my-post.md", True),
    (["**/*-post.md"], "path/their-post.md", True),
    (["**/migrate-*.sql"], "migrate-10909.sql", True),
    (["**/migrate-*.sql"], "db/migrate-v1.0.sql", True),
    (["**/migrate-*.sql"], "db/sept/migrate-v1.sql", True),
    (["*.md", "!README.md"], "hello.md", True),
    (["*.md", "!README.md"], "README.md", False),
    (["*.md", "!README.md"], "docs/hello.md", False),
    (["*.md", "!README.md", "README*"], "hello.md", True),
    (["*.md", "!README.md", "README*"], "README.md", True),
    (["*.md", "!README.md", "README*"], "README.doc", True),
    # the special characters themselves
    (["[CB]at"], "Cat", True),
    (["[CB]at"], "Bat", True),
    (["[CB]at"], "Rat", False),
    (["[1-2]00"], "100", True),
    (["[1-2]00"], "200", True),
    (["[1-2]00"], "300", False),
    (["Octo*"], "Octocat", True),
    (["release\\+1"], "release+1", True),  # \ makes a special character literal
    (["release\\+1"], "releasee1", False),
    (["\\!file"], "!file", True),
    (["+start"], "+start", True),  # at the start, + is itself
    (["Main"], "main", False),  # case-sensitive
]


@pytest.mark.parametrize(("patterns", "name", "expected"), CHEAT_SHEET)
def test_the_cheat_sheet(patterns: list[str], name: str, expected: bool) -> None:
    assert selected(compile_patterns(patterns), name) is expected


def test_the_table_has_at_least_30_rows() -> None:
    assert len(CHEAT_SHEET) >= 30


@pytest.mark.parametrize("bad", ["[]", "v[1-", "[a-Z]", "[!-~]", "trailing\\"])
def test_patterns_github_refuses(bad: str) -> None:
    with pytest.raises(BadPattern):
        compile_pattern(bad)


def test_negation_is_read_in_order_and_the_last_match_wins() -> None:
    include_then_exclude = compile_patterns(["sub-project/**", "!sub-project/docs/**"])
    assert selected(include_then_exclude, "sub-project/src/index.js")
    assert not selected(include_then_exclude, "sub-project/docs/readme.md")
    exclude_then_include = compile_patterns(["!sub-project/docs/**", "sub-project/**"])
    assert selected(exclude_then_include, "sub-project/docs/readme.md")
    assert not selected(compile_patterns(["!main"]), "main")  # only negative: nothing


def branch(name: str, *files: str, message: str = "change", commits: int = 1) -> PushFacts:
    return PushFacts(f"refs/heads/{name}", files, message, commit_count=commits)


def tag(name: str) -> PushFacts:
    return PushFacts(f"refs/tags/{name}", (), "release")


@pytest.mark.parametrize("on", ["push", ["pull_request", "push"], {"push": None}, {"push": {}}])
def test_every_way_of_saying_on_push(on: object) -> None:
    decision = decide_push(on, branch("main", "a.py"))
    assert decision == filters.Decision(True, "on.push, no filters")
    assert decide_push(on, tag("v1")).triggered


@pytest.mark.parametrize("on", [None, "pull_request", ["workflow_dispatch"], {"schedule": []}])
def test_no_on_push(on: object) -> None:
    assert decide_push(on, branch("main", "a.py")) == filters.Decision(False, "no on.push")


def test_branches_and_the_reason_names_pattern_and_branch() -> None:
    on = {"push": {"branches": ["main", "releases/**", "!releases/**-alpha"]}}
    assert decide_push(on, branch("main", "x")).reason == "branches: main matched main"
    assert decide_push(on, branch("releases/10", "x")).triggered
    beta = decide_push(on, branch("releases/10-alpha", "x"))
    assert beta == filters.Decision(
        False, "branches: !releases/**-alpha excluded releases/10-alpha"
    )
    other = decide_push(on, branch("feature", "x"))
    assert other == filters.Decision(False, "branches: no pattern matched feature")


def test_branches_ignore() -> None:
    on = {"push": {"branches-ignore": ["docs/*"]}}
    assert decide_push(on, branch("docs/x", "x")) == filters.Decision(
        False, "branches-ignore: docs/* matched docs/x"
    )
    assert decide_push(on, branch("main", "x")).triggered


@pytest.mark.parametrize(
    ("config", "both"),
    [
        ({"branches": ["a"], "branches-ignore": ["b"]}, "branches and branches-ignore"),
        ({"tags": ["a"], "tags-ignore": ["b"]}, "tags and tags-ignore"),
        ({"paths": ["a"], "paths-ignore": ["b"]}, "paths and paths-ignore"),
    ],
)
def test_a_filter_and_its_ignore_together_is_refused(config: dict, both: str) -> None:
    decision = decide_push({"push": config}, branch("a", "a"))
    assert not decision.triggered
    assert decision.reason.startswith(f"error: on.push has both {both}")
    assert "GitHub does not run this workflow" in decision.reason


def test_only_branch_filters_do_not_run_for_tags_and_only_tag_filters_not_for_branches() -> None:
    branches_only = {"push": {"branches": ["**"]}}
    tags_only = {"push": {"tags": ["v*"]}}
    both = {"push": {"branches": ["main"], "tags": ["v*"]}}
    assert not decide_push(branches_only, tag("v1")).triggered
    assert "a tag push does not run it" in decide_push(branches_only, tag("v1")).reason
    assert not decide_push(tags_only, branch("main", "a")).triggered
    assert "a branch push does not run it" in decide_push(tags_only, branch("main", "a")).reason
    assert decide_push(both, tag("v1")).triggered
    assert decide_push(both, branch("main", "a")).triggered
    assert decide_push({"push": {"tags-ignore": ["v*"]}}, tag("x1")).triggered
    assert not decide_push({"push": {"tags-ignore": ["v*"]}}, tag("v1")).triggered


def test_paths_are_not_evaluated_for_tag_pushes() -> None:
    on = {"push": {"paths": ["src/**"]}}
    decision = decide_push(on, tag("v1"))
    assert decision == filters.Decision(True, "paths not evaluated for a tag push")


def test_paths_and_paths_ignore() -> None:
    paths = {"push": {"paths": ["src/**"]}}
    assert decide_push(paths, branch("main", "docs/a.md", "src/app.py")) == filters.Decision(
        True, "paths: src/** matched src/app.py"
    )
    assert not decide_push(paths, branch("main", "docs/a.md")).triggered
    ignore = {"push": {"paths-ignore": ["docs/**"]}}
    assert not decide_push(ignore, branch("main", "docs/a.md", "docs/b.md")).triggered
    assert decide_push(ignore, branch("main", "docs/a.md", "src/app.py")).reason == (
        "paths-ignore: src/app.py is not ignored"
    )
    negated = {"push": {"paths": ["sub/**", "!sub/docs/**"]}}
    decision = decide_push(negated, branch("main", "sub/docs/a.md"))
    assert decision == filters.Decision(False, "paths: !sub/docs/** excluded sub/docs/a.md")


def test_no_changed_file_runs_no_path_filtered_workflow() -> None:
    decision = decide_push({"push": {"paths": ["**"]}}, branch("main"))
    assert decision == filters.Decision(False, "paths: no files changed")
    assert decide_push({"push": {"branches": ["main"]}}, branch("main")).triggered


def test_branches_and_paths_must_both_be_satisfied() -> None:
    on = {"push": {"branches": ["main"], "paths": ["src/**"]}}
    decision = decide_push(on, branch("main", "src/a.py"))
    assert decision == filters.Decision(
        True, "branches: main matched main; paths: src/** matched src/a.py"
    )
    assert not decide_push(on, branch("dev", "src/a.py")).triggered
    assert not decide_push(on, branch("main", "docs/a.md")).triggered


def test_only_the_first_300_files_are_evaluated() -> None:
    filler = [f"a/{i:04d}.txt" for i in range(filters.DIFF_FILE_LIMIT)]
    on = {"push": {"paths": ["src/**"]}}
    decision = decide_push(on, branch("main", *filler, "src/app.py"))
    assert not decision.triggered
    assert "the first 300 of 301 changed files" in decision.reason
    assert decide_push(on, branch("main", *filler[:-1], "src/app.py")).triggered


def test_more_than_1000_commits_run_whatever_the_paths() -> None:
    on = {"push": {"paths": ["src/**"]}}
    decision = decide_push(on, branch("main", "docs/a.md", commits=filters.COMMIT_LIMIT + 1))
    assert decision.triggered
    assert "more than 1,000 commits" in decision.reason


@pytest.mark.parametrize("marker", filters.SKIP_MARKERS)
def test_skip_ci_in_the_head_commit_runs_no_push_workflow(marker: str) -> None:
    facts = branch("main", "src/a.py", message=f"fix the build {marker}\n\nbody")
    decision = decide_push("push", facts)
    assert decision == filters.Decision(False, f"{marker} in the head commit's message")
    assert not decide_pull_request(
        "pull_request", PullRequestFacts("main", ("a",), facts.head_message)
    ).triggered


def test_skip_ci_must_be_exact() -> None:
    assert decide_push("push", branch("main", "a", message="skip ci please")).triggered


def test_a_deletion_runs_nothing() -> None:
    deleted = PushFacts("refs/heads/old", deleted=True)
    assert decide_push("push", deleted) == filters.Decision(
        False, "a branch deletion runs no workflow"
    )


def test_pull_request_types_branches_and_paths() -> None:
    facts = PullRequestFacts("main", ("src/a.py",), "change", action="opened")
    assert decide_pull_request("pull_request", facts).triggered
    assert decide_pull_request({"push": None}, facts).reason == "no on.pull_request"
    closed = {"pull_request": {"types": ["closed"]}}
    assert decide_pull_request(closed, facts) == filters.Decision(
        False, "types: closed (not opened)"
    )
    to_main = {"pull_request": {"branches": ["main"], "paths": ["src/**"]}}
    assert decide_pull_request(to_main, facts).reason == (
        "branches: main matched base main; paths: src/** matched src/a.py"
    )
    into_dev = PullRequestFacts("dev", ("src/a.py",), "change")
    assert not decide_pull_request(to_main, into_dev).triggered


def test_an_invalid_pattern_refuses_the_workflow() -> None:
    decision = decide_push({"push": {"branches": ["v[]"]}}, branch("main", "a"))
    assert not decision.triggered
    assert decision.reason.startswith("error: branches: invalid pattern")


def test_the_on_key_is_read_from_yaml_as_github_writes_it(tmp_path: Path) -> None:
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    (folder / "a.yml").write_text("on:\n  push:\n    branches: [main]\njobs: {}\n")
    (folder / "b.yml").write_text("'on': [push]\njobs: {}\n")
    (folder / "c.yml").write_text("on: push: [\n")
    assert read_on(folder / "a.yml") == {"push": {"branches": ["main"]}}
    found = decide(tmp_path, lambda on: decide_push(on, branch("dev", "x")))
    assert [(t.name, t.triggered) for t in found] == [
        (".github/workflows/a.yml", False),
        (".github/workflows/b.yml", True),
        (".github/workflows/c.yml", False),
    ]
    assert found[2].decision.reason.startswith("error: malformed YAML")
