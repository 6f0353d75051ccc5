"""RFC 6962 Merkle trees: the Certificate Transparency reference vectors, and every proof against a naive tree.

The vectors (leaves, roots for sizes 1..8, two inclusion and three consistency proofs) are the ones the
Certificate Transparency reference implementation tests with (also in transparency-dev/merkle's
testonly/constants.go); tests/vectors/merkle.json keeps them as data.
"""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.merkle import (
    EMPTY_ROOT,
    MemoryTree,
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    split,
    verify_consistency,
    verify_inclusion,
)

VECTORS = json.loads((Path(__file__).parents[1] / "vectors" / "merkle.json").read_text())


def naive_root(leaves: list[bytes]) -> bytes:
    """MTH straight from RFC 6962 §2.1, recursing over the leaf list."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = split(len(leaves))
    return node_hash(naive_root(leaves[:k]), naive_root(leaves[k:]))


def naive_path(m: int, leaves: list[bytes]) -> list[bytes]:
    if len(leaves) == 1:
        return []
    k = split(len(leaves))
    if m < k:
        return [*naive_path(m, leaves[:k]), naive_root(leaves[k:])]
    return [*naive_path(m - k, leaves[k:]), naive_root(leaves[:k])]


def naive_subproof(m: int, leaves: list[bytes], whole: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if whole else [naive_root(leaves)]
    k = split(n)
    if m <= k:
        return [*naive_subproof(m, leaves[:k], whole), naive_root(leaves[k:])]
    return [*naive_subproof(m - k, leaves[k:], False), naive_root(leaves[:k])]


def tree_of(leaves: list[bytes]) -> MemoryTree:
    tree = MemoryTree()
    for leaf in leaves:
        tree.append(leaf)
    return tree


def ct_tree() -> tuple[MemoryTree, list[bytes]]:
    leaves = [leaf_hash(bytes.fromhex(d)) for d in VECTORS["leaves"]]
    return tree_of(leaves), leaves


def test_roots_match_the_certificate_transparency_reference_for_every_size() -> None:
    tree, _ = ct_tree()
    assert tree.root(0).hex() == VECTORS["empty_root"]
    for size, want in enumerate(VECTORS["roots"], start=1):
        assert tree.root(size).hex() == want, size


def test_inclusion_proofs_match_the_reference() -> None:
    tree, leaves = ct_tree()
    for case in VECTORS["inclusion"]:
        proof = inclusion_proof(tree, case["index"], case["size"])
        assert [p.hex() for p in proof] == case["proof"]
        assert verify_inclusion(leaves[case["index"]], case["index"], case["size"], proof, tree.root(case["size"]))


def test_consistency_proofs_match_the_reference() -> None:
    tree, _ = ct_tree()
    for case in VECTORS["consistency"]:
        proof = consistency_proof(tree, case["first"], case["second"])
        assert [p.hex() for p in proof] == case["proof"]
        assert verify_consistency(case["first"], case["second"], tree.root(case["first"]),
                                  tree.root(case["second"]), proof)


def test_the_split_is_the_largest_power_of_two_below_n_not_the_midpoint() -> None:
    assert [split(n) for n in (2, 3, 4, 5, 6, 7, 8, 9, 1000)] == [1, 2, 2, 4, 4, 4, 4, 8, 512]


def test_appending_reports_each_completed_perfect_subtree() -> None:
    tree = MemoryTree()
    leaves = [leaf_hash(bytes([i])) for i in range(4)]
    assert [(lv, ix) for lv, ix, _ in tree.append(leaves[0])] == [(0, 0)]
    assert [(lv, ix) for lv, ix, _ in tree.append(leaves[1])] == [(0, 1), (1, 0)]
    assert [(lv, ix) for lv, ix, _ in tree.append(leaves[2])] == [(0, 2)]
    assert [(lv, ix) for lv, ix, _ in tree.append(leaves[3])] == [(0, 3), (1, 1), (2, 0)]
    assert tree.subtree(2, 0) == naive_root(leaves)


def test_impossible_proof_requests_are_refused() -> None:
    tree, _ = ct_tree()
    for index, size in ((8, 8), (-1, 8), (0, 0)):
        try:
            inclusion_proof(tree, index, size)
        except ProofError:
            continue
        raise AssertionError(f"inclusion {index}/{size} should be refused")
    try:
        consistency_proof(tree, 5, 4)
    except ProofError:
        pass
    else:
        raise AssertionError("a consistency proof to a smaller tree should be refused")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=8), min_size=1, max_size=70), st.data())
def test_every_proof_equals_the_naive_one_and_verifies(data_leaves: list[bytes], data: st.DataObject) -> None:
    leaves = [leaf_hash(d) for d in data_leaves]
    tree = tree_of(leaves)
    n = len(leaves)
    size = data.draw(st.integers(1, n))
    index = data.draw(st.integers(0, size - 1))
    first = data.draw(st.integers(0, size))
    assert tree.root(size) == naive_root(leaves[:size])
    path = inclusion_proof(tree, index, size)
    assert path == naive_path(index, leaves[:size])
    assert verify_inclusion(leaves[index], index, size, path, tree.root(size))
    proof = consistency_proof(tree, first, size)
    assert proof == ([] if first in (0, size) else naive_subproof(first, leaves[:size], True))
    assert verify_consistency(first, size, tree.root(first), tree.root(size), proof)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=8), min_size=2, max_size=40), st.data())
def test_a_changed_leaf_index_size_root_or_proof_never_verifies(data_leaves: list[bytes],
                                                                data: st.DataObject) -> None:
    leaves = [leaf_hash(d) for d in data_leaves]
    tree = tree_of(leaves)
    n = len(leaves)
    index = data.draw(st.integers(0, n - 1))
    path = inclusion_proof(tree, index, n)
    good_root = tree.root(n)
    other = (index + data.draw(st.integers(1, n - 1))) % n
    if leaves[other] != leaves[index]:
        assert not verify_inclusion(leaves[other], index, n, path, good_root)
    assert not verify_inclusion(leaves[index], index, n, path, leaf_hash(b"forged root"))
    if path:
        j = data.draw(st.integers(0, len(path) - 1))
        bad = [*path[:j], leaf_hash(b"x" + path[j]), *path[j + 1:]]
        assert not verify_inclusion(leaves[index], index, n, bad, good_root)
        assert not verify_inclusion(leaves[index], index, n, path[:-1], good_root)
    first = data.draw(st.integers(1, n - 1))
    proof = consistency_proof(tree, first, n)
    assert not verify_consistency(first, n, leaf_hash(b"rewritten history"), good_root, proof)
    if proof:
        k = data.draw(st.integers(0, len(proof) - 1))
        bad = [*proof[:k], leaf_hash(b"y" + proof[k]), *proof[k + 1:]]
        assert not verify_consistency(first, n, tree.root(first), good_root, bad)


def test_a_log_rewritten_after_a_checkpoint_fails_consistency_with_it() -> None:
    """The attack the audit log exists for: rewrite entry 3, recompute everything, publish a new root."""
    honest = [leaf_hash(bytes([i])) for i in range(10)]
    old_root = tree_of(honest[:6]).root()
    forged = list(honest)
    forged[3] = leaf_hash(b"edited")
    forged_tree = tree_of(forged)
    proof = consistency_proof(forged_tree, 6, 10)
    assert not verify_consistency(6, 10, old_root, forged_tree.root(), proof)


def test_the_audit_log_vector_verifies_from_its_bytes_alone() -> None:
    """tests/vectors/audit_log.json: what a second implementation must reproduce (docs/protocol.md §9)."""
    from shared.keys import VerifierKey
    from shared.tlog import LogCheckpoint

    vec = json.loads((Path(__file__).parents[1] / "vectors" / "audit_log.json").read_text())
    leaves = [leaf_hash(e["bytes"].encode()) for e in vec["entries"]]
    assert [x.hex() for x in leaves] == [e["leaf"] for e in vec["entries"]]
    assert naive_root(leaves).hex() == vec["root"]
    cp = LogCheckpoint.open(vec["checkpoint"], [VerifierKey.decode(vec["server_verifier"])])
    assert cp.text() == vec["checkpoint_text"] and cp.root.hex() == vec["root"] and cp.size == len(leaves)
    inc = vec["inclusion"]
    assert verify_inclusion(leaves[inc["index"]], inc["index"], inc["size"],
                            [bytes.fromhex(p) for p in inc["proof"]], cp.root)
    con = vec["consistency"]
    assert naive_root(leaves[:con["first"]]).hex() == con["root_first"]
    assert verify_consistency(con["first"], con["second"], bytes.fromhex(con["root_first"]), cp.root,
                              [bytes.fromhex(p) for p in con["proof"]])
