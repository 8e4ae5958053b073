"""Which SES reports stop mail to an address: permanent bounces and complaints, nothing else."""
from __future__ import annotations

from typing import Any

import pytest

from chalicelib.domain.mail_feedback import BOUNCE, COMPLAINT, suppressions
from tests.support.events import event


def test_a_permanent_bounce_suppresses_each_bounced_recipient_lower_cased() -> None:
    sample = event("ses/bounce_permanent")
    sample["bounce"]["bouncedRecipients"].append({"emailAddress": "Second@Example.COM", "action": "failed"})
    found = suppressions(sample)
    assert [(s.email, s.reason) for s in found] == [("recipient@example.com", BOUNCE), ("second@example.com", BOUNCE)]
    assert found[0].detail == "General: smtp; 550 5.1.1 user unknown" and found[1].detail == "General"
    assert found[0].ses_message_id == sample["mail"]["messageId"]


@pytest.mark.parametrize("bounce_type", ["Transient", "Undetermined"])
def test_other_bounces_do_not(bounce_type: str) -> None:
    assert suppressions(event("ses/bounce_permanent", bounce={"bounceType": bounce_type})) == []


def test_a_complaint_suppresses_unless_it_says_not_spam() -> None:
    [found] = suppressions(event("ses/complaint"))
    assert (found.email, found.reason, found.detail) == ("recipient@example.com", COMPLAINT, "abuse")
    assert suppressions(event("ses/complaint", complaint={"complaintFeedbackType": "not-spam"})) == []


def test_identity_notifications_name_the_type_differently() -> None:
    sample: dict[str, Any] = event("ses/bounce_permanent")
    sample["notificationType"] = sample.pop("eventType")
    assert len(suppressions(sample)) == 1


def test_a_bounce_without_its_details_is_refused() -> None:
    with pytest.raises(ValueError):
        suppressions({"eventType": "Bounce", "mail": {}})
