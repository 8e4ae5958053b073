""""New file available": the client's contacts hear of a file once, when it first becomes theirs to
open — attached with a policy that opens it at once, released by staff, or opened by its invoice's
payment (or its subscription). Called after the grant's write (`unlock.count_move`, and where a
grant is made open); a marker per file and client (`store.notifications.FileNotice`) makes it once,
whatever re-evaluations, revokes and re-releases follow."""
from __future__ import annotations

from chalicelib import clock
from chalicelib.domain import access
from chalicelib.domain.errors import Conflict
from chalicelib.services.notifications.activity import CLIENT, Activity, record
from chalicelib.services.projects.client_access import client_can_see
from chalicelib.store import notifications as store
from chalicelib.store.grants import Grant
from chalicelib.store.table import conditional, iso


def file_available(grant: Grant) -> None:
    """Tell the grant's client, the first time this file is available to it. A claim link's file is
    not told: the contact who claimed it opened it themselves, and no one else sees it."""
    if grant.state != access.AVAILABLE or grant.policy == access.CLAIM_LINK or grant.reason == access.DETACHED:
        return
    marker = store.new_file_notice(grant.business_id, grant.client_id, grant.resource_id, iso(clock.now()))
    try:
        conditional(lambda: marker.save(condition=store.FileNotice.pk.does_not_exist()), "Told already.")
    except Conflict:
        return
    # A project's file is shown on the project's page, once the client may see the project; it is in
    # the client's Files list either way.
    in_project = grant.target_type == "project" and client_can_see(grant.business_id, grant.client_id,
                                                                    str(grant.target_id))
    record(Activity(grant.business_id, grant.client_id, "files", CLIENT, f"New file available: {grant.title}",
                    text=grant.filename, portal_path=f"projects/{grant.target_id}" if in_project else "?tab=files",
                    project_id=grant.target_id if in_project else None))
