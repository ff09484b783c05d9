"""JSON API of 揭榜 (applications) and 评审 (reviews), /api/v1. Every rule lives in the services
(:mod:`.applications`, :mod:`.reviews`); these views find the record, check the version the client acted on and
commit. Applicants never read reviewer names or ids: their result is the anonymous structured result."""
from __future__ import annotations

from flask import url_for
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from ..accounts.models import User
from ..api_common import (LOCATION_HEADER, VersionedBody, commit, etag, expected_version, problems,
                          read_endpoint, require_user, write_endpoint)
from ..extensions import db
from ..listing_edits import check_version
from ..validation import load_or_raise
from . import applications, reviews
from .application_schemas import (ApplicationInput, ApplicationList, ApplicationOut, DefenceInput, RankingOut,
                                  ReasonInput, ResultOut, ReviewerInput, ReviewList, ReviewOut, RubricOut,
                                  ScoreInput)
from .schemas import RubricInput
from .services import get_challenge

blp = Blueprint("api_challenge_applications", __name__, description="揭榜挂帅：揭榜申请与评审")

MAX_ID = 2**31 - 1
CHALLENGE = f"/challenges/<int(max={MAX_ID}):challenge_id>"
APPLICATION = f"/challenge-applications/<int(max={MAX_ID}):application_id>"
REVIEW = f"/challenge-reviews/<int(max={MAX_ID}):review_id>"


def _application(application_id: int, payload: dict | None = None):
    application = applications.get_application(current_user, application_id)
    check_version(application, expected_version(payload))
    return application


def _review(review_id: int, payload: dict | None = None):
    review = reviews.get_review(current_user, review_id)
    check_version(review, expected_version(payload))
    return review


def _ranking(challenge) -> dict:
    return {"challenge_id": challenge.id, "items": reviews.ranking(current_user, challenge)}


# -- applications -----------------------------------------------------------------------------------------------------

@blp.route(f"{CHALLENGE}/applications")
class ChallengeApplications(MethodView):
    @require_user
    @problems(404)
    @blp.response(200, ApplicationList)
    def get(self, challenge_id):
        """揭榜申请列表：发榜单位和平台工作人员看到全部，评审专家只看到分配给自己的，揭榜单位只看到自己的"""
        items = applications.applications_visible_to(current_user, get_challenge(challenge_id, current_user))
        return {"items": items, "total": len(items)}

    @write_endpoint(blp, ApplicationOut, status=201, headers=LOCATION_HEADER, errors=(403, 404, 409))
    def post(self, challenge_id):
        """报名揭榜（接受榜单条款），每个机构一次"""
        application = applications.register_interest(current_user, get_challenge(challenge_id, current_user))
        commit()
        return application, {"Location": url_for("api_challenge_applications.ApplicationItem",
                                                 application_id=application.id), **etag(application)}


@blp.route(APPLICATION)
class ApplicationItem(MethodView):
    @read_endpoint(blp, ApplicationOut, errors=(404,))
    def get(self, application_id):
        """揭榜申请（仅申请单位、联合体成员、发榜单位、分配的评审专家和平台工作人员可见）"""
        application = applications.get_application(current_user, application_id)
        return application, etag(application)

    @write_endpoint(blp, ApplicationOut, body=ApplicationInput, body_description="只需提交要修改的字段",
                    errors=(403, 404, 409, 422), if_match=True)
    def patch(self, application_id, payload):
        """修改申请（截止日期前）"""
        application = applications.get_application(current_user, application_id)
        applications.update_application(current_user, application, payload, expected_version(payload))
        commit()
        return application, etag(application)


def _action(name: str, summary: str, service):
    def view(application_id, payload):
        application = _application(application_id, payload)
        service(current_user, application)
        commit()
        return application, etag(application)

    view.__name__ = view.__qualname__ = f"application_{name}"
    view.__doc__ = summary
    decorated = write_endpoint(blp, ApplicationOut, body=VersionedBody, body_required=False,
                               body_description="可选：客户端看到的版本号", errors=(403, 404, 409, 422),
                               if_match=True)(view)
    blp.route(f"{APPLICATION}/{name}", methods=["POST"], endpoint=f"application_{name}")(decorated)


_action("submit", "提交揭榜申请（提交时检查揭榜条件）", applications.submit_application)
_action("withdraw", "撤回申请（截止日期前）", applications.withdraw_application)
_action("shortlist", "入围（发榜单位或平台工作人员，评审阶段）", reviews.shortlist)


