"""成交公示: the public list of contracts whose seller and buyer both agreed to it, with limited fields — name,
type, 技术领域, signing year-month, the two parties' names and the amount as a band.

The amount is shown as a band, not exactly: the parties agreed to announce the deal, and a band tells the market
its size without publishing the price they negotiated (which stays visible to the parties and staff)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import selectinload

from ..pagination import PER_PAGE, Page, paginate
from ..web.messages import N_
from .models import Deal

#: (upper bound in 万元, exclusive; None = open) → label
AMOUNT_BANDS: list[tuple[Decimal | None, str]] = [
    (Decimal("10"), N_("10 万元以下")), (Decimal("100"), N_("10–100 万元")), (Decimal("500"), N_("100–500 万元")),
    (Decimal("1000"), N_("500–1000 万元")), (Decimal("10000"), N_("1000 万元–1 亿元")), (None, N_("1 亿元以上")),
]


def amount_band(amount: Decimal) -> str:
    """The band label (msgid) of an amount in 万元."""
    for upper, label in AMOUNT_BANDS:
        if upper is None or amount < upper:
            return label
    return AMOUNT_BANDS[-1][1]


@dataclass(frozen=True)
class PublicDeal:
    """What the public 成交公示 shows of a contract."""

    id: int
    name: str
    contract_type: str
    contract_subtype: str
    technical_field: str
    signed_month: str  # YYYY-MM
    seller: str
    buyer: str
    amount_band: str

    @classmethod
    def of(cls, deal: Deal) -> PublicDeal:
        seller, buyer = deal.seller, deal.buyer
        return cls(deal.id, deal.name, deal.contract_type, deal.contract_subtype, deal.technical_field,
                   deal.signed_on.strftime("%Y-%m"), seller.name if seller else "", buyer.name if buyer else "",
                   amount_band(deal.total_amount))


def published() -> list:
    """The conditions of a contract on the public page: both parties agreed."""
    return [Deal.seller_consents_to_publish.is_(True), Deal.buyer_consents_to_publish.is_(True)]


def public_page(*, technical_field: str | None = None, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """One page of the 成交公示 (newest signing first), each item a :class:`PublicDeal`."""
    conditions = published()
    if technical_field:
        conditions.append(Deal.technical_field == technical_field)
    result = paginate(Deal, conditions, [Deal.signed_on.desc(), Deal.id.desc()], page=page, per_page=per_page,
                      options=(selectinload(Deal.parties),))
    result.items = [PublicDeal.of(deal) for deal in result.items]
    return result

