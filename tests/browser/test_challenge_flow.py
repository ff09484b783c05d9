"""揭榜挂帅 end to end in Chromium: 发榜 → review → 揭榜 → 评审 → award → agreement → milestone → 验收."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from marketplace.extensions import db
from tests import factories as f
from tests.browser.test_publish_flow import sign_in

TITLE = "寒地新能源汽车电池低温快充攻关"


@pytest.fixture(scope="module")
def people(live_server):
    """An enterprise issuer, a university team and an outside expert, added to the shared live server."""
    with live_server.app.app_context():
        issuer = f.user(f.organization("enterprise", name="长春示范汽车集团"), email="issuer@flow.test")
        team = f.user(f.organization("university", name="吉林示范工业大学"), email="team@flow.test")
        expert = f.user(f.organization("institute", name="示范材料研究所"), email="expert@flow.test")
        db.session.commit()
        return {"issuer": issuer.email, "team": team.email, "expert": expert.email, "expert_id": expert.id}


def test_challenge_from_issue_to_acceptance(live_server, page_for, people):
    base, password = live_server.url, live_server.accounts.password
    today = date.today()

    issuer = page_for()
    issuer.on("dialog", lambda dialog: dialog.accept())  # the confirm() of the closing button
    sign_in(issuer, base, people["issuer"], password)
    issuer.goto(base + "/challenges/new")
    issuer.fill("#f-title", TITLE)
    issuer.fill("#f-problem", "在零下二十度环境下实现 15 分钟充至 80%，且循环寿命不明显下降。")
    issuer.locator("input[name=indicator_metric]").nth(0).fill("-20℃ 充电至80%用时")
    issuer.locator("input[name=indicator_target]").nth(0).fill("≤15")
    issuer.locator("input[name=indicator_unit]").nth(0).fill("分钟")
    issuer.select_option("#f-technical_field", "new_energy")
    issuer.fill("#f-reward_amount", "300")
    issuer.select_option("#f-funding_mode", "milestone")
    issuer.fill("#f-application_deadline", (today + timedelta(days=20)).isoformat())
    issuer.fill("#f-completion_deadline", (today + timedelta(days=300)).isoformat())
    issuer.locator("button[type=submit]", has_text="保存").click()
    expect(issuer.locator(".flash-success")).to_contain_text("榜单草稿已保存")
    issuer.locator("button", has_text="提交审核").click()
    expect(issuer.locator(".badge").first).to_have_text("待审核")
    challenge_url = issuer.url

    broker = page_for()
    sign_in(broker, base, live_server.accounts.broker, password)
    broker.goto(challenge_url)
    broker.locator(".review-box button", has_text="通过并发布").click()
    expect(broker.locator(".flash-success")).to_contain_text("已发布")

    team = page_for()
    sign_in(team, base, people["team"], password)
    team.goto(base + "/challenges")
    expect(team.locator(".challenge-card", has_text=TITLE)).to_contain_text("距揭榜截止还有 20 天")
    team.locator(".card h3 a", has_text=TITLE).click()
    team.check("input[name=accept_terms]")
    team.locator("button", has_text="我要揭榜").click()
    expect(team.locator(".flash-success")).to_contain_text("已报名揭榜")
    team.fill("#f-proposal", "采用预热与脉冲快充结合的方案，已有实验室样机。")
    team.fill("#f-technical_route", "电解液低温改性 → 脉冲充电策略 → 整包验证")
    team.locator("input[name=team_name]").nth(0).fill("王教授")
    team.locator("button", has_text="提交揭榜申请").click()
    expect(team.locator(".flash-success")).to_contain_text("揭榜申请已提交")
    expect(team.locator(".page-head .badge")).to_have_text("已提交")

    issuer.goto(challenge_url)
    issuer.locator("button", has_text="截止征集，进入评审").click()
    expect(issuer.locator(".flash-success")).to_contain_text("已截止征集")

    broker.goto(base + "/challenges/experts")  # 评审专家库: the expert gets an active profile
    broker.fill("#expert-lookup", people["expert"])
    broker.locator("button", has_text="查找").click()
    broker.fill("#expert-title", "研究员")
    broker.fill("#expert-organisation", "示范材料研究所")
    broker.check(".expert-form input[name=fields][value=new_energy]")
    broker.check(".expert-form input[name=active]")
    broker.locator(".expert-form button", has_text="保存").click()
    expect(broker.locator(".flash-success")).to_contain_text("评审专家资料已保存")

    broker.goto(challenge_url.rstrip("/") + "/rubric")
    broker.locator("input[name=criterion_name]").nth(0).fill("技术可行性")
    broker.locator("input[name=criterion_weight]").nth(0).fill("100")
    broker.locator("input[name=criterion_min]").nth(0).fill("0")
    broker.locator("input[name=criterion_max]").nth(0).fill("100")
    broker.locator("button", has_text="保存评审细则").click()
    expect(broker.locator(".flash-success")).to_contain_text("评审细则已保存")
    broker.locator(".assign-box select[name=reviewer_id]").select_option(str(people["expert_id"]))
    broker.locator(".assign-box button", has_text="分配").click()
    expect(broker.locator(".flash-success")).to_contain_text("已分配评审专家")

    expert = page_for()
    sign_in(expert, base, people["expert"], password)
    expert.goto(base + "/challenges/reviews")
    expert.locator("table a", has_text=TITLE).click()
    expert.fill("#score-0", "88")
    expert.locator("button", has_text="提交评审意见").click()
    expect(expert.locator(".flash-success")).to_contain_text("评审意见已提交")

    issuer.goto(challenge_url)
    issuer.check("input[name=winner_ids]")
    issuer.locator("button", has_text="确定揭榜方").click()
    expect(issuer.locator(".flash-success")).to_contain_text("已确定揭榜方")
    issuer.locator("a", has_text="揭榜申请（1）").click()
    issuer.locator("table a", has_text="吉林示范工业大学").click()
    issuer.fill("#agreement-funding", "300")
    issuer.fill("#agreement-pledge", "按期完成全部指标，未完成的退还未使用经费。")
    issuer.locator("input[name=ms_deliverable]").nth(0).fill("整包低温快充验证报告")
    issuer.locator("input[name=ms_due_on]").nth(0).fill((today + timedelta(days=200)).isoformat())
    issuer.locator("input[name=ms_tranche]").nth(0).fill("300")
    issuer.locator("button", has_text="保存协议").click()
    expect(issuer.locator(".flash-success")).to_contain_text("协议已保存")
    issuer.locator(".sign-form button", has_text="签约").click()
    expect(issuer.locator(".flash-success")).to_contain_text("已签约")
    application_url = issuer.url

    issuer.goto(challenge_url)
    issuer.locator("button", has_text="开始攻关实施").click()
    expect(issuer.locator(".flash-success")).to_contain_text("已开始攻关实施")

    team.goto(application_url)
    team.locator(".milestones a", has_text="整包低温快充验证报告").click()
    team.fill("#m-evidence", "第三方检测报告：-20℃ 下 14 分钟充至 80%。")
    team.locator("button", has_text="提交里程碑材料").click()
    expect(team.locator(".flash-success")).to_contain_text("里程碑材料已提交")
    milestone_url = team.url

    issuer.goto(milestone_url)
    issuer.locator("button", has_text="里程碑通过").click()
    expect(issuer.locator(".flash-success")).to_contain_text("里程碑已通过")

    issuer.goto(challenge_url)
    issuer.check("input[name=met_0][value=yes]")
    issuer.fill("input[name=measured_0]", "14")
    issuer.fill("input[name=evidence_0]", "第三方检测报告")
    issuer.locator(".acceptance-form button", has_text="验收通过").click()
    expect(issuer.locator(".flash-success")).to_contain_text("已验收通过")

    visitor = page_for(390, 844)
    visitor.goto(base + "/challenges?view=past")
    card = visitor.locator(".challenge-card", has_text=TITLE)
    expect(card).to_contain_text("验收通过")
    expect(card).to_contain_text("吉林示范工业大学")
    assert visitor.evaluate("document.documentElement.scrollWidth") <= 390
