from __future__ import annotations

from django_tasks import task


@task()
def analyse_feedback_task(organisation_id: int, feedback_ids: list[int]) -> int:
    """Analyse newly arrived feedback (enqueued after commit by the feedback listener)."""
    from outsidein.text.services import analyse_feedback

    return analyse_feedback(organisation_id, feedback_ids)
