"""Messages that services and schemas produce in Chinese, listed here so that ``pybabel extract`` puts them in the
catalogue. Numbers inside a message are looked up as ``%(n0)s``, ``%(n1)s``… (see :func:`translate_message`)."""
from __future__ import annotations

import re

from flask import has_request_context
from flask_babel import gettext

_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def N_(text: str) -> str:  # noqa: N802  (the conventional name pybabel looks for)
    return text


def tr(text: str, **values) -> str:
    """``text`` (a msgid with ``%(name)s`` placeholders) in the user's language when there is a request, else as
    written (CLI, imports): for messages with names in them, which translate_message (numbers only) cannot look up
    once they are filled in."""
    if has_request_context():
        return gettext(text, **values)
    return text % values if values else text


def translate_message(text: str) -> str:
    """A service message in the UI language. Messages with numbers in them ("至少需要 8 个字符") are looked up with
    the numbers as placeholders ("至少需要 %(n0)s 个字符"), so one catalogue entry serves every limit."""
    text = str(text)
    translated = gettext(text)
    if translated != text or not _NUMBER.search(text):
        return translated
    numbers: dict[str, str] = {}

    def placeholder(match: re.Match) -> str:
        key = f"n{len(numbers)}"
        numbers[key] = match.group(0)
        return f"%({key})s"

    template = _NUMBER.sub(placeholder, text.replace("%", "%%"))
    translated = gettext(template)
    return text if translated == template else translated % numbers


