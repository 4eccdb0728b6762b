"""The practice plan in the terminal: plain numbered lines (``mockview plan``)."""

from __future__ import annotations

from mockview.plan import RULE, Plan


def plan_lines(plan: Plan, *, count: int) -> list[str]:
    """The first ``count`` items of ``plan``, each with its reason; then what is scheduled
    for later and the rule."""
    shown = plan.items[:count]
    total = len(plan.items)
    lines = [f"Practice plan for {plan.today.isoformat()}"
             + (f" (the first {len(shown)} of {total}; all: mockview plan --count {total})"
                if len(shown) < total else ""), ""]
    if not shown:
        lines.append("Nothing to practise today: every question you practised is on target "
                     "and not due yet.")
    for number, item in enumerate(shown, 1):
        lines.append(f"{number:2d}. {item.question_id}  {item.text}")
        lines.append(f"    {item.why}")
        if item.evidence:
            lines.append("    " + "; ".join(item.evidence))
    if plan.later:
        soonest = plan.later[0]
        lines += ["", f"Later: {len(plan.later)} question(s) on target, the next due "
                      f"{soonest.due_on.isoformat()} ({soonest.question_id})."]
    lines += ["", f"Schedule: {RULE}"]
    return lines
