"""The autonomy policy applied to a proposal: may the orchestrator act alone, and by which rule.

An option may run alone only when all hold (the names are the audited rule):
``keeps_promise`` (it arrives by the promised date), ``within_cost`` (at most the policy's extra
MXN), ``invisible`` (a kind the customer cannot see: same address, one parcel, no pickup) and
it is executable now. Anything else waits for a person with the proposal attached.
"""

from __future__ import annotations

from dataclasses import dataclass

from promesa.domain.fulfillment.records import RerouteOption
from promesa.domain.orchestration.config import AutonomyPolicy

RULE = "auto_reroute:keeps_promise+within_cost+invisible"


@dataclass(frozen=True)
class Verdict:
    automatic: bool
    rule: str | None
    why: str


def judge(option: RerouteOption, policy: AutonomyPolicy) -> Verdict:
    """Whether the autonomy policy lets the orchestrator run ``option`` alone, with the rule and why."""
    if not policy.enabled:
        return Verdict(False, None, "the autonomy policy is off")
    if not option.executable:
        return Verdict(False, None, f"{option.option_id} cannot run now")
    if not option.meets_promise:
        return Verdict(False, None, f"{option.option_id} arrives {option.days_late} day(s) late")
    if option.cost_delta_mxn > policy.max_extra_cost_mxn:
        return Verdict(False, None, f"{option.option_id} costs {option.cost_delta_mxn:+.2f} MXN, over the "
                                    f"policy's {policy.max_extra_cost_mxn:.2f}")
    if option.kind not in policy.invisible_kinds:
        return Verdict(False, None, f"{option.kind} changes what the customer sees")
    return Verdict(True, RULE, f"{option.option_id} keeps the promise for {option.cost_delta_mxn:+.2f} MXN "
                               "and changes nothing the customer sees")
