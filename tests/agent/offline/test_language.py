import pytest

from agent.offline.language import detect


@pytest.mark.parametrize(
    "text,lang",
    [
        ("¿Dónde está mi pedido?", "es"),
        ("donde esta mi pedido", "es"),  # accents missing
        ("cuando llega lo que compre", "es"),
        ("where is my order?", "en"),
        ("my package hasn't arrived", "en"),
        ("hola", "es"),
        ("hi", "en"),
        ("my pedido no llega", "es"),  # Spanglish leaning Spanish
        ("can I pick up mi pedido at the store", "en"),  # Spanglish leaning English
    ],
)
def test_detects_language(text, lang):
    assert detect(text) == lang


@pytest.mark.parametrize("text", ["ok", "PO-5001", "5001", "sí", "yes", "SKU-10042 MTY-STORE-02"])
def test_short_or_ambiguous_messages_keep_the_conversation_language(text):
    assert detect(text, previous="es") == "es" or text == "yes"
    assert detect(text, previous="en") == "en" or text == "sí"


def test_clear_switch_overrides_previous():
    assert detect("actually, where is my other order please", previous="es") == "en"
    assert detect("¿y dónde está el otro pedido?", previous="en") == "es"


def test_default_when_nothing_is_known():
    assert detect("PO-5001") == "en"
    assert detect("PO-5001", default="es") == "es"
