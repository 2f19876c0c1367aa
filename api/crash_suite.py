"""``python -m api.crash_suite``: kill -9 between an approval and its response (``.ci/suites/crash.sh``).

Shoppers ask to switch an order to store pickup and get the approval card (two turns each).
Then, per trial: a server starts, the shopper approves, and the server is killed with SIGKILL
after a random delay (0 … ``--max-delay`` s, so anywhere from before the write to after the
response). A fresh server starts and the suite checks what an operator would:

* at most one execution of the action, its audit entries the same in number, no rejection
  beside an execution, and no pending approval listed for an executed action;
* the shopper's retry (every fourth trial: a rejection instead) gets the outcome: after it,
  exactly one execution per approved action; a rejection of an executed action is a 409 that
  says what happened, one of an unexecuted action leaves nothing executed.

Prints a JSON report; exits 1 on any problem.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession

from api import load
from api.load_suite import server_env, world_database
from promesa.store.db import make_engine
from promesa.store.enums import FulfillmentType, LineStatus
from promesa.store.models import ActionExecution, ActionOutcome, AuditEntry, Order, OrderLine

ACTION = "convert_to_pickup"


def candidates(url: str, n: int) -> list[tuple[str, str]]:
    """Shipping orders of known customers with every line still allocated (pickup is possible)."""
    engine = make_engine(url)
    with DbSession(engine) as session:
        moving = select(OrderLine.order_id).where(OrderLine.status != LineStatus.allocated)
        rows = session.execute(
            select(Order.customer_id, Order.id).where(
                Order.fulfillment_type == FulfillmentType.ship, Order.customer_id.is_not(None),
                Order.id.not_in(moving)).order_by(Order.id).limit(n)
        ).all()
    engine.dispose()
    return [(c, o) for c, o in rows]


def facts(url: str, order_id: str) -> dict[str, int]:
    """What the database says happened to ``order_id``'s pickup action."""
    engine = make_engine(url)
    with DbSession(engine) as session:
        def count(stmt: Any) -> int:
            return session.scalar(select(func.count()).select_from(stmt.subquery())) or 0

        out = {
            "executions": count(select(ActionExecution.key).where(
                ActionExecution.entity_id == order_id, ActionExecution.action == ACTION)),
            "outcomes": count(select(ActionOutcome.action_key).where(ActionOutcome.order_id == order_id)),
            "audit_executed": count(select(AuditEntry.id).where(
                AuditEntry.entity_id == order_id, AuditEntry.action == ACTION)),
            "audit_rejected": count(select(AuditEntry.id).where(
                AuditEntry.entity_id == order_id, AuditEntry.action == f"{ACTION}_rejected")),
        }
    engine.dispose()
    return out


def ask_for_pickup(client: httpx.Client, session: load.Session) -> bool:
    """Two turns: the proposal, then the shopper's choice of the recommended store."""
    headers = {"Authorization": f"Bearer {session.token}"}
    first = client.post("/v1/chat", headers=headers,
                        json={"message": f"Can I pick up my order {session.order_id} in a store instead?"}).json()
    proposal = next((d for d in first.get("decisions", []) if d["type"] == "reroute_proposal"), None)
    if not proposal or not proposal.get("recommended_node"):
        return False
    session.thread_id = first["thread_id"]
    second = client.post("/v1/chat", headers=headers, json={
        "thread_id": session.thread_id, "message": f"Yes, I'll pick it up at Store [{proposal['recommended_node']}]"}).json()
    return bool(second.get("pending_approval"))


def approve(base: str, session: load.Session, approve_it: bool = True, timeout: float = 60) -> httpx.Response:
    """Answer the session's pending approval over HTTP."""
    return httpx.post(f"{base}/v1/approvals/{session.thread_id}", timeout=timeout,
                      headers={"Authorization": f"Bearer {session.token}"},
                      json={"approve": approve_it, "reason": "crash suite"})


def pending_for(base: str, session: load.Session) -> list[dict[str, Any]]:
    """The approvals pending on the session's order."""
    response = httpx.get(f"{base}/v1/approvals", headers={"Authorization": f"Bearer {session.token}"}, timeout=30)
    return [p for p in response.json() if p["args"].get("order_id") == session.order_id]


