"""Probability distributions for durations and case attributes.

Each distribution knows its own ``mean`` and ``variance`` so that tests compare sampling with theory, and
draws with ``sample(rng)`` from a generator it is given (never from global state). Duration parameters
are minutes inside bpr; in files they carry units (``15m``) and are converted on the way in and out
(:data:`Duration`). ``normal`` is truncated at 0: a task never takes negative time.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal, Union

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, WithJsonSchema, model_validator

from bpr.model.units import DURATION_PATTERN, format_duration, parse_duration


MAX_EMPIRICAL_VALUES = 10_000
"""Most observations an ``empirical`` distribution keeps: enough for any timing study, and the cost of
checking, storing and sending a process stays small."""


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @property
    def mean(self) -> float:
        raise NotImplementedError

    @property
    def variance(self) -> float:
        raise NotImplementedError

    def sample(self, rng: np.random.Generator) -> float:
        raise NotImplementedError


class Fixed(_Dist):
    """Always the same value (deterministic)."""

    dist: Literal["fixed"] = "fixed"
    value: float = Field(ge=0)

    @property
    def mean(self) -> float:
        return self.value

    @property
    def variance(self) -> float:
        return 0.0

    def sample(self, rng: np.random.Generator) -> float:
        return self.value


class Exponential(_Dist):
    """Memoryless: the service time of queueing theory (M/M/c)."""

    dist: Literal["exponential"] = "exponential"
    mean_: float = Field(alias="mean", gt=0)
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, populate_by_name=True, serialize_by_alias=True)

    @property
    def mean(self) -> float:
        return self.mean_

    @property
    def variance(self) -> float:
        return self.mean_**2

    def sample(self, rng: np.random.Generator) -> float:
        return float(rng.exponential(self.mean_))


class Uniform(_Dist):
    dist: Literal["uniform"] = "uniform"
    min: float = Field(ge=0)
    max: float = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.max < self.min:
            raise ValueError(f"max ({self.max}) must not be below min ({self.min})")
        return self

    @property
    def mean(self) -> float:
        return (self.min + self.max) / 2

    @property
    def variance(self) -> float:
        return (self.max - self.min) ** 2 / 12

    def sample(self, rng: np.random.Generator) -> float:
        return float(rng.uniform(self.min, self.max))


class Triangular(_Dist):
    """Min, most likely, max: what staff can tell from experience."""

    dist: Literal["triangular"] = "triangular"
    min: float = Field(ge=0)
    mode: float = Field(ge=0)
    max: float = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not self.min <= self.mode <= self.max:
            raise ValueError(f"need min <= mode <= max, got {self.min}, {self.mode}, {self.max}")
        return self

    @property
    def mean(self) -> float:
        return (self.min + self.mode + self.max) / 3

    @property
    def variance(self) -> float:
        a, c, b = self.min, self.mode, self.max
        return (a * a + b * b + c * c - a * b - a * c - b * c) / 18

    def sample(self, rng: np.random.Generator) -> float:
        if self.min == self.max:
            return self.min
        return float(rng.triangular(self.min, self.mode, self.max))


def _phi(x: float) -> float:
    return math.exp(-x * x / 2) / math.sqrt(2 * math.pi)


def _Phi(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


class Normal(_Dist):
    """Normal with ``mean`` and ``sd``, truncated at 0; ``mean``/``variance`` are of the truncated law."""

    dist: Literal["normal"] = "normal"
    mu: float = Field(alias="mean", gt=0)
    sd: float = Field(ge=0)
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, populate_by_name=True, serialize_by_alias=True)

    def _ratio(self) -> tuple[float, float]:
        a = -self.mu / self.sd
        return a, _phi(a) / (1 - _Phi(a))

    @property
    def mean(self) -> float:
        if self.sd == 0:
            return self.mu
        _, lam = self._ratio()
        return self.mu + self.sd * lam

    @property
    def variance(self) -> float:
        if self.sd == 0:
            return 0.0
        a, lam = self._ratio()
        return self.sd**2 * (1 + a * lam - lam * lam)

    def sample(self, rng: np.random.Generator) -> float:
        while True:
            x = float(rng.normal(self.mu, self.sd))
            if x >= 0:
                return x


class Lognormal(_Dist):
    """Right-skewed durations given by their own ``mean`` and ``sd`` (not those of the logarithm)."""

    dist: Literal["lognormal"] = "lognormal"
    mu: float = Field(alias="mean", gt=0)
    sd: float = Field(gt=0)
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, populate_by_name=True, serialize_by_alias=True)

    def log_params(self) -> tuple[float, float]:
        sigma2 = math.log(1 + (self.sd / self.mu) ** 2)
        return math.log(self.mu) - sigma2 / 2, math.sqrt(sigma2)

    @property
    def mean(self) -> float:
        return self.mu

    @property
    def variance(self) -> float:
        return self.sd**2

    def sample(self, rng: np.random.Generator) -> float:
        m, s = self.log_params()
        return float(rng.lognormal(m, s))


class Empirical(_Dist):
    """Observed values, drawn with equal weight (e.g. timings taken from an event log)."""

    dist: Literal["empirical"] = "empirical"
    values: tuple[float, ...] = Field(min_length=1, max_length=MAX_EMPIRICAL_VALUES)

    @model_validator(mode="after")
    def _non_negative(self) -> Empirical:
        if min(self.values) < 0:
            raise ValueError(f"values must not be negative, got {min(self.values)}")
        return self

    @property
    def mean(self) -> float:
        return sum(self.values) / len(self.values)

    @property
    def variance(self) -> float:
        m = self.mean
        return sum((v - m) ** 2 for v in self.values) / len(self.values)

    def sample(self, rng: np.random.Generator) -> float:
        return self.values[int(rng.integers(len(self.values)))]


class Choice(_Dist):
    """A categorical case attribute: ``{dist: choice, values: {new: 0.7, change: 0.3}}``."""

    dist: Literal["choice"] = "choice"
    values: dict[str, float] = Field(min_length=1)

    @model_validator(mode="after")
    def _sums_to_one(self) -> Choice:
        if any(p < 0 for p in self.values.values()):
            raise ValueError("probabilities must not be negative")
        total = sum(self.values.values())
        if abs(total - 1) > 1e-6:
            raise ValueError(f"probabilities sum to {total:g}, not 1")
        return self

    @property
    def mean(self) -> float:
        raise TypeError("a categorical attribute has no mean")

    @property
    def variance(self) -> float:
        raise TypeError("a categorical attribute has no variance")

    def sample(self, rng: np.random.Generator) -> str:  # type: ignore[override]
        keys = list(self.values)
        return keys[int(rng.choice(len(keys), p=list(self.values.values())))]


DurationDistribution = Annotated[
    Union[Fixed, Exponential, Uniform, Triangular, Normal, Lognormal, Empirical], Field(discriminator="dist")
]
AttributeDistribution = Annotated[
    Union[Fixed, Exponential, Uniform, Triangular, Normal, Lognormal, Empirical, Choice],
    Field(discriminator="dist"),
]
DISTRIBUTION_NAMES: tuple[str, ...] = ("fixed", "exponential", "uniform", "triangular", "normal", "lognormal", "empirical")

_TIME_KEYS = ("value", "mean", "sd", "min", "mode", "max")


def _duration_in(value: Any) -> Any:
    """File form -> minutes: ``"15m"`` is fixed; in a mapping every time parameter needs a unit."""
    if isinstance(value, _Dist):
        return value
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return {"dist": "fixed", "value": parse_duration(value)}
    if isinstance(value, dict):
        out = dict(value)
        for key in _TIME_KEYS:
            if key in out:
                out[key] = parse_duration(out[key])
        if isinstance(out.get("values"), list):
            out["values"] = [parse_duration(v) for v in out["values"]]
        return out
    raise ValueError(f"expected a duration such as '15m' or a mapping with 'dist:', got {value!r}")


def _duration_out(dist: _Dist) -> Any:
    """Minutes -> file form, so that a dumped process reads like the file it came from."""
    if isinstance(dist, Fixed):
        return format_duration(dist.value)
    data = dist.model_dump(by_alias=True)
    for key in _TIME_KEYS:
        if key in data:
            data[key] = format_duration(data[key])
    if isinstance(dist, Empirical):
        data["values"] = [format_duration(v) for v in dist.values]
    return data


_DURATION_TEXT = {"type": "string", "pattern": DURATION_PATTERN}
_DURATION_SCHEMA = {
    "anyOf": [
        _DURATION_TEXT,
        {
            "type": "object",
            "required": ["dist"],
            "properties": {
                "dist": {"enum": list(DISTRIBUTION_NAMES)},
                **{key: _DURATION_TEXT for key in _TIME_KEYS},
                "values": {"type": "array", "items": _DURATION_TEXT},
            },
            "additionalProperties": False,
        },
    ],
    "description": "A duration with units ('15m', '2h', '1d') or {dist: triangular, min: 5m, mode: 10m, max: 30m}",
}

Duration = Annotated[
    DurationDistribution,
    BeforeValidator(_duration_in),
    PlainSerializer(_duration_out),
    WithJsonSchema(_DURATION_SCHEMA),
]
"""A duration distribution as written in a process file (see module docstring)."""
