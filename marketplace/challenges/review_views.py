"""评审 pages: staff set the rubric and assign reviewers; a reviewer's list (我的评审) and scoring page (scores and
comments per criterion, or a declared conflict); the issuer ranks once every review is in."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.models import User
from ..errors import Conflict, ValidationFailed
from ..extensions import db
from ..permissions import can_review, can_run_challenge
from ..unit_of_work import commit
from ..web.forms import field_errors, flash_error, translate_message
from ..workflow.challenges import REVIEW, REVIEW_LABELS, STAGE_LABELS
from . import experts, reviews, services
from .application_views import rows

CRITERION = ("name", "weight", "min", "max", "comments_required")


def rubric_data() -> dict:
    criteria = [{**row, "comments_required": row.get("comments_required") == "yes"}
                for row in rows("criterion", CRITERION) if set(row) - {"comments_required"}]
    return {"criteria": criteria}


def register(bp) -> None:
    """Add the review routes to the challenges blueprint."""

    def render_rubric(challenge, errors=None, failed=None, status=200):
        return render_template("challenges/rubric.html", record=challenge, errors=errors or {}, failed=failed,
                               form=request.form if failed else {}, review_labels=REVIEW_LABELS,
                               live=services.live_applications(challenge), stages=STAGE_LABELS,
                               expert_choices=experts.reviewer_choices(challenge)), status

    @bp.route("/<int:record_id>/rubric", methods=["GET", "POST"], endpoint="rubric")
    @login_required
    def rubric(record_id: int):
        challenge = services.get_challenge(record_id, current_user)
        if not can_review(current_user):
            abort(404)
        if request.method == "GET":
            return render_rubric(challenge)
        try:
            reviews.set_rubric(current_user, challenge, rubric_data())
            commit()
        except ValidationFailed as error:
            db.session.rollback()
            return render_rubric(services.get_challenge(record_id, current_user), field_errors(error), "rubric", 422)
        except Conflict as error:
            db.session.rollback()
            flash_error(error)
        else:
            flash(_("评审细则已保存"), "success")
        return redirect(url_for("challenges.rubric", record_id=record_id))

    @bp.post("/<int:record_id>/applications/<int:application_id>/reviewers", endpoint="assign_reviewer")
    @login_required
    def assign(record_id: int, application_id: int):
        challenge = services.get_challenge(record_id, current_user)
        application = next((a for a in challenge.applications if a.id == application_id), None)
        if application is None or not can_review(current_user):
            abort(404)
        reviewer = db.session.get(User, request.form.get("reviewer_id", type=int) or 0)
        try:
            reviews.assign_reviewer(current_user, application, reviewer)
            commit()
        except ValidationFailed as error:
            db.session.rollback()
            return render_rubric(services.get_challenge(record_id, current_user), field_errors(error),
                                 f"assign-{application_id}", 422)
        except Conflict as error:
            db.session.rollback()
            flash_error(error)
        else:
            flash(_("已分配评审专家"), "success")
        return redirect(url_for("challenges.rubric", record_id=record_id))

    @bp.post("/<int:record_id>/rank", endpoint="rank")
    @login_required
    def rank(record_id: int):
        challenge = services.get_challenge(record_id, current_user)
        if not can_run_challenge(current_user, challenge):
            abort(404)
        try:
            reviews.rank(challenge, current_user)
            commit()
        except (ValidationFailed, Conflict) as error:
            db.session.rollback()
            flash_error(error)
        else:
            flash(_("已按加权平均分排名"), "success")
        return redirect(url_for("challenges.applications", record_id=record_id))

    @bp.get("/reviews", endpoint="my_reviews")
    @login_required
    def my_reviews():
        return render_template("challenges/my_reviews.html", reviews=reviews.reviews_of(current_user),
                               review_labels=REVIEW_LABELS)

    def render_review(review, errors=None, failed=None, status=200):
        return render_template("challenges/review.html", review=review, application=review.application,
                               record=review.application.challenge, actions=REVIEW.available(current_user, review),
                               errors=errors or {}, failed=failed, form=request.form if failed else {},
                               review_labels=REVIEW_LABELS), status

    @bp.route("/reviews/<int:review_id>", methods=["GET", "POST"], endpoint="review")
    @login_required
    def review_page(review_id: int):
        review = reviews.get_review(current_user, review_id)
        if request.method == "GET":
            return render_review(review)
        rubric = review.application.challenge.rubric or []
        scores = {c["name"]: request.form.get(f"score_{i}", "") for i, c in enumerate(rubric)}
        comments = {c["name"]: request.form.get(f"comment_{i}", "").strip() for i, c in enumerate(rubric)}
        try:
            reviews.submit_review(current_user, review, scores, comments)
            commit()
        except ValidationFailed as error:
            db.session.rollback()
            errors = field_errors(error)
            for name, messages in ((error.errors or {}).get("scores") or {}).items():
                errors[f"score:{name}"] = [translate_message(m) for m in messages]
            return render_review(reviews.get_review(current_user, review_id), errors, "score", 422)
        except Conflict as error:
            db.session.rollback()
            flash_error(error)
        else:
            flash(_("评审意见已提交"), "success")
        return redirect(url_for("challenges.review", review_id=review_id))

    @bp.post("/reviews/<int:review_id>/conflict", endpoint="declare_conflict")
    @login_required
    def conflict(review_id: int):
        review = reviews.get_review(current_user, review_id)
        try:
            reviews.declare_conflict(current_user, review, request.form.get("reason", ""))
            commit()
        except ValidationFailed as error:
            db.session.rollback()
            return render_review(reviews.get_review(current_user, review_id), field_errors(error), "conflict", 422)
        except Conflict as error:
            db.session.rollback()
            flash_error(error)
        else:
            flash(_("已声明利益冲突并回避"), "success")
        return redirect(url_for("challenges.my_reviews"))
