"""The words of the charts and the report, in Chinese and English.

Every label a chart or the report shows comes from here, keyed by the
language (``zh`` or ``en``), so that ``--lang`` changes every visible word at
once. States, verdicts and roles keep their ids in the data; only the labels
change.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..views.responsibilities import ROLE_ZH
from ..vocabulary import TASK_ROLES

LANGS = ("zh", "en")

#: The fonts charts ask for, CJK first: the browser (or the SVG/PNG renderer) takes the first it has.
FONT = (
    "'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'WenQuanYi Micro Hei', "
    "'PingFang SC', 'Microsoft YaHei', sans-serif"
)

TEXT: dict[str, dict[str, str]] = {
    "report_title": {"zh": "社区建设标准报告", "en": "Community-construction standards report"},
    "generated": {"zh": "生成", "en": "Generated"},
    "as_of": {"zh": "评估日期", "en": "as of"},
    "data": {"zh": "数据", "en": "data"},
    "no_data": {
        "zh": "未提供社区数据：仅包含标准本身的部分（规模、严格程度、时间线、职责）。",
        "en": "No community data given: only the standards themselves "
        "(scaling, strictness, timeline, responsibilities).",
    },
    "households": {"zh": "户数", "en": "Households"},
    "required": {"zh": "要求", "en": "Required"},
    "jurisdiction": {"zh": "地区", "en": "Jurisdiction"},
    "concept": {"zh": "概念", "en": "Concept"},
    "state": {"zh": "状态", "en": "State"},
    "strictness": {"zh": "严格程度（最严格=1）", "en": "Strictness (strictest = 1)"},
    "requirement": {"zh": "要求", "en": "Requirement"},
    "rules": {"zh": "规则", "en": "Rules"},
    "rule": {"zh": "规则", "en": "Rule"},
    "verdict": {"zh": "判定", "en": "Verdict"},
    "count": {"zh": "判定数", "en": "Verdicts"},
    "verdict_share": {"zh": "判定占比", "en": "Share of verdicts"},
    "no_obligation": {"zh": "未规定费用", "en": "no money obligation"},
    "cost_unknown": {
        "zh": "{period}：已知 {known} 元 + 未知（{items} 项）",
        "en": "{period}: {known} known + unknown ({items} items)",
    },
    "communities_failing": {"zh": "不达标社区数", "en": "Communities failing"},
    "clause": {"zh": "条款", "en": "Clause"},
    "quote": {"zh": "原文", "en": "Quote"},
    "document": {"zh": "文件", "en": "Document"},
    "date": {"zh": "日期", "en": "Date"},
    "kind": {"zh": "类型", "en": "Kind"},
    "status": {"zh": "状态", "en": "Status"},
    "title": {"zh": "标题", "en": "Title"},
    "days": {"zh": "距评估日（天）", "en": "Days from as-of"},
    "department": {"zh": "部门", "en": "Department"},
    "role": {"zh": "角色", "en": "Role"},
    "tasks": {"zh": "任务数", "en": "Tasks"},
    "task_titles": {"zh": "任务", "en": "Tasks"},
    "period": {"zh": "期间", "en": "Period"},
    "yuan": {"zh": "金额（元）", "en": "Amount (yuan)"},
    "unknown_items": {"zh": "未知项", "en": "Unknown items"},
    "value": {"zh": "取值", "en": "Value"},
    "share_failing": {"zh": "不达标社区比例", "en": "Share of communities failing"},
    "cost_yearly_yuan": {"zh": "年度费用（元）", "en": "Yearly cost (yuan)"},
    "cost_one_off_yuan": {"zh": "一次性费用（元）", "en": "One-off cost (yuan)"},
    "strength": {"zh": "约束力", "en": "Strength"},
    "not_drawn": {"zh": "无曲线", "en": "No line"},
    # chart titles
    "scaling": {"zh": "要求随社区规模的变化", "en": "How requirements scale with community size"},
    "strictness_title": {"zh": "严格程度：概念 × 地区", "en": "Strictness: concepts × jurisdictions"},
    "strictness_sub": {
        "zh": "参考社区：{households} 户，{kind}；颜色深浅＝该概念中相对最严格者的比例；"
        "未规定、未编码、未生效单独标注，绝不记为 0",
        "en": "Reference community: {households} households, {kind}; shade = share of the strictest on the concept; "
        "not regulated / not encoded / not in force are shown as such, never as 0",
    },
    "compliance_title": {"zh": "各地区达标情况（规则判定数）", "en": "Compliance per jurisdiction (rule verdicts)"},
    "failing_title": {"zh": "最常不达标的规则", "en": "Rules that fail most often"},
    "timeline_title": {"zh": "时间线：文件、节点与期限", "en": "Timeline: documents, milestones and deadlines"},
    "timeline_sub": {"zh": "竖线＝评估日 {as_of}", "en": "Vertical line = as of {as_of}"},
    "responsibilities_title": {
        "zh": "职责矩阵：部门 × 地区 × 角色",
        "en": "Responsibilities: departments × jurisdictions × role",
    },
    "cost_title": {"zh": "各地区费用（全部社区合计）", "en": "Cost per jurisdiction (all communities)"},
    "cost_sub": {
        "zh": "标注“未知”者：至少一项费用的依据数据缺失，柱长只计已知部分",
        "en": "Marked 'unknown': the basis of at least one item is missing; the bar counts only what is known",
    },
    "sweep_title": {"zh": "假设情景扫描：{path}", "en": "What-if sweep: {path}"},
    "provenance": {"zh": "来源与版本", "en": "Provenance"},
    "shequ_version": {"zh": "shequ 版本", "en": "shequ version"},
    "plugins": {"zh": "插件", "en": "Plugins"},
    "documents": {"zh": "文件", "en": "Documents"},
    "command": {"zh": "命令", "en": "Command"},
    "sha256": {"zh": "文本 SHA-256", "en": "Text SHA-256"},
    "source": {"zh": "来源", "en": "Source"},
    "accessed": {"zh": "访问日期", "en": "Accessed"},
}

STATE_LABELS: dict[str, dict[str, str]] = {
    "regulated": {"zh": "有规定（有可比数值）", "en": "regulated (comparable number)"},
    "regulated_other": {"zh": "有规定（无可比数值）", "en": "regulated (no comparable number)"},
    "not_applicable": {"zh": "有规定（不适用于该社区）", "en": "regulated (not for this community)"},
    "not_regulated": {"zh": "未规定", "en": "not regulated"},
    "not_encoded": {"zh": "未编码（文本不全）", "en": "not encoded (copy incomplete)"},
    "not_in_force": {"zh": "未生效", "en": "not in force"},
}

#: Colours of the states: each its own hue, none on the strictness scale's ramp.
STATE_COLOURS = {
    "regulated_other": "#9ecae1",
    "not_applicable": "#d9d9d9",
    "not_regulated": "#ffffff",
    "not_encoded": "#fdae6b",
    "not_in_force": "#bcbddc",
}

VERDICT_LABELS: dict[str, dict[str, str]] = {
    "pass": {"zh": "达标", "en": "pass"},
    "fail": {"zh": "不达标", "en": "fail"},
    "unknown": {"zh": "未知（数据缺失）", "en": "unknown (data missing)"},
    "not_applicable": {"zh": "不适用", "en": "not applicable"},
    "not_due": {"zh": "未到期", "en": "not due"},
    "departs": {"zh": "偏离（指导性）", "en": "departs (guidance)"},
    "not_in_force": {"zh": "未生效", "en": "not in force"},
}

VERDICT_COLOURS = {
    "pass": "#31a354",
    "fail": "#de2d26",
    "unknown": "#969696",
    "not_applicable": "#d9d9d9",
    "not_due": "#9ecae1",
    "departs": "#fd8d3c",
    "not_in_force": "#bcbddc",
}

#: Every role a task may give (the model's, in its order: the strongest first), in the words of the
#: responsibilities view (受理 and 审批 included: a department that only approves is shown as such).
ROLE_LABELS: dict[str, dict[str, str]] = {
    role: {"zh": ROLE_ZH[role], "en": role.replace("_", " ")} for role in TASK_ROLES
}

ROLE_COLOURS = {
    "lead": "#08519c",
    "responsible": "#3182bd",
    "guiding": "#9ecae1",
    "cooperating": "#deebf7",
    "receiving": "#fdd0a2",
    "approving": "#e6550d",
}

PERIOD_LABELS: dict[str, dict[str, str]] = {
    "yearly": {"zh": "每年", "en": "yearly"},
    "one_off": {"zh": "一次性", "en": "one-off"},
    "unstated": {"zh": "期间未载明", "en": "period not stated"},
}

KIND_LABELS: dict[str, dict[str, str]] = {
    "urban": {"zh": "城市社区", "en": "urban"},
    "town": {"zh": "镇社区", "en": "town"},
    "rural": {"zh": "农村社区", "en": "rural"},
    "village": {"zh": "村", "en": "village"},
    "document": {"zh": "文件", "en": "document"},
    "milestone": {"zh": "节点", "en": "milestone"},
    "rule": {"zh": "规则期限", "en": "rule deadline"},
    "stage": {"zh": "分阶段要求", "en": "stage"},
    "task": {"zh": "任务期限", "en": "task deadline"},
}

STATUS_LABELS: dict[str, dict[str, str]] = {
    "upcoming": {"zh": "未到", "en": "upcoming"},
    "due": {"zh": "今日到期", "en": "due"},
    "past": {"zh": "已过", "en": "past"},
    "done": {"zh": "已完成", "en": "done"},
    "overdue": {"zh": "逾期", "en": "overdue"},
    "open": {"zh": "未决（数据缺失）", "en": "open (data missing)"},
    "departs": {"zh": "偏离", "en": "departs"},
    "superseded": {"zh": "已被取代", "en": "superseded"},
    "not_in_force": {"zh": "未生效", "en": "not in force"},
    "not_applicable": {"zh": "不适用", "en": "not applicable"},
}


STATUS_COLOURS = {
    "upcoming": "#3182bd",
    "due": "#000000",
    "past": "#9ecae1",
    "done": "#31a354",
    "overdue": "#de2d26",
    "open": "#969696",
    "departs": "#fd8d3c",
    "superseded": "#d9d9d9",
    "not_in_force": "#bcbddc",
    "not_applicable": "#e7e7e7",
}


def check_lang(lang: str) -> str:
    """``lang`` itself when it is one of :data:`LANGS`; ValueError otherwise."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; languages: {', '.join(LANGS)}")
    return lang


def text(key: str, lang: str, **values: Any) -> str:
    """The label ``key`` in ``lang``, with ``{name}`` placeholders filled from ``values``."""
    words = TEXT[key][lang]
    return words.format(**values) if values else words


def label(table: Mapping[str, Mapping[str, str]], key: str, lang: str) -> str:
    """The label of an id in one of the tables above; the id itself when the table lacks it."""
    entry = table.get(key)
    return entry[lang] if entry else key
