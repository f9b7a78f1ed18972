"""The themes pages' cells drawn in Python give exactly what the template filter and include
they replace gave, in both languages."""

from __future__ import annotations

import random

import pytest
from django.template import Context, Template
from django.template.defaultfilters import floatformat
from django.utils import translation

from outsidein.analytics.stats import Estimate
from outsidein.text.templatetags.text_figures import estimate, fixed

EDGES = [0, 0.0, -0.0, 0.04, -0.04, 0.05, -0.05, 0.25, -0.25, 0.35, 2.675, 12.45, 1e-9, -1e-9]


@pytest.mark.parametrize("language", ["en", "nl"])
def test_fixed_equals_floatformat(language: str) -> None:
    rng = random.Random(7)
    values = EDGES + [rng.uniform(-250, 250) for _ in range(3000)] + list(range(-5, 105))
    with translation.override(language):
        for digits in (0, 1, 2):
            for value in values:
                assert fixed(value, digits) == floatformat(value, digits), (value, digits)


INCLUDE = Template(
    '{% include "analytics/_estimate.html" with est=est digits=digits suffix=suffix %}'
)


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize(
    "est",
    [
        Estimate(value=None, low=None, high=None, n=0, enough=False),
        Estimate(value=100.0, low=None, high=None, n=1, enough=False),
        Estimate(value=-33.333, low=-80.2, high=20.9, n=3, enough=False),
        Estimate(value=41.25, low=30.55, high=50.0, n=212, enough=True),
        Estimate(value=-0.004, low=None, high=None, n=40, enough=True),
    ],
)
@pytest.mark.parametrize(("digits", "suffix"), [(0, ""), (2, ""), (0, "%")])
def test_the_estimate_tag_draws_what_the_include_drew(
    language: str, est: Estimate, digits: int, suffix: str
) -> None:
    with translation.override(language):
        expected = INCLUDE.render(
            Context({"est": est, "digits": digits, "suffix": suffix, "minimum_n": 30})
        )
        assert str(estimate(est, digits, 30, suffix=suffix)) == expected
