"""Messaging: a conversation per client and per project between the client's contacts and the
team (portal, dashboard, email replies). Seams other features call:

- `conversation_for_portal(access, project_id)`: the conversation as a contact sees it, for the
  partial template `portal_project_conversation.html` (which expects `conversation`);
- `reply_address(business_id, client_id, contact_id, conversation_id)`: a contact's reply
  address for an email's Reply-To (`conversation_id_of(client_id, project_id)` names the conversation);
- `reply_address_for_recipient(business_id, recipient, client_id, project_id)`: the same for the
  recipient of a `messages` notification (each contact gets its own address; None for the team).
"""
from chalicelib.services.messaging.portal_view import conversation_for_portal
from chalicelib.services.messaging.reply_tokens import reply_address, reply_address_for_recipient
from chalicelib.store.messages import conversation_id_of

__all__ = ["conversation_for_portal", "conversation_id_of", "reply_address", "reply_address_for_recipient"]
