"""Properties: a recommended option never violates its profile's hard filters."""

from __future__ import annotations

from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from promesa.domain.deps import Deps
from promesa.domain.fulfillment.config import SourcingProfile
from promesa.domain.fulfillment.proposals import propose_reroute
from promesa.settings import Settings
from tests.domain.ops_world import NOW
from tests.domain.test_reroute import build

weights = st.dictionaries(
    st.sampled_from(["speed", "cost", "capacity", "shipments", "reliability", "distance"]),
    st.floats(0.01, 1), min_size=1,
)


@hsettings(max_examples=25, deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(w=weights, promise=st.booleans(), max_cost=st.one_of(st.none(), st.floats(-50, 100)),
       pickup=st.booleans(), upgrade=st.booleans())
def test_recommendation_respects_hard_filters(session, ops, w, promise, max_cost, pickup, upgrade):
    if not session.info.get("built"):  # one world per test, many profiles over it
        build(session)
        session.info["built"] = True
    profile = SourcingProfile(weights=w, require_meets_promise=promise, max_cost_delta_mxn=max_cost,
                              allow_pickup=pickup, allow_upgrade=upgrade)
    settings = Settings(_env_file=None, sourcing_profiles={"p": profile})
    deps = Deps(session=session, principal=ops, now=NOW, settings=settings)
    proposal = propose_reroute(deps, "PO-1", profile="p", consent_pickup=True)
    if proposal.recommended_option_id is None:
        assert proposal.reason
        return
    best = next(o for o in proposal.options if o.option_id == proposal.recommended_option_id)
    assert not best.filtered_out and best.executable
    assert best.meets_promise or not promise
    assert max_cost is None or best.cost_delta_mxn <= max_cost
    assert pickup or best.kind != "pickup"
    assert upgrade or best.kind != "upgrade_service"
    eligible = [o for o in proposal.options if not o.filtered_out and o.executable]
    assert best.total_score == max(o.total_score for o in eligible)
