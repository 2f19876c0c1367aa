"""Promising benchmarks: a quote and a cart's checkout plan, beside the ATP query they start from.

Quotes are timed uncached (``promise_cache_seconds=0``): each call reads ATP, the overrides and
the node-day load of its candidate nodes. ``promise_quote_cached`` times the cache hit path.
SKUs are drawn among those with stock, postal codes among the world's customer addresses.
"""

from __future__ import annotations

import functools

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from promesa.bench.core import _deps, _paired
from promesa.bench.registry import BenchContext, BenchResult, benchmark, result, timed
from promesa.domain.inventory import atp_by_node
from promesa.domain.promising.checkout import plan_checkout
from promesa.domain.promising.quote import quote
from promesa.domain.promising.records import CartLine, CheckoutPlan
from promesa.domain.promising.zones import zone_of
from promesa.errors import DomainError
from promesa.store.models import Address, InventoryPosition


def _samples(session: Session, ctx: BenchContext, n: int) -> tuple[list[str], list[str]]:
    skus = list(session.scalars(select(InventoryPosition.sku).where(InventoryPosition.on_hand > 5)
                                .group_by(InventoryPosition.sku).limit(5000)))
    codes: list[str] = []
    total = session.scalar(select(func.count()).select_from(Address)) or 0
    for offset in sorted(ctx.rng.sample(range(total), min(total, 4 * n))):
        code = session.scalar(select(Address.postal_code).order_by(Address.id).offset(offset).limit(1))
        if code is None:  # every offset is below the count, so a row is always there
            continue
        try:
            zone_of(code)
            codes.append(code)
        except DomainError:
            continue
    ctx.rng.shuffle(codes)
    return [ctx.rng.choice(skus) for _ in range(n)], codes[:n] or ["06100"]


@benchmark("promise_quote")
def promise_quote(ctx: BenchContext) -> list[BenchResult]:
    """Time a delivery-date quote, uncached and cached, beside its SKU's ATP query."""
    uncached = ctx.settings.model_copy(update={"promise_cache_seconds": 0.0})
    n = ctx.n(300)
    with Session(ctx.engine) as session:
        skus, codes = _samples(session, ctx, n)
        deps = _deps(ctx, session)
        deps = type(deps)(session=session, principal=deps.principal, now=deps.now, settings=uncached)
        items = [(sku, codes[i % len(codes)]) for i, sku in enumerate(skus)]
        ours, ref = _paired(session, items, lambda it: quote(deps, it[0], 1, it[1]),
                            lambda it: atp_by_node(session, [it[0]]))
        cached_deps = type(deps)(session=session, principal=deps.principal, now=deps.now, settings=ctx.settings)
        for sku, code in items:
            quote(cached_deps, sku, 1, code)
        hits = [timed(functools.partial(quote, cached_deps, sku, 1, code)) for sku, code in items]
    return [result("promise_quote", ours, ctx, ref, "uncached quote vs atp_by_node of its SKU"),
            result("promise_quote_cached", hits, ctx, ref, "cache hit vs atp_by_node of its SKU")]


@benchmark("checkout_plan")
def checkout_plan(ctx: BenchContext) -> list[BenchResult]:
    """Time a three-SKU cart's checkout plan beside the ATP query of its SKUs."""
    n = ctx.n(200)
    with Session(ctx.engine) as session:
        skus, codes = _samples(session, ctx, 3 * n)
        deps = _deps(ctx, session)
        carts = [([CartLine(sku=s, quantity=1) for s in dict.fromkeys(skus[3 * i:3 * i + 3])], codes[i % len(codes)])
                 for i in range(n)]

        def plan(cart: tuple[list[CartLine], str]) -> CheckoutPlan | None:
            try:
                return plan_checkout(deps, cart[0], cart[1])
            except DomainError:  # a cart no node can promise is still a full plan's work
                return None

        ours, ref = _paired(session, carts, plan, lambda cart: atp_by_node(session, [ln.sku for ln in cart[0]]))
    return [result("checkout_plan", ours, ctx, ref, "3-SKU cart plan vs atp_by_node of its SKUs")]
