"""Run candidates on generated inputs and group them by behaviour (S*'s output clustering).

Two candidates are in the same cluster when they produce the same canonical output key (from the
sandbox's comparator) on every input; a crash or limit counts as its own behaviour
(``"!<status>"``). Clusters are numbered by size, largest first; among clusters of equal size the one
that crashed (or hit a limit) on fewer inputs comes first, then the lowest member index.
``members[0]`` (the lowest sample index) is the cluster's representative.

Example:
    >>> [c.members for c in clusters_from_signatures({0: ("1",), 1: ("2",), 2: ("1",)})]
    [[0, 2], [1]]
    >>> [c.members for c in clusters_from_signatures({0: ("!runtime_error",), 1: ("3",)})]
    [[1], [0]]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sstar_dspy.candidate import Candidate
from sstar_dspy.problem import TestCase
from sstar_dspy.sandbox.results import TestResult
from sstar_dspy.solve_context import SolveContext
from sstar_dspy.trace import Cluster

__all__ = ["behaviour_key", "clusters_from_signatures", "run_pool", "separating_inputs"]


def behaviour_key(result: TestResult) -> str:
    """What a run did, as a comparable string: the canonical output, or ``!<status>``."""
    if result.status.ran_cleanly:
        return result.output_key if result.output_key is not None else (result.actual or "").strip()
    return f"!{result.status.value}"


def run_pool(
    ctx: SolveContext, candidates: Sequence[Candidate], pool: Sequence[int], tests: Sequence[TestCase]
) -> dict[int, list[TestResult]]:
    """Run every pool candidate on ``tests`` (one sandbox batch)."""
    by_index = {c.index: c for c in candidates}
    results = ctx.run_many([(by_index[i].program, tests) for i in pool])
    return dict(zip(pool, results, strict=False))


def clusters_from_signatures(signatures: Mapping[int, tuple[str, ...]]) -> list[Cluster]:
    """Group candidate indices with identical behaviour signatures into ranked clusters."""
    groups: dict[tuple[str, ...], list[int]] = {}
    for index in sorted(signatures):
        groups.setdefault(signatures[index], []).append(index)
    ranked = sorted(groups.items(), key=lambda kv: (-len(kv[1]), _crashes(kv[0]), kv[1][0]))
    return [Cluster(id=i, members=members, output_keys=list(sig)) for i, (sig, members) in enumerate(ranked)]


def _crashes(signature: tuple[str, ...]) -> int:
    return sum(1 for key in signature if key.startswith("!"))


def cluster_results(results: Mapping[int, list[TestResult]]) -> list[Cluster]:
    """Clusters from per-candidate results on the same inputs."""
    return clusters_from_signatures({i: tuple(behaviour_key(r) for r in res) for i, res in results.items()})


def separating_inputs(a: Cluster, b: Cluster, inputs: Sequence[str], *, limit: int = 3) -> list[str]:
    """Generated inputs on which two clusters behave differently (first ``limit``)."""
    diff = [inp for inp, ka, kb in zip(inputs, a.output_keys, b.output_keys, strict=False) if ka != kb]
    return diff[:limit]
