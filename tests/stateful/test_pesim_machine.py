"""The PESIM state machine in CI: a small, derandomised run (the campaign is ``make campaign``)."""

from hypothesis import HealthCheck, settings
from pesim_machine import PesimMachine, machine_settings_from_env

TestPesimMachine = PesimMachine.TestCase
TestPesimMachine.settings = settings(
    settings.default,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    **machine_settings_from_env(),
)
