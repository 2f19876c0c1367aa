import pytest

from agent.offline.normalise import fold, normalise, tokens


def test_fold_lowercases_and_strips_accents():
    assert fold("¿Dónde ESTÁ mi Envío?") == "¿donde esta mi envio?"


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("¿Dónde está mi pedio, xq no llega?", "donde esta mi pedido porque no llega"),
        ("wher is my oder", "where is my order"),
        ("where's my stuff", "where is my stuff"),
        ("q pasa con mi paquete pls", "que pasa con mi paquete please"),
        ("it hasn't arrived", "it has not arrived"),
    ],
)
def test_typos_and_shorthand(raw, expected):
    assert normalise(raw) == expected


def test_fuzzy_match_snaps_misspellings_to_the_lexicon():
    assert tokens("my delivry is delaied") == ["my", "delivery", "is", "delayed"]
    assert "devolucion" in tokens("politica de devolucon")


def test_fuzzy_match_leaves_inflections_alone():
    # "tardes" (afternoon) is not a typo of "tarde" (late); "personal" is not "persona".
    assert tokens("buenas tardes") == ["buenas", "tardes"]
    assert "personal" in tokens("my personal data")


def test_ids_survive_as_tokens():
    assert "po-5001" in tokens("PO-5001!")