SERVICE_MESSAGES = [
    N_("此项为必填项"), N_("此项不能为空"), N_("请输入文本"), N_("应为列表"), N_("请输入整数"),
    N_("长度应在 %(n0)s 到 %(n1)s 个字符之间"), N_("不能超过 %(n0)s 个字符"), N_("至少需要 %(n0)s 个字符"),
    N_("每项不超过 %(n0)s 个字符"), N_("最多 %(n0)s 项"), N_("应为 %(n0)s 到 %(n1)s 之间的整数"),
    N_("金额应为 %(n0)s 到 %(n1)s 亿之间的数字（单位：万元）"), N_("请输入有效的金额（单位：万元）"), N_("请输入有效的金额"),
    N_("请输入有效日期（YYYY-MM-DD）"), N_("专利编号应为整数"), N_("专利号格式不正确，例如 ZL202110123456.7"),
    N_("到期日应晚于申请日"), N_("预算上限不能低于预算下限"),
    N_("提交的数据有误"), N_("请求无效"), N_("记录不存在"), N_("没有权限执行此操作"), N_("记录已被他人修改，请刷新后重试"),
    N_("只有该记录所属机构的成员可以修改"), N_("只有技术经纪人或平台管理员可以审核"), N_("只有平台管理员可以评定年度优质成果"),
    N_("只有已发布的成果可以列入年度优质成果"), N_("只有已发布的需求可以关闭"), N_("只有待审核或已发布的记录可以撤回"),
    N_("只有待审核的记录可以发布"), N_("只有待审核的记录可以退回"), N_("只有草稿或被退回的记录可以提交审核"),
    N_("只有有效（已授权）的专利可以声明开放许可"), N_("只有机构管理员可以管理成员"), N_("只能关联本机构登记的专利"),
    N_("只能删除草稿或被退回的专利；已发布的专利请归档"), N_("只能删除草稿或被退回的成果；已发布的成果请归档"),
    N_("只能删除草稿或被退回的需求；已发布的需求请关闭"), N_("该专利号已登记"), N_("该专利没有生效中的开放许可声明"),
    N_("该记录已归档"), N_("本机构已有相同外部编号的成果"), N_("年份无效"),
    N_("请先加入一个机构再发布成果"), N_("请先加入一个机构再发布需求"), N_("请先加入一个机构再登记专利"),
    N_("请填写退回原因，以便提交方修改"), N_("退回原因不能超过%(n0)s个字符"),
    N_("密码至少需要 %(n0)s 个字符"), N_("当前密码不正确"), N_("您已属于一个机构"), N_("该用户已属于一个机构"),
    N_("无效的平台角色"), N_("无效的机构角色"), N_("机构名称不能超过%(n0)s个字符"), N_("机构至少需要保留一名管理员"),
    N_("权限范围只能是 read 或 write"), N_("该机构名称已被注册"), N_("只有机构管理员或平台管理员可以修改机构资料"),
    N_("该统一社会信用代码已被其他机构使用：同一法人在平台上只能有一个机构"), N_("网址应以 http:// 或 https:// 开头"), N_("该邮箱已注册，请直接登录"),
    N_("请为令牌填写名称（%(n0)s字以内）"), N_("请填写姓名"), N_("请填写机构名称"), N_("请输入有效的电子邮箱地址"),
    N_("请选择有效的所在地区"), N_("请选择有效的机构类型"), N_("邀请链接无效或已过期"), N_("请先登录"),
    N_("请选择要上传的文件"), N_("不支持的文件类型：仅支持 PDF、PNG/JPG 图片和 Office 文档"),
    N_("每条记录最多 %(n0)s 个附件"), N_("附件文件已丢失"),
    N_("该记录已被他人修改（当前版本 %(n0)s，您编辑的是版本 %(n1)s），请刷新后重试"),
    N_("请填写检索词或至少选择一个筛选条件"), N_("检索词不能超过500个字符"),
    N_("检索词中没有可检索的词语，请换用具体的技术词语或选择筛选条件"),
    N_("检索词中没有可检索的词语，请换用具体的技术词语，或清空检索词、只按筛选条件订阅"),
    N_("已关注该需求：有新的匹配成果发布时会通知您"), N_("已取消关注"), N_("已删除订阅"),
    N_("每位用户最多保留 %(n0)s 个订阅，请先删除不用的订阅"),
    # the declared lifecycles' refusals (marketplace.workflow)
    N_("当前状态不允许此操作"), N_("当前状态为「%(state)s」，不能%(action)s。"), N_("现在可以：%(actions)s"),
    N_("现在没有可执行的操作"), N_("没有这个操作：%(name)s"), N_("只有平台管理员可以设置平台角色"), N_("、"),
    # technology contracts, licences, inquiries and statistics: messages with numbers filled in (f-strings), and the
    # contract importer's messages (marketplace/deals/importer.py)
    N_("金额最多保留 %(n0)s 位小数（单位：万元）"), N_("金额应为 %(n0)s 到 %(n1)s 万亿元之间的数字（单位：万元）"),
    N_("人数应为 %(n0)s 到 %(n1)s 之间的整数"), N_("合同登记编号应为 %(n0)s 位数字"), N_("邮政编码应为 %(n0)s 位数字"),
    N_("国别代码应为 %(n0)s 位数字（中国为 %(n1)s）"), N_("统一社会信用代码无效：应为 %(n0)s 位，且最后一位校验码正确"),
    N_("行政区划代码无效：应为 %(n0)s 位 GB/T %(n1)s 代码"),
    N_("Idempotency-Key 应为 %(n0)s 到 %(n1)s 个可打印字符"), N_("一次最多导出 %(n0)s 个指定编号的合同"),
    N_("年份应在 %(n0)s 到 %(n1)s 之间"), N_("开始日期应在 %(n0)s 天之内"),
    N_("说明不能超过%(n0)s个字符"), N_("已有进行中的洽谈（编号 %(n0)s）"), N_("年份应为 %(n0)s 到 %(n1)s 之间的整数"),
    N_("年份范围不能超过 %(n0)s 年"), N_("无效的地区代码（省级 GB/T %(n0)s 代码，如 %(n1)s）"),
    N_("只有技术经纪人或平台管理员可以导入合同"), N_("文件应为 XLSX、CSV（UTF-8 或 GB18030 编码）或 JSON Lines（.jsonl）"),
    N_("该行没有可识别的列（表头应为登记表的中文列名或英文键）"), N_("已登记的合同应填写 %(n0)s 位合同登记编号"),
    N_("已登记的合同应填写登记日期"), N_("登记日期不能早于签订日期"), N_("不予登记的合同应填写原因"),
    N_("填写到账金额合计时请同时填写到账日期"), N_("合同登记编号与外部编号分别对应平台上的两份不同合同"),
    # platform administration (marketplace.admin) and account suspension
    N_("只有平台管理员可以执行此操作"), N_("不能取消自己的平台管理员角色，请让另一位管理员操作"),
    N_("该账户已被平台管理员停用，如有疑问请联系平台管理员"), N_("请先登录或提供有效的访问令牌"),
    N_("检索词不能超过%(n0)s个字符"), N_("原因不能超过%(n0)s个字符"),
    # field names of choice fields (validation.Choice(label=...)): "无效的%(label)s：%(value)s" names them
    N_("地区代码"), N_("技术成熟度区间"), N_("排序方式"), N_("机构角色"), N_("洽谈对象类型"), N_("洽谈状态"),
    # 揭榜挂帅 (marketplace.challenges): messages with numbers filled in (f-strings and schema limits)
    N_("本机构已报名该榜单（申请编号 %(n0)s），每个机构只能揭榜一次"), N_("机构 %(n0)s 不存在"),
    N_("本榜单最多确定 %(n0)s 个揭榜方"), N_("请逐项填写 %(n0)s 项技术指标的验收结果"), N_("第 %(n0)s 项指标：请说明是否达标"),
    N_("请对仍在赛马中的 %(n0)s 个团队逐一给出评估结果（每个团队一条）"),
    N_("指标序号应为 %(n0)s 到 %(n1)s 之间且不重复（榜单共 %(n2)s 项技术指标）"),
    N_("各里程碑拨付金额之和（%(n0)s 万元）应等于资助总额（%(n1)s 万元）"),
    N_("各揭榜方资助总额不能超过榜额（%(n0)s 万元；其他揭榜方已占 %(n1)s 万元）"),
    N_("拨付金额不能超过本期应拨付的 %(n0)s 万元（已拨付 %(n1)s 万元）"),
    N_("请填写 %(n0)s 到 %(n1)s 项技术指标"), N_("请填写 %(n0)s 到 %(n1)s 个里程碑"), N_("请选择 %(n0)s 到 %(n1)s 个技术领域"),
    N_("请填写 %(n0)s 到 %(n1)s 项评审指标"),
    # matching filters; an integer field without a range of its own (validation._bounded: INT_MIN is negative)
    N_("每个筛选条件最多 %(n0)s 个值"), N_("应为 -%(n0)s 到 %(n1)s 之间的整数"),
]
