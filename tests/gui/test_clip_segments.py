"""clip_segments: the part of each edge inside the view, as the canvas draws it."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.gui.canvas_model import clip_segments

pytestmark = pytest.mark.gui

BOX = (0.0, 0.0, 10.0, 10.0)


def test_inside_segments_are_unchanged_and_outside_ones_dropped():
    ends = np.array(
        [
            [1, 1, 9, 9],  # inside
            [-5, 5, 15, 5],  # crosses left and right
            [20, 20, 30, 30],  # outside
            [-5, -5, -1, 20],  # outside, passes by the left
            [5, -10, 5, 20],  # vertical, crosses top and bottom
        ],
        dtype=float,
    )
    cut, idx = clip_segments(ends, *BOX)
    assert idx.tolist() == [0, 1, 4]
    np.testing.assert_allclose(cut[0], [1, 1, 9, 9])
    np.testing.assert_allclose(cut[1], [0, 5, 10, 5])
    np.testing.assert_allclose(cut[2], [5, 0, 5, 10])


def test_a_point_segment_inside_is_kept_and_outside_is_dropped():
    cut, idx = clip_segments(np.array([[3, 3, 3, 3], [12, 3, 12, 3]], float), *BOX)
    assert idx.tolist() == [0]
    np.testing.assert_allclose(cut[0], [3, 3, 3, 3])


def test_period_moves_the_start_back_to_a_whole_number_of_periods():
    cut, _ = clip_segments(np.array([[-7.5, 5, 15, 5]], float), *BOX, period=2.0)
    # the view starts 7.5 from the segment's start: the cut starts 6 from it (3 periods)
    np.testing.assert_allclose(cut[0], [-1.5, 5, 10, 5])


coord = st.floats(-50, 50, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(coord, coord, coord, coord), min_size=1, max_size=20))
def test_cut_parts_lie_on_their_segment_inside_the_box(rows):
    ends = np.array(rows, dtype=float)
    cut, idx = clip_segments(ends, *BOX)
    eps = 1e-6
    assert ((cut[:, [0, 2]] >= -eps) & (cut[:, [0, 2]] <= 10 + eps)).all()
    assert ((cut[:, [1, 3]] >= -eps) & (cut[:, [1, 3]] <= 10 + eps)).all()
    for row, (x1, y1, x2, y2) in zip(cut, ends[idx], strict=True):
        for px, py in (row[:2], row[2:]):  # on the segment: cross product ~ 0
            cross = (x2 - x1) * (py - y1) - (y2 - y1) * (px - x1)
            assert abs(cross) <= 1e-6 * max(1.0, abs(x2 - x1) + abs(y2 - y1)) * 100
    # a segment is dropped only if none of its points falls inside the box
    dropped = np.setdiff1d(np.arange(len(ends)), idx)
    t = np.linspace(0, 1, 201)
    for i in dropped:
        x1, y1, x2, y2 = ends[i]
        xs, ys = x1 + t * (x2 - x1), y1 + t * (y2 - y1)
        inside = (xs > eps) & (xs < 10 - eps) & (ys > eps) & (ys < 10 - eps)
        assert not inside.any()