def trial(i: int, session: load.Session, *, url: str, env: dict[str, str], port: int, log: Path,
          rng: random.Random, max_delay: float) -> dict[str, Any]:
    """One crash trial: approve, kill the server after a random delay, restart, answer again
    (every fourth trial rejects) and check the action ran at most once; the trial's record."""
    base = f"http://127.0.0.1:{port}"
    delay = rng.uniform(0, max_delay)
    answered: dict[str, Any] = {}
    with load.forked(env, port=port, log=log) as pid:
        def send() -> None:
            try:
                answered["status"] = approve(base, session).status_code
            except httpx.HTTPError as exc:
                answered["error"] = type(exc).__name__

        sender = threading.Thread(target=send)
        sender.start()
        time.sleep(delay)
        in_flight = "status" not in answered
        os.kill(pid, signal.SIGKILL)  # one worker: this process is the whole server
        os.waitpid(pid, 0)
        sender.join(timeout=30)
    after_crash = facts(url, session.order_id)
    reject = i % 4 == 3
    with load.forked(env, port=port, log=log):
        listed = pending_for(base, session)
        retry = approve(base, session, approve_it=not reject)
        final = facts(url, session.order_id)
        listed_after = pending_for(base, session)
    problems = []
    if after_crash["executions"] > 1 or after_crash["outcomes"] != after_crash["executions"]:
        problems.append(f"after the crash: {after_crash}")
    if after_crash["executions"] and listed:
        problems.append("an executed action is still listed as pending")
    if reject:
        if after_crash["executions"]:
            # still pending (crashed before the checkpoint): refused with what happened; the
            # turn had finished: nothing is waiting for an answer any more
            ok = retry.status_code == 409 and ("already executed" in retry.text or "nothing to approve" in retry.text)
            if not ok or final["audit_rejected"]:
                problems.append(f"rejecting an executed action: HTTP {retry.status_code} {retry.text[:120]}")
        elif retry.status_code != 200 or final["executions"]:
            problems.append(f"rejecting an unexecuted action: HTTP {retry.status_code}, {final}")
    else:
        if retry.status_code not in (200, 409):
            problems.append(f"retrying the approval: HTTP {retry.status_code} {retry.text[:120]}")
        if final["executions"] != 1 or final["outcomes"] != 1 or final["audit_executed"] != 1 or final["audit_rejected"]:
            problems.append(f"after the retry: {final}")
    if listed_after:
        problems.append("an approval is still pending after the retry")
    return {"trial": i, "order_id": session.order_id, "delay_s": round(delay, 3), "in_flight": in_flight,
            "executed_before_restart": after_crash["executions"], "rejected": reject,
            "retry_status": retry.status_code, "problems": problems}


def main(argv: list[str] | None = None) -> int:
    """Run the crash trials; exit status 0 when no trial found a problem."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--trials", type=int, default=12)
    parser.add_argument("--max-delay", type=float, default=0.0, help="0: 1.5 times a measured approval")
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--ports", default="18300-18399")
    parser.add_argument("--pg-url", default=os.environ.get("PROMESA_TEST_DATABASE_URL"))
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    low, high = (int(p) for p in args.ports.split("-"))
    rng = random.Random(args.seed)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="promesa-crash-") as tmp:
        workdir = Path(tmp)
        with world_database(args.backend, workdir, pg_url=args.pg_url, orders=args.orders) as url:
            secret = secrets.token_urlsafe(32)
            env = server_env(url, workdir, secret, rate_limit=None)
            port = load.free_port(low, high)
            log = workdir / "server.log"
            sessions = load.sessions_for(candidates(url, args.trials * 2), secret, sse_every=0)
            ready: list[load.Session] = []
            with load.forked(env, port=port, log=log), httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
                for session in sessions:
                    if len(ready) <= args.trials and ask_for_pickup(client, session):
                        ready.append(session)
            # one approval on a fresh server, uncrashed, measures how long one takes; kills land
            # anywhere from before the write to after the response (up to 1.5 times that)
            calibration = ready.pop()
            with load.forked(env, port=port, log=log):
                t0 = time.perf_counter()
                approve(f"http://127.0.0.1:{port}", calibration)
                took = time.perf_counter() - t0
            max_delay = args.max_delay or 1.5 * took
            results = [trial(i, s, url=url, env=env, port=port, log=log, rng=rng, max_delay=max_delay)
                       for i, s in enumerate(ready)]
            problems = [p for r in results for p in r["problems"]]
            tail = log.read_text(errors="replace")[-3000:] if problems else ""
    report = {
        "backend": args.backend, "trials": len(results), "wanted": args.trials,
        "max_delay_s": round(max_delay, 3),
        "killed_in_flight": sum(r["in_flight"] for r in results),
        "executed_before_restart": sum(bool(r["executed_before_restart"]) for r in results),
        "rejections": sum(r["rejected"] for r in results),
        "problems": problems, "elapsed_s": round(time.perf_counter() - started, 1),
        "results": results, **({"server_log_tail": tail} if tail else {}),
    }
    text = json.dumps(report, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text)
    return 1 if problems or len(results) < args.trials else 0


if __name__ == "__main__":
    sys.exit(main())
