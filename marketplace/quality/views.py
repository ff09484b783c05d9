"""年度优质成果: admins mark published achievements onto the year's list and watch progress toward the target."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import defer, joinedload

from ..achievements import services
from ..achievements.models import Achievement
from ..errors import ValidationFailed
from ..permissions import require_quality_manager
from ..extensions import db
from ..listings import PUBLISHED
from ..web.forms import flash_error
from ..web.messages import N_
from ..web.pagination import paginate_ids
from ..taxonomy import TECHNICAL_FIELDS

bp = Blueprint("quality", __name__, url_prefix="/quality")


FIRST_YEAR, LAST_YEAR = 2000, 2100  # the years a list can be kept for (the form's min and max)
YEAR_RANGE = N_("年份应为 %(first)s 到 %(last)s 之间的整数（收到“%(asked)s”），已显示 %(year)s 年")


def _year() -> int | None:
    """The year asked for (this year when none is); None when it is not a year a list can be kept for."""
    raw = request.values.get("year", "").strip()
    if not raw:
        return date.today().year
    year = int(raw) if raw.isdigit() else None
    return year if year is not None and FIRST_YEAR <= year <= LAST_YEAR else None


def _refuse_year():
    """An out-of-range year is never silently replaced: say which years are valid, then show this year."""
    flash(_(YEAR_RANGE, first=FIRST_YEAR, last=LAST_YEAR, asked=request.values.get("year", "")[:20],
            year=date.today().year), "error")
    field = request.values.get("field") if request.values.get("field") in TECHNICAL_FIELDS else None
    return redirect(url_for("quality.index", field=field))


@bp.get("")
@login_required
def index():
    """Progress against QUALITY_TARGET_PER_YEAR, the year's list, and published candidates to add."""
    require_quality_manager(current_user)
    year = _year()
    if year is None:
        return _refuse_year()
    progress = services.quality_progress(year, current_app.config["QUALITY_TARGET_PER_YEAR"])
    listed = [Achievement.quality_year == year, Achievement.status == PUBLISHED]
    marked = list(db.session.execute(
        db.select(Achievement).options(joinedload(Achievement.organization), defer(Achievement.description))
        .where(*listed).order_by(Achievement.quality_marked_at.desc()).limit(500)).scalars())
    field = request.args.get("field") if request.args.get("field") in TECHNICAL_FIELDS else None
    candidates_where = [Achievement.status == PUBLISHED, Achievement.quality_year.is_(None)]
    if field:
        candidates_where.append(Achievement.technical_field == field)
    candidates = paginate_ids(Achievement, candidates_where,
                              [Achievement.published_at.desc(), Achievement.id.desc()],
                              options=(joinedload(Achievement.organization), defer(Achievement.description)))
    return render_template("quality/index.html", year=year, progress=progress, marked=marked,
                           candidates=candidates, field=field)


@bp.post("/<int:record_id>/mark")
@login_required
def mark(record_id: int):
    require_quality_manager(current_user)
    record = db.get_or_404(Achievement, record_id)
    if _year() is None:
        return _refuse_year()
    try:
        services.mark_high_quality(current_user, record, _year())
    except ValidationFailed as error:
        db.session.rollback()
        flash_error(error)
    else:
        db.session.commit()
        flash(_("已列入年度优质成果"), "success")
    return _back()


@bp.post("/<int:record_id>/unmark")
@login_required
def unmark(record_id: int):
    require_quality_manager(current_user)
    record = db.get_or_404(Achievement, record_id)
    services.unmark_high_quality(current_user, record)
    db.session.commit()
    flash(_("已移出年度优质成果"), "success")
    return _back()


def _back():
    target = request.form.get("next")
    if target and target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(url_for("quality.index", year=_year() or None))