@blp.route(f"{APPLICATION}/result")
class ApplicationResult(MethodView):
    @require_user
    @problems(403, 404, 409)
    @blp.response(200, ResultOut)
    def get(self, application_id):
        """结构化评审结果：结论、各项平均分、评语和原因（不含评审专家信息；确定结果后对申请单位公开）"""
        application = applications.get_application(current_user, application_id)
        return applications.structured_result(current_user, application)


# -- reviews ----------------------------------------------------------------------------------------------------------

@blp.route(f"{CHALLENGE}/rubric")
class Rubric(MethodView):
    @write_endpoint(blp, RubricOut, body=RubricInput, errors=(403, 404, 409, 422))
    def put(self, challenge_id, payload):
        """设置评审细则（平台工作人员）"""
        challenge = get_challenge(challenge_id, current_user)
        reviews.set_rubric(current_user, challenge, payload)
        commit()
        return {"challenge_id": challenge.id, "criteria": challenge.rubric}


@blp.route(f"{APPLICATION}/reviewers")
class Reviewers(MethodView):
    @write_endpoint(blp, ReviewOut, status=201, body=ReviewerInput, errors=(403, 404, 409, 422))
    def post(self, application_id, payload):
        """分配评审专家（平台工作人员）；与申请单位、联合体成员或发榜单位有关的专家须回避"""
        application = applications.get_application(current_user, application_id)
        values = load_or_raise(ReviewerInput(), payload)
        review = reviews.assign_reviewer(current_user, application, db.session.get(User, values["reviewer_id"]))
        commit()
        return review, etag(review)


@blp.route("/challenge-reviews")
class MyReviews(MethodView):
    @require_user
    @blp.response(200, ReviewList)
    def get(self):
        """分配给我的评审任务"""
        items = reviews.reviews_of(current_user)
        return {"items": items, "total": len(items)}


@blp.route(REVIEW)
class ReviewItem(MethodView):
    @read_endpoint(blp, ReviewOut, errors=(404,))
    def get(self, review_id):
        """评审任务（评审专家本人和平台工作人员可见）：申请内容与评审细则"""
        review = reviews.get_review(current_user, review_id)
        return review, etag(review)


@blp.route(f"{REVIEW}/score", methods=["POST"])
@write_endpoint(blp, ReviewOut, body=ScoreInput, errors=(403, 404, 409, 422), if_match=True)
def score_review(review_id, payload):
    """提交评分和评语（每项评审指标都须在分值范围内打分）"""
    review = _review(review_id, payload)
    values = load_or_raise(ScoreInput(), payload)
    reviews.submit_review(current_user, review, values["scores"], values["comments"])
    commit()
    return review, etag(review)


@blp.route(f"{REVIEW}/recuse", methods=["POST"])
@write_endpoint(blp, ReviewOut, body=ReasonInput, errors=(403, 404, 409, 422), if_match=True)
def recuse_review(review_id, payload):
    """声明利益冲突并回避（须说明原因）"""
    review = _review(review_id, payload)
    reviews.declare_conflict(current_user, review, payload.get("reason"))
    commit()
    return review, etag(review)


@blp.route(f"{CHALLENGE}/ranking")
class Ranking(MethodView):
    @require_user
    @problems(403, 404)
    @blp.response(200, RankingOut)
    def get(self, challenge_id):
        """评审排名（发榜单位和平台工作人员）"""
        return _ranking(get_challenge(challenge_id, current_user))

    @write_endpoint(blp, RankingOut, errors=(403, 404, 409, 422))
    def post(self, challenge_id):
        """按加权平均分排名（全部评审完成后）"""
        challenge = get_challenge(challenge_id, current_user)
        reviews.rank(challenge, current_user)
        commit()
        return _ranking(challenge)


@blp.route(f"{CHALLENGE}/defence", methods=["PUT"])
@write_endpoint(blp, None, body=DefenceInput, errors=(403, 404, 409, 422))
def schedule_defence(challenge_id, payload):
    """安排答辩（时间和地点；发榜单位或平台工作人员）"""
    challenge = get_challenge(challenge_id, current_user)
    values = load_or_raise(DefenceInput(), payload)
    reviews.schedule_defence(current_user, challenge, values["at"], values["place"])
    commit()
