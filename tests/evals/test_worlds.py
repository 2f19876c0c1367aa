from pathlib import Path

from sqlalchemy import text

from evals.cases import parse_case
from evals.worlds import WorldFactory


def case(case_id: str, now: str = "2026-11-20T10:00:00-06:00", world=None):
    raw = {"id": case_id, "persona": "ops", "principal": {"subject": "o"}, "now": now, "turns": [{"user": "x"}]}
    if world is not None:
        raw["world"] = world
    return parse_case(raw, Path("/cases/c.yaml"))


def test_templates_built_once_and_copies_are_private(tmp_path: Path):
    built = []

    def builder(engine, *, now, orders, seed):
        built.append((now.isoformat(), orders, seed))
        with engine.begin() as c:
            c.execute(text("INSERT INTO carriers (id, name, on_time_reliability, delivery_weekdays) VALUES ('DHL', 'DHL', 0.9, '012345')"))

    worlds = WorldFactory(tmp_path, demo_orders=5, demo_builder=builder)
    for i in range(3):
        with worlds.fresh(case(f"a{i}")) as engine:
            with engine.begin() as c:
                assert c.execute(text("SELECT count(*) FROM carriers")).scalar() == 1
                c.execute(text("DELETE FROM carriers"))  # a case's writes stay in its copy
    with worlds.fresh(case("b", now="2026-11-21T10:00:00-06:00")):
        pass
    assert built == [("2026-11-20T10:00:00-06:00", 5, 7), ("2026-11-21T10:00:00-06:00", 5, 7)]
    assert worlds.templates_built == 2


def test_world_files_and_inline_worlds_go_to_the_loader(tmp_path: Path):
    loaded = []
    worlds = WorldFactory(tmp_path, world_loader=lambda engine, ref, now: loaded.append(ref))
    with worlds.fresh(case("f", world="worlds/tiny.yaml")):
        pass
    with worlds.fresh(case("i", world={"customers": []})):
        pass
    assert loaded == [Path("/cases/worlds/tiny.yaml"), {"customers": []}]
    assert worlds.key(case("i2", world={"customers": []})) == worlds.key(case("i3", world={"customers": []}))


def test_the_seed_of_a_run_picks_its_demo_world(tmp_path: Path):
    seeds = []
    worlds = WorldFactory(tmp_path, demo_builder=lambda engine, *, now, orders, seed: seeds.append(seed))
    with worlds.fresh(case("a")):
        pass
    with worlds.fresh(case("b"), seed=8):
        pass
    assert seeds == [7, 8]
