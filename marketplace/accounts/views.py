"""Sign-in, sign-up (new organisation or by invitation) and the account page (password, sessions, tokens)."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..errors import ValidationFailed
from ..extensions import db, limiter
from ..web.forms import field_errors, form_values
from . import services

bp = Blueprint("accounts", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_key() -> str:
    return "account:" + (request.form.get("email") or "").strip().lower()


def _failed(response) -> bool:
    # Only failed attempts use up the allowance; a successful sign-in redirects.
    return response.status_code != 302


def _safe_next(target: str | None) -> str:
    """Only same-site paths are followed after sign-in (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("home.workspace")


def start_session(user) -> None:
    """Sign ``user`` in on a fresh session (nothing from the anonymous session survives but the language)."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(user)
    session.permanent = False


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], scope="login-ip", deduct_when=_failed)
@limiter.limit(_login_limit, methods=["POST"], key_func=_account_key, scope="login-account", deduct_when=_failed)
def login():
    """Sign in with e-mail and password; the same message for an unknown e-mail and a wrong password."""
    if request.method == "POST":
        try:
            user = services.authenticate(request.form.get("email", ""), request.form.get("password", ""))
        except services.AccountSuspended as refusal:
            return render_template("accounts/login.html", error=_(refusal.message),
                                   email=request.form.get("email", ""), next=request.form.get("next", "")), 403
        if user is not None:
            db.session.commit()
            start_session(user)
            flash(_("欢迎回来，%(name)s", name=user.name), "success")
            return redirect(_safe_next(request.form.get("next")))
        db.session.rollback()
        return render_template("accounts/login.html", error=_("邮箱或密码不正确"),
                               email=request.form.get("email", ""), next=request.form.get("next", "")), 200
    if current_user.is_authenticated:
        return redirect(url_for("home.workspace"))
    return render_template("accounts/login.html", error=None, email="", next=request.args.get("next", ""))


@bp.post("/logout")
def logout():
    """Sign out (POST only, so a link elsewhere cannot sign anyone out)."""
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("您已退出登录"), "success")
    return redirect(url_for("home.index"))


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Sign up a new organisation; its first user becomes the organisation's admin."""
    if request.method == "GET":
        return render_template("accounts/register.html", form={}, errors={})
    form = request.form
    errors: dict[str, list[str]] = {}
    if form.get("password", "") != form.get("password2", ""):
        errors["password2"] = [_("两次输入的密码不一致")]
    organization = None
    try:
        organization = services.create_organization(form.get("org_name", ""), form.get("org_type", ""),
                                                    form.get("region", ""), verified=False)
    except ValidationFailed as error:
        for key, messages in field_errors(error).items():
            errors.setdefault({"name": "org_name"}.get(key, key), []).extend(messages)
    try:
        user = services.register_user(form.get("email", ""), form.get("name", ""), form.get("password", ""),
                                      organization=organization, org_role="org_admin")
    except ValidationFailed as error:
        for key, messages in field_errors(error).items():
            errors.setdefault(key, []).extend(messages)
    if errors:
        db.session.rollback()
        values = form_values(form)
        values.pop("password", None)
        values.pop("password2", None)
        return render_template("accounts/register.html", form=values, errors=errors), 422
    db.session.commit()
    start_session(user)
    flash(_("注册成功，您已成为“%(org)s”的机构管理员", org=organization.name), "success")
    flash(_("机构正在等待平台认证：认证通过前，机构不在公开名录中，提交的成果也不能发布"), "info")
    return redirect(url_for("home.workspace"))


@bp.route("/invite/<token>", methods=["GET", "POST"])
def invite(token: str):
    """Join an organisation from an invitation link: as a new user, or as a signed-in user without one."""
    invitation = services.find_invitation(token)
    joining_as_self = current_user.is_authenticated and current_user.membership is None
    if request.method == "GET":
        return render_template("accounts/invite.html", invitation=invitation, token=token, form={}, errors={},
                               joining_as_self=joining_as_self)
    errors: dict[str, list[str]] = {}
    if not joining_as_self and request.form.get("password", "") != request.form.get("password2", ""):
        errors["password2"] = [_("两次输入的密码不一致")]
    try:
        user = services.accept_invitation(token, request.form.get("name", ""), request.form.get("password", ""),
                                          user=current_user if joining_as_self else None)
    except ValidationFailed as error:
        errors.update(field_errors(error))
    if errors:
        db.session.rollback()
        return render_template("accounts/invite.html", invitation=invitation, token=token, errors=errors,
                               form={"name": request.form.get("name", "")}, joining_as_self=joining_as_self), 422
    db.session.commit()
    start_session(user)
    flash(_("您已加入“%(org)s”", org=invitation.organization.name), "success")
    return redirect(url_for("home.workspace"))


def _account_page(status: int = 200, **context):
    context.setdefault("errors", {})
    context.setdefault("new_token", None)
    context.setdefault("form", {})
    return render_template("accounts/account.html", tokens=services.user_tokens(current_user), **context), status


@bp.get("/account")
@login_required
def account():
    """Profile, password, sessions and personal access tokens."""
    return _account_page()


@bp.post("/account/password")
@login_required
def change_password():
    """Change the password; every other session ends, this one continues on a renewed session."""
    if request.form.get("new_password", "") != request.form.get("new_password2", ""):
        return _account_page(422, errors={"new_password2": [_("两次输入的密码不一致")]})
    user = current_user._get_current_object()  # audit records need the model, not the proxy
    try:
        services.change_password(user, request.form.get("current_password", ""),
                                 request.form.get("new_password", ""))
    except ValidationFailed as error:
        errors = field_errors(error)
        if "password" in errors:
            errors["new_password"] = errors.pop("password")
        return _account_page(422, errors=errors)
    db.session.commit()
    start_session(user)
    flash(_("密码已修改，其他设备上的登录已失效"), "success")
    return redirect(url_for("accounts.account"))


@bp.post("/account/sessions/end-others")
@login_required
def end_other_sessions():
    """Sign out everywhere else; this browser gets a fresh session."""
    user = current_user._get_current_object()
    services.end_other_sessions(user)
    db.session.commit()
    start_session(user)
    flash(_("其他设备上的登录已全部退出"), "success")
    return redirect(url_for("accounts.account"))


@bp.post("/account/tokens")
@login_required
def create_token():
    """Create a personal access token and show its secret once (it is not stored)."""
    try:
        token, secret = services.create_token(current_user, request.form.get("name", ""),
                                              request.form.get("scope", "read"))
    except ValidationFailed as error:
        return _account_page(422, errors={"token_" + k: v for k, v in field_errors(error).items()},
                             form=form_values(request.form))
    db.session.commit()
    return _account_page(new_token={"token": token, "secret": secret})


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    services.revoke_token(current_user, token_id)
    db.session.commit()
    flash(_("令牌已吊销"), "success")
    return redirect(url_for("accounts.account"))
