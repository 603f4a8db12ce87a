"""The shipped scenarios and the default options as requests read them, for the service's warm-up.

The warm-up (:mod:`bpr.service.warm`) computes what a request naming a shipped scenario with no options
would compute, so it reads the files and builds the options exactly as a request does
(:mod:`bpr.api.inputs`); a refusal reaches it as :class:`~bpr.service.errors.Refused`, with the same text.
"""

from __future__ import annotations

from bpr.api.errors import ApiError
from bpr.api.inputs import resolve_process, scenario_names, sim_config
from bpr.api.models import ProcessInput, SimOptions
from bpr.api.settings import Settings
from bpr.model.schema import Process
from bpr.service.errors import Refused
from bpr.service.warm import Variant
from bpr.simulate.config import SimConfig

__all__ = ["ShippedScenarios"]


class ShippedScenarios:
    """:class:`bpr.service.warm.Shipped` for the scenarios of ``settings.scenarios_dir``."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def default_config(self) -> SimConfig:
        try:
            return sim_config(SimOptions(), self.settings)
        except ApiError as error:
            raise Refused(error.issues) from None

    def names(self) -> list[str]:
        return scenario_names(self.settings)

    def process(self, name: str, variant: Variant) -> Process:
        try:
            return resolve_process(ProcessInput(scenario=name, variant=variant), self.settings)
        except ApiError as error:
            raise Refused(error.issues) from None
