"""Imports every model so that SQLAlchemy's metadata (and Alembic) sees the whole schema."""
from .accounts.models import ApiToken, Invitation, Membership, Organization, User  # noqa: F401
from .achievements.models import Achievement, achievement_patents  # noqa: F401
from .attachments.models import Attachment  # noqa: F401
from .audit.models import AuditEvent  # noqa: F401
from .demands.models import Demand  # noqa: F401
from .challenges.models import (Challenge, ChallengeAgreement, ChallengeApplication,  # noqa: F401
                                ChallengeMilestone, ChallengeReview, ExpertProfile)
from .indexing import outbox  # noqa: F401  (the after_flush listener)
from .indexing.models import OutboxEntry  # noqa: F401
from .patents.models import OpenLicence, Patent  # noqa: F401
from .matching.models import Match, SemanticVector  # noqa: F401
from .alerts.models import Notification, Subscription  # noqa: F401
from .favourites.models import Favourite  # noqa: F401
from .inquiries.models import Inquiry, InquiryMessage  # noqa: F401
from .deals.models import (Deal, DealParty, DealPayment, DealReward, IdempotencyKey, Opportunity,  # noqa: F401
                           PatentLicence)
from .statistics.models import ContractFact, ContractMoney, ListingSigning  # noqa: F401
from .statistics import facts  # noqa: F401  (the after_flush listener keeping contract_facts/_money in step)
from .statistics import signings  # noqa: F401  (the flush listeners keeping listing_signings in step)
