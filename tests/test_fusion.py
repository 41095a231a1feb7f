"""Fusion of the dense and keyword legs, on hand-made ranked lists."""

from __future__ import annotations

import pytest

from kb.fusion import convex, rrf


def test_rrf_rewards_rows_both_legs_rank():
    dense = [(1, 0.9), (2, 0.8), (3, 0.7)]
    keyword = [(3, 12.0), (4, 9.0)]
    fused = rrf(dense, keyword)
    assert fused[3] == pytest.approx(1 / 63 + 1 / 61)
    assert max(fused, key=fused.get) == 3  # third and first beats first alone
    assert fused[1] == pytest.approx(1 / 61) and fused[4] == pytest.approx(1 / 62)


def test_convex_normalises_each_leg_and_weights_them():
    dense = {1: 0.80, 2: 0.60, 3: 0.40}
    keyword = {1: 0.0, 2: 10.0, 3: 20.0}
    even = convex(dense, keyword, dense_weight=0.5)
    assert even == pytest.approx({1: 0.5, 2: 0.5, 3: 0.5})
    assert max(convex(dense, keyword, dense_weight=0.8).items(), key=lambda x: x[1])[0] == 1
    assert max(convex(dense, keyword, dense_weight=0.2).items(), key=lambda x: x[1])[0] == 3


def test_convex_with_a_flat_or_empty_leg():
    assert convex({1: 0.5, 2: 0.5}, {1: 0.0, 2: 0.0}, dense_weight=0.5) == {1: 0.5, 2: 0.5}
    assert convex({}, {}, dense_weight=0.5) == {}
