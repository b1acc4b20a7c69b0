"""The AIS state machine in CI: a small, derandomised run (the campaign is ``make campaign``)."""

from ais_machine import AisMachine, machine_settings_from_env
from hypothesis import HealthCheck, settings

TestAisMachine = AisMachine.TestCase
TestAisMachine.settings = settings(
    settings.default,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    **machine_settings_from_env(),
)
