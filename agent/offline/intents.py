"""Intent classification as a weighted sum of features.

Features are bilingual lexical cues (regexes over normalised text, each with a weight per
intent), entity evidence (an order id supports order intents, a SKU supports availability, …)
and dialogue context (a pending confirmation makes "ok" an approval). The highest total wins;
below ``THRESHOLD`` the message is out of scope.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agent.offline.entities import Entities

INTENTS: tuple[str, ...] = (
    "where_is_order", "order_late", "list_my_orders", "pickup_conversion", "reroute", "approve",
    "reject", "policy_question", "customer_lookup", "risk_scan", "analytics", "availability",
    "handoff", "greeting", "thanks", "out_of_scope",
)
THRESHOLD = 1.5

_ORDER_NOUN = (
    r"\b(?:orders?|packages?|parcels?|stuff|deliver(?:y|ies)|shipments?|purchases?|pedidos?|"
    r"paquetes?|envios?|compras?|lo que compre|entregas?|ordenes?|orden)\b"
)
_ARRIVE = (
    r"\b(?:arrive[sd]?|arriving|get here|gets here|come|coming|deliver(?:ed)?|shows? up|"
    r"llega|llegar|llego|llegue|entregan|entregar|viene|vienen|recibo|recibir)\b"
)

# (pattern over normalised text, weight). Patterns are families, not sentences.
CUES: dict[str, list[tuple[str, float]]] = {
    "where_is_order": [
        (r"\bwhere\b|\bdonde\b", 1.5),
        (_ORDER_NOUN, 1.0),
        (r"\b(?:track(?:ing)?|rastreo|rastrear|status|estatus|estado|updates?|novedad(?:es)?)\b", 1.5),
        (r"\b(?:when|cuando|what day|que dia)\b.*" + _ARRIVE, 2.0),
        (_ARRIVE, 1.0),
        (r"has not (?:arrived|come|shown)|not (?:arrived|here) yet|no (?:me )?ha(?:n)? llegado|"
         r"no (?:me )?llega|still waiting|sigo esperando|todavia no|aun no|never (?:got|received)", 2.0),
        (r"\bque pasa con\b|\bwhat happened (?:to|with)\b|\bwhat about\b|\bva mi\b|\bya viene\b", 1.5),
        # asking whether a pickup order is ready is a status question, not a conversion
        (r"ready (?:to|for) (?:pick|collect)|\blist[oa]s?\b|ya puedo (?:recoger|pasar)|"
         r"pick (?:it |them )?up (?:\S+ )?(?:today|now|tomorrow)|hasta cuando|until when|\bhold\b|guardan", 2.0),
        (r"\bon time\b|\ba tiempo\b", 1.0),
    ],
    "order_late": [
        (r"\blate\b|\bdelay(?:ed|s)?\b|retras|atrasad|\btarde\b|demora|overdue", 2.5),
        (r"supposed to (?:arrive|be here|come|be delivered)|deberia haber llegado|ya paso la fecha|"
         r"past the (?:due )?date|fecha (?:prometida|de entrega)", 2.0),
        (r"ridiculous|unacceptable|angry|upset|molest|enojad|hart[oa]|terrible|inaceptable|queja|"
         r"complain|furious|frustrat|pesimo|again\b|otra vez|de nuevo", 1.5),
    ],
    "list_my_orders": [
        (r"\b(?:all|every|list|show)\b.*\border", 2.0),
        (r"\bmy (?:recent |past |open )?orders\b|\bmis (?:pedidos|compras|ordenes)\b|order history|"
         r"historial|(?:what|which) orders (?:do )?i have|orders do i have", 2.5),
        (r"what (?:have|did) i (?:order|buy|bought)|que (?:pedidos|compras) tengo|pedidos tengo|"
         r"que he (?:pedido|comprado)|recent(?:ly)? (?:order|bought)", 2.5),
        (r"\b(?:open|abiertos|pendientes)\b", 0.5),
    ],
    "pickup_conversion": [
        (r"\bpick(?:ing)? (?:it |them |this )?up\b|\bpickup\b|\bpick up\b|\bcollect\b|recog|"
         r"\brecojo\b|paso por|pasar por|ir por|voy por", 2.0),
        (r"\binstead\b|en (?:lugar|vez)|\bmejor\b|\brather\b|\bswitch|\bcambia|\bconvert|"
         r"\bprefer|change (?:it )?to", 1.5),
        (r"in store|en tienda|at the store|a la (?:sucursal|tienda)|en (?:la )?sucursal|myself", 1.0),
    ],
    "reroute": [
        (r"\b(?:another|different|other|otra|otro|distint[oa]|diferente) (?:stores?|nodes?|"
         r"warehouses?|locations?|dc|tienda|sucursal|nodo|almacen|bodega|centro|branch)\b", 3.5),
        (r"re-?route|reassign|reasign|realloca|reasignar|redirig|\bfulfil|\bsurtir|"
         r"cambio de (?:tienda|nodo|sucursal|almacen)|change (?:the )?(?:store|node|warehouse)|"
         r"sav(?:e|ing) (?:the |its |the order s )?promise|salva(?:r|mos)? la promesa|rescat", 3.0),
        (r"\bpropo(?:n|ner|se)\b|\boptions\b|\bopciones\b|\bstuck\b|atorad", 1.5),
        (r"(?:no|out of|sin) (?:stock|inventario|existencias)", 1.5),
        (r"ship (?:it )?from|send (?:it )?from|mandar(?:lo)? desde|enviar(?:lo)? desde|"
         r"\bdesde otr|\bfrom (?:another|a different)", 2.0),
    ],
    "approve": [
        (r"^(?:yes|yeah|yep|yup|sure|ok|okay|si|claro|dale|va|vale|sale|perfecto|correcto|"
         r"andale|orale|de acuerdo|please do|confirmed?|approved?)\b", 3.0),
        (r"go ahead|(?<!not )do it|(?<!no )hazlo|procede|proceed|\bapprove|\bapruebo|adelante|confirm|"
         r"\bexecute|\bejecut|\bapply it|\baplica(?:lo)?\b|cambialo", 2.5),
    ],
    "reject": [
        (r"no thanks|no gracias|mejor no|\bdon ?t\b|do not (?:change|do|reroute|move)|leave it|"
         r"dejalo|asi (?:esta|dejalo) bien|no cambies|\breject|\brechaz|not now|ahora no", 2.5),
    ],
    "policy_question": [
        (r"\breturns?\b|devol|devuelv|regresar|\brefund|reembols|money back|dinero|warrant|"
         r"garantia|privacy|privacidad|personal data|datos personales|\bmy data\b|mis datos|"
         r"\bcancel|cancela|polic(?:y|ies)|politica|exchange|cambio de producto|price adjust|"
         r"ajuste de precio|shipping cost|costo de envio|terms|terminos", 2.5),
        (r"^(?:how|can i|what is|what if|do you|cuanto|como|puedo|que pasa si|se puede)\b", 0.5),
        # general "how does it work" questions, not about one order
        (r"how long|how does|is there|are there|who (?:can|may)|cuanto tiempo|quien puede|hacen\b|"
         r"(?:do|will) i get\b|\b(?:if|si) (?:my|mi|the|el|la)\b", 1.5),
        (r"como funciona|how (?:does|do) .*work", 3.0),
        (r"compensa|compensation|\bcredit|credito|bonifica|address|direccion|same[- ]?day|mismo dia|"
         r"who (?:can|may) (?:collect|pick)|quien puede (?:recoger|pasar)|"
         r"(?:how long|cuanto tiempo) .*(?:hold|keep|guard)|(?:do|will) i get (?:anything|something|money)", 3.0),
    ],
    "customer_lookup": [
        (r"\bcustomer|\bcliente|\bclient\b|profile|perfil|look ?up|pull up|\bbusca|\bfind\b|"
         r"who is|quien es|\bde quien\b", 1.5),
    ],
    "risk_scan": [
        (r"at risk|en riesgo|\brisk|\briesgo", 3.0),
        (r"miss(?:ing)? (?:their |the |its )?promise|incumpl|no (?:van|vamos) a cumplir|"
         r"will not make|won t make|miss the (?:date|deadline)|break (?:the|their) promise", 3.0),
        (r"over ?capacity|sobre capacidad|exceed|capacity|capacidad|sobrecupo|overload|saturad", 2.0),
        (r"\b(?:which|what) orders\b|\b(?:que|cuales) pedidos\b", 0.5),
    ],
    "analytics": [
        (r"\brate\b|\btasa\b|percent|porcentaje|report|reporte|\bkpi|metric|average|promedio|"
         r"how many|cuantos|breakdown|desglose", 1.0),
    ],
    "availability": [
        (r"in stock|\bstock\b|existencia|inventari|inventory|availab|disponib|quedan|\bhay\b", 2.5),
    ],
    "handoff": [
        (r"\bhuman|humano|\bperson\b|persona\b|\bagent\b|\bagente\b|representa|someone|alguien|"
         r"real person|support staff|asesor|operador|ejecutivo|supervisor|manager|gerente", 2.0),
        (r"\btalk|\bspeak|hablar|connect|comunic|transfer|pasame|llamar|call me|contact", 1.5),
        (r"customer (?:service|care|support)|servicio al cliente|atencion a clientes|\bsoporte\b|support team", 2.0),
    ],
    "greeting": [
        (r"^(?:hi|hello|hey|hola|buenas|buenos dias|good (?:morning|afternoon|evening)|que tal|"
         r"saludos|holi)\b", 2.5),
    ],
    "thanks": [
        (r"thank|\bthanks\b|gracias|appreciate|agradezco|\bcheers\b", 2.5),
    ],
}
_COMPILED = {intent: [(re.compile(p), w) for p, w in cues] for intent, cues in CUES.items()}


@dataclass
class Classification:
    """The winning intent with its score and the full ranking (for tests and debugging)."""

    intent: str
    score: float
    scores: dict[str, float] = field(default_factory=dict)


def _entity_evidence(scores: dict[str, float], ent: Entities, n_tokens: int) -> None:
    if ent.order_ids:
        scores["where_is_order"] += 1.5
    if ent.skus:
        scores["availability"] += 2.0
    if ent.emails or ent.phones or ent.customer_ids or ent.names:
        scores["customer_lookup"] += 2.0
    if ent.metric:
        scores["analytics"] += 3.0
    if ent.dimensions:
        scores["analytics"] += 1.5
    if ent.cities and ent.skus:
        scores["availability"] += 0.5
    # A long message that merely contains "hola"/"gracias" is about something else.
    if n_tokens > 4:
        scores["greeting"] -= 1.5
        scores["thanks"] -= 1.0


def classify(norm: str, ent: Entities, pending: str | None = None) -> Classification:
    """Classify normalised text ``norm`` with its entities and the pending dialogue question.

    Args:
        norm: output of ``normalise.normalise``.
        ent: entities of the same message.
        pending: what the assistant last asked for: ``"confirm"`` (an approval), ``"order_id"``,
            ``"which_order"`` or None.
    """
    scores = {intent: 0.0 for intent in INTENTS}
    for intent, cues in _COMPILED.items():
        for pattern, weight in cues:
            if pattern.search(norm):
                scores[intent] += weight
    words = norm.split()
    n_tokens = len(words)
    if words and (words[0] in {"nope", "nah", "nel"} or (words[0] == "no" and n_tokens <= 3)):
        scores["reject"] += 3.0
    if re.search(r"\bdo not\b|\bno lo hagas\b|\bno (?:lo )?apliques\b|\bnot yet\b|\btodavia no\b", norm):
        scores["approve"] -= 3.0  # a negated "do it" is a refusal, not an approval
    _entity_evidence(scores, ent, n_tokens)
    if pending == "confirm" and scores["approve"] >= 3.0 and scores["reject"] <= 0:
        scores["approve"] += 2.0  # "sí, cámbialo a recoger en tienda" answers the proposal
    if pending == "confirm" and n_tokens <= 6:
        scores["approve"] += 1.0 if scores["approve"] > 0 else 0.0
        scores["reject"] += 1.0 if scores["reject"] > 0 else 0.0
    # Order words alone should not outrank a clearer specific intent; late is a kind of WISMO.
    if scores["order_late"] >= 2.0 and scores["risk_scan"] < 3.0 and not ent.metric:
        scores["order_late"] += scores["where_is_order"] * 0.5
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], INTENTS.index(kv[0])))
    best, best_score = ranked[0]
    if best_score < THRESHOLD:
        best = "out_of_scope"
    return Classification(best, best_score, scores)
