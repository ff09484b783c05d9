"""Building an open-licence world for the licence tests through the public services."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta

from marketplace.deals.identifiers import credit_code_check_character
from marketplace.extensions import db
from marketplace.patents import services as patents
from marketplace.review import services as review
from tests import factories as f

_serial = itertools.count(1)
DECLARATION = {"fee_terms": "入门费 5 万元，另按年许可费 5 万元/年支付", "annual_fee": "5", "term_years": 3,
               "scope": "中国大陆，动力电池正极材料制造"}


def credit_code(region: str = "220101") -> str:
    """A valid 统一社会信用代码 (correct check character), different each call."""
    first17 = f"91{region}MA{next(_serial):07d}"
    return first17 + credit_code_check_character(first17)


@dataclass
class LicenceWorld:
    patentee: object
    licensee: object
    stranger: object
    broker: object
    patent: object


def licence_world(*, licensee_code: bool = True, patentee_code: bool = True, declare: bool = True,
                  **patent_overrides) -> LicenceWorld:
    """A university (patentee) with a published, granted patent under an open licence; an enterprise (licensee);
    a third organisation; a broker. Committed."""
    university = f.organization("university", name=f"吉林理工大学{next(_serial)}")
    enterprise = f.organization("enterprise", name=f"长春新能源材料有限公司{next(_serial)}")
    third = f.organization("enterprise", name=f"无关企业{next(_serial)}")
    if patentee_code:
        university.credit_code = credit_code("220000")
    if licensee_code:
        enterprise.credit_code = credit_code("220100")
    patentee, licensee = f.user(university), f.user(enterprise)
    stranger, broker = f.user(third), f.broker()
    data = {"ipc_codes": ["H01M 4/36"], "expiry_date": (date.today() + timedelta(days=365 * 12)).isoformat(),
            "filing_date": "2021-01-15"}
    data.update(patent_overrides)
    patent = f.patent(patentee, **data)
    review.submit(patentee, patent)
    review.publish(broker, patent)
    if declare:
        patents.declare_open_licence(patentee, patent, DECLARATION)
    db.session.commit()
    return LicenceWorld(patentee, licensee, stranger, broker, patent)
