"""No edit or deletion is ever lost: each is in the history, attributed, and can be undone."""

import pytest
from django.urls import reverse

from survmap.records.models import Partnership
from survmap.records.services import history_restore
from tests.factories import PartnershipFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_history_records_an_edit_and_can_restore_the_earlier_version():
    partnership = PartnershipFactory(summary="Signed in 2019.")
    partnership.summary = "Signed in 2018."
    partnership.save()
    latest = partnership.history.latest("history_date")
    assert latest.history_type == "~"
    assert latest.summary == "Signed in 2018."
    earlier = latest.prev_record
    assert earlier.summary == "Signed in 2019."
    assert [change.field for change in latest.diff_against(earlier).changes] == ["summary"]

    history_restore(record=earlier)
    partnership.refresh_from_db()
    assert partnership.summary == "Signed in 2019."
    assert partnership.history.latest("history_date").history_change_reason.startswith("Restored")


def test_history_records_a_deletion_and_can_bring_the_record_back_with_its_sources():
    first, second = SourceFactory(), SourceFactory()
    partnership = PartnershipFactory(sources=[first, second], summary="Before deletion.")
    pk = partnership.pk
    partnership.delete()
    assert not Partnership.objects.filter(pk=pk).exists()

    deletion = Partnership.history.filter(id=pk).latest("history_date")
    assert deletion.history_type == "-"
    history_restore(record=deletion)

    restored = Partnership.objects.get(pk=pk)
    assert restored.summary == "Before deletion."
    assert set(restored.sources.all()) == {first, second}
    assert restored in Partnership.objects.public()


def test_history_records_who_changed_a_record_through_the_admin(bob_client, bob):
    partnership = PartnershipFactory()
    url = reverse("admin:records_partnership_change", args=[partnership.pk])
    response = bob_client.get(url)
    assert response.status_code == 200
    data = {
        "agency": partnership.agency_id,
        "technology": partnership.technology_id,
        "vendor": partnership.vendor_id,
        "product": "Neighbors Portal",
        "status": "ended",
        "summary": "Ended by council vote.",
        "start_precision": "",
        "end_precision": "",
        "Partnership_sources-TOTAL_FORMS": "1",
        "Partnership_sources-INITIAL_FORMS": "1",
        "Partnership_sources-0-id": Partnership.sources.through.objects.get(
            partnership=partnership
        ).pk,
        "Partnership_sources-0-partnership": partnership.pk,
        "Partnership_sources-0-source": partnership.sources.get().pk,
    }
    response = bob_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    latest = partnership.history.latest("history_date")
    assert latest.status == "ended"
    assert latest.history_user == bob

    history_page = bob_client.get(
        reverse("admin:records_partnership_history", args=[partnership.pk])
    )
    assert b"Ended by council vote" in history_page.content or b"ended" in history_page.content
