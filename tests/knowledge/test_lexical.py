from knowledge.glossary import gloss
from knowledge.lexical import LexicalIndex, detect_locale, edit_distance, tokenize


def test_tokenizer_folds_accents_plurals_and_keeps_ids() -> None:
    assert tokenize("devolución", "es") == tokenize("devoluciones", "es") == tokenize("DEVOLUCION", "es")
    assert tokenize("refunds", "en") == tokenize("refund", "en")
    assert "po-5000" in tokenize("where is PO-5000?", "en")
    assert "lfpdppp" in tokenize("¿Qué dice la LFPDPPP?", "es")
    assert tokenize("¿cómo de la para?", "es") == []


def test_lexical_scores_and_unknown_words() -> None:
    index = LexicalIndex(["Derechos ARCO de privacidad", "Plazo de devolución de 30 días"], ["es", "es"])
    scores = index.scores("derechos arco")
    assert scores[0] > 0 and scores[1] == 0
    assert not index.scores("xylophone").any()


def test_query_words_are_stemmed_in_both_languages() -> None:
    index = LexicalIndex(["Returns are refunded", "Las devoluciones se reembolsan"], ["en", "es"])
    assert index.scores("returned")[0] > 0 and index.scores("devolver")[1] == 0  # different stems
    assert index.scores("devoluciones")[1] > 0


def test_typos_match_the_closest_indexed_word() -> None:
    index = LexicalIndex(["Change the shipping address", "Gift card balance"], ["en", "en"])
    assert index.scores("wrong adress")[0] > 0
    assert index.scores("gift crad")[1] > 0
    assert not index.scores("adxyzs").any()  # too far from any word
    assert edit_distance("adress", "address", 1) == 1 and edit_distance("kitten", "sitting", 1) == 2


def test_title_words_weigh_more() -> None:
    index = LexicalIndex(["pickup hours and pickup", "pickup hours and pickup"], ["en", "en"], ["Hours", "Other"])
    scores = index.scores("hours")
    assert scores[0] > scores[1] > 0


def test_spanish_gloss_bridges_domain_terms() -> None:
    assert gloss("¿Cuánto tarda el reembolso a mi tarjeta de crédito?") == "how much take long refund credit card"
    assert "gift card" in gloss("saldo de tarjetas de regalo") and "pickup store" in gloss("recoger en tienda")
    assert "OXXO".lower() in gloss("pagué en OXXO")  # unknown words are kept
    # ...unless the caller names them as untranslated Spanish; translated words always stay.
    assert gloss("¿Qué productos no tienen devolución?", drop={"productos", "tienen", "return"}) == "return"


def test_detect_locale() -> None:
    assert detect_locale("¿Dónde está mi pedido?") == "es"
    assert detect_locale("where is my order") == "en"
    assert detect_locale("LFPDPPP") is None
