"""Sign-in, sign-up (new organisation or by invitation) and the account page (password, sessions, tokens)."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..errors import ValidationFailed
from ..extensions import db, limiter, user_rate_key
from ..web.forms import field_errors, form_values
from ..web.messages import N_
from . import email_verification, password_reset, services
from .landing import landing_for

bp = Blueprint("accounts", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_key() -> str:
    return "account:" + (request.form.get("email") or "").strip().lower()


def _failed(response) -> bool:
    # Only failed attempts use up the allowance; a successful sign-in redirects.
    return response.status_code != 302


def _safe_next(target: str | None, user) -> str:
    """Where to go after sign-in: ``target`` when it is a same-site path (no open redirect), else the page of
    the user's role."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return landing_for(user)


def start_session(user) -> None:
    """Sign ``user`` in on a fresh session (nothing from the anonymous session survives but the language). A
    language chosen before signing in becomes the account's (its notifications and e-mails); otherwise the
    account's language is the session's."""
    lang = session.get("lang")
    session.clear()
    if lang in ("zh", "en"):
        if services.set_locale(user, lang):
            db.session.commit()
    else:
        lang = user.locale
    if lang:
        session["lang"] = lang
    login_user(user)
    session.permanent = False


def remember_language(lang: str) -> None:
    """The site's language was switched (``?lang=``): signed in, it becomes the account's language."""
    if current_user.is_authenticated and services.set_locale(current_user, lang):
        db.session.commit()


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
            return redirect(_safe_next(request.form.get("next"), user))
        db.session.rollback()
        return render_template("accounts/login.html", error=_("邮箱或密码不正确"),
                               email=request.form.get("email", ""), next=request.form.get("next", "")), 200
    if current_user.is_authenticated:
        return redirect(landing_for(current_user))
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
    services.set_locale(user, session.get("lang"))  # before the verification e-mail is written
    email_verification.send_link(user)
    db.session.commit()
    start_session(user)
    flash(_("注册成功，您已成为“%(org)s”的机构管理员", org=organization.name), "success")
    flash(_("验证邮件已发送到 %(email)s：请打开邮件中的链接验证邮箱，验证后才能提交审核和发起洽谈", email=user.email), "info")
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
    return redirect(landing_for(user))


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


# -- password reset and e-mail verification ----------------------------------------------------------------------------

def _reset_address_key() -> str:
    return "reset:" + (request.form.get("email") or "").strip().lower()


def _reset_limit() -> str:
    return current_app.config["PASSWORD_RESET_RATE_LIMIT"]


def _reset_ip_limit() -> str:
    return current_app.config["PASSWORD_RESET_IP_RATE_LIMIT"]


def _verification_limit() -> str:
    return current_app.config["EMAIL_VERIFICATION_RATE_LIMIT"]


RESET_TOO_OFTEN = N_("重置密码的申请过于频繁（同一邮箱或同一网络），请稍后再试；已发出的重置邮件在有效期内仍可使用")
VERIFICATION_TOO_OFTEN = N_("验证邮件发送过于频繁，请稍后再试；已发出的验证邮件在有效期内仍可使用")


def _end_session() -> None:
    """Sign this browser out, keeping only the chosen language."""
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang


@bp.route("/password-reset", methods=["GET", "POST"])
@limiter.limit(_reset_ip_limit, methods=["POST"], scope="password-reset-ip", error_message=RESET_TOO_OFTEN)
@limiter.limit(_reset_limit, methods=["POST"], key_func=_reset_address_key, scope="password-reset-address",
               error_message=RESET_TOO_OFTEN)
def forgot_password():
    """忘记密码: ask for a reset link. The same answer whether or not an account has the address."""
    if request.method == "GET":
        return render_template("accounts/forgot_password.html", email="", form={}, sent=False, errors={})
    email = (request.form.get("email") or "").strip()
    if "@" not in email or len(email) > 254:
        return render_template("accounts/forgot_password.html", email=email, form={"email": email}, sent=False,
                               errors={"email": [_("请输入有效的电子邮箱地址")]}), 422
    password_reset.request_reset(email)
    db.session.commit()
    return render_template("accounts/forgot_password.html", email=email, form={"email": email}, sent=True, errors={},
                           minutes=password_reset.max_age() // 60)


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """The link of a reset e-mail: choose a new password; every session of the account ends."""
    try:
        password_reset.account_for(token)
    except ValidationFailed as error:
        return render_template("accounts/forgot_password.html", email="", form={}, sent=False,
                               errors=field_errors(error)), 400
    if request.method == "GET":
        return render_template("accounts/reset_password.html", token=token, form={}, errors={})
    errors: dict[str, list[str]] = {}
    if request.form.get("password", "") != request.form.get("password2", ""):
        errors["password2"] = [_("两次输入的密码不一致")]
    else:
        try:
            password_reset.reset_password(token, request.form.get("password", ""))
        except ValidationFailed as error:
            errors = field_errors(error)
    if errors:
        db.session.rollback()
        return render_template("accounts/reset_password.html", token=token, form={}, errors=errors), 422
    db.session.commit()
    _end_session()  # a browser signed in when it reset the password starts over too
    flash(_("密码已重置，所有设备上的登录均已退出。请使用新密码登录。"), "success")
    return redirect(url_for("accounts.login"))


@bp.route("/verify-email/<token>", methods=["GET", "POST"])
def verify_email(token: str):
    """The link of a verification e-mail: its page's button verifies (a GET changes nothing, but says at once when
    the link is invalid or expired)."""
    try:
        if request.method == "GET":
            email_verification.account_for(token)
            return render_template("accounts/verify_email.html", token=token, errors={})
        user = email_verification.verify(token)
    except ValidationFailed as error:
        db.session.rollback()
        return render_template("accounts/verify_email.html", token=token, errors=field_errors(error)), 400
    db.session.commit()
    flash(_("邮箱 %(email)s 已验证", email=user.email), "success")
    return redirect(landing_for(current_user) if current_user.is_authenticated else url_for("accounts.login"))


@bp.post("/account/verify-email")
@login_required
@limiter.limit(_verification_limit, key_func=user_rate_key, scope="email-verification",
               error_message=VERIFICATION_TOO_OFTEN)
def resend_verification():
    """重新发送验证邮件."""
    if email_verification.send_link(current_user._get_current_object()):
        db.session.commit()
        flash(_("验证邮件已发送到 %(email)s，请查收", email=current_user.email), "success")
    else:
        flash(_("您的邮箱已验证"), "success")
    return redirect(url_for("home.workspace"))
