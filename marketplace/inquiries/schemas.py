"""Input and output of inquiries (意向/洽谈). Server-owned fields (status, organisations, broker, timestamps) are never
loaded; a message's size is limited here, one place for the pages and the API."""
from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema, fields, validate

from ..deals.vocabularies import INQUIRY_DECLINE_REASONS
from ..taxonomy import TRANSFER_MODES
from ..validation import Amount, Choice, InputSchema, Int, REQUIRED, Text, UtcDateTime
from ..web.messages import N_
from ..workflow.deals import INQUIRY
from .models import SUBJECT_KINDS
from .overdue import is_overdue

MAX_ID = 2**31 - 1
MAX_MESSAGE = 5000  # characters of one message (the first one included)
MAX_NOTE = 2000  # the free text of a decline (also checked by the lifecycle's effect)


class StrippedText(fields.Str):
    """Text with surrounding white space removed before the length rules run (a blank message is a missing one)."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


def MessageText(**kw) -> fields.Str:
    """A required message of at most MAX_MESSAGE characters."""
    return StrippedText(required=True, allow_none=False, validate=[
        validate.Length(min=1, error=REQUIRED),
        validate.Length(max=MAX_MESSAGE, error=f"不能超过 {MAX_MESSAGE} 个字符")],
        error_messages={"required": REQUIRED, "null": REQUIRED, "invalid": "请输入文本"}, **kw)


class InquiryInput(InputSchema):
    """发起洽谈: what is asked about, the message, the cooperation mode wanted and an optional budget (万元)."""

    subject_kind = Choice(SUBJECT_KINDS, required=True, label="洽谈对象类型",
                          metadata={"description": "achievement 科技成果 / patent 专利 / demand 技术需求 / challenge 揭榜挂帅榜单"})
    subject_id = Int(1, MAX_ID, required=True, metadata={"description": "洽谈对象（已发布的记录）的编号"})
    message = MessageText(metadata={"description": f"留言，最多 {MAX_MESSAGE} 个字符"})
    cooperation_mode = Choice(TRANSFER_MODES, required=True, label="合作方式",
                              metadata={"description": "assignment 转让 / licence 许可 / equity 作价投资 / "
                                                       "joint_development 合作开发 / service 技术服务"})
    budget = Amount(metadata={"description": "预算（万元），可不填"})


class MessageInput(InputSchema):
    body = MessageText(metadata={"description": f"消息内容，最多 {MAX_MESSAGE} 个字符"})
    answer = fields.Bool(allow_none=True, load_default=None, error_messages={"invalid": N_("应为 true 或 false")},
                         metadata={"description": "可选：技术经纪人代持有方回复（持有方在待回复状态下的第一条消息自动算作回复）"})
    version = fields.Int(metadata={"description": "客户端看到的版本号（也可用 If-Match）"})


class DeclineInput(InputSchema):
    reason_code = Choice(INQUIRY_DECLINE_REASONS, required=True, label="婉拒原因",
                         metadata={"description": "婉拒原因：" + " / ".join(
                             f"{code} {names[0]}" for code, names in INQUIRY_DECLINE_REASONS.items())})
    note = Text(max_length=MAX_NOTE, metadata={"description": "说明（选择 other 时必填）；提问方会看到"})
    version = fields.Int(metadata={"description": "客户端看到的版本号（也可用 If-Match）"})


# -- output ---------------------------------------------------------------------------------------------------------

def _label(vocabulary: dict, code) -> str | None:
    return vocabulary[code][0] if code in vocabulary else code


class MessageOut(Schema):
    id = fields.Int()
    body = fields.Str()
    author_id = fields.Int(allow_none=True)
    author_name = fields.Function(lambda m: m.author.name if m.author else None)
    author_org_id = fields.Int(allow_none=True, metadata={"description": "发送方机构；技术经纪人的消息为 null"})
    side = fields.Function(lambda m: side_of(m), metadata={"enum": ["asker", "holder", "broker"]})
    created_at = UtcDateTime()


def side_of(message) -> str:
    """Which side of the thread a message came from."""
    inquiry = message.inquiry
    if message.author_org_id is not None and message.author_org_id == inquiry.asker_org_id:
        return "asker"
    if message.author_org_id is not None and message.author_org_id == inquiry.holder_org_id:
        return "holder"
    return "broker"


class InquirySummaryOut(Schema):
    id = fields.Int()
    subject_kind = fields.Str(metadata={"enum": list(SUBJECT_KINDS)})
    subject_id = fields.Int()
    subject_title = fields.Str()
    asker_org_id = fields.Int()
    asker_org_name = fields.Function(lambda i: i.asker_org.name if i.asker_org else None)
    holder_org_id = fields.Int()
    holder_org_name = fields.Function(lambda i: i.holder_org.name if i.holder_org else None)
    broker_id = fields.Int(allow_none=True)
    cooperation_mode = fields.Str(metadata={"enum": list(TRANSFER_MODES)})
    cooperation_mode_label = fields.Function(lambda i: _label(TRANSFER_MODES, i.cooperation_mode))
    budget = fields.Decimal(as_string=True, allow_none=True, metadata={"description": "万元"})
    status = fields.Str(metadata={"enum": INQUIRY.states})
    status_label = fields.Function(lambda i: INQUIRY.state_label(i.status))
    overdue = fields.Function(lambda i: is_overdue(i), metadata={"type": "boolean",
                                                                  "description": "超过规定天数仍未回复"})
    decline_reason = fields.Str(allow_none=True, metadata={"enum": list(INQUIRY_DECLINE_REASONS)})
    decline_reason_label = fields.Function(lambda i: _label(INQUIRY_DECLINE_REASONS, i.decline_reason)
                                           if i.decline_reason else None)
    decline_note = fields.Str(allow_none=True)
    created_at = UtcDateTime()
    answered_at = UtcDateTime(allow_none=True)
    declined_at = UtcDateTime(allow_none=True)
    closed_at = UtcDateTime(allow_none=True)
    last_message_at = UtcDateTime()
    version = fields.Int()


class InquiryOut(InquirySummaryOut):
    messages = fields.List(fields.Nested(MessageOut))
    attachments = fields.Function(
        lambda i: [{"id": a.id, "name": a.original_name, "size": a.size, "content_type": a.content_type}
                   for a in i.attachments],
        metadata={"type": "array", "items": {"type": "object"}, "description": "附件（下载地址 /attachments/<id>）"})
    actions = fields.Function(lambda i: INQUIRY.available(current_user, i),
                              metadata={"type": "array", "items": {"type": "string"},
                                        "description": "调用者现在可以执行的操作，例如 [\"post\", \"answer\", "
                                                       "\"decline\", \"close\"]"})


class InquiryList(Schema):
    items = fields.List(fields.Nested(InquirySummaryOut), required=True)
    total = fields.Int(required=True)
    page = fields.Int(required=True)
    page_size = fields.Int(required=True)

