"""RFC 6962 Merkle tree hashing and proofs (the algorithms of RFC 9162 §2.1), as Certificate Transparency does it.

    leaf hash      SHA-256(0x00 ‖ data)
    interior node  SHA-256(0x01 ‖ left ‖ right)
    MTH({})        SHA-256("")
    split          the largest power of two smaller than n (never the midpoint)

Proof *generation* never needs the leaves themselves: it reads hashes of **perfect subtrees** (``level`` L,
``index`` i covers leaves ``[i·2^L, (i+1)·2^L)``) from a :class:`SubtreeSource`. A log that stores each perfect
subtree's hash when it completes (two rows per leaf, amortised) answers any root, inclusion or consistency
proof with O(log n) lookups, however large it grows. Proof *verification* is pure and needs only hashes.

This module must never do I/O; the server's audit store and the device's audit check both build on it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Protocol

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split(n: int) -> int:
    """The RFC 6962 split point k for n > 1 leaves: the largest power of two strictly smaller than n."""
    if n < 2:
        raise ValueError("split needs at least two leaves")
    return 1 << ((n - 1).bit_length() - 1)


class SubtreeSource(Protocol):
    def subtree(self, level: int, index: int) -> bytes:
        """The hash of the perfect subtree of height ``level`` whose leftmost leaf is ``index << level``."""
        ...


class ProofError(ValueError):
    """A proof was asked for sizes or indices the tree cannot have (a caller's mistake, not a bad proof)."""


def _is_perfect(lo: int, hi: int) -> int | None:
    """The level of [lo, hi) when it is one perfect, aligned subtree; else None."""
    n = hi - lo
    if n & (n - 1) == 0 and lo % n == 0:
        return n.bit_length() - 1
    return None


def range_root(src: SubtreeSource, lo: int, hi: int) -> bytes:
    """MTH of leaves [lo, hi) for the ranges the RFC's recursion visits (lo aligned to a power of two ≥ hi − lo)."""
    if hi <= lo:
        return EMPTY_ROOT
    level = _is_perfect(lo, hi)
    if level is not None:
        return src.subtree(level, lo >> level)
    k = split(hi - lo)
    return node_hash(range_root(src, lo, lo + k), range_root(src, lo + k, hi))


def root(src: SubtreeSource, size: int) -> bytes:
    return range_root(src, 0, size)


def inclusion_proof(src: SubtreeSource, index: int, size: int) -> list[bytes]:
    """PATH(index, D[size]) of RFC 6962 §2.1.1, leaf nearest first."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of {size}")
    path: list[bytes] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = split(hi - lo)
        if index < lo + k:
            path.append(range_root(src, lo + k, hi))
            hi = lo + k
        else:
            path.append(range_root(src, lo, lo + k))
            lo = lo + k
    path.reverse()
    return path


def consistency_proof(src: SubtreeSource, first: int, second: int) -> list[bytes]:
    """PROOF(first, D[second]) of RFC 6962 §2.1.2 (empty when first is 0 or equals second)."""
    if not 0 <= first <= second:
        raise ProofError(f"no consistency proof from {first} to {second}")
    if first in (0, second):
        return []
    out: list[bytes] = []
    lo, hi, m, whole = 0, second, first, True
    while m != hi - lo:
        k = split(hi - lo)
        if m <= k:
            out.append(range_root(src, lo + k, hi))
            hi = lo + k
        else:
            out.append(range_root(src, lo, lo + k))
            lo, m, whole = lo + k, m - k, False
    if not whole:
        out.append(range_root(src, lo, hi))
    out.reverse()
    return out


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], expected_root: bytes) -> bool:
    """RFC 9162 §2.1.3.2: does ``proof`` show ``leaf`` (a leaf hash) at ``index`` in the tree with that root?"""
    if not 0 <= index < size or any(len(p) != HASH_SIZE for p in proof):
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == expected_root


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes,
                       proof: Sequence[bytes]) -> bool:
    """RFC 9162 §2.1.4.2: is the tree of ``second`` leaves an append-only extension of the one of ``first``?"""
    if not 0 <= first <= second or any(len(p) != HASH_SIZE for p in proof):
        return False
    if first == second:
        return not proof and first_root == second_root
    if first == 0:
        return not proof and first_root == EMPTY_ROOT
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    if not path:
        return False
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == first_root and sr == second_root


class MemoryTree:
    """An in-memory log keeping every perfect subtree hash: for tests, vectors and a device's own checks."""

    def __init__(self) -> None:
        self._levels: list[list[bytes]] = [[]]

    @property
    def size(self) -> int:
        return len(self._levels[0])

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Add one leaf hash; return the (level, index, hash) of every perfect subtree this completed."""
        added = [(0, self.size, leaf)]
        self._levels[0].append(leaf)
        level, index = 0, self.size - 1
        while index & 1:
            left, right = self._levels[level][index - 1], self._levels[level][index]
            level, index = level + 1, index >> 1
            if len(self._levels) == level:
                self._levels.append([])
            h = node_hash(left, right)
            self._levels[level].append(h)
            added.append((level, index, h))
        return added

    def subtree(self, level: int, index: int) -> bytes:
        return self._levels[level][index]

    def root(self, size: int | None = None) -> bytes:
        return root(self, self.size if size is None else size)
